"""Telegram adapter: python-telegram-bot's Application, run in the bot's own event loop.

Updates arrive by long polling, or by webhook on the bot's web server when a webhook URL is
configured. A message meant for the bot becomes an Incoming for the core; each Reply is rendered
to HTML and posted by the sender (retries, blocked and moved chats) through the rate limiter.
Only the lifecycle pieces of Application are used (initialize/start ... stop/shutdown), never
run_polling, which would own the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.adapters import held_lease
from bot.adapters.base import (
    ChatAdapter,
    ChatHealth,
    CredentialsRejected,
    Replicas,
    SendPacing,
    TopicDirectory,
)
from bot.adapters.telegram import replicas as replication
from bot.adapters.telegram.inbound import Me
from bot.adapters.telegram.limits import MESSAGE_BUDGET, UPDATE_REDELIVERY_HOURS
from bot.adapters.telegram.listeners import TelegramListeners
from bot.adapters.telegram.menu import CommandMenu
from bot.adapters.telegram.outbound import PLATFORM, TelegramOutbound, TelegramRetryPolicy
from bot.adapters.telegram.polling import ObservedRequest, PollingHealth
from bot.adapters.telegram.processor import ChatUpdateProcessor
from bot.adapters.telegram.rate_limiter import ChatRateLimiter, TelegramLimits
from bot.adapters.telegram.redaction import protect_token
from bot.adapters.telegram.render import render
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.transport import remember_missing_sniffio
from bot.adapters.telegram.webhook import new_secret, valid_secret, webhook_route
from bot.core.core import Core
from bot.core.messages import ChatRef, Reply
from bot.health import STOPPED, WEBHOOK, PartHealth
from bot.metrics import Metrics

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "my_chat_member"]


def file_url(base_url: str) -> str:
    """Where files are downloaded from: `.../bot` -> `.../file/bot`, as on api.telegram.org
    and on a self-hosted Bot API server."""
    stem = base_url.removesuffix("/bot")
    return f"{stem}/file/bot" if stem != base_url else base_url.rstrip("/") + "/file/bot"


@dataclass(frozen=True)
class TelegramOptions:
    webhook_url: str | None = None  # webhook mode when set, long polling otherwise
    webhook_secret: str | None = None  # generated when a webhook has none
    limits: TelegramLimits = field(default_factory=TelegramLimits)
    pacer: SendPacing | None = None  # shared with other replicas (PostgreSQL)
    retry: TelegramRetryPolicy = field(default_factory=TelegramRetryPolicy)
    poll_timeout: float = 10.0  # seconds a getUpdates call waits for news
    request_timeout: float = 10.0  # read and write timeout of every other call
    connect_timeout: float = 5.0
    max_concurrent_updates: int = 256
    # HTTP connections (and requests in flight) for Bot API calls other than getUpdates. At
    # Telegram's 30 messages/s and round trips of a few hundred ms, eight are plenty. httpx's
    # pool does work per request that grows with its size and queue: with PTB's default of
    # 256 that was the largest cost per update under load.
    connection_pool_size: int = 8
    max_waiting_per_chat: int = 8
    menu_refresh_seconds: float = 300.0
    # Beside other replicas: how often this replica's lease (polling, webhook) is renewed.
    lease_renew_seconds: float = held_lease.RENEW_EVERY


class TelegramAdapter(ChatAdapter):
    platform = PLATFORM
    message_budget = MESSAGE_BUDGET
    redelivery_window = dt.timedelta(hours=UPDATE_REDELIVERY_HOURS)

    def __init__(
        self,
        core: Core,
        health: ChatHealth,
        topics: TopicDirectory,
        token: str,
        base_url: str = "https://api.telegram.org/bot",
        options: TelegramOptions | None = None,
        metrics: Metrics | None = None,
        replicas: Replicas | None = None,
    ) -> None:
        """Without `replicas` the adapter assumes it is the only process serving this bot."""
        self.options = options or TelegramOptions()
        self._replicas = replicas
        # The lease this replica runs under beside other replicas (see replicas.py).
        self.lease: held_lease.HeldLease | None = None
        self._lost: str | None = None  # why this replica stopped taking updates
        self._metrics = metrics or Metrics()
        self._secret = self.options.webhook_secret or new_secret()
        if not valid_secret(self._secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold 1-256 of A-Z a-z 0-9 _ -")
        protect_token(token)  # before the Bot exists: building it logs the URL
        remember_missing_sniffio()
        self.polling = PollingHealth()
        self.application = self._build(token, base_url)
        self.sender = TelegramOutbound(
            self.application.bot, health, self.options.retry, self._metrics
        )
        self.menu = CommandMenu(self.application.bot, topics, core.registry.listed())
        self.handlers = TelegramListeners(core, self.sender, self.menu, self.send, self._metrics)
        self.handlers.register(self.application)
        self._menu_task: asyncio.Task[None] | None = None
        self._running = False

    @classmethod
    def from_settings(
        cls,
        settings: TelegramSettings,
        core: Core,
        health: ChatHealth,
        topics: TopicDirectory,
        metrics: Metrics,
        pacer: SendPacing | None = None,
        replicas: Replicas | None = None,
    ) -> TelegramAdapter:
        token = settings.bot_token
        secret = settings.webhook_secret
        return cls(
            core,
            health,
            topics,
            token.get_secret_value() if token else "",
            settings.api_base_url,
            TelegramOptions(
                webhook_url=settings.webhook_url or None,
                webhook_secret=secret.get_secret_value() if secret else None,
                pacer=pacer,
            ),
            metrics,
            replicas,
        )

    def _build(self, token: str, base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
        o = self.options
        builder = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(file_url(base_url))
            .rate_limiter(
                ChatRateLimiter(
                    o.limits,
                    max_in_flight=o.connection_pool_size,
                    pacer=o.pacer,
                    bot_id=token.partition(":")[0],  # public: the bot's user id
                )
            )
            .concurrent_updates(
                ChatUpdateProcessor(o.max_concurrent_updates, o.max_waiting_per_chat, self._metrics)
            )
            .connection_pool_size(o.connection_pool_size)
            .connect_timeout(o.connect_timeout)
            # Waiting for a pooled connection during a burst is not an error.
            .pool_timeout(o.request_timeout)
            .read_timeout(o.request_timeout)
            .write_timeout(o.request_timeout)
            .get_updates_request(
                ObservedRequest(
                    self.polling,
                    connect_timeout=o.connect_timeout,
                    read_timeout=o.request_timeout,  # PTB adds the poll timeout to this
                    # PTB's last getUpdates on stop (to confirm what was fetched) can find the
                    # single pooled connection still held by the poll it just cancelled; a
                    # second one avoids a pool timeout there.
                    connection_pool_size=2,
                )
            )
            .job_queue(None)  # the project's own scheduler runs timed work
        )
        if o.webhook_url:
            builder = builder.updater(None)
        application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        return application

    # ----- ChatAdapter -------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        if not self.options.webhook_url:
            return []
        return [webhook_route(self._secret, self._accept)]

    async def start(self) -> None:
        app = self.application
        try:
            await app.initialize()  # getMe: checks the token, learns the bot's username
        except InvalidToken:
            await app.bot.shutdown()
            # PTB's message quotes the token; say the same without it.
            raise CredentialsRejected("Telegram rejected TELEGRAM_BOT_TOKEN") from None
        except BaseException:
            await app.bot.shutdown()  # Application.shutdown skips a half-initialized bot
            raise
        me = self.handlers.me = Me(app.bot.id, app.bot.username)
        try:
            await self._claim(me.id)
        except BaseException:
            await app.shutdown()
            raise
        await self.menu.refresh()  # never raises
        try:
            await app.start()
            await self._start_receiving()
        except BaseException:
            if app.running:
                await app.stop()
            await self._release()  # a start tried again must not leave a lease renewing
            await app.shutdown()
            raise
        self._running = True
        self._menu_task = asyncio.create_task(
            self.menu.keep_fresh(self.options.menu_refresh_seconds)
        )
        mode = "webhook" if self.options.webhook_url else "polling"
        log.info("Telegram: @%s %s", me.username, mode)

    async def _claim(self, bot_id: int) -> None:
        """Takes the lease this mode runs under beside other replicas (see replicas.py); raises
        StartRefused when another live replica holds it, or runs in a mode this one would
        break. Called before anything changes at Telegram (setWebhook, getUpdates, which
        deletes a webhook), so a refused replica leaves the others as they were."""
        self._lost = None
        if self._replicas is None:
            return
        self.lease = await replication.claim(
            self._replicas.leases,
            self._replicas.holder,
            bot_id,
            webhook=bool(self.options.webhook_url),
            secret_configured=bool(self.options.webhook_secret),
            on_lost=self._lease_lost,
            renew_every=self.options.lease_renew_seconds,
        )

    async def _lease_lost(self, reason: str) -> None:
        """Another replica took over (our lease ran out meanwhile), or one in another mode
        started while our webhook lease had lapsed: stop taking updates, so two replicas never
        poll one token, and say so in health."""
        self._lost = f"stopped taking updates: {reason}"
        updater = self.application.updater
        if updater is not None and updater.running:
            with contextlib.suppress(InvalidToken):
                await updater.stop()

    async def _release(self) -> None:
        lease, self.lease = self.lease, None
        if lease is not None:
            await lease.release()

    async def _start_receiving(self) -> None:
        app, o = self.application, self.options
        if o.webhook_url:
            await app.bot.set_webhook(
                url=o.webhook_url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES
            )
        elif app.updater is not None:
            await app.updater.start_polling(
                timeout=dt.timedelta(seconds=o.poll_timeout),
                allowed_updates=ALLOWED_UPDATES,
                error_callback=_polling_error,
            )

    async def stop(self) -> None:
        """Stops taking updates, answers those already taken, then closes connections."""
        self._running = False
        if self.lease is not None:
            await self.lease.stop_renewing()  # so a lost lease cannot stop polling meanwhile
        if self._menu_task is not None:
            self._menu_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._menu_task
            self._menu_task = None
        app = self.application
        if app.updater is not None and app.updater.running:
            # After a rejected token PTB's polling task ended with InvalidToken, which stop()
            # raises again; it was reported when it happened.
            with contextlib.suppress(InvalidToken):
                await app.updater.stop()
        # Polling has stopped: another replica may take over at once. (Nothing here calls
        # deleteWebhook: in webhook mode the other replicas keep receiving through it.)
        await self._release()
        if app.running:
            await app.stop()
        await app.shutdown()

    def health(self) -> PartHealth:
        if not self._running:
            return PartHealth.down(STOPPED, "not started")
        if self._lost:
            return PartHealth.down(STOPPED, self._lost)
        if self.options.webhook_url:
            return PartHealth(WEBHOOK)
        return self.polling.state

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        # No buttons under channel posts: any subscriber could press them (see `pressed`).
        return await self.sender.deliver(chat, render(reply, buttons=chat.kind != "channel"))

    async def _accept(self, data: dict[str, Any]) -> bool:
        """A webhook update, queued like a polled one, unless some replica (this one included)
        took it already: Telegram sends an update again when an answer was slow or lost."""
        if not self._running or self._lost:
            return False
        bot = self.application.bot
        update = Update.de_json(data, bot)
        if self._replicas is not None:
            key = replication.update_key(bot.id, update.update_id)
            if not await self._replicas.events.first_time(key):
                self._metrics.platform_event(PLATFORM, "duplicate_update")
                return True  # 200: taken elsewhere, so Telegram stops sending it
        await self.application.update_queue.put(update)
        return True


def _polling_error(exc: TelegramError) -> None:
    # PTB retries polling by itself; its default callback logs a full traceback each time.
    log.warning("telegram polling failed, retrying: %s", exc.message)
