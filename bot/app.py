"""Composition root: settings -> store -> core -> adapters. Everything else receives its parts."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.base import ChatAdapter, Replicas
from bot.adapters.console import QUIT_WORDS
from bot.adapters.slack.settings import SlackSettings
from bot.adapters.telegram.settings import TelegramSettings
from bot.change_feed import follow_changes
from bot.chat_health import StoredChatHealth
from bot.config import Settings
from bot.core.core import Core
from bot.core.digests import DigestControls
from bot.core.fetching import FetchedDocument, FetchFailed, UrlFetcher
from bot.core.roles import Roles
from bot.delivery import DigestDelivery, worker_name
from bot.digest_leader import LEASE_NAME, DigestLeader
from bot.health import PartHealth, bot_health
from bot.leadership import Leadership
from bot.metrics import Metrics
from bot.observe import ObservedCore
from bot.problems import ConfigError, database_failure
from bot.supervisor import PlatformRunner, all_refused
from briefings.changes import ChangeListener
from briefings.db import create_engine, describe, migrate, schema_lock
from briefings.leases import LeaseStore
from briefings.ledger import DeliveryLedger
from briefings.loader import DEFAULT_FILE, BriefingData, load_briefings
from briefings.pacing import SharedPacer
from briefings.seen import SeenEvents
from briefings.send_path import send_path_engine
from briefings.store import BriefingStore, LoadReport
from briefings.subscriptions import SubscriptionStore

if TYPE_CHECKING:
    from bot.scheduler import DigestScheduler

log = logging.getLogger(__name__)

CONSOLE_OPERATOR = "operator"
DIGESTS_STARTING = PartHealth.down("starting", "digests have not started yet")
# Platform names as data keys: each adapter's `platform`, without importing its SDK.
PLATFORM_TELEGRAM = "telegram"
PLATFORM_SLACK = "slack"


@dataclass
class App:
    settings: Settings
    store: BriefingStore
    core: Core
    subscriptions: SubscriptionStore
    ledger: DeliveryLedger
    health: StoredChatHealth
    telegram: TelegramSettings
    slack: SlackSettings
    # Admins named in configuration, per platform; more can be granted in chat.
    configured_admins: dict[str, frozenset[str]]
    # What replicas share on the database: events already handled, and leases. This process
    # is `ledger.worker` in both, as in its delivery claims.
    seen: SeenEvents
    leases: LeaseStore
    metrics: Metrics = field(default_factory=Metrics)
    # The digest scheduler while this process leads digests; /subscribe tells it of changes.
    scheduler: DigestScheduler | None = None
    # The send path's own small pool (briefings/send_path.py), for the shared pacer's
    # reservations and the ledger's in-flight marks; None on SQLite.
    send_path: AsyncEngine | None = None
    # Send times shared with other replicas (PostgreSQL); None on SQLite.
    pacer: SharedPacer | None = None
    # Other replicas' changes on PostgreSQL (bot/change_feed.py); run_bot starts it.
    changes: ChangeListener | None = None

    async def subscription_changed(self, platform: str, chat_id: str) -> None:
        if self.scheduler is not None:
            await self.scheduler.refresh(platform, chat_id)

    async def close(self) -> None:
        if self.changes is not None:
            await self.changes.stop()
        if self.send_path is not None:
            await self.send_path.dispose()
        await self.store.close()


async def open_store(settings: Settings, seed_with: BriefingData | None = None) -> BriefingStore:
    """The store, migrated and, when `seed_with` is given and the database has no topics yet,
    seeded. Both happen under the schema lock, so replicas starting together on an empty
    PostgreSQL database neither migrate nor seed twice. A database that cannot be opened is
    one StartupError."""
    engine = create_engine(settings.database_url)
    try:
        async with schema_lock(engine):
            if await migrate(engine):
                log.info("database migrated to the newest schema")
            store = BriefingStore(engine, cache_ttl=settings.cache_ttl_seconds)
            if seed_with is not None and not (await store.topics.catalog()).topics:
                await seed(store, seed_with)
    except Exception as exc:  # the driver's own errors: connection refused, bad password...
        await engine.dispose()
        raise database_failure(describe(settings.database_url), exc) from exc
    return store


async def seed(store: BriefingStore, data: BriefingData) -> LoadReport:
    report = await store.load_briefings(data)
    if report.changed:
        log.info(
            "loaded %d topics, %d sources, %d points", report.topics, report.sources, report.points
        )
    return report


def link_fetcher(allow_private: bool) -> UrlFetcher:
    """What /ingest <link> uses: bot/article_fetch.py's checked fetch, imported on first use
    (httpx is not needed to start the bot), its refusals turned into the core's sentence."""

    async def fetch(url: str) -> FetchedDocument:
        from bot.article_fetch import FetchPolicy, FetchRefused, fetch_article

        try:
            got = await fetch_article(url, policy=FetchPolicy(allow_private=allow_private))
        except FetchRefused as refused:
            raise FetchFailed(refused.sentence) from None
        return FetchedDocument(got.url, got.body, got.content_type, got.filename)

    return fetch


