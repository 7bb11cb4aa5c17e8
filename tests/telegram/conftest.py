"""Fixtures for the Telegram suite: a fake Bot API server, the app on a temporary SQLite file,
and the real adapter (real python-telegram-bot) pointed at the fake server."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import App, build_app
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.support import FAST, StartBot, settings_for, telegram_settings


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating and seeding takes a while; do it once and copy the file for each test."""
    path = tmp_path_factory.mktemp("template") / "bot.db"

    async def build() -> None:
        app = await build_app(settings_for(path), telegram=telegram_settings())
        await app.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(tmp_path: Path, seeded_db: Path) -> Path:
    target = tmp_path / "bot.db"
    for source in seeded_db.parent.glob(seeded_db.name + "*"):  # with any -wal/-shm file
        shutil.copy(source, tmp_path / source.name)
    return target


@pytest.fixture
async def app(db_path: Path) -> AsyncIterator[App]:
    built = await build_app(settings_for(db_path), telegram=telegram_settings())
    yield built
    await built.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
    # Scripted 429s do not count: only the server's own enforcement of Telegram's limits.
    assert server.flood_hits == 0, "the bot exceeded Telegram's flood limits"


@pytest.fixture
async def start_bot(app: App, fake: FakeBotApi) -> AsyncIterator[StartBot]:
    """Starts an adapter (polling unless a webhook_url is given); stops it after the test."""
    started: list[TelegramAdapter] = []

    async def start(**overrides: Any) -> TelegramAdapter:
        adapter = TelegramAdapter(
            app.core,
            app.health,
            app.store.topics,
            TOKEN,
            fake.base_url,
            replace(FAST, **overrides),
            app.metrics,
        )
        await adapter.start()
        started.append(adapter)
        return adapter

    yield start
    for adapter in reversed(started):
        await adapter.stop()


@pytest.fixture
async def bot(start_bot: StartBot) -> TelegramAdapter:
    return await start_bot()
