"""Several bot processes on one database, as the adapters see it: each `replica()` has its own
engine (its own connection pool) and holder name, over the same event log and leases. The
leases read one controllable clock, so expiry needs no waiting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.base import Replicas
from briefings.db import create_engine, migrate
from briefings.leases import LeaseStore
from briefings.seen import SeenEvents


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class SharedDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self.clock = Clock()
        self._engines: list[AsyncEngine] = []

    async def __aenter__(self) -> SharedDatabase:
        await migrate(self._engine())
        return self

    async def __aexit__(self, *exc: object) -> None:
        for engine in self._engines:
            await engine.dispose()

    def _engine(self) -> AsyncEngine:
        engine = create_engine(self.url)
        self._engines.append(engine)
        return engine

    def replica(self, host: str) -> Replicas:
        """A process on `host` (its holder is "host:pid:random", as bot.delivery names them)."""
        engine = self._engine()
        return Replicas(
            SeenEvents(engine), LeaseStore(engine, self.clock), f"{host}:{len(self._engines)}:x"
        )

    def leases(self) -> LeaseStore:
        return LeaseStore(self._engine(), self.clock)
