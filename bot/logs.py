"""Logging for the `briefbot` command: text or one JSON object a line, on stderr.

LOG_FORMAT=json gives each record as a JSON object with level, logger and message, plus the
fields the bot adds to its own lines (chat, command, outcome, latency_ms). Whatever the format,
the finished line passes through `Redacting`, which blanks every configured token and secret:
a library that logs a request's URL or headers (slack_sdk does at DEBUG, PTB's tracebacks quote
the Bot API URL) cannot leak them, whichever logger it uses.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

REDACTED = "<redacted>"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log each request or job at INFO: kept at WARNING unless LOG_LEVEL=DEBUG.
NOISY = (
    "alembic",  # a line per plugin and per migration step; bot.app says "migrated" once
    "apscheduler",
    "aiohttp",
    "asyncio",
    "slack_bolt",
    "slack_sdk",
    "telegram",
    "uvicorn",
    "aiosqlite",
)
# Their request lines carry the Telegram token in the URL: WARNING even at DEBUG.
NEVER_VERBOSE = ("httpx", "httpcore")


class Redacting(logging.Formatter):
    """Formats with `inner`, then replaces each secret in the result."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line


def formatter(fmt: str, secrets: Iterable[str] = ()) -> logging.Formatter:
    inner: logging.Formatter
    if fmt == "json":
        inner = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
        )
    else:
        inner = logging.Formatter(TEXT_FORMAT)
    return Redacting(inner, secrets)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler configure_logging installs, told apart from anyone else's."""


def configure_logging(level: str, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    """Idempotent. Like logging.basicConfig, it leaves logging alone when someone else (a test
    runner, an embedding program) already handles the root logger's records."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    if root.handlers:
        return
    handler = _Handler(sys.stderr)
    handler.setFormatter(formatter(fmt, secrets))
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = root.level > logging.DEBUG
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
    for name in NEVER_VERBOSE:
        logging.getLogger(name).setLevel(logging.WARNING)
