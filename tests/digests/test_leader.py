"""Failover of digest delivery between two replicas on one database: the leader dies mid-digest,
the next one takes the lease after it runs out and resumes the half-sent digest at once (not
after the ten-minute claim lease), sending only what was not confirmed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import pytest

from bot.delivery import DigestDelivery
from bot.digest_leader import LEASE_NAME, DigestLeader
from bot.leadership import Leadership
from bot.scheduler import DigestScheduler
from briefings.leases import LeaseStore
from briefings.models import FULL
from tests.digests.conftest import Env
from tests.digests.fakes import Crash
from tests.digests.test_delivery import SLOT, subscribe

pytestmark = pytest.mark.postgresql


def replica(env: Env, name: str) -> tuple[DigestLeader, Leadership]:
    published: list[DigestScheduler | None] = []

    def make_delivery() -> DigestDelivery:
        return env.process(name)

    def make_scheduler(delivery: DigestDelivery) -> DigestScheduler:
        return DigestScheduler(
            delivery.subscriptions, delivery.ledger, delivery, ["telegram"], clock=env.clock
        )

    leader = DigestLeader(make_delivery, make_scheduler, published.append)
    leadership = Leadership(
        LeaseStore(env.store.engine, env.clock),
        name,
        leader,
        name=LEASE_NAME,
        ttl=15.0,
        clock=lambda: env.clock.now.timestamp(),
    )
    return leader, leadership


async def started_by_hand(leader: DigestLeader, leadership: Leadership) -> None:
    """Starts a replica, then stops its renewal loop: these tests take each step themselves,
    on the hand-moved clock. A replica left so is a dead one."""
    await leader.start(leadership)
    assert leadership._task is not None
    leadership._task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await leadership._task
    leadership._task = None


async def test_the_next_leader_resumes_a_dead_leaders_digest(env: Env) -> None:
    sub = await subscribe(env, mode=FULL)  # every topic: several messages
    env.clock.now = SLOT - dt.timedelta(seconds=1)
    a, a_lease = replica(env, "replica-a")
    b, b_lease = replica(env, "replica-b")
    await started_by_hand(a, a_lease)
    await started_by_hand(b, b_lease)
    assert (a.leading, b.leading) == (True, False)
    assert b.delivery is None, "a follower runs no delivery"
    assert a.delivery is not None

    env.clock.now = SLOT
    env.adapter.crash_after = 2
    with pytest.raises(Crash):  # replica a dies two messages into the digest
        await a.delivery.deliver(sub.id, SLOT)
    env.adapter.crash_after = None
    assert len(env.adapter.sent) == 2

    env.clock.advance(seconds=10)
    await b_lease.step()
    assert not b.leading
    env.clock.advance(seconds=6)  # a's lease has run out; its claim is 16 s old, not 10 min
    await b_lease.step()
    assert b.leading
    assert b._starting is not None
    await b._starting
    texts = [s.text for s in env.adapter.sent]
    assert len(texts) == len(set(texts)), "nothing posted twice"
    assert texts[0].startswith("TEST EVENT: DIGEST FOR")
    assert "/unsubscribe stops them" in texts[-1]
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert (latest.state, latest.attempts) == ("sent", 2)
    assert len(latest.message_ids) == len(texts)
    assert b.health().detail["leader"] is True
    await b.stop()
    assert b.delivery is None
    assert b.scheduler is None
    await a.follow(0.0)  # the dead replica's leftovers, for a clean test


async def test_slots_due_while_nobody_led_are_delivered_by_the_next_leader(env: Env) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT - dt.timedelta(seconds=5)
    a, a_lease = replica(env, "replica-a")
    b, b_lease = replica(env, "replica-b")
    await started_by_hand(a, a_lease)
    await started_by_hand(b, b_lease)
    # a dies before the slot; b takes over 20 s after it, well within the grace period.
    env.clock.advance(seconds=20)
    await b_lease.step()
    assert b.leading
    assert b.delivery is not None
    await b.drain()
    assert len(env.adapter.to("100")) == 1
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert (latest.slot, latest.state) == (SLOT, "sent")
    await b.stop()
    await a.follow(0.0)


async def test_a_clean_stop_lets_the_other_replica_lead_at_once(env: Env) -> None:
    a, a_lease = replica(env, "replica-a")
    b, b_lease = replica(env, "replica-b")
    await started_by_hand(a, a_lease)
    await started_by_hand(b, b_lease)
    await a.stop()
    assert not a.leading
    await b_lease.step()  # no time passed: the lease was released
    assert b.leading
    await b.stop()
