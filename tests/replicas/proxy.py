"""A round-robin HTTP load balancer on loopback, standing in for the reverse proxy in front of
replicas: each request (method, path, query, headers, body) goes to the next backend in turn.
A backend that refuses the connection (stopped, killed, restarting) is skipped for the next
one, as nginx's `proxy_next_upstream error` does, so a dead replica costs no request. Any
answer, a 503 from a replica shutting down included, goes back to the caller, who retries as
Telegram and Slack do."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import aiohttp
from aiohttp import web

# Hop-by-hop headers and those aiohttp recomputes: never copied from one side to the other.
SKIPPED_HEADERS = frozenset(
    {"host", "connection", "keep-alive", "content-length", "transfer-encoding", "content-encoding"}
)


def _forwardable(headers: aiohttp.typedefs.LooseHeaders) -> dict[str, str]:
    return {k: v for k, v in dict(headers).items() if k.lower() not in SKIPPED_HEADERS}


class RoundRobinProxy:
    def __init__(self, ports: Sequence[int] = ()) -> None:
        self.ports = list(ports)
        self.routed: list[int] = []  # the backend port that answered each request
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> RoundRobinProxy:
        # A fresh connection per request: a pooled one to a replica that has since been killed
        # would fail after the request was sent, where skipping it is no longer safe.
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=30),
            auto_decompress=False,
        )
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = _forwardable(request.headers)
        first = next(self._turn)
        for n in range(len(self.ports)):
            port = self.ports[(first + n) % len(self.ports)]
            url = f"http://127.0.0.1:{port}{request.rel_url}"
            try:
                async with self._http.request(
                    request.method, url, headers=headers, data=body, allow_redirects=False
                ) as answer:
                    payload = await answer.read()
                    self.routed.append(port)
                    return web.Response(
                        status=answer.status, body=payload, headers=_forwardable(answer.headers)
                    )
            except aiohttp.ClientConnectorError:
                continue  # refused: this replica is down, try the next
            except aiohttp.ClientError:
                return web.Response(status=502, text="backend dropped the request")
        return web.Response(status=502, text="no backend accepted the connection")
