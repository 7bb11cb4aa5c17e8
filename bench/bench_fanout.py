"""10,000 Telegram digests due in the same minute, end to end: the real APScheduler jobs fire,
the delivery queue claims each slot in the ledger, and the real Telegram adapter (rate limiter
included) posts to a local fake Bot API, in a process of its own, that enforces Telegram's
limits and answers 429 when they are broken.

Target (issue 5): all delivered within 1.1 x (10,000 / 30) s = 367 s, zero 429 answers, peak
memory at most 300 MB. Memory is the bot process's peak RSS (the fake server runs apart).
Run it with `python -m bench.bench_fanout [count]` (about six minutes at the full count).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import resource
import sys
import time
from typing import Any

import aiohttp

from bench.bench_telegram import fake_server
from bench.common import subscribe_private_chats, temp_sqlite_url
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import build_app, settle_heap, start_digests
from bot.config import Settings
from briefings.schedule import Schedule
from tests.telegram.fake_bot_api import TOKEN

DEFAULT_COUNT = 10_000
FIRST_CHAT = 10_000_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def stats(http: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    async with http.get(f"{base}/_control/stats") as response:
        result: dict[str, Any] = await response.json()
        return result


async def main(count: int = DEFAULT_COUNT) -> None:
    async with fake_server(flood_limits=True) as base, aiohttp.ClientSession() as http:
        await run(count, base, http)


async def run(count: int, base: str, http: aiohttp.ClientSession) -> None:
    settings = Settings(database_url=temp_sqlite_url("fanout.db"), _env_file=None)
    app = await build_app(settings)
    # All due at the start of the next minute that leaves time to set up.
    slot = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=75)).replace(second=0, microsecond=0)
    await subscribe_private_chats(
        app.subscriptions, FIRST_CHAT, count, Schedule(slot.hour, slot.minute, "UTC")
    )
    adapter = TelegramAdapter(
        app.core, app.health, app.store.topics, TOKEN, f"{base}/bot", metrics=app.metrics
    )
    await adapter.start()
    delivery = await start_digests(app, [adapter])
    settle_heap()  # as `briefbot run` does once started
    print(f"{count:,} subscriptions due at {slot:%H:%M:%S} UTC; waiting for the slot...")
    await asyncio.sleep(max(0.0, (slot - dt.datetime.now(dt.UTC)).total_seconds()))
    started = time.monotonic()
    while (seen := await stats(http, base))["sent"] < count:
        await asyncio.sleep(0.5)
        if time.monotonic() - started > 3 * count / 30 + 60:
            print("gave up waiting")
            break
    elapsed = time.monotonic() - started
    await delivery.drain()
    assert app.scheduler is not None
    await app.scheduler.stop()
    await delivery.stop()
    await adapter.stop()
    await app.close()
    final = await stats(http, base)
    limit = 1.1 * count / 30
    print(
        f"{seen['sent']:,} digests delivered in {elapsed:.1f} s (target {limit:.0f} s; "
        f"{seen['sent'] / elapsed:.1f} messages/s); 429 answers: {final['flood_hits']}; "
        f"failed sends: {final['failed']}; bot's peak RSS {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COUNT))
