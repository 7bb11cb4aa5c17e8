"""The scheduler's bookkeeping: one job per distinct schedule, following single chats and other
processes' changes without re-reading every subscription."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.scheduler import DigestScheduler, group_job_id
from briefings.actors import Actor
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionStore
from briefings.timetable import TimetableRow
from tests.digests.conftest import START, Env
from tests.digests.test_scheduler import request, scheduler_for

pytestmark = pytest.mark.postgresql

SYSTEM = Actor.system("t")
MORNING = Schedule(7, 30, "Europe/Kyiv", "12345")
EVENING = Schedule(18, 0, "Asia/Seoul")


def digest_jobs(scheduler: DigestScheduler) -> set[str]:
    return {job.id for job in scheduler.scheduler.get_jobs() if job.id.startswith("digests:")}


def count_rows_read(scheduler: DigestScheduler) -> list[int]:
    """Wraps the scheduler's batched reads; the list gets how many rows each sync read."""
    reads: list[int] = []
    batches = scheduler.timetable.batches

    async def counted(
        changed_since: dt.datetime | None = None,
    ) -> AsyncIterator[list[TimetableRow]]:
        reads.append(0)
        async for batch in batches(changed_since):
            reads[-1] += len(batch)
            yield batch

    scheduler.timetable.batches = counted  # type: ignore[method-assign]
    return reads


async def test_one_job_per_distinct_schedule_fires_every_member(env: Env) -> None:
    first = await env.subscriptions.subscribe(request("1", MORNING), SYSTEM)
    second = await env.subscriptions.subscribe(request("2", MORNING), SYSTEM)
    third = await env.subscriptions.subscribe(request("3", EVENING), SYSTEM)
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    try:
        assert scheduler.job_count == 3
        assert digest_jobs(scheduler) == {group_job_id(MORNING), group_job_id(EVENING)}
        assert scheduler.next_run(first.id) == scheduler.next_run(second.id)
        assert scheduler.next_run(third.id) != scheduler.next_run(first.id)

        submitted: list[tuple[int, dt.datetime]] = []
        env.delivery.submit = lambda sub, slot: submitted.append((sub, slot))  # type: ignore[method-assign]
        env.clock.now = dt.datetime(2024, 6, 17, 4, 30, 2, tzinfo=dt.UTC)  # 07:30 in Kyiv
        await scheduler.fire_group(MORNING)
        slot = dt.datetime(2024, 6, 17, 4, 30, tzinfo=dt.UTC)
        assert submitted == [(first.id, slot), (second.id, slot)]
    finally:
        await scheduler.stop()


async def test_this_process_follows_each_change_of_one_chat(env: Env) -> None:
    kept = await env.subscriptions.subscribe(request("1", MORNING), SYSTEM)
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    try:
        changed = await env.subscriptions.subscribe(request("2", MORNING), SYSTEM)
        await scheduler.refresh("telegram", "2")
        assert scheduler.job_count == 2
        assert digest_jobs(scheduler) == {group_job_id(MORNING)}

        await env.subscriptions.subscribe(request("2", EVENING), SYSTEM)  # a new time
        await scheduler.refresh("telegram", "2")
        assert digest_jobs(scheduler) == {group_job_id(MORNING), group_job_id(EVENING)}
        assert scheduler.next_run(changed.id) == EVENING.next_slot(dt.datetime.now(dt.UTC))

        await env.subscriptions.pause_chat("telegram", "2", "blocked")
        await scheduler.refresh("telegram", "2")
        assert scheduler.next_run(changed.id) is None
        assert digest_jobs(scheduler) == {group_job_id(MORNING)}  # its group emptied

        await env.subscriptions.subscribe(request("2", EVENING), SYSTEM)  # active again
        await scheduler.refresh("telegram", "2")
        assert scheduler.job_count == 2

        await env.subscriptions.unsubscribe("telegram", "1", SYSTEM)
        await scheduler.refresh("telegram", "1")
        assert scheduler.next_run(kept.id) is None
        assert digest_jobs(scheduler) == {group_job_id(EVENING)}
        assert scheduler.job_count == 1
    finally:
        await scheduler.stop()


