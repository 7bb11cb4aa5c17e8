"""A lease an adapter holds: lost when another holder takes it or renewals fail past its ttl;
but a lease only its holder takes (a webhook replica's own) outlives the database being away,
and is checked again once renewals work."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.adapters.held_lease import TTL, HeldLease
from briefings.db import create_engine, migrate
from briefings.leases import LeaseStore

pytestmark = pytest.mark.postgresql

NEVER = 3600.0  # the tests renew by hand


class Flaky(LeaseStore):
    down = False

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta) -> bool:
        if self.down:
            raise ConnectionRefusedError("database away")
        return await super().acquire(name, holder, ttl)


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def leases(database_url: str) -> AsyncIterator[Flaky]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield Flaky(engine)
    await engine.dispose()


class Recorder:
    def __init__(self) -> None:
        self.lost: list[str] = []
        self.asked = 0
        self.answer: str | None = None

    async def on_lost(self, reason: str) -> None:
        self.lost.append(reason)

    async def after_lapse(self) -> str | None:
        self.asked += 1
        return self.answer


async def lapse(lease: HeldLease, leases: Flaky, clock: Monotonic) -> None:
    """The database is away for longer than the lease."""
    leases.down = True
    for _ in range(4):
        clock.now += TTL.total_seconds() / 3
        assert await lease.renew_once()
    clock.now += TTL.total_seconds()
    assert await lease.renew_once(), "a lapse is not a loss for a lease only its holder takes"
    leases.down = False


async def test_an_exclusive_lease_is_lost_when_renewals_fail_past_its_ttl(leases: Flaky) -> None:
    clock, seen = Monotonic(), Recorder()
    lease = HeldLease(leases, "poll", "a:1:x", seen.on_lost, renew_every=NEVER, clock=clock)
    assert await lease.take() is None
    leases.down = True
    clock.now += TTL.total_seconds() - 1
    assert await lease.renew_once()
    clock.now += 2
    assert not await lease.renew_once()
    assert seen.lost == ["could not renew lease poll for 15 s"]
    await lease.release()


async def test_a_lease_only_its_holder_takes_outlives_a_lapse_and_is_checked_after_it(
    leases: Flaky,
) -> None:
    clock, seen = Monotonic(), Recorder()
    lease = HeldLease(
        leases,
        "hook:a:1:x",
        "a:1:x",
        seen.on_lost,
        renew_every=NEVER,
        clock=clock,
        after_lapse=seen.after_lapse,
    )
    assert await lease.take() is None
    assert await lease.renew_once()
    assert seen.asked == 0, "no lapse, nothing to check"
    await lapse(lease, leases, clock)
    assert seen.asked == 0
    assert await lease.renew_once()  # the database is back: nobody else started meanwhile
    assert seen.asked == 1
    assert seen.lost == []
    assert await lease.renew_once()
    assert seen.asked == 1, "checked once per lapse"
    await lapse(lease, leases, clock)
    seen.answer = "a poller started meanwhile"
    assert not await lease.renew_once()
    assert seen.lost == ["a poller started meanwhile"]
    assert await leases.current("hook:a:1:x") is None, "given back at once"
    assert not lease.held


async def test_a_check_after_a_lapse_that_fails_is_asked_again(leases: Flaky) -> None:
    clock, seen = Monotonic(), Recorder()

    async def flaky_check() -> str | None:
        seen.asked += 1
        if seen.asked == 1:
            raise ConnectionResetError("gone again")
        return None

    lease = HeldLease(
        leases,
        "hook",
        "a:1:x",
        seen.on_lost,
        renew_every=NEVER,
        clock=clock,
        after_lapse=flaky_check,
    )
    assert await lease.take() is None
    await lapse(lease, leases, clock)
    assert await lease.renew_once()
    assert await lease.renew_once()
    assert seen.asked == 2
    assert seen.lost == []
    await lease.release()
