"""What the Telegram tests share besides fixtures: ids, fast adapter options, settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.adapters.telegram.adapter import TelegramAdapter, TelegramOptions
from bot.adapters.telegram.outbound import TelegramRetryPolicy
from bot.adapters.telegram.settings import TelegramSettings
from bot.config import Settings

ADMIN_ID = 42
# Small timeouts and a fast backoff keep the suite quick; the flood limits stay Telegram's own.
FAST = TelegramOptions(
    poll_timeout=1.0,
    request_timeout=2.0,
    connect_timeout=2.0,
    retry=TelegramRetryPolicy(attempts=3, backoff=0.05, max_backoff=0.2, max_retry_after=5.0),
)

StartBot = Callable[..., Awaitable[TelegramAdapter]]


def settings_for(db: Path, **extra: Any) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{db}", _env_file=None, **extra)


def telegram_settings(**extra: Any) -> TelegramSettings:
    """The adapters in these tests are built by hand; only the admins come from settings."""
    return TelegramSettings(admin_ids=str(ADMIN_ID), _env_file=None, **extra)
