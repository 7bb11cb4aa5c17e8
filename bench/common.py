"""Small helpers shared by the benchmarks: percentiles and a seeded store on a fresh file."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from briefings.db import create_engine, migrate
from briefings.loader import load_briefings
from briefings.store import BriefingStore


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


async def seeded_store(url: str, cache_ttl: float = 1.0) -> BriefingStore:
    engine = create_engine(url)
    await migrate(engine)
    store = BriefingStore(engine, cache_ttl=cache_ttl)
    await store.load_briefings(load_briefings())
    return store
