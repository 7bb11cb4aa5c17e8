"""Change notices between replicas on PostgreSQL (LISTEN/NOTIFY).

A writer announces a change inside its own transaction (`announce`); PostgreSQL delivers the
notice when that transaction commits, to every process listening, and never for one rolled
back, so a notice always describes data a reader can already see. A `ChangeListener` holds one
dedicated connection that listens and hands each notice to the callbacks for its kind.

Notices are a fast path, not the record: a process that was not listening (starting, or
reconnecting after its connection dropped) hears nothing of what happened meanwhile, so
`on_connected` callbacks re-read then, and readers keep a slower periodic re-read as well.
SQLite has no such channel: there `announce` does nothing and the re-read is all there is.

Payloads are "kind:ident": "subscription:42" (added or changed), "subscription:-42"
(deleted), "subscription:*" (many at once), "revision:7" (the content revision, which covers
the topic catalog), "admin:3" / "admin:-3" (granted / revoked).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from briefings.db import is_sqlite, normalise_url

log = logging.getLogger(__name__)

CHANNEL = "briefbot_changes"
SUBSCRIPTION = "subscription"
REVISION = "revision"
ADMIN = "admin"
EVERYTHING = "*"

Handler = Callable[[str], Awaitable[None]]
Hook = Callable[[], Awaitable[None]]


async def announce(session: AsyncSession, kind: str, ident: int | str) -> None:
    """Within the writer's transaction: tell every listening replica at commit."""
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": f"{kind}:{ident}"},
    )


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as asyncpg.connect wants it (no "+asyncpg" driver suffix)."""
    parsed = make_url(normalise_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class ChangeListener:
    """Listens on its own connection, reconnecting with backoff when it drops (a database
    restart, a failover, an idle connection cut by a proxy); checks the connection every
    `check_seconds`, since a connection cut without a word is only noticed when used."""

    def __init__(
        self,
        url: str,
        *,
        first_backoff: float = 0.5,
        max_backoff: float = 30.0,
        check_seconds: float = 30.0,
    ) -> None:
        self.enabled = not is_sqlite(url)
        self._url = url
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._check_seconds = check_seconds
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._on_connected: list[Hook] = []
        self._runner: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self.connections = 0  # how many times it has connected (tests, logs)
        self.backend_pid: int | None = None  # the listening connection's server process
        self.listening = asyncio.Event()

    def on(self, kind: str, handler: Handler) -> None:
        self._handlers[kind].append(handler)

    def on_connected(self, hook: Hook) -> None:
        """Called each time listening (re)starts: whatever was announced before is unheard."""
        self._on_connected.append(hook)

    async def start(self) -> None:
        if self.enabled and self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="change-listener")

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self) -> None:
        import asyncpg  # type: ignore[import-untyped]  # no types shipped

        backoff = self._first_backoff
        while True:
            try:
                conn = await asyncpg.connect(asyncpg_dsn(self._url), timeout=10)
            except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
                log.warning("change notices: cannot connect (%s); again in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            backoff = self._first_backoff
            try:
                await self._listen(conn)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("change notices: connection failed (%s)", exc)
            finally:
                self.listening.clear()
                if not conn.is_closed():
                    conn.terminate()
            log.warning("change notices: connection lost; reconnecting in %.1f s", backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _listen(self, conn: Any) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANNEL, self._notified)
        self.connections += 1
        self.backend_pid = conn.get_server_pid()
        self.listening.set()
        for hook in self._on_connected:
            self._spawn(hook())
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), self._check_seconds)
            except TimeoutError:
                await asyncio.wait_for(conn.fetchval("SELECT 1"), 10)

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        kind, _, ident = payload.partition(":")
        for handler in self._handlers.get(kind, ()):
            self._spawn(handler(ident))

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(self._guarded(work))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _guarded(self, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:  # one bad callback must not stop the notices
            log.exception("change notices: a handler failed")
