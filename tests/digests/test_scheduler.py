"""The APScheduler side: jobs rebuilt from the table, following changes from this and other
processes, and catching up after downtime."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.core.messages import ChatRef, Incoming
from bot.scheduler import DigestScheduler
from briefings.actors import Actor
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore
from tests.digests.conftest import START, Env

pytestmark = pytest.mark.postgresql


def request(chat: str, schedule: Schedule, platform: str = "telegram") -> SubscriptionRequest:
    return SubscriptionRequest(platform, chat, "private", None, schedule, ("visit",), "changes")


def scheduler_for(env: Env) -> DigestScheduler:
    return DigestScheduler(
        env.subscriptions, env.ledger, env.delivery, ["telegram"], clock=env.clock
    )


async def test_jobs_follow_the_table(env: Env) -> None:
    kyiv = await env.subscriptions.subscribe(
        request("1", Schedule(7, 30, "Europe/Kyiv", "12345")), Actor.system("t")
    )
    seoul = await env.subscriptions.subscribe(
        request("2", Schedule(18, 0, "Asia/Seoul")), Actor.system("t")
    )
    slack = await env.subscriptions.subscribe(
        request("C1", Schedule(9, 0, "UTC"), "slack"), Actor.system("t")
    )
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    try:
        assert scheduler.job_count == 2  # no Slack adapter in this process
        for sub in (kyiv, seoul):
            now = dt.datetime.now(dt.UTC)
            assert scheduler.next_run(sub.id) == sub.schedule.next_slot(now)
        assert scheduler.next_run(slack.id) is None

        # A change made through this process's core is followed at once.
        env.core.digests = env.core.digests and type(env.core.digests)(
            env.subscriptions, env.ledger, "UTC", changed=scheduler.refresh, clock=env.clock
        )
        await env.core.handle(
            Incoming(ChatRef("telegram", "3", "private"), "3", "c", "/subscribe 06:00")
        )
        assert scheduler.job_count == 3
        await env.core.handle(
            Incoming(ChatRef("telegram", "1", "private"), "1", "c", "/unsubscribe")
        )
        assert scheduler.job_count == 2
        assert scheduler.next_run(kyiv.id) is None

        # Another process on the same database: picked up by the periodic sync.
        other = SubscriptionStore(env.store.engine, env.clock)
        moved = await other.subscribe(
            request("2", Schedule(5, 45, "Asia/Seoul")), Actor.system("t")
        )
        await other.subscribe(request("4", Schedule(12, 0, "UTC")), Actor.system("t"))
        await scheduler.sync()
        assert scheduler.job_count == 3
        now = dt.datetime.now(dt.UTC)
        assert scheduler.next_run(moved.id) == Schedule(5, 45, "Asia/Seoul").next_slot(now)
        await other.unsubscribe("telegram", "4", Actor.system("t"))
        await scheduler.sync()
        assert scheduler.job_count == 2
    finally:
        await scheduler.stop()


async def test_firing_a_job_delivers_the_current_slot(env: Env) -> None:
    sub = await env.subscriptions.subscribe(request("1", Schedule(8, 0, "UTC")), Actor.system("t"))
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    try:
        env.clock.now = START.replace(hour=8, second=1)
        await env.delivery.start()
        await scheduler.fire_group(Schedule(8, 0, "UTC"))  # what its job calls
        await env.delivery.drain()
        latest = await env.ledger.latest(sub.id)
        assert latest is not None
        assert latest.slot == START.replace(hour=8)
        assert latest.state == "sent"
    finally:
        await env.delivery.stop()
        await scheduler.stop()


async def test_restart_delivers_missed_slots_inside_the_grace_once(env: Env) -> None:
    recent = await env.subscriptions.subscribe(
        request("1", Schedule(7, 30, "UTC")), Actor.system("t")
    )
    old = await env.subscriptions.subscribe(request("2", Schedule(6, 10, "UTC")), Actor.system("t"))
    # The bot was down from 06:00 until 08:00: 07:30 is 30 min late, 06:10 is 110 min late.
    env.clock.now = START.replace(hour=8)
    await env.delivery.start()
    try:
        scheduler = scheduler_for(env)
        await scheduler.start()
        await env.delivery.drain()
        await scheduler.stop()
        assert [s.chat_id for s in env.adapter.sent] == ["1"]
        skipped = await env.ledger.latest(old.id)
        assert skipped is not None
        assert (skipped.state, skipped.slot) == ("skipped", START.replace(hour=6, minute=10))

        # Restarting again (another crash) owes nothing more.
        again = scheduler_for(env)
        assert await again.start(catch_up=False) is None
        assert await again.catch_up() == (0, 0)
        await env.delivery.drain()
        await again.stop()
        assert len(env.adapter.sent) == 1
        sent = await env.ledger.latest(recent.id)
        assert sent is not None
        assert sent.state == "sent"
    finally:
        await env.delivery.stop()


async def test_two_schedulers_catching_up_post_once(env: Env) -> None:
    await env.subscriptions.subscribe(request("1", Schedule(7, 45, "UTC")), Actor.system("t"))
    env.clock.now = START.replace(hour=8)
    other = env.process("process-b")
    first, second = (
        scheduler_for(env),
        DigestScheduler(other.subscriptions, other.ledger, other, ["telegram"], clock=env.clock),
    )
    await env.delivery.start()
    await other.start()
    try:
        await first.start()
        await second.start()
        await env.delivery.drain()
        await other.drain()
    finally:
        await first.stop()
        await second.stop()
        await env.delivery.stop()
        await other.stop()
    assert [s.chat_id for s in env.adapter.sent] == ["1"]


async def test_stopping_twice_is_quiet(env: Env) -> None:
    """The leader stops its scheduler, and whoever started the leader may stop it again."""
    raised: list[dict[str, object]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: raised.append(context))
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    await scheduler.stop()
    await scheduler.stop()
    await asyncio.sleep(0.01)  # any shutdown still scheduled runs now
    assert not scheduler.running
    assert raised == []
