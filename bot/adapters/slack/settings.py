"""Slack's settings: the SLACK_* environment variables (or lines in `.env`)."""

from __future__ import annotations

import re

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from bot.config import PlatformSettings, id_set

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class SlackSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SLACK_")

    # Bot token (xoxb-...); the adapter starts when it is set.
    bot_token: SecretStr | None = None
    # HTTP mode: Slack signs every request to /slack/events with it.
    signing_secret: SecretStr | None = None
    # App-level token (xapp-...): Socket Mode when set, HTTP mode otherwise.
    app_token: SecretStr | None = None
    api_base_url: str = "https://slack.com/api/"
    # Comma-separated Slack user ids (U... or W...) with admin rights.
    admin_ids: str = ""

    @field_validator("admin_ids")
    @classmethod
    def _user_ids(cls, value: str) -> str:
        bad = [i for i in id_set(value) if not _USER_ID.match(i)]
        if bad:
            raise ValueError(
                f"SLACK_ADMIN_IDS takes Slack user ids such as U012ABCDEF (send /brief whoami "
                f"to the bot to see yours), not {', '.join(sorted(bad))}"
            )
        return value

    def secret(self, name: str) -> str:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value else ""
