"""Webhook mode: setWebhook with a secret, updates POSTed to the bot's own web server, and
requests without the secret refused before anything is processed."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.app import App
from bot.web import WebServer, build_web_app
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.support import StartBot

SECRET = "s3cret_-token"
USER = 1201


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def hook_url() -> str:
    """The URL Telegram is told; the web server comes up on it once the adapter exists."""
    return f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}"


async def serve(app: App, adapter: TelegramAdapter, url: str) -> WebServer:
    port = int(url.split(":")[2].split("/")[0])
    web = WebServer(build_web_app(adapter.routes(), app.metrics), "127.0.0.1", port)
    await web.start()
    return web


async def post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as r,
    ):
        return r.status


async def test_webhook_mode_receives_updates(
    app: App, fake: FakeBotApi, start_bot: StartBot, hook_url: str
) -> None:
    bot = await start_bot(webhook_url=hook_url, webhook_secret=SECRET)
    web = await serve(app, bot, hook_url)
    try:
        assert fake.webhook is not None
        assert fake.webhook["url"] == hook_url
        assert fake.webhook["secret_token"] == SECRET
        assert "callback_query" in fake.webhook["allowed_updates"]
        assert await fake.deliver_webhook(tg.message(USER, "/treaty")) == 200
        [call] = await fake.wait_sent(1, USER)
        assert call.text.startswith("The partnership treaty")
        assert fake.requests("getUpdates") == []
    finally:
        await web.stop()


async def test_webhook_without_the_secret_is_refused(
    app: App, fake: FakeBotApi, start_bot: StartBot, hook_url: str
) -> None:
    bot = await start_bot(webhook_url=hook_url, webhook_secret=SECRET)
    web = await serve(app, bot, hook_url)
    try:
        assert await fake.deliver_webhook(tg.message(USER, "/treaty"), secret="") == 403
        assert await fake.deliver_webhook(tg.message(USER, "/treaty"), secret="guess") == 403
        assert await post(hook_url, b"{not json", None) == 403
        assert await post(hook_url, b"{not json", SECRET) == 400
        assert await post(hook_url, b"[1, 2]", SECRET) == 400
        assert await fake.deliver_webhook(tg.message(USER + 1, "/start")) == 200
        await fake.wait_sent(1, USER + 1)
        assert fake.sent(USER) == []
    finally:
        await web.stop()


async def test_webhook_without_configured_secret_gets_a_generated_one(
    app: App, fake: FakeBotApi, start_bot: StartBot, hook_url: str
) -> None:
    bot = await start_bot(webhook_url=hook_url)
    web = await serve(app, bot, hook_url)
    try:
        assert fake.webhook is not None
        generated = fake.webhook["secret_token"]
        assert len(generated) >= 32
        assert await fake.deliver_webhook(tg.message(USER, "/start"), secret="") == 403
        assert await fake.deliver_webhook(tg.message(USER, "/start")) == 200
        await fake.wait_sent(1, USER)
    finally:
        await web.stop()


async def test_webhook_after_stop_asks_telegram_to_retry(
    app: App, fake: FakeBotApi, start_bot: StartBot, hook_url: str
) -> None:
    bot = await start_bot(webhook_url=hook_url, webhook_secret=SECRET)
    web = await serve(app, bot, hook_url)
    try:
        await bot.stop()
        assert await fake.deliver_webhook(tg.message(USER, "/start")) == 503
    finally:
        await web.stop()
