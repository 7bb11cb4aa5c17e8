"""Counters the bot keeps about itself, served at /metrics."""

from __future__ import annotations

import time
from collections import Counter


class Metrics:
    """Counters exposed at /metrics in Prometheus' text format."""

    def __init__(self) -> None:
        self.started = time.time()
        self.counters: Counter[str] = Counter()

    def inc(self, name: str, amount: int = 1) -> None:
        self.counters[name] += amount

    def render(self) -> str:
        lines = [f"briefbot_uptime_seconds {time.time() - self.started:.0f}"]
        lines.extend(
            f"briefbot_{name}_total {value}" for name, value in sorted(self.counters.items())
        )
        return "\n".join(lines) + "\n"
