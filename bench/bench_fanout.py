"""10,000 Telegram digests due in the same minute, end to end: the real APScheduler jobs fire,
the delivery queue claims each slot in the ledger, and the real Telegram adapter (rate limiter
included) posts to a local fake Bot API that enforces Telegram's limits and answers 429 when
they are broken.

Target (issue 5): all delivered within 1.1 x (10,000 / 30) s = 367 s, zero 429 answers, peak
memory at most 300 MB. Memory is this process's peak RSS, which also holds the fake server.
Run it with `python -m bench.bench_fanout [count]` (about six minutes at the full count).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "telegram"))

from fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

from bench.common import temp_sqlite_url  # noqa: E402
from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.app import build_app, start_digests  # noqa: E402
from bot.config import Settings  # noqa: E402
from briefings.schedule import Schedule  # noqa: E402
from briefings.subscriptions import SubscriptionRequest  # noqa: E402

DEFAULT_COUNT = 10_000
FIRST_CHAT = 10_000_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(count: int = DEFAULT_COUNT) -> None:
    fake = await FakeBotApi().start()  # Telegram's flood limits, enforced
    settings = Settings(database_url=temp_sqlite_url("fanout.db"), _env_file=None)
    app = await build_app(settings)
    # All due at the start of the next minute that leaves time to set up.
    slot = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=75)).replace(second=0, microsecond=0)
    await app.subscriptions.bulk_subscribe(
        (
            SubscriptionRequest(
                "telegram",
                str(FIRST_CHAT + i),
                "private",
                None,
                Schedule(slot.hour, slot.minute, "UTC"),
                ("treaty",),
                "changes",
            )
            for i in range(count)
        ),
        "bench",
    )
    adapter = TelegramAdapter(app.core, app.store, TOKEN, fake.base_url, metrics=app.metrics)
    await adapter.start()
    delivery = await start_digests(app, [adapter])
    print(f"{count:,} subscriptions due at {slot:%H:%M:%S} UTC; waiting for the slot...")
    await asyncio.sleep(max(0.0, (slot - dt.datetime.now(dt.UTC)).total_seconds()))
    started = time.monotonic()
    while fake.sent_count < count:
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
    await fake.stop()
    limit = 1.1 * count / 30
    print(
        f"{fake.sent_count:,} digests delivered in {elapsed:.1f} s (target {limit:.0f} s; "
        f"{fake.sent_count / elapsed:.1f} messages/s); 429 answers: {fake.flood_hits}; "
        f"failed sends: {fake.failed_count}; peak RSS {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COUNT))
