"""What the bot does with each kind of Slack request. The same functions serve HTTP mode and
Socket Mode: both reach them through one bolt AsyncApp.

Each listener acknowledges at once (bolt answers Slack with that ack) and does the work in a
lazy listener after the ack, so Slack's 3-second limit holds whatever the core or the network
costs. Slash commands are answered to the asker only (ephemeral) with a "Share in channel"
button; an @mention in a channel is public, so it is answered in public, in a thread under the
mention; in a DM with the bot the answer is a normal message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.adapters.base import SendError
from bot.adapters.slack import limits, texts
from bot.adapters.slack.files import shared_file
from bot.adapters.slack.inbound import (
    UMBRELLA,
    from_action,
    from_command,
    from_event,
    from_mention,
    is_direct_message,
    is_person_mention,
    normalized_command,
)
from bot.adapters.slack.outbound import SlackOutbound
from bot.adapters.slack.render import ACTION_RUN, ACTION_SHARE, SlackMessage, render
from bot.core.commands import parse
from bot.core.core import Core
from bot.core.messages import Incoming, Reply
from bot.metrics import Metrics

log = logging.getLogger(__name__)


class SlackListeners:
    def __init__(
        self, core: Core, poster: SlackOutbound, metrics: Metrics, umbrella: str = UMBRELLA
    ) -> None:
        self._core = core
        self._poster = poster
        self._metrics = metrics
        self._umbrella = umbrella

    def register(self, app: AsyncApp) -> None:
        # Any slash command: the umbrella, the fixed commands the manifest declares, and any a
        # workspace adds by hand for a topic (e.g. /treaty) all go through the core.
        app.command(re.compile(r"^/"))(ack=self.ack, lazy=[self.on_command])
        app.event("app_mention")(ack=self.ack, lazy=[self.on_mention])
        # Every message event is acknowledged (a 404 would make Slack retry edits and joins);
        # on_message keeps only people's new DMs.
        app.event("message")(ack=self.ack, lazy=[self.on_message])
        app.action(re.compile(rf"^{ACTION_RUN}_\d+$"))(ack=self.ack, lazy=[self.on_run])
        app.action(ACTION_SHARE)(ack=self.ack, lazy=[self.on_share])

    async def ack(self, ack: AsyncAck) -> None:
        await ack()

    # ----- lazy listeners: run after the ack -------------------------------------------------

    async def on_command(self, body: dict[str, Any]) -> None:
        incoming = from_command(body, self._umbrella)
        await self._guard(incoming, self._answer_privately(incoming, body.get("response_url")))

    async def on_mention(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = body.get("event") or {}
        if not is_person_mention(event):
            return
        incoming = from_mention(event, context.bot_user_id)
        await self._guard(incoming, self._answer_in_thread(incoming))

    async def on_message(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        event = body.get("event") or {}
        if not is_direct_message(event):
            return
        incoming = from_event(event, context.bot_user_id)
        attachment = shared_file(event, self._poster.client)
        if attachment is not None:
            incoming = replace(incoming, attachment=attachment)
        await self._guard(incoming, self._answer_in_dm(incoming))

    async def on_run(self, body: dict[str, Any]) -> None:
        command = _action_value(body)
        if command is None:
            return
        incoming = from_action(body, command)
        if incoming.chat.kind == "private":
            await self._guard(incoming, self._answer_in_dm(incoming, body.get("response_url")))
        else:
            await self._guard(incoming, self._answer_privately(incoming, body.get("response_url")))

    async def on_share(self, body: dict[str, Any]) -> None:
        command = _action_value(body)
        if command is None:
            return
        incoming = from_action(body, command)
        await self._guard(incoming, self._share(incoming, body.get("response_url")))

    # ----- answering --------------------------------------------------------------------------

    async def _guard(self, incoming: Incoming, work: Coroutine[Any, Any, None]) -> None:
        """A failure answering one request is logged and counted; it never reaches bolt, and
        never stops the bot."""
        try:
            await work
        except SendError as exc:  # the poster counted it
            log.warning("slack answer in %s failed: %s", incoming.chat.chat_id, exc.reason)
        except Exception:
            self._metrics.platform_error("slack", "handler_failed")
            log.exception("slack answer failed: %r", incoming.text[:80])

    async def _answer_privately(self, incoming: Incoming, response_url: str | None) -> None:
        replies = await self._core.handle(incoming)
        messages = render(replies, share=await self._share_command(incoming, replies))
        chat = incoming.chat
        for n, message in enumerate(messages):
            if response_url and n < limits.RESPONSE_URL_POSTS:
                await self._poster.respond(response_url, message, "ephemeral")
            else:
                await self._poster.post_ephemeral(
                    chat.chat_id, incoming.user_id, message, chat.thread_id
                )

    async def _answer_in_thread(self, incoming: Incoming) -> None:
        """A mention's answer, for everyone in the channel, in the mention's thread."""
        messages = render(await self._core.handle(incoming))
        await self._post_visibly(incoming, messages, None)

    async def _answer_in_dm(self, incoming: Incoming, response_url: str | None = None) -> None:
        messages = render(await self._core.handle(incoming))
        await self._post_visibly(incoming, messages, response_url)

    async def _share(self, incoming: Incoming, response_url: str | None) -> None:
        messages = render(await self._core.handle(incoming))
        try:
            await self._post_visibly(incoming, messages, response_url)
        except SendError:
            if response_url:  # tell the person who clicked, then let _guard log it
                failed = render([Reply.text(texts.SHARE_FAILED, tone="error")])
                await self._poster.respond(response_url, failed[0], "ephemeral")
            raise

    async def _post_visibly(
        self, incoming: Incoming, messages: list[SlackMessage], response_url: str | None
    ) -> None:
        """For everyone in the conversation: through response_url where there is one (it works
        even where the bot is not a member), else chat.postMessage."""
        chat = incoming.chat
        for n, message in enumerate(messages):
            if response_url and n < limits.RESPONSE_URL_POSTS:
                await self._poster.respond(response_url, message, "in_channel")
            else:
                await self._poster.post(chat.chat_id, message, chat.thread_id)

    async def _share_command(self, incoming: Incoming, replies: list[Reply]) -> str | None:
        """The command a Share button re-runs, when the answer is a briefing worth sharing."""
        if incoming.chat.kind == "private" or any(r.tone != "info" for r in replies):
            return None
        parsed = parse(incoming.text)
        if parsed is None:
            return None
        command = await self._core.resolve(parsed.name)
        if command is None or not command.read_only:
            return None
        return normalized_command(incoming.text)


def _action_value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or []
    value = actions[0].get("value") if actions else None
    return value if isinstance(value, str) and value.strip() else None
