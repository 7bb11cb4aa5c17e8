"""Seen events: a key is taken once across processes, and old keys are forgotten (by the
periodic cleanup too), on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable

import pytest

from bot.event_cleanup import forget_once
from briefings.db import create_engine, migrate
from briefings.seen import SeenEvents

pytestmark = pytest.mark.postgresql

START = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[tuple[SeenEvents, SeenEvents, Clock]]:
    """Two stores on two engines (two replicas' connection pools), one clock."""
    first, second = create_engine(database_url), create_engine(database_url)
    await migrate(first)
    clock = Clock()
    yield SeenEvents(first, clock), SeenEvents(second, clock), clock
    await first.dispose()
    await second.dispose()


async def test_a_key_is_taken_once_whichever_replica_asks(
    engines: tuple[SeenEvents, SeenEvents, Clock],
) -> None:
    a, b, _ = engines
    assert await a.first_time("slack:event:Ev1")
    assert not await b.first_time("slack:event:Ev1")
    assert not await a.first_time("slack:event:Ev1")
    assert await b.first_time("slack:event:Ev2"), "keys are independent"


async def test_racing_replicas_take_a_key_exactly_once(
    engines: tuple[SeenEvents, SeenEvents, Clock],
) -> None:
    a, b, _ = engines
    results = await asyncio.gather(
        *(store.first_time(f"telegram:1:update:{n}") for n in range(5) for store in (a, b, a))
    )
    # 5 keys, 3 attempts each: each key won by exactly one attempt.
    assert [results[i * 3 : i * 3 + 3].count(True) for i in range(5)] == [1] * 5


async def test_old_keys_are_forgotten_and_new_ones_kept(
    engines: tuple[SeenEvents, SeenEvents, Clock],
) -> None:
    a, b, clock = engines
    assert await a.first_time("old")
    clock.now += dt.timedelta(hours=2)
    assert await a.first_time("new")
    assert await b.forget_older_than(START + dt.timedelta(hours=1)) == 1
    assert await b.first_time("old"), "forgotten: a key seen again after its window is new"
    assert not await b.first_time("new")
    assert await b.forget_older_than(START) == 0


async def test_a_key_too_long_for_the_table_is_refused(
    engines: tuple[SeenEvents, SeenEvents, Clock],
) -> None:
    a, _, _ = engines
    with pytest.raises(ValueError, match="longer than 160"):
        await a.first_time("x" * 161)


async def test_the_cleanup_keeps_keys_for_the_redelivery_window_and_a_margin(
    engines: tuple[SeenEvents, SeenEvents, Clock],
) -> None:
    a, _, _ = engines
    assert await a.first_time("telegram:1:update:1")  # at START
    window = dt.timedelta(hours=24)  # Telegram's, the longest

    def at(hours: float) -> Callable[[], dt.datetime]:
        return lambda: START + dt.timedelta(hours=hours)

    assert await forget_once(a, window, at(24.9)) == 0, "a late redelivery is still recognised"
    assert not await a.first_time("telegram:1:update:1")
    assert await forget_once(a, window, at(25.1)) == 1
