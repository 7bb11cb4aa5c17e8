"""A small HTTP/1.1 server on 127.0.0.1 whose routes write raw bytes, so a test can send what
a well-behaved server would not: a lying Content-Length, an endless body, a trickle. It records
each request's target and headers (and, over TLS, the SNI name the client sent)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]


@dataclass(frozen=True)
class Received:
    target: str
    headers: dict[str, str]  # names lower-cased


def head(status: str = "200 OK", headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


def respond(
    status: str = "200 OK", headers: Iterable[tuple[str, str]] = (), body: bytes = b""
) -> Handler:
    """A complete response, written at once (framing is whatever `headers` say)."""
    data = head(status, headers) + body

    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return handler


def redirect(location: str, status: str = "302 Found") -> Handler:
    return respond(status, [("Location", location), ("Content-Length", "0")])


@dataclass
class RawServer:
    routes: dict[str, Handler]
    tls: ssl.SSLContext | None = None
    received: list[Received] = field(default_factory=list)
    sni_names: list[str | None] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, path: str = "/", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    async def __aenter__(self) -> RawServer:
        if self.tls is not None:
            self.tls.sni_callback = self._note_sni
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        # Handlers end when the client goes away; a test that leaves one running is a bug.
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=5)
            assert not pending, "a handler was still writing 5 s after the test"
        await self._server.wait_closed()

    def _note_sni(self, _: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> None:
        self.sni_names.append(name)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
            first, *lines = raw.decode("latin-1").split("\r\n")
            target = first.split(" ")[1]
            headers = dict(line.split(":", 1) for line in lines if line)
            received = {name.strip().lower(): value.strip() for name, value in headers.items()}
            self.received.append(Received(target, received))
            await self.routes.get(target, respond("404 Not Found", [("Content-Length", "0")]))(
                writer
            )
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client hung up, which is what several tests are about
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()
