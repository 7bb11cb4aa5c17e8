"""Which benchmarks `make bench` runs, on which databases, and the figures each reports with
its target (from the issues; issue 11 holds the PostgreSQL ones to the same targets)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bench.common import Figures

BOTH = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    target: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Benchmark:
    module: str
    title: str
    figures: tuple[Figure, ...]
    databases: tuple[str, ...] = BOTH
    # main(database_url) returns figures; otherwise main() is called and `parse` reads them
    # from what it printed (bench_fanout, a separate run of its own).
    takes_database: bool = True
    parse: Callable[[str], Figures] | None = None


def _numbers(pattern: str, text: str, keys: tuple[str, ...]) -> Figures:
    found = re.search(pattern, text)
    if found is None:
        return {}
    values = [float(value.replace(",", "")) for value in found.groups()]
    return dict(zip(keys, values, strict=True))


def fanout_figures(printed: str) -> Figures:
    return _numbers(
        r"([\d,]+) digests delivered in ([\d.]+) s .*?429 answers: (\d+).*?peak RSS (\d+) MB",
        printed,
        ("delivered", "seconds", "flood_429", "peak_rss_mb"),
    )


BENCHMARKS = (
    Benchmark(
        "bench.bench_core",
        "core",
        (
            Figure("commands_per_s", "/treaty through the core", ">= 2,000/s", "/s"),
            Figure("p99_ms", "/treaty p99", "<= 5 ms", " ms"),
        ),
    ),
    Benchmark(
        "bench.bench_search",
        "search",
        (Figure("p95_ms", "/search, 100,000 points, p95", "<= 20 ms", " ms"),),
    ),
    Benchmark(
        "bench.bench_cold_start",
        "cold start",
        (
            Figure("warm_s", "briefbot chat to first reply", "<= 1.5 s", " s"),
            Figure("first_s", "same, first start (migrate, seed)", "", " s"),
        ),
    ),
    Benchmark(
        "bench.bench_scheduler",
        "scheduler",
        (
            Figure("start_s", "start with 100,000 subscriptions", "<= 5 s", " s"),
            Figure("subscribe_stall_ms", "loop stall, /subscribe among 100,000", "<= 50 ms", " ms"),
            Figure("notice_s", "another replica's /subscribe scheduled here", "<= 5 s", " s"),
        ),
    ),
    Benchmark(
        "bench.bench_telegram",
        "Telegram",
        (
            Figure("updates_per_s", "updates end to end, polling", ">= 500/s", "/s"),
            Figure("overhead_x", "time per update vs bare PTB", "<= 1.5x", "x"),
        ),
    ),
    Benchmark(
        "bench.bench_slack",
        "Slack",
        (
            Figure("commands_per_s", "slash commands end to end", ">= 300/s", "/s"),
            Figure("ack_p99_ms", "ack p99 at full speed", "<= 50 ms", " ms"),
            Figure("fixed_rate_ack_p99_ms", "ack p99 at 300/s", "<= 50 ms", " ms"),
        ),
    ),
    Benchmark(
        "bench.bench_leaving",
        "paced digests, store pool busy",
        (
            Figure("p50_ms", "paced moment -> departure, p50", "", " ms"),
            Figure("p95_ms", "paced moment -> departure, p95", "", " ms"),
            Figure("max_ms", "paced moment -> departure, max", "", " ms"),
            Figure("late", "messages later than 35 ms", ""),
        ),
        databases=("postgresql",),
    ),
    Benchmark(
        "bench.bench_ingest",
        "ingestion (no database)",
        (
            Figure("p95_ms", "1,500-word article, p95", "<= 100 ms", " ms"),
            Figure("noise_pct", "seeds: noise proposals", "<= 5%", "%"),
            Figure("story_kept_pct", "seeds: story sentences kept", ">= 95%", "%"),
            Figure("topic_first_pct", "seeds: topic first choice", ">= 75%", "%"),
        ),
        databases=("sqlite",),
    ),
    Benchmark(
        "bench.bench_page_meta",
        "page headline, outlet and date (no database)",
        (
            Figure("title_pct", "headlines right", "", "%"),
            Figure("outlet_pct", "outlets right", "", "%"),
            Figure("date_pct", "dates right", "", "%"),
        ),
        databases=("sqlite",),
    ),
)

FANOUT = Benchmark(
    "bench.bench_fanout",
    "fan-out, one process",
    (
        Figure("seconds", "10,000 digests delivered in", "<= 367 s", " s"),
        Figure("flood_429", "429 answers", "0"),
        Figure("peak_rss_mb", "bot's peak RSS", "<= 300 MB", " MB"),
    ),
    databases=("sqlite",),
    takes_database=False,
    parse=fanout_figures,
)

REPLICAS = Benchmark(
    "bench.bench_replicas",
    "fan-out, two replicas",
    (
        Figure("seconds", "10,000 digests delivered in", "<= 367 s", " s"),
        Figure("flood_429", "429 answers", "0"),
        Figure("twice", "chats with two digests", "0"),
        Figure("missing", "chats without a digest", "0"),
        Figure("killed_seconds", "same, leader SIGKILLed half-way", "<= 382 s", " s"),
        Figure("killed_resumed_after", "  digests resumed after the kill", "<= 60 s", " s"),
        Figure("killed_flood_429", "  429 answers", "0"),
        Figure("killed_twice", "  chats with two digests", "0"),
        Figure("killed_missing", "  chats without a digest", "0"),
    ),
    databases=("postgresql",),
)