async def build_app(
    settings: Settings,
    *,
    telegram: TelegramSettings | None = None,
    slack: SlackSettings | None = None,
) -> App:
    """Opens the store (migrating and, when empty, seeding it) and builds the core. Platform
    settings are read from the environment unless given (tests, tools)."""
    # Read once: it seeds an empty database and names the event.
    curated = load_briefings(DEFAULT_FILE)
    store = await open_store(settings, seed_with=curated if settings.seed_on_start else None)
    telegram = telegram or settings.section(TelegramSettings)
    slack = slack or settings.section(SlackSettings)
    configured = {PLATFORM_TELEGRAM: telegram.admins, PLATFORM_SLACK: slack.admins}
    roles = dict(configured)
    if settings.console_admin:
        roles["console"] = frozenset({CONSOLE_OPERATOR})
    subscriptions = SubscriptionStore(store.engine)
    # Built once: the pacer and the ledger's in-flight marks, between a message's paced moment
    # and its departure, never wait for the store's pool.
    send_path = send_path_engine(store.engine)
    ledger = DeliveryLedger(store.engine, worker_name(), send_path=send_path)
    metrics = Metrics()
    core = ObservedCore(
        store,
        Roles(store.admins, roles),
        bot_name=settings.bot_name,
        event_title=settings.event_title or curated.event_title,
        fetch_url=link_fetcher(settings.ingest_allow_private_urls),
        reserved=QUIT_WORDS,
        metrics=metrics,
    )
    health = StoredChatHealth(store.chats, subscriptions)
    app = App(
        settings,
        store,
        core,
        subscriptions,
        ledger,
        health,
        telegram,
        slack,
        configured,
        SeenEvents(store.engine),
        LeaseStore(store.engine),
        metrics,
    )
    app.send_path = send_path
    app.pacer = SharedPacer(send_path) if send_path is not None else None
    core.digests = DigestControls(
        subscriptions, ledger, settings.default_timezone, changed=app.subscription_changed
    )
    app.changes = ChangeListener(settings.database_url)
    follow_changes(app.changes, store.topics, lambda: app.scheduler)
    return app


async def start_digests(app: App, adapters: list[ChatAdapter]) -> DigestLeader:
    """Starts digests for the platforms these adapters serve: at once on SQLite (one process),
    on PostgreSQL whenever this replica holds the digests lease (see bot/digest_leader.py)."""
    from bot.scheduler import DigestScheduler

    settings = app.settings

    def make_delivery() -> DigestDelivery:
        return DigestDelivery(
            app.store,
            app.health,
            app.subscriptions,
            app.ledger,
            {adapter.platform: adapter for adapter in adapters},
            app.configured_admins,
            app.core.event_title,
            grace=dt.timedelta(minutes=settings.digest_grace_minutes),
            metrics=app.metrics,
        )

    def make_scheduler(delivery: DigestDelivery) -> DigestScheduler:
        return DigestScheduler(
            app.subscriptions, app.ledger, delivery, [a.platform for a in adapters]
        )

    def publish(scheduler: DigestScheduler | None) -> None:
        app.scheduler = scheduler

    leader = DigestLeader(make_delivery, make_scheduler, publish)
    leadership = None
    if app.store.engine.dialect.name != "sqlite":
        leadership = Leadership(
            app.leases,
            app.ledger.worker,
            leader,
            name=LEASE_NAME,
            ttl=settings.digest_lease_seconds,
        )
    app.metrics.watch_queue(lambda: leader.pending)
    app.metrics.watch_jobs(lambda: leader.job_count)
    app.metrics.watch_leader(lambda: leader.leading)
    await leader.start(leadership)
    return leader


