"""`briefbot chat` cold start: process launch to the first reply on standard output.

Target (issue 2): at most 1.5 s. Measured on a database already migrated and seeded (every
start after the first) and on an empty one (the very first start: migrate and seed as well),
on SQLite files or, when given, on PostgreSQL (emptied before each first start).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figures, backend, empty_database

RUNS = 7


def first_reply_seconds(database_url: str) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("/treaty\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.stdin.close()
    proc.wait(timeout=30)
    if '"replies"' not in line:
        raise RuntimeError(f"unexpected output: {line[:200]!r}")
    return elapsed


def fresh_url(database_url: str | None, folder: Path, name: str) -> str:
    if database_url is None:
        return f"sqlite:///{folder / name}"
    asyncio.run(empty_database(database_url))
    return database_url


def main(database_url: str | None = None) -> Figures:
    folder = Path(tempfile.mkdtemp(prefix="briefbot-cold-"))
    fresh = []
    for i in range(RUNS):
        fresh.append(first_reply_seconds(fresh_url(database_url, folder, f"fresh{i}.db")))
    warm_url = fresh_url(database_url, folder, "warm.db")
    first_reply_seconds(warm_url)
    warm = [first_reply_seconds(warm_url) for _ in range(RUNS)]
    print(f"  ({backend(warm_url)})")
    print(
        f"briefbot chat cold start to first reply: median {statistics.median(warm):.2f} s, "
        f"max {max(warm):.2f} s (existing database)"
    )
    print(
        f"  first start on an empty database (migrate + seed): median "
        f"{statistics.median(fresh):.2f} s, max {max(fresh):.2f} s"
    )
    return {"warm_s": statistics.median(warm), "first_s": statistics.median(fresh)}


if __name__ == "__main__":
    main()
