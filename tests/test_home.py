"""One data home: BRIEFBOT_HOME (or the current directory) holds `.env` and the default SQLite
database, and relative SQLite paths mean the same file from any working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ENV_FILE_VARIABLE, HOME_VARIABLE, Settings
from briefings.db import anchor_sqlite, describe


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv(HOME_VARIABLE, str(folder))
    for name in ("DATABASE_URL", "BOT_NAME", ENV_FILE_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_default_database_lives_in_the_home(home: Path) -> None:
    assert Settings().database_url == f"sqlite+aiosqlite:///{home / 'data' / 'briefbot.db'}"


def test_home_dotenv_is_read_and_its_relative_sqlite_path_anchored(home: Path) -> None:
    (home / ".env").write_text("DATABASE_URL=sqlite:///state/bot.db\nBOT_NAME=Home bot\n")
    settings = Settings()
    assert settings.bot_name == "Home bot"
    assert settings.database_url == f"sqlite:///{home / 'state' / 'bot.db'}"


def test_env_file_variable_replaces_the_home_dotenv(home: Path, tmp_path: Path) -> None:
    (home / ".env").write_text("BOT_NAME=Home bot\n")
    other = tmp_path / "other.env"
    other.write_text("BOT_NAME=Other bot\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_FILE_VARIABLE, str(other))
        assert Settings().bot_name == "Other bot"
    assert Settings().bot_name == "Home bot"


def test_without_a_home_the_current_directory_is_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOME_VARIABLE, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    expected = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'briefbot.db'}"
    assert Settings(_env_file=None).database_url == expected


@pytest.mark.parametrize(
    ("url", "anchored"),
    [
        ("sqlite:///bot.db", "sqlite:////base/bot.db"),
        (
            "sqlite+aiosqlite:///data/b.db?timeout=3",
            "sqlite+aiosqlite:////base/data/b.db?timeout=3",
        ),
        ("sqlite:////abs/bot.db", "sqlite:////abs/bot.db"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql+asyncpg://u:secret@db/briefbot", "postgresql+asyncpg://u:secret@db/briefbot"),
    ],
)
def test_anchor_sqlite(url: str, anchored: str) -> None:
    assert anchor_sqlite(url, Path("/base")) == anchored


def test_anchor_sqlite_expands_the_user_folder() -> None:
    assert anchor_sqlite("sqlite:///~/bot.db", Path("/base")) == (
        f"sqlite:///{Path.home() / 'bot.db'}"
    )


def test_describe_names_the_file_and_hides_passwords() -> None:
    assert describe("sqlite+aiosqlite:////srv/bot.db") == "SQLite file /srv/bot.db"
    shown = describe("postgresql+asyncpg://briefbot:secret@db:5432/briefbot")
    assert shown == "postgresql+asyncpg://briefbot:***@db:5432/briefbot"
