"""The bot's one ASGI app: platform webhooks, /healthz and /metrics, served by uvicorn in the
bot's own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.health import HealthCheck
from bot.metrics import CONTENT_TYPE, Metrics
from bot.problems import StartupError


def build_web_app(
    routes: Sequence[BaseRoute], metrics: Metrics, health: HealthCheck | None = None
) -> Starlette:
    """`health` reports each part of the bot; without one (tools, tests of a single route)
    /healthz only says the web server answers."""

    async def healthz(_: Request) -> Response:
        if health is None:
            return JSONResponse({"status": "ok"})
        ok, report = await health.report()
        return JSONResponse(report, status_code=200 if ok else 503)

    async def metrics_endpoint(_: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/metrics", metrics_endpoint),
            *routes,
        ]
    )


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the composition root owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield


class WebServer:
    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    def _bind(self) -> socket.socket:
        """The listening socket, bound here so a taken port is a sentence, not uvicorn's
        log line and sys.exit."""
        host, port = self._server.config.host, self._server.config.port
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            )[0]
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            raise StartupError(f"HTTP_HOST={host!r}: cannot listen there ({exc})") from None
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except OSError as exc:
            sock.close()
            raise StartupError(
                f"HTTP_PORT={port}: cannot listen on {host}:{port} ({exc.strerror or exc}); "
                "another program may be using the port"
            ) from None
        return sock

    async def start(self) -> None:
        sock = self._bind()
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                await self._task  # surfaces an error starting the server
                return
            await asyncio.sleep(0.01)

    @property
    def port(self) -> int:
        servers = getattr(self._server, "servers", [])
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self._server.config.port

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
