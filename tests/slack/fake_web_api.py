"""A local stand-in for Slack's side of the wire, on 127.0.0.1 and a free port.

It speaks enough of the Web API for the real AsyncWebClient (auth.test, chat.postMessage,
chat.postEphemeral, conversations.info, apps.connections.open), accepts posts to response_urls,
and serves a Socket Mode websocket. It records every request, and can be scripted to fail:
a queue of canned responses per method (429 with Retry-After, 500...) and per-channel errors
(channel_not_found...).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_USER_ID = "UBOT"
RESPONSE = "response"  # the method name recorded for response_url posts


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        """Everything a person would read in the posted message, block texts included."""
        return json.dumps(self.params, ensure_ascii=False)


@dataclass(frozen=True)
class Canned:
    status: int = 200
    body: dict[str, Any] | str = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def rate_limited(retry_after: int = 1) -> Canned:
    return Canned(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def server_error() -> Canned:
    return Canned(500, {"ok": False, "error": "internal_error"})


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.canned: dict[str, deque[Canned]] = defaultdict(deque)
        self.channel_errors: dict[str, str] = {}
        self.files: dict[str, bytes] = {}  # name -> content, served at file_url(name)
        self.socket_acks: list[dict[str, Any]] = []
        self._envelopes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.port = 0

    # ----- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{token}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files/{name}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def file_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/files/{name}"

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """Like files.slack.com: only with the bot token; what it serves is recorded."""
        name = request.match_info["name"]
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.Response(status=403)
        if name not in self.files:
            return web.Response(status=404)
        await self._record(Call("file", request.path, dict(request.headers), {"name": name}))
        return web.Response(body=self.files[name])

    def response_url(self, token: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{token}"

    # ----- scripting and inspection -----------------------------------------------------------

    def script(self, method: str, *responses: Canned) -> None:
        """The next calls of `method` get these responses, in order; later ones succeed."""
        self.canned[method].extend(responses)

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.called(method)) >= count)
        return self.called(method)

    async def wait_for_ack(self, envelope_id: str, within: float = 5.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: found() is not None)
        ack = found()
        assert ack is not None
        return ack

    async def push_envelope(self, envelope: dict[str, Any]) -> None:
        await self._envelopes.put(envelope)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # ----- handlers ----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        return params

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        await self._record(Call(method, request.path, dict(request.headers), params))
        if self.canned[method]:
            return await self._reply(self.canned[method].popleft())
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("Authorization") != f"Bearer {expected}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        channel = str(params.get("channel", ""))
        if channel in self.channel_errors:
            return web.json_response({"ok": False, "error": self.channel_errors[channel]})
        return web.json_response(self._success(method, params))

    def _success(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"1718700000.{next(self._ts):06d}"
        channel = str(params.get("channel", ""))
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": "BBOT",
                "team_id": "T1",
                "user": "briefbot",
                "team": "Test team",
            }
        if method == "chat.postMessage":
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "conversations.info":
            return {
                "ok": True,
                "channel": {"id": channel, "is_im": channel.startswith("D"), "is_archived": False},
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        params = {**await request.json(), "_token": request.match_info["token"]}
        await self._record(Call(RESPONSE, request.path, dict(request.headers), params))
        if self.canned[RESPONSE]:
            return await self._reply(self.canned[RESPONSE].popleft())
        return web.Response(text="ok")

    async def _reply(self, canned: Canned) -> web.StreamResponse:
        if canned.delay:
            await asyncio.sleep(canned.delay)
        if isinstance(canned.body, str):
            return web.Response(status=canned.status, text=canned.body, headers=canned.headers)
        return web.json_response(canned.body, status=canned.status, headers=canned.headers)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        sender = asyncio.create_task(self._send_envelopes(ws))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
                    async with self._changed:
                        self._changed.notify_all()
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
            self._sockets.discard(ws)
        return ws

    async def _send_envelopes(self, ws: web.WebSocketResponse) -> None:
        while True:
            envelope = await self._envelopes.get()
            await ws.send_json(envelope)
