"""Runs every benchmark in turn and prints the figures the README quotes."""

from __future__ import annotations

import asyncio
import importlib
import inspect

BENCHMARKS = [
    "bench.bench_core",
    "bench.bench_search",
    "bench.bench_cold_start",
    "bench.bench_scheduler",
    "bench.bench_telegram",
    "bench.bench_slack",
    "bench.bench_ingest",
]


def main() -> None:
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        print(f"== {name}")
        result = module.main()
        if inspect.iscoroutine(result):
            asyncio.run(result)


if __name__ == "__main__":
    main()
