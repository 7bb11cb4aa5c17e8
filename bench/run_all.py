"""Runs every benchmark in bench/ on SQLite and, when a PostgreSQL database is reachable, on
PostgreSQL too; prints one table (benchmark, figure, SQLite, PostgreSQL, target) and writes
bench/results.json.

    make bench                   # python -m bench.run_all [--fanout] [--replicas]

PostgreSQL is BENCH_DATABASE_URL, else TEST_DATABASE_URL (postgresql+asyncpg://...). Each
benchmark EMPTIES that database before it starts: never point it at one you keep. The
ten-thousand-digest fan-out takes about six minutes, so it runs only with --fanout (or
BENCH_FANOUT=1); the two-replica fan-out (PostgreSQL only) as long, with --replicas (or
BENCH_REPLICAS=1). Figures are measurements on a shared machine, not tests: nothing fails when
one misses its target.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import inspect
import io
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from bench.catalog import BENCHMARKS, FANOUT, REPLICAS, Benchmark
from bench.common import Figures
from briefings.db import create_engine, describe

RESULTS = Path(__file__).resolve().parent / "results.json"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
NOT_RUN = "n/a"  # the benchmark does not run on that database
UNREACHABLE = "-"  # no PostgreSQL to run it on


class Tee(io.TextIOBase):
    """Standard output as it goes, kept too: some benchmarks only print their figures."""

    def __init__(self) -> None:
        self.out = sys.stdout
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.out.write(text)
        return self.kept.write(text)

    def flush(self) -> None:
        self.out.flush()


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None

    async def check() -> None:
        engine = create_engine(url)
        try:
            async with asyncio.timeout(5), engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        finally:
            await engine.dispose()

    try:
        asyncio.run(check())
    except Exception as exc:  # refused, bad password, no such database: say so, go on
        print(f"PostgreSQL at {describe(url)} is not reachable ({exc}); SQLite only")
        return None
    return url


def run_one(bench: Benchmark, database_url: str | None) -> Figures:
    module = importlib.import_module(bench.module)
    tee = Tee()
    with contextlib.redirect_stdout(tee):
        result: Any = module.main(database_url) if bench.takes_database else module.main()
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
    if bench.parse is not None:
        return bench.parse(tee.kept.getvalue())
    assert isinstance(result, dict), f"{bench.module}.main() returned no figures"
    return result


def measure(bench: Benchmark, database: str, url: str | None) -> Figures | str:
    if database not in bench.databases:
        return NOT_RUN
    if database == POSTGRESQL and url is None:
        return UNREACHABLE
    print(f"== {bench.module} on {database}", flush=True)
    try:
        return run_one(bench, url if database == POSTGRESQL else None)
    except Exception:
        traceback.print_exc()
        return "failed"


def cell(value: Figures | str, key: str, unit: str) -> str:
    if isinstance(value, str):
        return value
    if key not in value:
        return "n/a"
    number = value[key]
    return f"{number:,.0f}{unit}" if abs(number) >= 100 else f"{number:.2f}{unit}"


def table(results: dict[str, dict[str, Figures | str]], chosen: list[Benchmark]) -> str:
    rows = [("benchmark", "figure", "SQLite", "PostgreSQL", "target")]
    for bench in chosen:
        got = results[bench.module]
        for figure in bench.figures:
            rows.append(
                (
                    bench.title,
                    figure.label,
                    cell(got[SQLITE], figure.key, figure.unit),
                    cell(got[POSTGRESQL], figure.key, figure.unit),
                    figure.target,
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def chosen_benchmarks(argv: list[str]) -> list[Benchmark]:
    chosen = list(BENCHMARKS)
    if "--fanout" in argv or os.environ.get("BENCH_FANOUT") == "1":
        chosen.append(FANOUT)
    if "--replicas" in argv or os.environ.get("BENCH_REPLICAS") == "1":
        chosen.append(REPLICAS)
    return chosen


def main() -> None:
    chosen = chosen_benchmarks(sys.argv[1:])
    url = postgres_url()
    results = {b.module: {db: measure(b, db, url) for db in (SQLITE, POSTGRESQL)} for b in chosen}
    print()
    print(table(results, chosen))
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "cpus": os.cpu_count(),
                "postgresql": describe(url) if url else None,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
