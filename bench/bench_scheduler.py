"""Digest scheduler start with 10,000 subscriptions: reading them, one APScheduler job each,
and the catch-up check of the ledger.

Target (issue 5): at most 2 s.
"""

from __future__ import annotations

import asyncio
import random
import time

from bench.common import seeded_store, temp_sqlite_url
from bot.chat_health import StoredChatHealth
from bot.delivery import DigestDelivery
from bot.scheduler import DigestScheduler
from briefings.actors import Actor
from briefings.ledger import DeliveryLedger
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore
from tests.digests.fakes import RecordingAdapter

SUBSCRIPTIONS = 10_000
ZONES = ["UTC", "Europe/Kyiv", "Asia/Seoul", "America/New_York", "Europe/London", "Asia/Tokyo"]


async def main() -> None:
    rng = random.Random(3)
    store = await seeded_store(temp_sqlite_url("scheduler.db"))
    subscriptions = SubscriptionStore(store.engine)
    await subscriptions.bulk_subscribe(
        (
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
            for i in range(SUBSCRIPTIONS)
        ),
        Actor.system("bench"),
    )
    ledger = DeliveryLedger(store.engine, "bench")
    health = StoredChatHealth(store.chats, subscriptions)
    delivery = DigestDelivery(
        store, health, subscriptions, ledger, {"telegram": RecordingAdapter()}, {}, "Bench"
    )
    scheduler = DigestScheduler(subscriptions, ledger, delivery, ["telegram"])
    started = time.perf_counter()
    await scheduler.start()
    elapsed = time.perf_counter() - started
    jobs = scheduler.job_count
    await scheduler.stop()
    await store.close()
    print(f"scheduler start with {SUBSCRIPTIONS:,} subscriptions: {elapsed:.2f} s ({jobs:,} jobs)")


if __name__ == "__main__":
    asyncio.run(main())
