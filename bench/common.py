"""Small helpers shared by the benchmarks: percentiles, a fresh database (a new SQLite file,
or PostgreSQL emptied) and a seeded store on it."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from briefings.actors import Actor
from briefings.db import create_engine, is_sqlite, migrate
from briefings.loader import load_briefings
from briefings.schedule import Schedule
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore

# What each benchmark returns: its figures by name, for bench.run_all's table.
Figures = dict[str, float]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"p50 {statistics.median(ms):.2f} ms, p95 {percentile(ms, 95):.2f} ms, "
        f"p99 {percentile(ms, 99):.2f} ms, max {max(ms):.2f} ms"
    )


def temp_sqlite_url(name: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix="briefbot-bench-"))
    return f"sqlite+aiosqlite:///{folder / name}"


async def empty_database(url: str) -> None:
    """Drops everything in PostgreSQL's public schema: each benchmark starts from nothing."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await engine.dispose()


async def fresh_database(url: str | None, name: str) -> str:
    """A new SQLite file called `name` when `url` is None, otherwise the PostgreSQL database
    at `url`, emptied."""
    if url is None:
        return temp_sqlite_url(name)
    await empty_database(url)
    return url


def backend(url: str) -> str:
    return "SQLite" if is_sqlite(url) else "PostgreSQL"


async def seeded_store(url: str, cache_ttl: float = 1.0) -> BriefingStore:
    engine = create_engine(url)
    await migrate(engine)
    store = BriefingStore(engine, cache_ttl=cache_ttl)
    await store.load_briefings(load_briefings())
    return store


async def subscribe_private_chats(
    subscriptions: SubscriptionStore, first_chat: int, count: int, schedule: Schedule
) -> None:
    """`count` private Telegram chats from `first_chat` on, each with a `changes` digest of
    /treaty on `schedule`: a fan-out's subscribers."""
    await subscriptions.bulk_subscribe(
        (
            SubscriptionRequest(
                "telegram",
                str(first_chat + i),
                "private",
                None,
                schedule,
                ("treaty",),
                "changes",
            )
            for i in range(count)
        ),
        Actor.system("bench"),
    )
