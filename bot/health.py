"""What /healthz reports: each part of the bot says how it is, and the bot is healthy when every
part is. Parts are the database (a cheap query with a short timeout), each chat platform (its
adapter's own state: connected, polling, webhook, retrying or stopped, with the reason) and
digests: the digest scheduler (running, and how many jobs) on the replica that leads them,
"follower" on the others."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from bot.scheduler import DigestScheduler

# States a chat platform reports; ok unless retrying or stopped.
CONNECTED = "connected"
POLLING = "polling"
WEBHOOK = "webhook"
RETRYING = "retrying"
STOPPED = "stopped"
DATABASE_TIMEOUT = 2.0  # seconds; a database slower than this for SELECT 1 is as good as down


@dataclass(frozen=True)
class PartHealth:
    state: str
    ok: bool = True
    reason: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def down(cls, state: str, reason: str) -> PartHealth:
        return cls(state, ok=False, reason=reason)

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"state": self.state, "ok": self.ok}
        if self.reason:
            shown["reason"] = self.reason
        shown.update(self.detail)
        return shown

    def __str__(self) -> str:
        return f"{self.state}: {self.reason}" if self.reason else self.state


Check = Callable[[], Awaitable[PartHealth]]


async def database_health(engine: AsyncEngine, within: float = DATABASE_TIMEOUT) -> PartHealth:
    async def ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(ping(), within)
    except TimeoutError:
        return PartHealth.down("unreachable", f"no answer to SELECT 1 within {within:g} s")
    except Exception as exc:  # any driver's error means the same thing here
        return PartHealth.down("unreachable", type(exc).__name__)
    return PartHealth("ok")


def scheduler_health(scheduler: DigestScheduler | None) -> PartHealth:
    if scheduler is None:
        return PartHealth.down("starting", "the digest scheduler has not started yet")
    if not scheduler.running:
        return PartHealth.down(STOPPED, "the digest scheduler is not running")
    return PartHealth("running", detail={"jobs": scheduler.job_count})


class HealthCheck:
    """Runs every part's check at once; the first part that is down names the reason."""

    def __init__(self, checks: Mapping[str, Check]) -> None:
        self.checks = dict(checks)

    async def report(self) -> tuple[bool, dict[str, Any]]:
        names = list(self.checks)
        results = await asyncio.gather(*(self.checks[name]() for name in names))
        parts = dict(zip(names, results, strict=True))
        down = [f"{name}: {part}" for name, part in parts.items() if not part.ok]
        body: dict[str, Any] = {
            "status": "down" if down else "ok",
            "parts": {name: part.as_json() for name, part in parts.items()},
        }
        if down:
            body["reason"] = "; ".join(down)
        return not down, body


def bot_health(
    engine: AsyncEngine,
    platforms: Mapping[str, Callable[[], PartHealth]],
    digests: Callable[[], PartHealth],
) -> HealthCheck:
    """/healthz for a running bot: the database, each chat platform, and digests (this
    replica leads them and its scheduler runs, or it follows, ready to take over)."""

    async def database() -> PartHealth:
        return await database_health(engine)

    checks: dict[str, Check] = {"database": database}
    checks.update({name: checking(report) for name, report in platforms.items()})
    checks["digests"] = checking(digests)
    return HealthCheck(checks)


def checking(report: Callable[[], PartHealth]) -> Check:
    """A check for a part that knows its state without asking anyone (adapters, scheduler)."""

    async def check() -> PartHealth:
        return report()

    return check
