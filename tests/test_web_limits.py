"""Hostile and broken traffic on both webhook routes: oversized bodies (declared or chunked),
unsigned requests, and a slow upload, against the bot's one ASGI app. Bodies are refused before
any parsing or signature work, memory stays bounded while a 50 MB body streams in, nothing of a
refused body reaches the log, and /healthz keeps answering."""

from __future__ import annotations

import asyncio
import logging
import socket
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from bot.adapters.slack.quiet import REFUSED, VERIFICATION_LOGGER
from bot.adapters.slack.settings import SlackSettings
from bot.adapters.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_route
from bot.app import App, build_app
from bot.config import Settings
from bot.metrics import Metrics
from bot.web import WebServer, build_web_app
from bot.web_limits import MAX_WEBHOOK_BYTES
from tests.slack.factories import FORM, signature_headers

SECRET = "hook-secret"
SIGNING_SECRET = "limits-signing-secret"
CHUNK = b"x" * 65_536
FIFTY_MB = 50 * 1024 * 1024
MARKER = "MARKER-7f3a-should-never-be-logged"
PATHS = (WEBHOOK_PATH, EVENTS_PATH)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    slack = SlackSettings(
        _env_file=None,
        bot_token="xoxb-limits",  # type: ignore[arg-type]
        signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        api_base_url="http://127.0.0.1:9/api/",  # never reached: no request gets that far
    )
    app = await build_app(settings, slack=slack)
    yield app
    await app.close()


@pytest.fixture
def accepted() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def web(bot: App, accepted: list[dict[str, Any]]) -> Any:
    async def accept(update: dict[str, Any]) -> bool:
        accepted.append(update)
        return True

    slack = SlackAdapter(bot.core, bot.health, bot.slack, metrics=bot.metrics)
    return build_web_app([webhook_route(SECRET, accept), *slack.routes()], Metrics())


@pytest.fixture
async def http(web: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        yield client


def signed(path: str, body: bytes) -> dict[str, str]:
    """Headers that would let the body through, so only its size can be refused."""
    if path == WEBHOOK_PATH:
        return {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    return {"Content-Type": FORM, **signature_headers(body.decode(), SIGNING_SECRET)}


class Chunks:
    """A chunked body of `total` bytes that counts how much of it was ever asked for."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            self.sent += len(CHUNK)
            yield CHUNK


@pytest.mark.parametrize("path", PATHS)
async def test_declared_oversize_is_refused_unread(http: httpx.AsyncClient, path: str) -> None:
    body = Chunks(FIFTY_MB)
    headers = {**signed(path, b""), "Content-Length": str(FIFTY_MB)}
    response = await http.post(path, content=body.__aiter__(), headers=headers)
    assert response.status_code == 413
    assert body.sent == 0


@pytest.mark.parametrize("path", PATHS)
async def test_chunked_oversize_stops_at_the_cap_with_flat_memory(
    http: httpx.AsyncClient, path: str
) -> None:
    body = Chunks(FIFTY_MB)
    tracemalloc.start()
    try:
        response = await http.post(path, content=body.__aiter__(), headers=signed(path, b""))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert body.sent <= MAX_WEBHOOK_BYTES + 2 * len(CHUNK)  # reading stopped at the cap
    assert peak < 8 * MAX_WEBHOOK_BYTES, f"peak {peak} bytes while refusing a 50 MB body"


@pytest.mark.parametrize("path", PATHS)
async def test_a_body_just_under_the_cap_still_reaches_the_checks(
    http: httpx.AsyncClient, path: str
) -> None:
    body = b"{" + b" " * (MAX_WEBHOOK_BYTES - 2) + b"}"
    headers = {"Content-Type": "application/json"}
    response = await http.post(path, content=body, headers=headers)
    assert response.status_code in (401, 403)  # unsigned: refused by the route's own check


async def test_unsigned_bodies_are_refused_and_never_logged(
    http: httpx.AsyncClient, accepted: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # bolt sets its loggers' levels from the root's when an app is built: open this one up.
    caplog.set_level(logging.DEBUG, logger=VERIFICATION_LOGGER)
    body = f'{{"update_id": 1, "text": "{MARKER}"}}'.encode()
    telegram = await http.post(WEBHOOK_PATH, content=body, headers={SECRET_HEADER: "guess"})
    form = f"command=%2Fbrief&text={MARKER}&user_id=U1"
    slack = await http.post(
        EVENTS_PATH,
        content=form,
        headers={"Content-Type": FORM, **signature_headers(form, "not-the-secret")},
    )
    missing = await http.post(EVENTS_PATH, content=form, headers={"Content-Type": FORM})
    assert (telegram.status_code, slack.status_code, missing.status_code) == (403, 401, 401)
    assert accepted == []
    assert REFUSED in caplog.messages  # the refusal is still visible, without the body
    for record in caplog.records:
        assert MARKER not in record.getMessage()
        assert MARKER not in (record.exc_text or "")


async def test_broken_bodies_get_a_clear_status(http: httpx.AsyncClient) -> None:
    not_utf8 = b"\xff\xfe" * 10
    headers = {"Content-Type": FORM, **signature_headers("x", SIGNING_SECRET)}
    assert (await http.post(EVENTS_PATH, content=not_utf8, headers=headers)).status_code == 400
    bad_length = {SECRET_HEADER: SECRET, "Content-Length": "12abc"}
    response = await http.post(WEBHOOK_PATH, content=b"{}", headers=bad_length)
    assert response.status_code in (400, 413)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("path", PATHS)
async def test_real_server_refuses_a_chunked_flood_and_stays_healthy(web: Any, path: str) -> None:
    """uvicorn on 127.0.0.1: a raw chunked upload that pauses half way (the server must not
    wait on it), then keeps coming until the server answers 413."""
    server = WebServer(web, "127.0.0.1", free_port())
    await server.start()
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in signed(path, b"").items())
        start = f"POST {path} HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n"
        writer.write(f"{start}{head}\r\n".encode())
        chunk = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
        for _ in range(4):
            writer.write(chunk)
        await writer.drain()

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            health = await asyncio.wait_for(client.get("/healthz"), 10)
        assert health.status_code == 200

        async def flood() -> None:
            assert writer is not None
            for _ in range(FIFTY_MB // len(CHUNK)):
                writer.write(chunk)
                await writer.drain()

        sending = asyncio.create_task(flood())
        status_line = await asyncio.wait_for(reader.readline(), 30)
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        assert status_line.split()[1] == b"413", status_line
    finally:
        if writer is not None:
            writer.close()
        await server.stop()
