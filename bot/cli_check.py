"""`briefbot check`: the settings, the database and each configured platform's token, checked
the way `briefbot run` would use them, one line each. Exit status 0 when all is well, 1 if not.
(Settings that cannot be read at all never get here: `main` explains them, status 2.)"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.problems import database_failure
from briefings.db import (
    create_engine,
    current_revision,
    describe,
    head_revision,
    is_sqlite,
    normalise_url,
)

COMMANDS = ("check",)
DATABASE_TIMEOUT = 10.0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub.add_parser(
        "check",
        help="check the settings, the database and each platform's token; exit 0 if all is well",
        description="Reads the settings, connects to DATABASE_URL and compares its schema with "
        "the newest, and asks each configured platform whether it accepts the token (Telegram "
        "getMe, Slack auth.test). Prints what it found; exit status 0 when all is well, 1 if "
        "not, 2 when a setting cannot be read.",
    )


async def database(settings: Settings) -> tuple[bool, str]:
    url, where = settings.database_url, describe(settings.database_url)
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None and not sqlite_file.exists():
        return False, f"{where} does not exist yet; `briefbot migrate` (or `run`) creates it"
    engine = create_engine(url)
    try:
        current = await asyncio.wait_for(current_revision(engine), DATABASE_TIMEOUT)
    except Exception as exc:  # whatever the driver says: it is the reason
        return False, str(database_failure(where, exc)).removeprefix("DATABASE_URL: ")
    finally:
        await engine.dispose()
    head = head_revision()
    if current == head:
        return True, f"{where}: reachable, at the newest schema ({head})"
    if current is None:
        return False, f"{where}: reachable but empty; run `briefbot migrate`"
    return False, f"{where}: at schema {current}, the newest is {head}; run `briefbot migrate`"


def _sqlite_path(url: str) -> Path | None:
    """The SQLite file a URL names; None for other databases and in-memory ones."""
    if not is_sqlite(url):
        return None
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


async def run(settings: Settings) -> int:
    from bot.adapters.slack.settings import SlackSettings
    from bot.adapters.telegram.settings import TelegramSettings

    results = [("settings", True, f"read from {settings.read_from or 'the environment only'}")]
    results.append(("database", *await database(settings)))
    telegram, slack = settings.section(TelegramSettings), settings.section(SlackSettings)
    if telegram.configured:
        from bot.adapters.telegram.check import check_token as telegram_token

        results.append(("telegram", *await telegram_token(telegram)))
    if slack.configured:
        from bot.adapters.slack.check import check_token as slack_token

        results.append(("slack", *await slack_token(slack)))
    if not (telegram.configured or slack.configured):
        results.append(("platforms", True, "none configured: `briefbot run` is the console chat"))
    for part, ok, found in results:
        print(f"{part}: {'ok' if ok else 'PROBLEM'}: {found}")
    return 0 if all(ok for _, ok, _ in results) else 1
