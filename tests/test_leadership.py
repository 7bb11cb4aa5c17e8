"""Leadership over a lease, on both databases: one leader at a time, a dead leader replaced
after the lease runs out, a clean stop handing over at once, and a leader that cannot renew (or
finds the lease taken) stopping itself before anyone else could lead."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.leadership import FOLLOWER, LEADER, Leadership
from briefings.leases import LeaseStore
from tests.digests.fakes import Clock

pytestmark = pytest.mark.postgresql

TTL = 15.0  # renewed every 5 s, stepping down 2.5 s before the lease could run out


@dataclass
class RecordingRole:
    events: list[tuple[str, float]] = field(default_factory=list)

    async def lead(self) -> None:
        self.events.append(("lead", 0.0))

    async def follow(self, drain_seconds: float) -> None:
        self.events.append(("follow", drain_seconds))


class FlakyLeases(LeaseStore):
    """The database as one replica sees it: reachable, refusing, or hanging."""

    mode = "ok"

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta) -> bool:
        if self.mode == "down":
            raise ConnectionRefusedError
        if self.mode == "hang":
            await asyncio.Event().wait()
        return await super().acquire(name, holder, ttl)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC))


def replica(engine: AsyncEngine, clock: Clock, name: str) -> tuple[Leadership, RecordingRole]:
    role = RecordingRole()
    leadership = Leadership(
        FlakyLeases(engine, clock),
        name,
        role,
        name="digests",
        ttl=TTL,
        clock=lambda: clock.now.timestamp(),
    )
    return leadership, role


async def test_one_replica_leads(engine: AsyncEngine, clock: Clock) -> None:
    a, role_a = replica(engine, clock, "a")
    b, role_b = replica(engine, clock, "b")
    for _ in range(3):
        await a.step()
        await b.step()
        clock.advance(seconds=5)
    assert (a.leading, b.leading) == (True, False)
    assert role_a.events == [("lead", 0.0)], "renewals do not start the work again"
    assert role_b.events == []
    assert a.health().state == LEADER
    assert b.health().state == FOLLOWER
    assert b.health().ok, "a follower is a healthy replica"


async def test_a_dead_leader_is_replaced_once_its_lease_runs_out(
    engine: AsyncEngine, clock: Clock
) -> None:
    a, role_a = replica(engine, clock, "a")
    b, role_b = replica(engine, clock, "b")
    await a.step()
    # a dies: no more renewals, no release.
    clock.advance(seconds=10)
    await b.step()
    assert not b.leading, "the lease has 5 s left"
    clock.advance(seconds=5.5)
    await b.step()
    assert b.leading
    assert role_b.events == [("lead", 0.0)]
    # Had a only hung (SIGSTOP), it stops leading on waking, before asking anyone.
    await a.step()
    assert not a.leading
    assert role_a.events == [("lead", 0.0), ("follow", 0.0)]


async def test_a_clean_stop_hands_over_at_once(engine: AsyncEngine, clock: Clock) -> None:
    a, role_a = replica(engine, clock, "a")
    b, _ = replica(engine, clock, "b")
    await a.step()
    await b.step()
    await a.stop(drain_seconds=5.0)
    assert role_a.events == [("lead", 0.0), ("follow", 5.0)], "the work drains, then the release"
    await b.step()  # no time passed
    assert b.leading


async def test_a_leader_that_cannot_renew_stops_before_its_lease_ends(
    engine: AsyncEngine, clock: Clock
) -> None:
    a, role_a = replica(engine, clock, "a")
    b, _ = replica(engine, clock, "b")
    await a.step()
    assert isinstance(a.leases, FlakyLeases)
    a.leases.mode = "down"
    for seconds in (5, 5):  # two failed renewals: 2.5 s of the lease are left after them
        clock.advance(seconds=seconds)
        await a.step()
        assert a.leading
        assert a.health().detail["last_error"] == "ConnectionRefusedError"
    assert a._pause() == pytest.approx(2.5), "the next step comes at the fence, not in 5 s"
    clock.advance(seconds=2.5)
    await a.step()
    assert not a.leading
    assert role_a.events == [("lead", 0.0), ("follow", 0.0)]
    await b.step()
    assert not b.leading, "the lease itself is still a's for 2.5 s: nobody leads meanwhile"
    clock.advance(seconds=2.5)
    await b.step()
    assert b.leading


async def test_a_leader_deposed_by_another_holder_stops_at_once(
    engine: AsyncEngine, clock: Clock
) -> None:
    a, role_a = replica(engine, clock, "a")
    b, _ = replica(engine, clock, "b")
    await a.step()
    await a.leases.release("digests", "a")  # e.g. an operator cleared the lease
    await b.step()
    assert b.leading
    await a.step()
    assert not a.leading
    assert role_a.events == [("lead", 0.0), ("follow", 0.0)]


async def test_a_renewal_that_hangs_is_cut_short_at_the_fence(engine: AsyncEngine) -> None:
    # Real time, a tiny lease: the hanging call must end on its own when the fence comes.
    role = RecordingRole()
    leases = FlakyLeases(engine)
    a = Leadership(leases, "a", role, name="digests", ttl=0.3)
    await a.step()
    assert a.leading
    leases.mode = "hang"
    await a.step()
    assert not a.leading
    assert role.events == [("lead", 0.0), ("follow", 0.0)]
