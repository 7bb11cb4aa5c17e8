"""How late digest messages leave after their paced moment, on PostgreSQL under load.

Between the moment the shared pacer gave a message and the request that carries it, the
sender writes the in-flight mark (`deliveries.leaving`) and takes an in-flight slot; any wait
there is jitter in the spacing Telegram enforces. This benchmark builds the App as `briefbot
run` does (store, ledger, shared pacer), sends DIGESTS one-message digests to private chats
through 32 delivery workers and the real Telegram rate limiter at Telegram's limits, to a
stand-in platform that answers in 20 ms, while LOAD other users of the store's pool keep it
busy (queries that each hold a connection 10 ms, back to back; the pool has 15 connections, so
24 users keep them all taken, as a busy moment does). Each message's paced moment is
when the reservation answered plus the wait it named; its departure, when the request starts.
Prints the delay's p50, p95, p99 and max, and how many messages left later than one token
spacing (35 ms) after their moment.

PostgreSQL only: BENCH_DATABASE_URL (or TEST_DATABASE_URL), whose public schema is dropped and
rebuilt. About 25 s at the default count.
Run it with `python -m bench.bench_leaving [digests] [load]`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from bench.common import Figures, empty_database, percentile, subscribe_private_chats
from bot.adapters.base import ABOUT_TO_SEND, ChatAdapter, SendPacing
from bot.adapters.telegram.rate_limiter import ChatRateLimiter
from bot.app import App, build_app, settle_heap
from bot.config import Settings
from bot.core.messages import ChatRef, Reply
from bot.delivery import DigestDelivery
from briefings.schedule import Schedule

DEFAULT_DIGESTS = 600
DEFAULT_LOAD = 24
WORKERS = 32  # DigestDelivery's default, as `briefbot run` has
PLATFORM_SECONDS = 0.02  # the stand-in platform's answer
TOKEN_SPACING = 1.05 / 30  # the limiter's spacing under the token's 30 messages/s
FIRST_CHAT = 20_000_000
QUERY_SECONDS = 0.01  # each query of the other store users


@dataclass
class Sample:
    paced: float | None = None  # when the message may leave, as the reservation said
    marking: float = 0.0  # how long the in-flight mark held it (the sender's hook)
    departed: float | None = None


SENDING: ContextVar[Sample | None] = ContextVar("sending", default=None)


class MomentPacer:
    """The App's shared pacer, noting each message's paced moment on its way through."""

    def __init__(self, inner: SendPacing) -> None:
        self.inner = inner

    async def reserve(self, spacings: Mapping[str, float]) -> float:
        wait = await self.inner.reserve(spacings)
        sample = SENDING.get()
        if sample is not None:
            sample.paced = time.perf_counter() + wait
        return wait

    async def push_back(self, key: str, seconds: float) -> None:
        await self.inner.push_back(key, seconds)


class StandInTelegram(ChatAdapter):
    """Digests through the real rate limiter, paced by the shared pacer, to no network."""

    platform = "telegram"
    message_budget = 2800

    def __init__(self, pacer: SendPacing) -> None:
        self.limiter = ChatRateLimiter(pacer=MomentPacer(pacer), bot_id="bench")
        self.samples: list[Sample] = []

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        sample = Sample()
        SENDING.set(sample)
        hook = ABOUT_TO_SEND.get()
        if hook is not None:

            async def timed() -> None:
                began = time.perf_counter()
                try:
                    await hook()
                finally:
                    sample.marking = time.perf_counter() - began

            ABOUT_TO_SEND.set(timed)

        async def request() -> dict[str, Any]:
            sample.departed = time.perf_counter()
            await asyncio.sleep(PLATFORM_SECONDS)
            return {"message_id": 1}

        await self.limiter.process_request(
            request, (), {}, "sendMessage", {"chat_id": chat.chat_id}, None
        )
        self.samples.append(sample)
        return ["1"]


async def keep_busy(app: App, stop: asyncio.Event) -> int:
    """What else uses the store's pool meanwhile: queries of commands, the scheduler, other
    workers, back to back, each holding its connection QUERY_SECONDS in the database (waiting
    there, so that the bot's own process and the database's CPUs stay free: what is measured
    is the wait for a pool connection, not a loaded machine). Returns how many ran."""
    done = 0
    while not stop.is_set():
        async with app.store.engine.connect() as connection:
            await connection.execute(text("SELECT pg_sleep(:s)"), {"s": QUERY_SECONDS})
        done += 1
    return done


async def run(url: str, digests: int, load: int) -> Figures:
    await empty_database(url)
    app = await build_app(Settings(database_url=url, _env_file=None))
    try:
        if app.pacer is None:
            raise SystemExit("the App built no shared pacer: not PostgreSQL?")
        await subscribe_private_chats(app.subscriptions, FIRST_CHAT, digests, Schedule(8, 0, "UTC"))
        ids = [sub.id for sub in await app.subscriptions.all()]
        adapter = StandInTelegram(app.pacer)
        delivery = DigestDelivery(
            app.store, app.health, app.subscriptions, app.ledger, {"telegram": adapter},
            app.configured_admins, app.core.event_title, workers=WORKERS, metrics=app.metrics,
        )  # fmt: skip
        slot = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        stop = asyncio.Event()
        busy = [asyncio.create_task(keep_busy(app, stop)) for _ in range(load)]
        settle_heap()  # as `briefbot run` does once started
        await asyncio.sleep(0.5)  # the pool is busy before the first digest
        started = time.perf_counter()
        await delivery.start()
        for subscription_id in ids:
            delivery.submit(subscription_id, slot)
        await delivery.drain()
        elapsed = time.perf_counter() - started
        await delivery.stop()
        stop.set()
        commands = sum(await asyncio.gather(*busy))
    finally:
        with contextlib.suppress(Exception):
            await app.close()
    paced = [s for s in adapter.samples if s.paced is not None and s.departed is not None]
    delays = [s.departed - s.paced for s in paced]  # type: ignore[operator]
    ms = [d * 1000 for d in delays]
    marks = [s.marking * 1000 for s in paced]
    figures: Figures = {
        "messages": len(adapter.samples),
        "paced": len(paced),
        "seconds": elapsed,
        "store_ops_per_s": commands / elapsed,
        "p50_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
        "late": sum(d > TOKEN_SPACING for d in delays),
        "mark_p50_ms": statistics.median(marks),
        "mark_p95_ms": percentile(marks, 95),
        "mark_max_ms": max(marks),
    }
    print(
        f"paced moment -> departure, {figures['paced']:,.0f} of {figures['messages']:,.0f} "
        f"messages ({WORKERS} workers, {load} other store users running "
        f"{figures['store_ops_per_s']:,.0f} queries/s; {elapsed:.1f} s): "
        f"p50 {figures['p50_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms, max {figures['max_ms']:.2f} ms; "
        f"later than one token spacing (35 ms): {figures['late']:.0f}; of which the in-flight "
        f"mark: p50 {figures['mark_p50_ms']:.2f} ms, p95 {figures['mark_p95_ms']:.2f} ms, "
        f"max {figures['mark_max_ms']:.2f} ms"
    )
    return figures


async def main(
    database_url: str | None = None, digests: int = DEFAULT_DIGESTS, load: int = DEFAULT_LOAD
) -> Figures:
    url = (
        database_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    )
    if not url or not url.startswith("postgres"):
        print("paced moment -> departure: skipped (set BENCH_DATABASE_URL to PostgreSQL)")
        return {}
    return await run(url, digests, load)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(None, *arguments))
