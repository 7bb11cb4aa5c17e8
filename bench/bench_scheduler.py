"""Digest scheduler with 100,000 subscriptions: how long it takes to start (reading them,
scheduling them, the catch-up check of the ledger), and the longest event-loop stall while it
follows a /subscribe (the refresh of that chat, then the next periodic sync) and a change made
by another process (picked up by the sync).

Runs on SQLite, and on PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL names one
(its public schema is dropped and rebuilt). Targets (issue 11): start at most 5 s; a /subscribe
stalls the loop by at most 50 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import time
from collections.abc import Awaitable, Callable

from bench.common import seeded_store, temp_sqlite_url
from bot.chat_health import StoredChatHealth
from bot.delivery import DigestDelivery
from bot.scheduler import DigestScheduler
from briefings.actors import Actor
from briefings.changes import SUBSCRIPTION, ChangeListener
from briefings.db import create_engine
from briefings.ledger import DeliveryLedger
from briefings.models import utcnow
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore
from tests.digests.fakes import RecordingAdapter

SUBSCRIPTIONS = 100_000
ZONES = ["UTC", "Europe/Kyiv", "Asia/Seoul", "America/New_York", "Europe/London", "Asia/Tokyo"]
TICK = 0.005


def requests(count: int, rng: random.Random) -> list[SubscriptionRequest]:
    return [
        SubscriptionRequest(
            "telegram",
            str(100_000 + i),
            "private",
            None,
            Schedule(
                rng.randrange(24),
                rng.choice([0, 15, 30, 45]),
                rng.choice(ZONES),
                rng.choice(["1234567", "12345", "135", "67"]),
            ),
            (),
            "changes",
        )
        for i in range(count)
    ]


async def largest_stall(work: Callable[[], Awaitable[object]]) -> float:
    """Seconds by which a 5 ms ticker ran late at worst while `work` ran: how long the event
    loop was kept from everything else (replies, webhooks, paced sends)."""
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - before - TICK)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(TICK * 2)  # the ticker is running before the work starts
    try:
        await work()
    finally:
        done.set()
        await task
    return worst


async def measure(url: str, label: str) -> dict[str, float]:
    store = await seeded_store(url)
    subscriptions = SubscriptionStore(store.engine)
    other = SubscriptionStore(store.engine)  # another replica writing to the same table
    # Made an hour ago: the subscriptions a bot has gathered, not an import the scheduler's
    # sync would still be re-reading (its overlap window is seconds).
    earlier = SubscriptionStore(store.engine, lambda: utcnow() - dt.timedelta(hours=1))
    await earlier.bulk_subscribe(requests(SUBSCRIPTIONS, random.Random(3)), Actor.system("b"))
    ledger = DeliveryLedger(store.engine, "bench")
    health = StoredChatHealth(store.chats, subscriptions)
    delivery = DigestDelivery(
        store, health, subscriptions, ledger, {"telegram": RecordingAdapter()}, {}, "Bench"
    )
    # Only the syncs the benchmark runs, none on the interval timer.
    scheduler = DigestScheduler(subscriptions, ledger, delivery, ["telegram"], sync_seconds=3600)
    started = time.perf_counter()
    await scheduler.start()
    start_s = time.perf_counter() - started
    jobs = scheduler.job_count

    async def subscribe_here() -> None:
        request = SubscriptionRequest(
            "telegram", "42", "private", None, Schedule(7, 5, "UTC"), (), "full"
        )
        await subscriptions.subscribe(request, Actor.system("b"))
        await scheduler.refresh("telegram", "42")
        await scheduler.sync()

    async def change_elsewhere() -> None:
        request = SubscriptionRequest(
            "telegram", "100007", "private", None, Schedule(6, 50, "Asia/Seoul"), (), "full"
        )
        await other.subscribe(request, Actor.system("b"))
        await other.unsubscribe("telegram", "100008", Actor.system("b"))
        await scheduler.sync()

    notice_s = None
    try:
        subscribe_stall = await largest_stall(subscribe_here)
        elsewhere_stall = await largest_stall(change_elsewhere)
        idle_stall = await largest_stall(scheduler.sync)
        if label == "postgresql":
            notice_s = await notice_latency(url, scheduler, other)
    finally:
        await scheduler.stop()
        await store.close()
    print(
        f"scheduler on {label}, {SUBSCRIPTIONS:,} subscriptions ({jobs:,} scheduled): "
        f"start {start_s:.2f} s; largest loop stall: /subscribe + refresh + sync "
        f"{subscribe_stall * 1000:.1f} ms, another process's change + sync "
        f"{elsewhere_stall * 1000:.1f} ms, sync with nothing new {idle_stall * 1000:.1f} ms"
    )
    if notice_s is not None:
        print(f"  another process's /subscribe scheduled here by its notice in {notice_s:.3f} s")
    return {
        **({"notice_s": round(notice_s, 3)} if notice_s else {}),
        "start_s": round(start_s, 3),
        "subscribe_stall_ms": round(subscribe_stall * 1000, 1),
        "remote_change_stall_ms": round(elsewhere_stall * 1000, 1),
        "idle_sync_stall_ms": round(idle_stall * 1000, 1),
    }


async def notice_latency(url: str, scheduler: DigestScheduler, other: SubscriptionStore) -> float:
    """Seconds from another process's /subscribe returning to this scheduler having its job,
    by change notice alone (the periodic sync is off in this benchmark)."""
    listener = ChangeListener(url)
    wanted = scheduler.job_count + 1
    scheduled = asyncio.Event()

    async def follow(ident: str) -> None:  # what bot/change_feed.py does, then a stopwatch
        await scheduler.noticed(ident)
        if scheduler.job_count >= wanted:
            scheduled.set()

    listener.on(SUBSCRIPTION, follow)
    await listener.start()
    await listener.listening.wait()
    request = SubscriptionRequest(
        "telegram", "43", "private", None, Schedule(9, 10, "UTC"), (), "full"
    )
    try:
        await other.subscribe(request, Actor.system("b"))
        started = time.perf_counter()
        await asyncio.wait_for(scheduled.wait(), 30)
        return time.perf_counter() - started
    finally:
        await listener.stop()


async def drop_schema(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()


async def main(database_url: str | None = None) -> dict[str, float]:
    """One database, as `make bench` asks: PostgreSQL at `database_url` (emptied first), or a
    new SQLite file when it is None."""
    if database_url is None:
        return await measure(temp_sqlite_url("scheduler.db"), "sqlite")
    await drop_schema(database_url)
    return await measure(database_url, "postgresql")


async def both() -> dict[str, float]:
    """Run alone: SQLite, and PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL names one."""
    figures = {f"sqlite_{k}": v for k, v in (await main()).items()}
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if url:
        figures |= {f"postgresql_{k}": v for k, v in (await main(url)).items()}
    return figures


if __name__ == "__main__":
    print(asyncio.run(both()))
