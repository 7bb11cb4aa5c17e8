"""Shared send pacing in PostgreSQL: `briefbot_reserve` spaces sends per key across pacers (two
engines stand for two replicas), a 429 pushes a key back, idle keys are pruned. SQLite has no
shared pacer."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from briefings.pacing import SharedPacer
from briefings.send_path import send_path_engine
from tests.pg import replica_pacers

pytestmark = pytest.mark.postgresql

# A free key still waits the microsecond between the function's two clock readings.
FREE = 0.001


@pytest.fixture
async def pacers(engine: AsyncEngine) -> AsyncIterator[tuple[SharedPacer, SharedPacer]]:
    if engine.dialect.name != "postgresql":
        pytest.skip("shared pacing needs PostgreSQL")
    async with replica_pacers(engine) as (first, second):
        yield first, second


async def next_at(engine: AsyncEngine, key: str) -> dt.datetime:
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT next_at FROM send_pacing WHERE key = :key"), {"key": key}
        )
    assert isinstance(found, dt.datetime)
    return found


async def test_sqlite_keeps_in_process_pacing(engine: AsyncEngine) -> None:
    send_path = send_path_engine(engine)
    assert (send_path is None) == (engine.dialect.name == "sqlite")
    if send_path is not None:
        await send_path.dispose()


async def test_a_key_waits_its_spacing_and_others_do_not(
    pacers: tuple[SharedPacer, SharedPacer],
) -> None:
    first, second = pacers
    assert await first.reserve({"all": 0.01, "chat:1": 30.0}) < FREE
    # Another replica, another chat: only the shared key's 10 ms stand in the way.
    assert await second.reserve({"all": 0.01, "chat:2": 30.0}) < 1.0
    # The first chat again, from the other replica: its 30 s spacing holds.
    assert 25.0 < await second.reserve({"all": 0.01, "chat:1": 30.0}) <= 30.0


async def test_concurrent_reservations_line_up_one_spacing_apart(
    pacers: tuple[SharedPacer, SharedPacer], engine: AsyncEngine
) -> None:
    first, second = pacers
    await first.reserve({"token": 10.0})
    start = await next_at(engine, "token")
    await asyncio.gather(
        *(pacer.reserve({"token": 10.0, f"chat:{i}": 1.0}) for i in range(10) for pacer in pacers)
    )
    # 20 more sends, none sharing a moment: the key moved on by exactly 20 spacings.
    assert await next_at(engine, "token") - start == dt.timedelta(seconds=200)
    waits = sorted(await asyncio.gather(second.reserve({"token": 10.0}), first.reserve({})))
    assert waits[0] == 0.0  # no keys, no wait (and no round trip)
    assert 205.0 < waits[1] <= 210.0


async def test_a_429_pushes_the_key_back(pacers: tuple[SharedPacer, SharedPacer]) -> None:
    first, second = pacers
    await first.reserve({"chat:9": 1.0})
    await first.push_back("chat:9", 20.0)
    assert 19.0 < await second.reserve({"chat:9": 1.0}) <= 20.0
    await first.push_back("chat:9", 5.0)  # never earlier than already reserved
    assert 20.0 < await second.reserve({"chat:9": 1.0}) <= 21.0
    await first.push_back("chat:new", 3.0)  # a key nobody used yet
    assert 2.0 < await second.reserve({"chat:new": 1.0}) <= 3.0


async def test_prune_drops_idle_keys_only(
    pacers: tuple[SharedPacer, SharedPacer], engine: AsyncEngine
) -> None:
    first, _ = pacers
    await first.push_back("chat:old", -2 * 3600.0)
    await first.reserve({"chat:fresh": 1.0})
    assert await first.prune() == 1
    async with engine.connect() as connection:
        keys = set(await connection.scalars(text("SELECT key FROM send_pacing")))
    assert keys == {"chat:fresh"}
