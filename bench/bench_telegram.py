"""Telegram throughput: updates handled end to end on loopback, and our overhead over a bare
python-telegram-bot handler.

    .venv/bin/python -m bench.bench_telegram [--updates 3000] [--rounds 3]

The fake Bot API server runs in its own process with flood-limit enforcement off, so what is
measured is the bot: getUpdates -> python-telegram-bot -> adapter -> core -> renderer ->
sendMessage. Our own rate limiter is switched off too (Telegram would allow 30 messages/s; at
that pace there is nothing to measure). Each round pushes N private-chat commands spread over
1,000 chats and times until the server has accepted N replies. The baseline is a minimal
Application whose only handler replies with a fixed string, run the same way in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import statistics
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.common import Figures, backend, fresh_database
from bot.adapters.telegram.adapter import TelegramAdapter, TelegramOptions
from bot.adapters.telegram.rate_limiter import ChatRateLimiter, TelegramLimits
from bot.adapters.telegram.transport import remember_missing_sniffio
from bot.app import build_app
from bot.config import Settings
from tests.telegram.fake_bot_api import TOKEN, apart, message

# Commands whose answer is one message, so N updates mean N sendMessage calls.
COMMANDS = ("/treaty", "/reactions", "/start", "/topics", "/economy", "/unknowns")
CHATS = 1000


@contextlib.asynccontextmanager
async def fake_server(flood_limits: bool = False) -> AsyncIterator[str]:
    """The fake Bot API in a process of its own, so its clock is not the bot's event loop."""
    async with apart(limits=flood_limits) as server:
        yield server.url


@contextlib.asynccontextmanager
async def our_bot(base: str, database_url: str) -> AsyncIterator[None]:
    app = await build_app(Settings(database_url=database_url, _env_file=None))
    options = TelegramOptions(poll_timeout=1.0, limits=TelegramLimits.off())
    adapter = TelegramAdapter(
        app.core, app.health, app.store.topics, TOKEN, f"{base}/bot", options, app.metrics
    )
    await adapter.start()
    try:
        yield
    finally:
        await adapter.stop()
        await app.close()


def bare_runner(same_transport: bool) -> Callable[[str, str], Any]:
    """A minimal Application whose one handler replies with a fixed string. With
    `same_transport` it gets the adapter's HTTP settings and in-flight cap (our limiter with
    its limits off), so the comparison isolates what runs per update; without, PTB's
    defaults (256 pooled connections, no limiter)."""

    @contextlib.asynccontextmanager
    async def bare_bot(base: str, database_url: str) -> AsyncIterator[None]:
        async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_message is not None:
                await update.effective_message.reply_text("A fixed reply.")

        builder = (
            Application.builder()
            .token(TOKEN)
            .base_url(f"{base}/bot")
            .concurrent_updates(256)
            .pool_timeout(10.0)
            .get_updates_connection_pool_size(2)
            .job_queue(None)
        )
        if same_transport:
            size = TelegramOptions().connection_pool_size
            limiter = ChatRateLimiter(TelegramLimits.off(), max_in_flight=size)
            builder = builder.connection_pool_size(size).rate_limiter(limiter)
        application = builder.build()
        application.add_handler(MessageHandler(filters.TEXT, reply))
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=dt.timedelta(seconds=1))
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()

    return bare_bot


async def control(session: aiohttp.ClientSession, base: str, path: str, body: Any = None) -> Any:
    if body is None:
        async with session.get(f"{base}/_control/{path}") as response:
            return await response.json()
    async with session.post(f"{base}/_control/{path}", json=body) as response:
        return await response.json()


async def one_round(session: aiohttp.ClientSession, base: str, count: int, start: int) -> float:
    """Updates per second for `count` updates, from push to the last reply accepted."""
    await control(session, base, "reset", {})
    commands = itertools.cycle(COMMANDS)
    updates = [message(start + n % CHATS, next(commands)) for n in range(count)]
    began = time.perf_counter()
    await control(session, base, "updates", {"updates": updates})
    while True:
        stats = await control(session, base, "stats")
        if stats["failed"]:
            raise RuntimeError(f"the fake server refused messages: {stats}")
        if stats["sent"] >= count:
            return count / (time.perf_counter() - began)
        await asyncio.sleep(0.05)  # coarse: polling must not load the bot being measured


async def measure(
    name: str, runner: Callable[[str, str], Any], base: str, url: str, count: int, rounds: int
) -> list[float]:
    rates = []
    async with aiohttp.ClientSession() as session, runner(base, url):
        await one_round(session, base, 200, 10_000)  # warm-up: connections, caches, imports
        for n in range(rounds):
            rates.append(await one_round(session, base, count, 100_000 * (n + 1)))
    print(f"  {name:<34} " + "  ".join(f"{r:5.0f}" for r in rates) + "   updates/s")
    return rates


async def run(count: int, rounds: int, profile: bool, database_url: str | None) -> Figures:
    remember_missing_sniffio()  # before any run, so all of them get it (see the module)
    print(__doc__.split("\n\n")[0].strip())
    cap = TelegramOptions().connection_pool_size
    print(
        f"\n{count} updates per round over {CHATS} private chats, {rounds} rounds each; the\n"
        "fake server runs in its own process. Flood limits are OFF on both sides: the fake\n"
        "server enforces none, and our limiter runs as TelegramLimits.off() (its in-flight\n"
        f"cap of {cap} requests stays).\n"
    )
    runners = {
        "adapter + core + renderer": our_bot,
        "bare PTB handler, same transport": bare_runner(same_transport=True),
        "bare PTB handler, PTB defaults": bare_runner(same_transport=False),
    }
    rates: dict[str, list[float]] = {name: [] for name in runners}
    url = await fresh_database(database_url, "bench.db")
    print(f"(our bot's database: {backend(url)})")
    async with fake_server() as base:
        for _ in range(2):  # interleaved, so drift on the machine hits all alike
            for name, runner in runners.items():
                rates[name] += await measure(name, runner, base, url, count, rounds)
        if profile:
            await profile_ours(base, url, count)
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print()
    for name, rate in medians.items():
        print(f"median  {name:<34} {rate:7.0f} updates/s  ({1000 / rate:.2f} ms each)")
    ours = medians["adapter + core + renderer"]
    print(f"\nours: {ours:.0f} updates/s end to end (target >= 500)")
    for name in list(runners)[1:]:
        print(f"time per update, ours / {name}: {medians[name] / ours:.2f}x  (target <= 1.5x)")
    same = medians["bare PTB handler, same transport"]
    return {"updates_per_s": ours, "overhead_x": same / ours}


async def profile_ours(base: str, database_url: str, count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    async with aiohttp.ClientSession() as session, our_bot(base, database_url):
        await one_round(session, base, 200, 900_000)
        profiler.enable()
        await one_round(session, base, count, 910_000)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main(database_url: str | None = None) -> Figures:
    """Also what bench.run_all calls: defaults unless the command line says otherwise."""
    parser = argparse.ArgumentParser(description="Telegram adapter throughput")
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more round of ours")
    args, _ = parser.parse_known_args()  # bench.run_all may be given flags of its own
    return asyncio.run(run(args.updates, args.rounds, args.profile, database_url))


if __name__ == "__main__":
    main()
