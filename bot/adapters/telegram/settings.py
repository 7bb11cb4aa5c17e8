"""Telegram's settings: the TELEGRAM_* environment variables (or lines in `.env`)."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from bot.config import PlatformSettings, id_set


class TelegramSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_")

    # From @BotFather; the adapter starts when it is set.
    bot_token: SecretStr | None = None
    # The token is appended to this; change it for a self-hosted Bot API server.
    api_base_url: str = "https://api.telegram.org/bot"
    # Webhook mode when set (the public HTTPS URL of /telegram/webhook), long polling otherwise.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Comma-separated numeric user ids with admin rights.
    admin_ids: str = ""

    @field_validator("admin_ids")
    @classmethod
    def _numeric_ids(cls, value: str) -> str:
        bad = [i for i in id_set(value) if not i.lstrip("-").isdigit()]
        if bad:
            raise ValueError(
                f"TELEGRAM_ADMIN_IDS takes numeric user ids (send /whoami to the bot to see "
                f"yours), not {', '.join(sorted(bad))}"
            )
        return value
