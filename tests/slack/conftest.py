"""Fixtures for the Slack adapter: the fake Slack servers, the bot built by the composition root
on a temporary SQLite file, and the bot's real ASGI app driven through httpx."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.settings import SlackSettings
from bot.app import App, build_adapters, build_app
from bot.config import Settings
from bot.web import build_web_app
from tests.slack.factories import SIGNING_SECRET, SlackSender
from tests.slack.fake_web_api import BOT_TOKEN, FakeSlack

ADMIN = "UADMIN"


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and slack-bolt read the environment: the tests decide every value."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "TELEGRAM_")) or name in {"DATABASE_URL", "HTTP_PORT"}:
            monkeypatch.delenv(name)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.close()


def slack_settings(fake: FakeSlack, **overrides: object) -> SlackSettings:
    values: dict[str, object] = {
        "bot_token": BOT_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "api_base_url": fake.api_url,
        "admin_ids": ADMIN,
        **overrides,
    }
    return SlackSettings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", http_port=0
    )


@pytest.fixture
def slack_config(fake: FakeSlack) -> SlackSettings:
    return slack_settings(fake)


@pytest.fixture
async def bot(settings: Settings, slack_config: SlackSettings) -> AsyncIterator[App]:
    app = await build_app(settings, slack=slack_config)
    yield app
    await app.close()


@pytest.fixture
async def adapter(settings: Settings, bot: App) -> AsyncIterator[SlackAdapter]:
    """The adapter exactly as `briefbot run` builds it, started."""
    adapters = build_adapters(settings, bot)
    assert len(adapters) == 1
    assert isinstance(adapters[0], SlackAdapter)
    slack = adapters[0]
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def slack(adapter: SlackAdapter, bot: App) -> AsyncIterator[SlackSender]:
    """Signed requests into the bot's one ASGI app (the one uvicorn serves)."""
    web = build_web_app(adapter.routes(), bot.metrics)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as http:
        yield SlackSender(http)
