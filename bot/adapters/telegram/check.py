"""`briefbot check` for Telegram: does the Bot API accept TELEGRAM_BOT_TOKEN (getMe)?"""

from __future__ import annotations

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.adapters.telegram.redaction import protect_token
from bot.adapters.telegram.settings import TelegramSettings

TIMEOUT = 10.0


async def check_token(settings: TelegramSettings) -> tuple[bool, str]:
    """(accepted, what was found), never quoting the token."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    protect_token(token)  # building a Bot logs its URL at DEBUG
    bot = Bot(token, base_url=settings.api_base_url)
    try:
        await bot.initialize()  # getMe
    except InvalidToken:
        return False, "Telegram rejected TELEGRAM_BOT_TOKEN"
    except TelegramError as exc:
        return False, f"cannot reach the Bot API at {settings.api_base_url}: {exc.message}"
    else:
        mode = "webhook " + settings.webhook_url if settings.webhook_url else "long polling"
        return True, f"token accepted for @{bot.username} (id {bot.id}); {mode}"
    finally:
        await bot.shutdown()
