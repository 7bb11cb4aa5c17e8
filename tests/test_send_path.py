"""The send path's own pool on PostgreSQL (briefings/send_path.py): the ledger's in-flight marks
and the shared pacer's reservations go through it, so they never wait for the store's pool,
whoever holds its connections; they are committed at once, without waiting for the WAL flush;
a statement that hangs fails instead of holding a send. SQLite has no send path: marks go
through the store's engine."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import briefings.send_path
from bot.app import build_app
from bot.config import Settings
from briefings.actors import Actor
from briefings.db import create_engine, migrate
from briefings.ledger import DeliveryLedger
from briefings.schedule import Schedule
from briefings.send_path import send_path_engine
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore

pytestmark = pytest.mark.postgresql

SLOT = dt.datetime(2024, 6, 17, 8, 0, tzinfo=dt.UTC)
# Only so that a broken test fails instead of hanging; nothing here is timed.
GIVE_UP = 20.0


async def open_delivery(engine: AsyncEngine, ledger: DeliveryLedger) -> int:
    sub = await SubscriptionStore(engine).subscribe(
        SubscriptionRequest("telegram", "100", "private", None, Schedule(8, 0, "UTC"), (), "full"),
        Actor.system("tester"),
    )
    delivery_id = await ledger.claim(sub.id, SLOT, SLOT)
    assert delivery_id is not None
    return delivery_id


async def leaving(engine: AsyncEngine, delivery_id: int) -> int | None:
    async with engine.connect() as connection:
        value = await connection.scalar(
            text("SELECT leaving FROM deliveries WHERE id = :id"), {"id": delivery_id}
        )
    return None if value is None else int(value)


async def take_every_connection(engine: AsyncEngine, stack: AsyncExitStack) -> None:
    """Checks out all the pool allows, and holds them until `stack` closes: whoever asks the
    pool for one now waits."""
    pool = engine.sync_engine.pool
    room = pool.size() + pool._max_overflow
    held: list[AsyncConnection] = []
    for _ in range(room):
        held.append(await stack.enter_async_context(engine.connect()))
    for connection in held:  # each really has its server connection
        await connection.execute(text("SELECT 1"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    # A store pool of one connection: easy to take whole.
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    await migrate(engine)
    yield engine
    await engine.dispose()


async def test_sqlite_has_no_send_path_and_marks_through_the_store(engine: AsyncEngine) -> None:
    send_path = send_path_engine(engine)
    if engine.dialect.name == "sqlite":
        assert send_path is None
        ledger = DeliveryLedger(engine, "process-a")
        delivery_id = await open_delivery(engine, ledger)
        await ledger.mark_leaving(delivery_id, 3)
        assert await leaving(engine, delivery_id) == 3
    else:
        assert send_path is not None
        await send_path.dispose()


async def test_a_mark_does_not_wait_for_the_store_pool(pg_url: str) -> None:
    engine = create_engine(pg_url, pool_size=1, max_overflow=0)
    await migrate(engine)
    send_path = send_path_engine(engine)
    assert send_path is not None
    ledger = DeliveryLedger(engine, "process-a", send_path=send_path)
    try:
        delivery_id = await open_delivery(engine, ledger)
        async with AsyncExitStack() as stack:
            await take_every_connection(engine, stack)
            await asyncio.wait_for(ledger.mark_leaving(delivery_id, 2), GIVE_UP)
        # Committed as it returned: another session sees it.
        assert await leaving(engine, delivery_id) == 2
        view = await ledger.get(delivery_id)
        assert view is not None
        assert view.leaving == 2
        # The confirmation, through the store, clears it as before.
        await ledger.record_sent_message(delivery_id, ["m1"])
        assert await leaving(engine, delivery_id) is None
    finally:
        await send_path.dispose()
        await engine.dispose()


async def test_send_path_commits_at_once_without_waiting_for_the_flush(pg_url: str) -> None:
    engine = create_engine(pg_url)
    send_path = send_path_engine(engine)
    assert send_path is not None
    try:
        async with send_path.connect() as connection, engine.connect() as other:
            assert await connection.scalar(text("SHOW synchronous_commit")) == "off"
            # The store's own connections still wait for the flush.
            assert await other.scalar(text("SHOW synchronous_commit")) == "on"
            await connection.execute(text("CREATE TABLE probe (n int)"))
            await connection.execute(text("INSERT INTO probe VALUES (1)"))
            # Autocommit: committed as the statement returned, the connection still open.
            assert await other.scalar(text("SELECT n FROM probe")) == 1
    finally:
        await send_path.dispose()
        await engine.dispose()


async def test_a_statement_that_hangs_fails_instead_of_holding_the_send(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(briefings.send_path, "STATEMENT_TIMEOUT", 0.2)
    engine = create_engine(pg_url)
    send_path = send_path_engine(engine)
    assert send_path is not None
    try:
        with pytest.raises(TimeoutError):  # (were it not bounded, pg_sleep would return)
            async with send_path.connect() as connection:
                await connection.execute(text("SELECT pg_sleep(:s)"), {"s": GIVE_UP})
        async with send_path.connect() as connection:  # and the pool is fine afterwards
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await send_path.dispose()
        await engine.dispose()


async def test_the_app_builds_one_send_path_for_the_pacer_and_the_marks(pg_url: str) -> None:
    app = await build_app(Settings(database_url=pg_url, _env_file=None))
    try:
        assert app.send_path is not None
        assert app.pacer is not None
        delivery_id = await open_delivery(app.store.engine, app.ledger)
        async with AsyncExitStack() as stack:
            await take_every_connection(app.store.engine, stack)
            # With every connection of the store's pool taken, a message is still paced and
            # marked as it leaves.
            wait = await asyncio.wait_for(app.pacer.reserve({"test:chat": 1.0}), GIVE_UP)
            assert wait < 1.0
            await asyncio.wait_for(app.ledger.mark_leaving(delivery_id, 0), GIVE_UP)
        assert await leaving(app.store.engine, delivery_id) == 0
    finally:
        await app.close()
