"""The cost of shared send pacing: one `briefbot_reserve` round trip per message, measured on
the PostgreSQL database named by BENCH_DATABASE_URL (or TEST_DATABASE_URL); skipped without one.

Two pacers (two pools, as two replicas have) reserve moments for distinct chats under one
token key, as replicas sending digests do. Prints the latency of one reservation and how many
reservations per second the database grants, against the 30 a token may send. It writes only
keys under `bench:`, and deletes them afterwards.
Run it with `python -m bench.bench_pacing [count]`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from sqlalchemy import text

from bench.common import summary_ms
from briefings.db import create_engine, migrate
from briefings.pacing import SharedPacer
from briefings.send_path import send_path_engine

DEFAULT_COUNT = 2000
TOKEN_SPACING = 1.05 / 30
CHAT_SPACING = 1.05


async def reserve_all(pacer: SharedPacer, chats: range, samples: list[float]) -> None:
    for chat in chats:
        started = time.perf_counter()
        await pacer.reserve({"bench:all": TOKEN_SPACING, f"bench:chat:{chat}": CHAT_SPACING})
        samples.append(time.perf_counter() - started)


async def main(count: int = DEFAULT_COUNT) -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        print("shared pacing: skipped (set BENCH_DATABASE_URL to a PostgreSQL database)")
        return
    engine = create_engine(url)
    await migrate(engine)
    send_paths = [send_path_engine(engine) for _ in range(2)]  # two replicas, two pools
    pacers = [SharedPacer(path) for path in send_paths if path is not None]
    try:
        await reserve_all(pacers[0], range(50), [])  # connections and prepared statements
        samples: list[float] = []
        started = time.perf_counter()
        half = count // 2
        await asyncio.gather(
            reserve_all(pacers[0], range(half), samples),
            reserve_all(pacers[1], range(half, 2 * half), samples),
        )
        elapsed = time.perf_counter() - started
    finally:
        for path in send_paths:
            if path is not None:
                await path.dispose()
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM send_pacing WHERE key LIKE 'bench:%'"))
        await engine.dispose()
    print(
        f"shared pacing, 2 replicas: {len(samples):,} reservations in {elapsed:.2f} s "
        f"({len(samples) / elapsed:,.0f}/s; a token may send 30/s); one reservation: "
        f"{summary_ms(samples)}"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COUNT))
