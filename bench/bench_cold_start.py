"""`briefbot chat` cold start: process launch to the first reply on standard output.

Target (issue 2): at most 1.5 s. Measured on a database already migrated and seeded (every
start after the first) and on an empty one (the very first start: migrate and seed as well).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7


def first_reply_seconds(db: Path) -> float:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LOG_LEVEL": "WARNING"}
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


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="briefbot-cold-"))
    fresh = []
    for i in range(RUNS):
        fresh.append(first_reply_seconds(folder / f"fresh{i}.db"))
    warm_db = folder / "warm.db"
    first_reply_seconds(warm_db)
    warm = [first_reply_seconds(warm_db) for _ in range(RUNS)]
    print(
        f"briefbot chat cold start to first reply: median {statistics.median(warm):.2f} s, "
        f"max {max(warm):.2f} s (existing database)"
    )
    print(
        f"  first start on an empty database (migrate + seed): median "
        f"{statistics.median(fresh):.2f} s, max {max(fresh):.2f} s"
    )


if __name__ == "__main__":
    main()