async def test_sync_reads_only_what_changed_since_its_last_look(env: Env) -> None:
    for chat in range(20):
        await env.subscriptions.subscribe(request(str(chat), MORNING), SYSTEM)
    env.clock.advance(hours=1)
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    reads = count_rows_read(scheduler)
    other = SubscriptionStore(env.store.engine, env.clock)  # another process
    try:
        await scheduler.sync()
        moved = await other.subscribe(request("3", EVENING), SYSTEM)
        env.clock.advance(seconds=5)
        await scheduler.sync()
        assert reads == [0, 1]
        assert scheduler.next_run(moved.id) == EVENING.next_slot(dt.datetime.now(dt.UTC))

        paused = await other.pause_chat("telegram", "4", "kicked")
        env.clock.advance(seconds=5)
        await scheduler.sync()
        assert paused is not None
        assert scheduler.next_run(paused) is None
        assert scheduler.job_count == 19
    finally:
        await scheduler.stop()


async def test_sync_finds_rows_added_or_deleted_whatever_their_stamps(env: Env) -> None:
    gone = await env.subscriptions.subscribe(request("1", MORNING), SYSTEM)
    kept = await env.subscriptions.subscribe(request("9", MORNING), SYSTEM)
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    # Another process whose clock is an hour behind: its rows are stamped before the window
    # sync reads, so only the comparison of ids can find them. One row deleted and one added
    # leave the count of their id range as it was; the sums of the ids' offsets differ.
    behind = SubscriptionStore(env.store.engine, lambda: START - dt.timedelta(hours=1))
    try:
        await behind.unsubscribe("telegram", "1", SYSTEM)
        added = await behind.subscribe(request("2", EVENING), SYSTEM)
        await scheduler.sync()
        assert scheduler.next_run(gone.id) is None
        assert scheduler.next_run(added.id) == EVENING.next_slot(dt.datetime.now(dt.UTC))
        assert scheduler.next_run(kept.id) is not None
        assert scheduler.job_count == 2

        assert digest_jobs(scheduler) == {group_job_id(MORNING), group_job_id(EVENING)}
    finally:
        await scheduler.stop()


async def test_a_moved_chat_is_followed_under_its_new_id(env: Env) -> None:
    sub = await env.subscriptions.subscribe(request("-100", MORNING), SYSTEM)
    scheduler = scheduler_for(env)
    await scheduler.start(catch_up=False)
    try:
        await env.subscriptions.follow_move("telegram", "-100", "-100200")
        await scheduler.sync()
        await env.subscriptions.unsubscribe("telegram", "-100200", SYSTEM)
        await scheduler.refresh("telegram", "-100200")
        assert scheduler.next_run(sub.id) is None
        assert scheduler.job_count == 0
    finally:
        await scheduler.stop()


async def test_catch_up_owes_each_member_of_a_schedule_its_own_missed_slots(env: Env) -> None:
    schedule = Schedule(7, 30, "UTC")
    served = await env.subscriptions.subscribe(request("1", schedule), SYSTEM)
    owed = await env.subscriptions.subscribe(request("2", schedule), SYSTEM)
    env.clock.now = START.replace(hour=7, minute=40)
    await env.ledger.record_skipped(served.id, [START.replace(hour=7, minute=30)], env.clock(), "t")
    submitted: list[tuple[int, dt.datetime]] = []
    env.delivery.submit = lambda sub, slot: submitted.append((sub, slot))  # type: ignore[method-assign]
    scheduler = scheduler_for(env)
    try:
        await scheduler.start()
        assert submitted == [(owed.id, START.replace(hour=7, minute=30))]
    finally:
        await scheduler.stop()
