"""Composition root: settings -> store -> core -> adapters. Everything else receives its parts."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.adapters.base import ChatAdapter
from bot.config import Settings
from bot.core.core import Core
from bot.core.roles import Roles
from bot.metrics import Metrics
from briefings.db import create_engine, migrate
from briefings.loader import DEFAULT_FILE, load_briefings
from briefings.store import BriefingStore, LoadReport

log = logging.getLogger(__name__)

CONSOLE_OPERATOR = "operator"


@dataclass
class App:
    settings: Settings
    store: BriefingStore
    core: Core
    metrics: Metrics = field(default_factory=Metrics)

    async def close(self) -> None:
        await self.store.close()


async def open_store(settings: Settings) -> BriefingStore:
    engine = create_engine(settings.database_url)
    if await migrate(engine):
        log.info("database migrated to the newest schema")
    return BriefingStore(engine, cache_ttl=settings.cache_ttl_seconds)


async def seed(store: BriefingStore) -> LoadReport:
    report = await store.load_briefings(load_briefings(DEFAULT_FILE))
    if report.changed:
        log.info(
            "loaded %d topics, %d sources, %d points", report.topics, report.sources, report.points
        )
    return report


async def build_app(settings: Settings) -> App:
    store = await open_store(settings)
    catalog = await store.catalog()
    if settings.seed_on_start and not catalog.topics:
        await seed(store)
    configured = dict(settings.static_admins())
    if settings.console_admin:
        configured["console"] = frozenset({CONSOLE_OPERATOR})
    core = Core(
        store,
        Roles(store, configured),
        bot_name=settings.bot_name,
        event_title=settings.event_title or load_briefings(DEFAULT_FILE).event_title,
    )
    return App(settings, store, core)


def build_adapters(settings: Settings, app: App) -> list[ChatAdapter]:
    """The chat adapters whose credentials are configured. Imports are lazy so the console
    chat starts without loading chat SDKs."""
    adapters: list[ChatAdapter] = []
    return adapters


async def run_bot(settings: Settings, console_fallback: Callable[[], Awaitable[None]]) -> None:
    """Starts every chat adapter with credentials; with none, hands over to the console."""
    app = await build_app(settings)
    adapters = build_adapters(settings, app)
    if not adapters:
        await app.close()
        await console_fallback()
        return
    from bot.web import WebServer, build_web_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    routes = [route for adapter in adapters for route in adapter.routes()]
    web = WebServer(build_web_app(routes, app.metrics), settings.http_host, settings.http_port)
    started: list[ChatAdapter] = []
    try:
        await web.start()
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter started", adapter.platform)
        await stop.wait()
    finally:
        for adapter in reversed(started):
            await adapter.stop()
        await web.stop()
        await app.close()
