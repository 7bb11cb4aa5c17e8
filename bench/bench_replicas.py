"""10,000 Telegram digests due in the same minute, delivered by two `briefbot run` replicas on
one PostgreSQL database, against a fake Bot API that enforces Telegram's limits for the token
(which the replicas share) and answers 429 when they are broken. Run twice: undisturbed, and
with the replica that is delivering SIGKILLed half-way through.

Target (issue 11): every chat gets its digest exactly once, zero 429 answers, all within
1.1 x (10,000 / 30) s = 367 s of the slot; after the SIGKILL, the other replica takes over
once the leader's lease runs out and still sends nothing twice.

Needs PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL), which it EMPTIES. About fifteen
minutes: `python -m bench.bench_replicas [count]`, or `make bench` with BENCH_REPLICAS=1. The
fake Bot API runs in this process (the bots are processes of their own), so it can count what
each chat received.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import Figures, empty_database
from briefings.db import create_engine
from tests.replicas.due import subscribe_chats
from tests.replicas.fleet import Fleet, fleet, telegram_webhook_env
from tests.telegram.fake_bot_api import FakeBotApi

DEFAULT_COUNT = 10_000
FIRST_CHAT = 20_000_000
SETTLE_SECONDS = 5.0  # after the last digest, how long to watch for one sent twice


def next_slot(margin: float = 45.0) -> dt.datetime:
    """The first whole minute at least `margin` seconds away: time to subscribe and start."""
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=margin + 60)
    return soon.replace(second=0, microsecond=0)


async def leader_pid(database_url: str) -> int:
    """The process that has claimed the most digests (ledger worker names are host:pid:tag)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.exec_driver_sql("SELECT claimed_by FROM deliveries")
            [(pid, _)] = Counter(int(name.split(":")[1]) for (name,) in rows).most_common(1)
            return pid
    finally:
        await engine.dispose()


async def wait_sent(telegram: FakeBotApi, count: int, deadline: float) -> None:
    # A cheap counter to poll: FakeBotApi.wait_sent would list every call when it gives up.
    while telegram.sent_count < count and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.25)


async def fan_out(database_url: str, count: int, kill_half_way: bool) -> Figures:
    await empty_database(database_url)
    slot = next_slot()
    chats = await subscribe_chats(database_url, FIRST_CHAT, count, slot)
    folder = Path(tempfile.mkdtemp(prefix="briefbot-replicas-"))
    async with FakeBotApi() as telegram, fleet(folder, database_url) as group:
        env = telegram_webhook_env(telegram.base_url, group.proxy.url)
        group.add(2, {**env, "LOG_LEVEL": "WARNING"})
        await group.start()
        print(f"{count:,} digests due at {slot:%H:%M:%S} UTC, two replicas up; waiting...")
        await asyncio.sleep(max(0.0, (slot - dt.datetime.now(dt.UTC)).total_seconds()))
        started = time.monotonic()
        deadline = started + 3 * count / 30 + 60
        figures: Figures = {}
        killed_at = None
        if kill_half_way:
            await wait_sent(telegram, count // 2, deadline)
            await kill_leader(group, database_url)
            killed_at = time.monotonic()
            figures["at"] = killed_at - started  # killed_at, once prefixed
        await wait_sent(telegram, count, deadline)
        elapsed = time.monotonic() - started
        await asyncio.sleep(SETTLE_SECONDS)
        for replica in group.replicas:
            if replica.running:
                await replica.terminate()
        received = Counter(call.chat_id for call in telegram.sent())
        if killed_at is not None:
            # Failover: from the kill to the first digest message the survivor posted.
            after = [call.at for call in telegram.sent() if call.at > killed_at + 0.5]
            figures["resumed_after"] = (min(after) - killed_at) if after else float("nan")
        figures |= {
            "seconds": elapsed,
            "flood_429": telegram.flood_hits,
            "twice": sum(1 for chat in chats if received[chat] > 1),
            "missing": sum(1 for chat in chats if received[chat] == 0),
        }
    return figures


async def kill_leader(group: Fleet, database_url: str) -> None:
    leader = group.by_pid(await leader_pid(database_url))
    await leader.kill()
    print(f"  SIGKILLed {leader.name}, the replica delivering")


def report(label: str, count: int, figures: Figures) -> None:
    print(
        f"{label}: {count - figures['missing']:,.0f} of {count:,} chats served in "
        f"{figures['seconds']:.1f} s (target {1.1 * count / 30:.0f} s); 429 answers: "
        f"{figures['flood_429']:.0f}; chats with two digests: {figures['twice']:.0f}"
    )


async def main(database_url: str | None = None, count: int = DEFAULT_COUNT) -> Figures:
    env = os.environ
    url = database_url or env.get("BENCH_DATABASE_URL") or env.get("TEST_DATABASE_URL")
    if not url:
        print("bench_replicas needs PostgreSQL: set BENCH_DATABASE_URL")
        return {}
    calm = await fan_out(url, count, kill_half_way=False)
    report("two replicas", count, calm)
    killed = await fan_out(url, count, kill_half_way=True)
    report("two replicas, the delivering one SIGKILLed half-way", count, killed)
    print(f"  digests resumed {killed['resumed_after']:.1f} s after the SIGKILL (target 60 s)")
    return calm | {f"killed_{key}": value for key, value in killed.items()}


if __name__ == "__main__":
    asyncio.run(main(count=int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COUNT))
