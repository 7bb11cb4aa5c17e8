"""Shared settings, and the way platform packages read theirs: the only place the environment
(and `.env`) is read. Each platform package adds its own settings class (its prefix, its
validation), read through `Settings.section`."""

from __future__ import annotations

from typing import TypeVar

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from briefings.db import DEFAULT_URL
from briefings.schedule import find_zone

SectionT = TypeVar("SectionT", bound=BaseSettings)


def id_set(raw: str) -> frozenset[str]:
    """ "1, 2;3" -> {"1", "2", "3"}: how admin id lists are written in settings."""
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

    # /ingest <url> refuses links to private, loopback and link-local addresses so that an admin's
    # link cannot make the bot reach into the network it runs in; true for tests and intranets.
    ingest_allow_private_urls: bool = False

    http_host: str = "127.0.0.1"
    http_port: int = 8080

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        found = find_zone(value)
        if found is None:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Kyiv")
        return found

    def section(self, cls: type[SectionT]) -> SectionT:
        """A platform's own settings class, read from the same environment and `.env`."""
        return cls()
