"""Settings: the only place the environment (and `.env`) is read."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from briefings.db import DEFAULT_URL
from briefings.schedule import find_zone


def _id_set(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_URL
    log_level: str = "WARNING"
    bot_name: str = "Briefing bot"
    # Named in /start and digests; empty means the title in the curated briefings file.
    event_title: str = ""
    # How long a process may serve briefings before checking whether another process changed them.
    cache_ttl_seconds: float = 1.0
    seed_on_start: bool = True
    default_timezone: str = "UTC"
    # Digests missed (downtime, a busy loop) are still delivered this many minutes late.
    digest_grace_minutes: int = 60

    console_admin: bool = True

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_admin_ids: str = ""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_base_url: str = "https://slack.com/api/"
    slack_admin_ids: str = ""

    http_host: str = "127.0.0.1"
    http_port: int = 8080

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        found = find_zone(value)
        if found is None:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Kyiv")
        return found

    def static_admins(self) -> dict[str, frozenset[str]]:
        """Admins named in configuration, per platform; more can be granted in chat."""
        return {
            "telegram": _id_set(self.telegram_admin_ids),
            "slack": _id_set(self.slack_admin_ids),
        }
