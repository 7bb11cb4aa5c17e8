"""Change notices between replicas on PostgreSQL: what one process writes reaches another's
listener, the scheduler follows it without a sync, and a dropped connection is re-made."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.change_feed import follow_changes
from bot.chat_health import StoredChatHealth
from bot.delivery import DigestDelivery
from bot.scheduler import DigestScheduler
from briefings.actors import Actor
from briefings.changes import ADMIN, SUBSCRIPTION, ChangeListener, announce
from briefings.db import create_engine, migrate, write_transaction, writer
from briefings.ledger import DeliveryLedger
from briefings.schedule import Schedule
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionStore
from tests.digests.fakes import RecordingAdapter
from tests.digests.test_scheduler import request

SYSTEM = Actor.system("t")
# Generous: notices arrive in milliseconds; this only bounds a failing test.
PATIENCE = 10.0


@pytest.fixture
async def writer_store(pg_url: str) -> AsyncIterator[BriefingStore]:
    """The process that writes, with its own engine."""
    engine = create_engine(pg_url)
    await migrate(engine)
    store = BriefingStore(engine, cache_ttl=0.0)
    yield store
    await store.close()


@pytest.fixture
async def listener(pg_url: str) -> AsyncIterator[ChangeListener]:
    """The process that listens, with its own connection; started, listening."""
    feed = ChangeListener(pg_url, first_backoff=0.05)
    await feed.start()
    await asyncio.wait_for(feed.listening.wait(), PATIENCE)
    yield feed
    await feed.stop()


def collect(feed: ChangeListener, kind: str) -> asyncio.Queue[str]:
    heard: asyncio.Queue[str] = asyncio.Queue()

    async def put(ident: str) -> None:
        heard.put_nowait(ident)

    feed.on(kind, put)
    return heard


async def eventually(check: Callable[[], bool | Awaitable[bool]]) -> None:
    async def poll() -> None:
        while True:
            result = check()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), PATIENCE)


async def heard(queue: asyncio.Queue[str]) -> str:
    return await asyncio.wait_for(queue.get(), PATIENCE)


async def test_a_write_reaches_another_processes_listener(
    writer_store: BriefingStore, listener: ChangeListener
) -> None:
    subscriptions = collect(listener, SUBSCRIPTION)
    admins = collect(listener, ADMIN)
    store = SubscriptionStore(writer_store.engine)
    sub = await store.subscribe(request("1", Schedule(8, 0, "UTC")), SYSTEM)
    assert await heard(subscriptions) == str(sub.id)
    await store.unsubscribe("telegram", "1", SYSTEM)
    assert await heard(subscriptions) == f"-{sub.id}"
    await writer_store.admins.grant("telegram", "77", SYSTEM)
    assert int(await heard(admins)) > 0


async def test_a_rolled_back_write_announces_nothing(
    writer_store: BriefingStore, listener: ChangeListener
) -> None:
    subscriptions = collect(listener, SUBSCRIPTION)

    async def failing_write() -> None:
        async with write_transaction(writer(writer_store.engine)) as session:
            await announce(session, SUBSCRIPTION, 99)
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        await failing_write()
    async with write_transaction(writer(writer_store.engine)) as session:
        await announce(session, SUBSCRIPTION, 100)
    assert await heard(subscriptions) == "100"  # and not 99 before it


async def test_a_catalog_change_invalidates_the_topic_cache(
    writer_store: BriefingStore, listener: ChangeListener, pg_url: str
) -> None:
    reader = BriefingStore(create_engine(pg_url), cache_ttl=3600.0)  # never re-checks alone
    try:
        follow_changes(listener, reader.topics, lambda: None)
        before = (await reader.topics.catalog()).revision
        await writer_store.topics.add_topic("energy", "Energy deals", SYSTEM, reserved=set())

        async def newer() -> bool:
            return (await reader.topics.catalog()).revision > before

        await eventually(newer)
    finally:
        await reader.close()


async def test_the_scheduler_follows_another_process_without_a_sync(
    writer_store: BriefingStore, listener: ChangeListener, pg_url: str
) -> None:
    reader = BriefingStore(create_engine(pg_url))
    subscriptions = SubscriptionStore(reader.engine)
    ledger = DeliveryLedger(reader.engine, "reader")
    delivery = DigestDelivery(
        reader,
        StoredChatHealth(reader.chats, subscriptions),
        subscriptions,
        ledger,
        {"telegram": RecordingAdapter()},
        {},
        "Test event",
    )
    # The periodic sync is an hour away: only the notices can tell it.
    scheduler = DigestScheduler(subscriptions, ledger, delivery, ["telegram"], sync_seconds=3600)
    follow_changes(listener, reader.topics, lambda: scheduler)
    other = SubscriptionStore(writer_store.engine)
    await scheduler.start(catch_up=False)
    try:
        sub = await other.subscribe(request("1", Schedule(8, 0, "UTC")), SYSTEM)
        await eventually(lambda: scheduler.job_count == 1)
        await other.pause(sub.id, "blocked")
        await eventually(lambda: scheduler.job_count == 0)
        await other.subscribe(request("1", Schedule(9, 0, "UTC")), SYSTEM)
        await eventually(lambda: scheduler.job_count == 1)
        await other.unsubscribe("telegram", "1", SYSTEM)
        await eventually(lambda: scheduler.job_count == 0)
    finally:
        await scheduler.stop()
        await reader.close()


async def test_the_listener_reconnects_when_its_connection_is_killed(
    writer_store: BriefingStore, listener: ChangeListener
) -> None:
    subscriptions = collect(listener, SUBSCRIPTION)
    connected: asyncio.Queue[None] = asyncio.Queue()

    async def again() -> None:
        connected.put_nowait(None)

    listener.on_connected(again)
    killed = listener.backend_pid
    async with writer_store.engine.connect() as conn:
        await conn.exec_driver_sql(f"SELECT pg_terminate_backend({killed})")
    await asyncio.wait_for(connected.get(), PATIENCE)  # listening again, and told so
    assert listener.connections == 2
    assert listener.backend_pid != killed
    store = SubscriptionStore(writer_store.engine)
    sub = await store.subscribe(request("1", Schedule(8, 0, "UTC")), SYSTEM)
    assert await heard(subscriptions) == str(sub.id)


async def test_on_sqlite_nothing_listens(tmp_path: Path) -> None:
    feed = ChangeListener(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    await feed.start()
    try:
        assert not feed.enabled
        assert not feed.listening.is_set()
    finally:
        await feed.stop()
