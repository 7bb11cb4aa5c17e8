"""/healthz follows Telegram's long polling: a revoked token (getUpdates answering 401) stops
python-telegram-bot's polling for good, and /healthz says so with a 503; a few 502s are retried
and /healthz comes back to 200."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.polling import TOKEN_REJECTED
from bot.app import App, start_digests
from bot.health import bot_health
from bot.web import build_web_app
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.support import StartBot

Health = Callable[[], Awaitable[httpx.Response]]


@pytest.fixture
async def healthz(app: App, bot: TelegramAdapter) -> AsyncIterator[Health]:
    """GET /healthz on the bot's web app, with the parts `briefbot run` reports."""
    digests = await start_digests(app, [bot])
    health = bot_health(app.store.engine, {"telegram": bot.health}, digests.health)
    web = build_web_app(bot.routes(), app.metrics, health)
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:

        async def get() -> httpx.Response:
            return await client.get("/healthz")

        yield get
    await digests.stop()
    assert app.scheduler is None


async def eventually(get: Health, status: int, within: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        response = await get()
        if response.status_code == status:
            body: dict[str, Any] = response.json()
            return body
        assert time.monotonic() < deadline, f"/healthz stayed {response.json()}"
        await asyncio.sleep(0.05)


async def test_a_healthy_bot_reports_every_part(healthz: Health, fake: FakeBotApi) -> None:
    await fake.wait_calls("getUpdates")
    body = await eventually(healthz, 200)
    assert body["status"] == "ok"
    parts = body["parts"]
    assert parts["database"]["state"] == "ok"
    assert parts["telegram"]["state"] == "polling"
    # SQLite: the one process leads digests without a lease.
    assert parts["digests"] == {"state": "running", "ok": True, "jobs": 0, "leader": True}


async def test_a_revoked_token_stops_polling_and_healthz_says_why(
    healthz: Health, fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    await fake.wait_calls("getUpdates")
    await eventually(healthz, 200)
    fake.fail("getUpdates", 401, "Unauthorized")
    body = await eventually(healthz, 503)
    assert body["parts"]["telegram"] == {"state": "stopped", "ok": False, "reason": TOKEN_REJECTED}
    assert body["reason"] == f"telegram: stopped: {TOKEN_REJECTED}"
    assert bot.health().state == "stopped"
    polls = len(fake.requests("getUpdates"))
    await asyncio.sleep(2.5)  # PTB would have polled again within a second, had it gone on
    assert len(fake.requests("getUpdates")) == polls
    assert (await healthz()).status_code == 503
    await bot.stop()  # stops cleanly after PTB's polling task ended with InvalidToken


async def test_transient_502s_are_retried_and_healthz_recovers(
    healthz: Health, fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    await fake.wait_calls("getUpdates")
    await eventually(healthz, 200)
    fake.fail("getUpdates", 502, "Bad Gateway", times=2)
    body = await eventually(healthz, 503)
    telegram = body["parts"]["telegram"]
    assert telegram["state"] == "retrying"
    assert "502" in telegram["reason"]
    body = await eventually(healthz, 200)
    assert body["parts"]["telegram"]["state"] == "polling"


async def test_webhook_mode_reports_webhook(start_bot: StartBot) -> None:
    adapter = await start_bot(webhook_url="https://bot.example.org/telegram/webhook")
    assert adapter.health().state == "webhook"
    assert adapter.health().ok
    await adapter.stop()
    assert not adapter.health().ok
