"""Leases: one holder at a time, renewal, expiry and release, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from briefings.db import create_engine, migrate
from briefings.leases import LeaseStore

pytestmark = pytest.mark.postgresql

TTL = dt.timedelta(seconds=15)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def leases(database_url: str) -> AsyncIterator[LeaseStore]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield LeaseStore(engine, Clock())
    await engine.dispose()


def advance(leases: LeaseStore, seconds: float) -> None:
    clock = leases._clock
    assert isinstance(clock, Clock)
    clock.now += dt.timedelta(seconds=seconds)


async def test_one_holder_at_a_time(leases: LeaseStore) -> None:
    assert await leases.acquire("digests", "a", TTL)
    assert not await leases.acquire("digests", "b", TTL)
    current = await leases.current("digests")
    assert current is not None
    assert current.holder == "a"
    assert await leases.acquire("other", "b", TTL), "leases are independent by name"


async def test_renewal_keeps_it_and_expiry_hands_it_over(leases: LeaseStore) -> None:
    assert await leases.acquire("digests", "a", TTL)
    first = await leases.current("digests")
    advance(leases, 10)
    assert await leases.renew("digests", "a", TTL)
    advance(leases, 10)  # 20 s after taking it, but renewed at 10 s: still a's
    assert not await leases.acquire("digests", "b", TTL)
    renewed = await leases.current("digests")
    assert first is not None
    assert renewed is not None
    assert renewed.acquired_at == first.acquired_at, "a renewal is not a new acquisition"
    advance(leases, 6)  # a stopped renewing (it died): the lease ran out
    assert await leases.current("digests") is None
    assert await leases.acquire("digests", "b", TTL)
    assert not await leases.renew("digests", "a", TTL), "the old holder learns it lost it"


async def test_release_frees_at_once(leases: LeaseStore) -> None:
    assert await leases.acquire("digests", "a", TTL)
    await leases.release("digests", "b")  # not b's to release
    assert not await leases.acquire("digests", "b", TTL)
    await leases.release("digests", "a")
    assert await leases.acquire("digests", "b", TTL)


async def test_live_lists_unexpired_leases_under_a_prefix(leases: LeaseStore) -> None:
    assert await leases.acquire("hook:1:a", "a", TTL)
    advance(leases, 5)
    assert await leases.acquire("hook:1:b", "b", TTL)
    assert await leases.acquire("hook:12:c", "c", TTL)  # another prefix that merely starts alike
    assert await leases.acquire("HOOK:1:d", "d", TTL)  # case counts (SQLite's LIKE ignores it)
    assert await leases.acquire("hook_1:e", "e", TTL)  # `_` is no wildcard
    assert [view.holder for view in await leases.live("hook:1:")] == ["a", "b"], "oldest first"
    advance(leases, 11)  # a's ran out, b's has 4 s left
    assert [view.holder for view in await leases.live("hook:1:")] == ["b"]
    await leases.release("hook:1:b", "b")
    assert await leases.live("hook:1:") == []


async def test_forget_expired_deletes_only_leases_that_ran_out_before(
    leases: LeaseStore,
) -> None:
    assert await leases.acquire("gone", "a", TTL)
    assert await leases.acquire("kept", "b", dt.timedelta(hours=2))
    start = leases._clock()
    advance(leases, 3600)
    assert await leases.forget_expired(start) == 0, "ran out after `before`"
    assert await leases.forget_expired(start + dt.timedelta(minutes=1)) == 1
    assert await leases.current("kept") is not None
    assert await leases.acquire("gone", "c", TTL), "a forgotten name can be taken again"
