"""What the bot counts about itself, served at /metrics by prometheus_client.

Each `Metrics` has its own CollectorRegistry (not the library's global one), so tests and
tools can build several apps in one process. The methods below are the only way code records a
metric: one method per series, named for what happened, so every call site can be found by
name (`metrics.sent(`, `metrics.platform_error(`).
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST
PREFIX = "briefbot_"
# Commands answer in milliseconds from the cache; the slow end is a store write or a fetch.
COMMAND_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds from a digest's slot to its last message: seconds normally, up to the grace period
# (an hour by default) after downtime.
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self._commands = Counter(
            PREFIX + "commands",
            "Commands answered, by platform, command and outcome (ok, error, refused)",
            ["platform", "command", "outcome"],
            registry=registry,
        )
        self._command_seconds = Histogram(
            PREFIX + "command_duration_seconds",
            "Time the core took to answer a command, by platform",
            ["platform"],
            buckets=COMMAND_BUCKETS,
            registry=registry,
        )
        self._sent = Counter(
            PREFIX + "messages_sent",
            "Messages the platform confirmed, by platform",
            ["platform"],
            registry=registry,
        )
        self._errors = Counter(
            PREFIX + "platform_errors",
            "Platform errors by platform and kind (send_retry, send_failure, blocked, ...)",
            ["platform", "kind"],
            registry=registry,
        )
        self._rate_limited = Counter(
            PREFIX + "rate_limited",
            "429 answers and flood waits, by platform",
            ["platform"],
            registry=registry,
        )
        self._events = Counter(
            PREFIX + "platform_events",
            "Other things a platform adapter noticed, by platform and kind",
            ["platform", "kind"],
            registry=registry,
        )
        self._deliveries = Counter(
            PREFIX + "digest_deliveries",
            "Digest deliveries by outcome (sent, empty, taken, skipped, paused, retry, ...)",
            ["outcome"],
            registry=registry,
        )
        self._lag = Histogram(
            PREFIX + "digest_lag_seconds",
            "Seconds from a digest's slot to its delivery",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self._paused = Counter(
            PREFIX + "subscriptions_paused",
            "Subscriptions paused because their chat could not be reached",
            registry=registry,
        )
        self._queue = Gauge(
            PREFIX + "digest_queue_depth", "Digests waiting for a worker", registry=registry
        )
        self._jobs = Gauge(
            PREFIX + "scheduled_jobs", "Digest jobs in the scheduler", registry=registry
        )
        self._leader = Gauge(
            PREFIX + "digest_leader",
            "1 while this replica leads digest delivery (holds the digests lease), else 0",
            registry=registry,
        )

    # ----- recording -------------------------------------------------------------------------

    def command(self, platform: str, command: str, outcome: str, seconds: float) -> None:
        self._commands.labels(platform, command, outcome).inc()
        self._command_seconds.labels(platform).observe(seconds)

    def sent(self, platform: str, count: int = 1) -> None:
        self._sent.labels(platform).inc(count)

    def platform_error(self, platform: str, kind: str) -> None:
        self._errors.labels(platform, kind).inc()

    def rate_limited(self, platform: str) -> None:
        self._rate_limited.labels(platform).inc()

    def platform_event(self, platform: str, kind: str) -> None:
        self._events.labels(platform, kind).inc()

    def delivery(self, outcome: str, lag_seconds: float | None = None) -> None:
        self._deliveries.labels(outcome).inc()
        if lag_seconds is not None:
            self._lag.observe(max(lag_seconds, 0.0))

    def subscription_paused(self) -> None:
        self._paused.inc()

    def watch_queue(self, depth: Callable[[], float]) -> None:
        self._queue.set_function(depth)

    def watch_jobs(self, count: Callable[[], float]) -> None:
        self._jobs.set_function(count)

    def watch_leader(self, leading: Callable[[], bool]) -> None:
        self._leader.set_function(lambda: 1.0 if leading() else 0.0)

    # ----- reading ---------------------------------------------------------------------------

    def value(self, name: str, **labels: str) -> float:
        """One sample's current value (0 when absent): for tests."""
        found = self.registry.get_sample_value(PREFIX + name, labels)
        return 0.0 if found is None else found

    def render(self) -> bytes:
        return generate_latest(self.registry)
