"""Starting Telegram when it cannot be reached or refuses the token: the start is retried in
the background while /healthz says why, a rejected token is final, and `briefbot check` asks
the same question without starting anything."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from bot.supervisor import PlatformRunner
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.support import FAST
from tests.telegram.test_webhook import free_port

BRIEFBOT = Path(sys.executable).with_name("briefbot")


def adapter(app: App, fake: FakeBotApi, token: str = TOKEN) -> TelegramAdapter:
    return TelegramAdapter(
        app.core, app.health, app.store.topics, token, fake.base_url, FAST, app.metrics
    )


async def test_an_api_that_fails_at_start_is_retried_in_the_background(
    app: App, fake: FakeBotApi
) -> None:
    fake.fail("getMe", 502, "Bad Gateway", times=2)
    runner = PlatformRunner(adapter(app, fake), first_wait=0.2)
    runner.begin()
    try:
        deadline = time.monotonic() + 10
        while runner.health().state != "retrying":
            assert time.monotonic() < deadline, runner.health()
            await asyncio.sleep(0.01)
        assert not runner.health().ok
        assert "Bad Gateway" in runner.health().reason
        await asyncio.wait_for(runner.settled.wait(), 15)
        assert runner.started
        assert runner.refused is None
        assert runner.health().state == "polling"
        assert len(fake.requests("getMe")) == 3
    finally:
        await runner.stop()
    assert not runner.health().ok


async def test_a_rejected_token_is_final(app: App, fake: FakeBotApi) -> None:
    runner = PlatformRunner(adapter(app, fake, "999:not-the-token"), first_wait=0.05)
    runner.begin()
    await asyncio.wait_for(runner.settled.wait(), 10)
    assert runner.refused == "Telegram rejected TELEGRAM_BOT_TOKEN"
    assert runner.health().state == "stopped"
    assert runner.health().reason == "Telegram rejected TELEGRAM_BOT_TOKEN"
    await runner.stop()


def check(
    tmp_path: Path, fake: FakeBotApi, token: str, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    """`briefbot <args>` on a SQLite file in tmp_path, with these (and `settings`) set."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "HTTP_PORT": str(free_port()),  # `run` listens; never on a port others may use
        **settings,
    }
    return subprocess.run(
        [str(BRIEFBOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
        check=False,
    )


async def test_briefbot_check(tmp_path: Path, fake: FakeBotApi) -> None:
    secret = TOKEN.split(":", 1)[1]
    # A blocking subprocess would stall the fake server in this loop: run it in a thread.
    fresh = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "check")
    assert fresh.returncode == 1, fresh.stdout + fresh.stderr
    assert "database: PROBLEM: SQLite file" in fresh.stdout
    assert "does not exist yet" in fresh.stdout
    assert not (tmp_path / "bot.db").exists()  # check creates nothing

    migrated = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    good = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "check")
    assert good.returncode == 0, good.stdout + good.stderr
    lines = good.stdout.splitlines()
    assert lines[0].startswith("settings: ok")
    assert lines[1].startswith("database: ok: SQLite file")
    assert "at the newest schema" in lines[1]
    assert lines[2].startswith("telegram: ok: token accepted for @OurBot")
    assert "long polling" in lines[2]

    wrong = await asyncio.to_thread(check, tmp_path, fake, "999:wrong" + secret, "check")
    assert wrong.returncode == 1
    assert "telegram: PROBLEM: Telegram rejected TELEGRAM_BOT_TOKEN" in wrong.stdout
    for done in (fresh, good, wrong):
        assert secret not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


async def test_run_with_a_rejected_token_exits_with_status_2(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    secret = TOKEN.split(":", 1)[1]
    done = await asyncio.to_thread(check, tmp_path, fake, "999:wrong" + secret, "run")
    assert done.returncode == 2, done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == (
        "briefbot: Telegram rejected TELEGRAM_BOT_TOKEN"
    )
    assert "Traceback" not in done.stderr
    assert secret not in done.stderr
