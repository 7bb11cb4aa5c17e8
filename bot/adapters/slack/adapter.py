"""The Slack adapter: slack-bolt's AsyncApp in the bot's own event loop.

HTTP mode (no SLACK_APP_TOKEN): Slack posts events, slash commands and button clicks to
POST /slack/events on the bot's one web server. The route reads the body itself, with a cap
(`bot.web_limits`), and hands bolt a request built from those bytes, so bolt never reads an
unbounded body; bolt verifies each signature (401 when it is wrong or the timestamp is over five
minutes off). Socket Mode (SLACK_APP_TOKEN set): the same
AsyncApp receives the same requests over a websocket and no route is exposed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import (
    to_async_bolt_request,
    to_starlette_response,
)
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.base import (
    ChatAdapter,
    ChatHealth,
    CredentialsRejected,
    Replicas,
    SendPacing,
)
from bot.adapters.slack.dedup import EventDeduplication
from bot.adapters.slack.inbound import PLATFORM
from bot.adapters.slack.limits import EVENT_RETRY_WINDOW_SECONDS, MESSAGE_BUDGET
from bot.adapters.slack.listeners import SlackListeners
from bot.adapters.slack.outbound import ChannelPacer, SlackOutbound, SlackRetryPolicy
from bot.adapters.slack.quiet import keep_bodies_out_of_logs
from bot.adapters.slack.render import render
from bot.adapters.slack.settings import SlackSettings
from bot.adapters.slack.tasks import TrackedLazyRunner
from bot.core.core import Core
from bot.core.messages import ChatRef, Reply
from bot.health import CONNECTED, STOPPED, WEBHOOK, PartHealth
from bot.metrics import Metrics
from bot.web_limits import BodyRefused, capped_body

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
CONNECT_TIMEOUT = 30.0  # seconds for the first Socket Mode connection
DRAIN_SECONDS = 10.0  # seconds stop() waits for answers still being written
# Web API errors that mean the token itself is refused: starting again will not help.
REJECTED = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


class SlackConfigError(ValueError):
    pass


class SlackAdapter(ChatAdapter):
    platform = PLATFORM
    message_budget = MESSAGE_BUDGET
    redelivery_window = dt.timedelta(seconds=EVENT_RETRY_WINDOW_SECONDS)

    def __init__(
        self,
        core: Core,
        health: ChatHealth,
        settings: SlackSettings,
        *,
        metrics: Metrics | None = None,
        retry: SlackRetryPolicy | None = None,
        pacer: SendPacing | None = None,
        replicas: Replicas | None = None,
    ) -> None:
        """Without `replicas` the adapter assumes it is the only process serving this app.
        Slack needs no lease: any number of replicas may take HTTP requests, and Slack spreads
        Socket Mode deliveries over an app's connections; the shared event log makes a retried
        event count once either way."""
        if not settings.configured:
            raise SlackConfigError("SLACK_BOT_TOKEN is not set")
        app_token = settings.secret("app_token")
        secret = settings.secret("signing_secret")
        if not app_token and not secret:
            raise SlackConfigError(
                "Slack's HTTP mode needs SLACK_SIGNING_SECRET; Socket Mode needs SLACK_APP_TOKEN"
            )
        keep_bodies_out_of_logs()
        self._app_token = app_token
        self._metrics = metrics or Metrics()
        retry = retry or SlackRetryPolicy()
        token = settings.secret("bot_token")
        base_url = settings.api_base_url
        self.client = AsyncWebClient(
            token=token, base_url=base_url, retry_handlers=retry.handlers(self._metrics)
        )
        self.bolt = AsyncApp(
            name="briefbot",
            # Explicit token and secret: bolt falls back to os.environ otherwise. Bolt builds
            # its own client from the token (given ours as well, it only warns).
            token=token,
            signing_secret=secret,
            request_verification_enabled=bool(secret),
            # The ack runs before the response goes back; the work runs in lazy listeners.
            # (With False, bolt polls every 10 ms for the ack, which only adds latency.)
            process_before_response=True,
        )
        # Bolt's client never gets the pooled session: bolt deep-copies each request's
        # context, client included, for the lazy listeners, and an aiohttp session cannot be
        # copied. Bolt only calls auth.test with it, once; self.client does the posting.
        # Bolt copies these two attributes into each request's client.
        self.bolt.client.base_url = self.client.base_url
        self.bolt.client.retry_handlers = retry.handlers()
        self.tasks = TrackedLazyRunner(self.bolt.logger)
        self.bolt.listener_runner.lazy_listener_runner = self.tasks
        self.dedup = EventDeduplication(
            replicas.events if replicas else None, metrics=self._metrics
        )
        self.bolt.use(self.dedup)
        self.poster = SlackOutbound(
            self.client, health, retry, ChannelPacer(shared=pacer), metrics=self._metrics
        )
        SlackListeners(core, self.poster, self._metrics).register(self.bolt)
        self._socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None
        self.bot_user_id: str | None = None
        self._started = False

    @property
    def socket_mode(self) -> bool:
        return bool(self._app_token)

    def routes(self) -> list[BaseRoute]:
        if self.socket_mode:
            return []
        return [Route(EVENTS_PATH, self.handle_http, methods=["POST"])]

    async def handle_http(self, request: Request) -> Response:
        try:
            body = await capped_body(request)
            bolt_request = to_async_bolt_request(request, body)
        except BodyRefused as refused:
            return refused.response
        except UnicodeDecodeError:  # bolt takes text; Slack only ever sends UTF-8
            return PlainTextResponse("bad body", status_code=400)
        return to_starlette_response(await self.bolt.async_dispatch(bolt_request))

    async def start(self) -> None:
        # One pooled session for every Web API and response_url call (slack_sdk would open a
        # new connection per call otherwise).
        self._session = aiohttp.ClientSession()
        self.client.session = self._session
        setting = "SLACK_BOT_TOKEN"
        try:
            identity = await self.client.auth_test()
            self.bot_user_id = identity.get("user_id")
            if self.socket_mode:
                setting = "SLACK_APP_TOKEN"
                self._socket = AsyncSocketModeHandler(self.bolt, app_token=self._app_token)
                # bolt's Socket Mode handler has no type hints
                connect = self._socket.connect_async()  # type: ignore[no-untyped-call]
                await asyncio.wait_for(connect, CONNECT_TIMEOUT)
        except BaseException as exc:
            await self._close_connections()
            reason = _api_error(exc)
            if reason in REJECTED:
                raise CredentialsRejected(f"Slack rejected {setting}: {reason}") from None
            raise
        self._started = True
        log.info(
            "Slack: %s as %s in %s",
            "Socket Mode" if self.socket_mode else f"HTTP on {EVENTS_PATH}",
            identity.get("user"),
            identity.get("team"),
        )

    def health(self) -> PartHealth:
        if not self._started:
            return PartHealth.down(STOPPED, "not started")
        return PartHealth(CONNECTED if self.socket_mode else WEBHOOK)

    async def stop(self) -> None:
        self._started = False
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]  # no new requests
            self._socket = None
        await self.tasks.drain(DRAIN_SECONDS)  # answers already acknowledged get written
        await self._close_connections()

    async def _close_connections(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        self.client.session = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        """Posts a reply to a channel or DM (digests); returns the messages' ts values."""
        return [
            await self.poster.post(chat.chat_id, message, chat.thread_id)
            for message in render([reply])
        ]


def _api_error(exc: BaseException) -> str:
    """The Web API's error code ("invalid_auth") of a SlackApiError, else ""."""
    if isinstance(exc, SlackApiError) and isinstance(exc.response.data, dict):
        return str(exc.response.data.get("error") or "")
    return ""
