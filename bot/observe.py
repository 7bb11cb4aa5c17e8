"""The one place commands and digest deliveries are counted and logged.

Every adapter answers through `Core.handle`, so the composition root builds an `ObservedCore`:
the same core, whose `handle` also records the command's name, outcome (from the replies'
tone: ok, error, refused) and latency in the metrics and as one INFO line. Digest delivery
reports each outcome through `record_delivery`. The log lines carry the same facts as fields
(chat, command, outcome, latency_ms) for LOG_FORMAT=json.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from bot.core.commands import parse
from bot.core.core import Core
from bot.core.messages import Incoming, Reply
from bot.metrics import Metrics

log = logging.getLogger("bot.commands")
delivery_log = logging.getLogger("bot.digests")

# Command labels for input that names no command: bounded, whatever people type.
UNKNOWN = "unknown"
NOT_A_COMMAND = "none"


def outcome_of(replies: list[Reply]) -> str:
    tones = {reply.tone for reply in replies}
    if "error" in tones:
        return "error"
    if "refusal" in tones:
        return "refused"
    return "ok"


class ObservedCore(Core):
    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    async def handle(self, incoming: Incoming) -> list[Reply]:
        started = time.perf_counter()
        replies = await super().handle(incoming)
        seconds = time.perf_counter() - started
        command = await self.command_label(incoming.text)
        outcome = outcome_of(replies)
        platform = incoming.chat.platform
        self.metrics.command(platform, command, outcome, seconds)
        chat = f"{platform}:{incoming.chat.chat_id}"
        latency_ms = round(seconds * 1000, 1)
        log.info(
            "%s /%s %s in %.1f ms",
            chat,
            command,
            outcome,
            latency_ms,
            extra={"chat": chat, "command": command, "outcome": outcome, "latency_ms": latency_ms},
        )
        return replies

    async def command_label(self, text: str) -> str:
        """The command's own name (a topic counts as "topic"), never the raw input."""
        parsed = parse(text)
        if parsed is None:
            return NOT_A_COMMAND
        command = await self.resolve(parsed.name)
        return command.name if command is not None else UNKNOWN


def record_delivery(
    metrics: Metrics,
    outcome: str,
    chat: str,
    slot: dt.datetime,
    now: dt.datetime,
    started: float,
    *,
    sent: bool,
    routine: bool,
) -> None:
    lag = (now - slot).total_seconds() if sent else None
    metrics.delivery(outcome, lag)
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    delivery_log.log(
        logging.DEBUG if routine else logging.INFO,
        "digest for %s: %s in %.0f ms",
        chat,
        outcome,
        latency_ms,
        extra={
            "chat": chat,
            "command": "digest",
            "outcome": outcome,
            "latency_ms": latency_ms,
            "lag_s": None if lag is None else round(lag, 1),
        },
    )
