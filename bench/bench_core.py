"""`/treaty` through the core on the seeded store (SQLite, or PostgreSQL when given), one process.

Target (issue 2; issue 11 on PostgreSQL): at least 2,000 commands/s, p99 at most 5 ms. Each
command is the whole core path (parse, catalog lookup with its revision check, reply building)
plus plain-text rendering.
"""

from __future__ import annotations

import asyncio
import time

from bench.common import Figures, backend, fresh_database, percentile, seeded_store, summary_ms
from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming
from bot.core.roles import Roles
from bot.render.plain import render

COMMANDS = 20_000
WARMUP = 500


async def main(database_url: str | None = None) -> Figures:
    url = await fresh_database(database_url, "core.db")
    store = await seeded_store(url)
    core = Core(store, Roles(store.admins, {}))
    incoming = Incoming(ChatRef("console", "bench"), "u1", "bench", "/treaty")
    for _ in range(WARMUP):
        render((await core.handle(incoming))[0])
    latencies = []
    started = time.perf_counter()
    for _ in range(COMMANDS):
        t0 = time.perf_counter()
        render((await core.handle(incoming))[0])
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    await store.close()
    print(
        f"/treaty through the core: {COMMANDS / elapsed:,.0f} commands/s; {summary_ms(latencies)}"
    )
    print(f"  ({backend(url)}, cache TTL 1 s: one revision query per second, the rest from memory)")
    return {"commands_per_s": COMMANDS / elapsed, "p99_ms": percentile(latencies, 99) * 1000}


if __name__ == "__main__":
    asyncio.run(main())
