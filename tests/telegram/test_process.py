"""The bot as it is deployed: `briefbot run` in its own process against the fake Bot API, and
the bot token kept out of every log line."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.support import StartBot
from tests.telegram.test_webhook import free_port

BRIEFBOT = Path(sys.executable).with_name("briefbot")
USER = 1301
TOKEN_SECRET = TOKEN.split(":", 1)[1]


async def test_briefbot_run_answers_and_exits_cleanly_on_sigterm(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HTTP_PORT": str(port),
        "LOG_LEVEL": "DEBUG",  # the most talkative level must still not show the token
    }
    # Files, not pipes: a DEBUG log would fill a pipe nobody reads and stall the bot.
    output = tmp_path / "output.log"
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            str(BRIEFBOT), "run", cwd=tmp_path, env=env, stdout=sink, stderr=sink
        )  # cwd: no .env from the repository
    try:
        await fake.wait_calls("getUpdates", within=20.0)
        fake.push(tg.message(USER, "/treaty"))
        [call] = await fake.wait_sent(1, USER, within=10.0)
        assert call.text.startswith("The partnership treaty")
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            assert response.status == 200
            text = await response.text()
            assert 'briefbot_messages_sent_total{platform="telegram"} 1.0' in text
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15.0)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = output.read_text(errors="replace")
    assert process.returncode == 0, log[-3000:]
    assert "Telegram: @OurBot polling" in log
    # One INFO line for each part that started.
    assert f"INFO bot.app: web: 127.0.0.1:{port}" in log
    assert f"INFO bot.app: database: SQLite file {tmp_path / 'bot.db'}" in log
    assert "INFO bot.scheduler: digests: 0 subscriptions" in log
    assert "Traceback" not in log
    assert TOKEN_SECRET not in log


async def test_token_never_reaches_the_logs(
    fake: FakeBotApi, start_bot: StartBot, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await start_bot()
    fake.fail("sendMessage", 403, "Forbidden: bot was kicked", chat_id=USER)
    fake.fail("sendMessage", 502, "Bad Gateway", chat_id=USER + 1)
    fake.push(tg.message(USER, "/start"), tg.message(USER + 1, "/start"))
    await fake.wait_sent(1, USER + 1)
    await bot.stop()
    # A rejected token: PTB's own error message would quote it.
    wrong = TelegramAdapter(
        app.core, app.health, app.store.topics, "999:wrong-token-" + TOKEN_SECRET, fake.base_url
    )
    with pytest.raises(RuntimeError) as failed:
        await wrong.start()
    assert TOKEN_SECRET not in str(failed.value)
    assert caplog.records, "nothing was logged at all"
    assert any(r.name.startswith("telegram") for r in caplog.records)
    assert TOKEN_SECRET not in caplog.text
    assert f"Set Bot API URL: {fake.base_url}<bot-token>" in caplog.text  # redacted, not lost
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
