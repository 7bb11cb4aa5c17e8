"""Everything about Telegram, on python-telegram-bot: settings, inbound updates, handlers,
rendering to HTML, the sender with its rate limiter, the webhook route and the command menu.
Deleting this folder removes the platform.

The adapter is re-exported lazily, so importing the package (for its settings) does not load
python-telegram-bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]


def __getattr__(name: str) -> Any:
    if name == "TelegramAdapter":
        from bot.adapters.telegram.adapter import TelegramAdapter

        return TelegramAdapter
    raise AttributeError(name)