def build_adapters(settings: Settings, app: App) -> list[ChatAdapter]:
    """The chat adapters whose credentials are configured. Imports are lazy so the console
    chat starts without loading chat SDKs. They share the database with other replicas of the
    bot: its event log and leases."""
    replicas = Replicas(app.seen, app.leases, app.ledger.worker)
    adapters: list[ChatAdapter] = []
    if app.telegram.configured:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(
            TelegramAdapter.from_settings(
                app.telegram,
                app.core,
                app.health,
                app.store.topics,
                app.metrics,
                app.pacer,
                replicas,
            )
        )
    if app.slack.configured:
        from bot.adapters.slack import SlackAdapter

        adapters.append(
            SlackAdapter(
                app.core,
                app.health,
                app.slack,
                metrics=app.metrics,
                pacer=app.pacer,
                replicas=replicas,
            )
        )
    return adapters


def settle_heap() -> None:
    """Called once everything has started: the objects built so far (catalog, subscriptions,
    SDK clients) live as long as the process, so move them out of the garbage collector's
    way. A full collection over them otherwise stalls the event loop for tens of
    milliseconds, long enough to bunch paced messages into a platform's rate limit."""
    gc.collect()
    gc.freeze()


async def run_console(app: App, banner: str) -> None:
    """The console chat as the bot's only adapter, digests included (they print here)."""
    from bot.adapters.console import ConsoleAdapter

    console = ConsoleAdapter(app.core)
    digests = await start_digests(app, [console])
    try:
        await console.run(banner)
    finally:
        await digests.stop()


async def run_bot(settings: Settings, console_banner: str) -> None:
    """Starts every chat adapter with credentials; with none, the console chat. Platforms
    start in the background (retried while they cannot connect); digests and the web server do
    not wait for them. Raises ConfigError when every platform refused its token."""
    app = await build_app(settings)
    adapters = build_adapters(settings, app)
    if app.changes is not None:
        await app.changes.start()
    if not adapters:
        try:
            await run_console(app, console_banner)
        finally:
            await app.close()
        return
    from bot.event_cleanup import keep_forgetting
    from bot.web import WebServer, build_web_app

    log.info("database: %s", describe(settings.database_url))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runners = [PlatformRunner(adapter) for adapter in adapters]
    routes = [route for adapter in adapters for route in adapter.routes()]
    digests: DigestLeader | None = None
    health = bot_health(
        app.store.engine,
        {r.platform: r.health for r in runners},
        lambda: digests.health() if digests is not None else DIGESTS_STARTING,
    )
    web_app = build_web_app(routes, app.metrics, health)
    web = WebServer(web_app, settings.http_host, settings.http_port)
    refusals: list[str] = []
    window = max(adapter.redelivery_window for adapter in adapters)
    cleanup = asyncio.create_task(keep_forgetting(app.seen, window, app.pacer, app.leases))
    try:
        await web.start()
        log.info("web: %s:%d", settings.http_host, web.port)
        for runner in runners:
            runner.begin()
        digests = await start_digests(app, adapters)
        settle_heap()
        refused = asyncio.create_task(all_refused(runners))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({refused, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for task in (refused, stopped):
            task.cancel()
        if refused.done() and not refused.cancelled():
            refusals = refused.result()
    finally:
        cleanup.cancel()
        await asyncio.gather(cleanup, return_exceptions=True)
        if digests is not None:
            await digests.stop()  # releases the digests lease: another replica leads at once
        for runner in reversed(runners):
            await runner.stop()
        await web.stop()
        await app.close()
    if refusals:
        raise ConfigError("; ".join(refusals))
