"""`briefbot run` as an operator starts it: a real process, a real port, Slack's HTTP mode on the
bot's one web server, then SIGTERM and a clean exit."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx

from tests.slack.factories import FORM, SIGNING_SECRET, signature_headers, slash_command
from tests.slack.fake_web_api import BOT_TOKEN, RESPONSE, FakeSlack

BRIEFBOT = Path(sys.executable).with_name("briefbot")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_healthy(http: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.returncode is None, "briefbot run exited early"
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("briefbot run did not start serving")


async def test_briefbot_run_answers_a_signed_slash_command(tmp_path: Path, fake: FakeSlack) -> None:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": fake.api_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
        "LOG_LEVEL": "INFO",
    }
    log_path = tmp_path / "briefbot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(BRIEFBOT), "run", env=env, cwd=tmp_path, stdout=log, stderr=log
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                await wait_until_healthy(http, process)
                await fake.wait_for("auth.test", within=15)  # the adapter signed in
                body = slash_command("/brief", "treaty", fake.response_url("proc"))
                headers = {"Content-Type": FORM, **signature_headers(body)}
                response = await http.post("/slack/events", content=body, headers=headers)
                assert response.status_code == 200
                [answer] = await fake.wait_for(RESPONSE, within=10)
                assert "The partnership treaty" in answer.text
                forged = await http.post(
                    "/slack/events",
                    content=body,
                    headers={"Content-Type": FORM, **signature_headers(body, "wrong")},
                )
                assert forged.status_code == 401
                metrics = (await http.get("/metrics")).text
                assert (
                    'briefbot_commands_total{command="topic",outcome="ok",platform="slack"} 1.0'
                    in metrics
                )
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
    output = log_path.read_text()
    assert code == 0, output
    assert "Slack: HTTP on /slack/events" in output
    assert "Traceback" not in output
    assert BOT_TOKEN not in output  # tokens never reach the log
