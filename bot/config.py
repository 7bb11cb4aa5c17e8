"""Shared settings, and the way platform packages read theirs: the only place the environment
(and `.env`) is read. Each platform package adds its own settings class (its prefix, its
validation) on `EnvSettings`, read through `Settings.section` from the same file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from briefings.db import DEFAULT_URL, anchor_sqlite, normalise_url
from briefings.schedule import find_zone

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASE_BACKENDS = ("sqlite", "postgresql")
HOME_VARIABLE = "BRIEFBOT_HOME"
# `briefbot --env-file PATH` sets this, so every settings class read afterwards uses that file.
ENV_FILE_VARIABLE = "BRIEFBOT_ENV_FILE"


def briefbot_home() -> Path:
    """Where `.env` is read from and the default SQLite database lives: $BRIEFBOT_HOME, or
    the current directory (a clone's own folder, for `make run`)."""
    return Path(os.environ.get(HOME_VARIABLE) or ".").expanduser().resolve()


def env_file() -> Path:
    return Path(os.environ.get(ENV_FILE_VARIABLE) or briefbot_home() / ".env")


def id_set(raw: str) -> frozenset[str]:
    """ "1, 2;3" -> {"1", "2", "3"}: how admin id lists are written in settings."""
    return frozenset(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())


class EnvSettings(BaseSettings):
    """Settings read from the environment and one `.env` file."""

    model_config = SettingsConfigDict(env_file_encoding="utf-8", extra="ignore")
    _read_from: Path | None = PrivateAttr(default=None)

    def __init__(self, **values: Any) -> None:
        # The file is chosen when settings are read, not when this module is imported, so
        # BRIEFBOT_HOME and --env-file apply; tests pass _env_file=None to read none.
        values.setdefault("_env_file", env_file())
        super().__init__(**values)
        self._read_from = values["_env_file"]

    @property
    def read_from(self) -> Path | None:
        """The settings file these were read from, when there was one."""
        path = self._read_from
        return path if path is not None and Path(path).is_file() else None


class PlatformSettings(EnvSettings):
    """What every chat platform's settings have: a bot token that turns it on, and the user
    ids of its configured admins (each platform validates its own id format)."""

    bot_token: SecretStr | None = None
    admin_ids: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.bot_token and self.bot_token.get_secret_value())

    @property
    def admins(self) -> frozenset[str]:
        return id_set(self.admin_ids)


SectionT = TypeVar("SectionT", bound=EnvSettings)


class Settings(EnvSettings):
    # A relative SQLite path (the default's too) lives under BRIEFBOT_HOME, not the cwd.
    database_url: str = Field(DEFAULT_URL, validate_default=True)
    # INFO: one line per part started, per command and per digest; libraries stay at WARNING.
    log_level: str = "INFO"
    # json: one JSON object a line, for log collectors.
    log_format: Literal["text", "json"] = "text"
    bot_name: str = Field("Briefing bot", min_length=1)
    # Named in /start and digests; empty means the title in the curated briefings file.
    event_title: str = ""
    # How long a process may serve briefings before checking whether another process changed them.
    cache_ttl_seconds: float = 1.0
    seed_on_start: bool = True
    default_timezone: str = "UTC"
    # Digests missed (downtime, a busy loop) are still delivered this many minutes late.
    digest_grace_minutes: int = Field(60, ge=0)
    # Replicas on PostgreSQL: one of them delivers digests while it holds a lease this long,
    # renewed every third of it. A leader that dies is replaced within about this plus a
    # renewal; shorter means more database writes, longer a slower takeover.
    digest_lease_seconds: float = Field(15.0, ge=3.0, le=300.0)

    console_admin: bool = True

    # /ingest <url> refuses links to private, loopback and link-local addresses so that an admin's
    # link cannot make the bot reach into the network it runs in; true for tests and intranets.
    ingest_allow_private_urls: bool = False

    http_host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=0, le=65535)

    @field_validator("database_url")
    @classmethod
    def _anchored(cls, value: str) -> str:
        try:
            backend = make_url(normalise_url(value)).get_backend_name()
        except ArgumentError:
            backend = ""
        if backend not in DATABASE_BACKENDS:
            raise ValueError(
                "not a database URL the bot can use; write sqlite:///path/to/file.db or "
                "postgresql+asyncpg://user:password@host/database"
            )
        return anchor_sqlite(value, briefbot_home())

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(LOG_LEVELS)}")
        return value.strip().upper()

    @field_validator("bot_name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the bot needs a name")
        return value.strip()

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        found = find_zone(value)
        if found is None:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Kyiv")
        return found

    def section(self, cls: type[SectionT]) -> SectionT:
        """A platform's own settings class, read from the same environment and `.env`."""
        return cls(_env_file=self._read_from)
