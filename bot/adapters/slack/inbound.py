"""Slack payloads -> the core's Incoming. Pure functions: no network, no bolt objects.

Chat kinds: a direct message (channel id D...) is "private"; public channels, private channels
and group DMs are all "group", because to the core they mean the same thing (several readers,
a message everybody sees).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.adapters.slack.limits import MESSAGE_BUDGET
from bot.core.commands import parse
from bot.core.messages import ChatKind, ChatRef, Incoming

PLATFORM = "slack"
UMBRELLA = "/brief"  # `/brief <command> [args]` reaches every command and topic
_ANY_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def unescape(text: str) -> str:
    """Slack sends &, < and > as entities in user text; the core wants what was typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def chat_kind(channel_id: str) -> ChatKind:
    return "private" if channel_id.startswith("D") else "group"


def chat_ref(channel_id: str, thread_ts: str | None = None) -> ChatRef:
    return ChatRef(PLATFORM, channel_id, chat_kind(channel_id), thread_ts)


def slash_text(command: str, text: str, umbrella: str = UMBRELLA) -> str:
    """What the core receives for a slash command: `/brief search missiles` -> `/search
    missiles`, `/brief` alone -> `/help`, `/digest x` -> `/digest x`."""
    words = text.strip()
    if command != umbrella:
        return f"{command} {words}".strip()
    if not words:
        return "/help"
    return "/" + words.lstrip("/")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """`<@U0BOT> treaty` -> `treaty`. Mentions of the bot are removed wherever they are; when
    the bot's id is unknown, a leading mention of anyone is."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    else:
        text = _ANY_MENTION.sub(" ", text, count=1)
    return text.strip()


def normalized_command(text: str) -> str | None:
    """The canonical `/name args` form of what a user sent, or None when it is not a command."""
    parsed = parse(text)
    if parsed is None or not parsed.name:
        return None
    return f"/{parsed.name} {parsed.args}".strip()


def from_command(body: dict[str, Any], umbrella: str = UMBRELLA) -> Incoming:
    channel = str(body.get("channel_id", ""))
    user = str(body.get("user_id", ""))
    return Incoming(
        chat=chat_ref(channel),
        user_id=user,
        user_name=str(body.get("user_name") or user),
        text=unescape(
            slash_text(str(body.get("command", "")), str(body.get("text", "")), umbrella)
        ),
        command_prefix=f"{umbrella} ",
        message_budget=MESSAGE_BUDGET,
    )


def from_event(event: dict[str, Any], bot_user_id: str | None) -> Incoming:
    """An app_mention or a direct message; the mention of the bot is stripped either way."""
    channel = str(event.get("channel", ""))
    user = str(event.get("user", ""))
    return Incoming(
        chat=chat_ref(channel, event.get("thread_ts")),
        user_id=user,
        user_name=user,
        text=unescape(strip_mention(str(event.get("text", "")), bot_user_id)),
        command_prefix=f"{UMBRELLA} ",
        message_budget=MESSAGE_BUDGET,
    )


def from_mention(event: dict[str, Any], bot_user_id: str | None) -> Incoming:
    """An @mention in a channel is said in public, so it is answered in public: in a thread
    under the mention (or in the thread it was posted in), as Slack apps conventionally do."""
    incoming = from_event(event, bot_user_id)
    thread = event.get("thread_ts") or event.get("ts")
    return replace(incoming, chat=replace(incoming.chat, thread_id=thread))


def from_action(body: dict[str, Any], command: str) -> Incoming:
    """A button click: the button's value is the command to run, for the user who clicked."""
    user = body.get("user") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id", ""
    )
    return Incoming(
        chat=chat_ref(str(channel), (body.get("container") or {}).get("thread_ts")),
        user_id=str(user.get("id", "")),
        user_name=str(user.get("username") or user.get("name") or user.get("id", "")),
        text=command,
        command_prefix=f"{UMBRELLA} ",
        message_budget=MESSAGE_BUDGET,
    )


def is_direct_message(event: dict[str, Any]) -> bool:
    """A person's new message in a DM with the bot (with or without a file): not an edit, a
    join or a bot's post."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in (None, "file_share")
        and "bot_id" not in event
        and bool(event.get("user"))
    )


def is_person_mention(event: dict[str, Any]) -> bool:
    """An app_mention from a person in a channel. DMs are left to the message listener, which
    sees the same text, so a mention in a DM is answered once."""
    return (
        "bot_id" not in event
        and "subtype" not in event
        and bool(event.get("user"))
        and not str(event.get("channel", "")).startswith("D")
    )
