"""Signed Slack slash commands end to end over loopback, against `briefbot run` in HTTP mode.

Target (issue 4): at least 300 commands/s handled end to end (request -> ack -> answer recorded
at the response_url), ack latency p99 at most 50 ms.

The bot is a real `briefbot run` process (uvicorn, slack-bolt, the core, SQLite or PostgreSQL).
This process plays Slack: it signs each command (v0 HMAC-SHA256), posts it to /slack/events,
times the ack (the HTTP response), and runs the Web API / response_url endpoints the bot answers
to, timing each answer's arrival. Two phases: a closed loop at full speed (throughput), then an
open loop at a fixed 300 commands/s (latency at the target rate).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import os
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bench.common import Figures, backend, fresh_database, percentile

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
COMMANDS = [
    ("/brief", "treaty"),
    ("/brief", "digest"),
    ("/brief", "search missiles"),
    ("/digest", ""),
    ("/brief", "reactions"),
]
WARMUP = 300
THROUGHPUT_COMMANDS = 4000
CONCURRENCY = 32
RATE = 300
RATE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sink:
    """Slack's side for the bot's outgoing calls: auth.test and the response_urls."""

    answered: dict[int, float] = field(default_factory=dict)
    waiters: dict[int, asyncio.Future[float]] = field(default_factory=dict)
    runner: web.AppRunner | None = None
    port: int = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/auth.test", self.auth_test)
        app.router.add_post("/response/{n}", self.response)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = int(self.runner.addresses[0][1])

    async def auth_test(self, _: web.Request) -> web.Response:
        return web.json_response({"ok": True, "user_id": "UBOT", "user": "bench", "team": "T"})

    async def response(self, request: web.Request) -> web.Response:
        await request.read()
        n, now = int(request.match_info["n"]), time.perf_counter()
        self.answered[n] = now
        waiter = self.waiters.pop(n, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)
        return web.Response(text="ok")

    def expect(self, n: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters[n] = future
        return future


@dataclass
class Sample:
    ack: float
    answer: float


class Slack:
    def __init__(self, http: aiohttp.ClientSession, bot_url: str, sink: Sink) -> None:
        self.http = http
        self.url = f"{bot_url}/slack/events"
        self.sink = sink
        self.ids = itertools.count()

    async def command(self, command: str, text: str) -> Sample:
        n = next(self.ids)
        response_url = f"http://127.0.0.1:{self.sink.port}/response/{n}"
        body = urlencode(
            {
                "team_id": "T1",
                "channel_id": "C1",
                "user_id": f"U{n % 50}",
                "user_name": "bench",
                "command": command,
                "text": text,
                "response_url": response_url,
                "trigger_id": f"{n}.1",
            }
        )
        ts = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={digest}",
        }
        answered = self.sink.expect(n)
        started = time.perf_counter()
        async with self.http.post(self.url, data=body, headers=headers) as response:
            await response.read()
            acked = time.perf_counter()
            if response.status != 200:
                raise RuntimeError(f"status {response.status}")
        done = await asyncio.wait_for(answered, 30)
        return Sample(acked - started, done - started)


def spread(label: str, samples_ms: list[float]) -> str:
    return (
        f"  {label:8} p50 {percentile(samples_ms, 50):6.1f} ms  "
        f"p99 {percentile(samples_ms, 99):6.1f} ms  max {max(samples_ms):6.1f} ms"
    )


def report(label: str, samples: list[Sample], seconds: float) -> tuple[float, float]:
    """Prints the figures of a phase; returns its rate and ack p99 (ms)."""
    rate = len(samples) / seconds
    print(f"{label}: {rate:,.0f} commands/s end to end ({len(samples)} in {seconds:.1f} s)")
    print(spread("ack", [s.ack * 1000 for s in samples]))
    print(spread("answered", [s.answer * 1000 for s in samples]))
    return rate, percentile([s.ack * 1000 for s in samples], 99)


async def closed_loop(slack: Slack, total: int, concurrency: int) -> tuple[list[Sample], float]:
    samples: list[Sample] = []
    mix = itertools.cycle(COMMANDS)
    issued = itertools.count()

    async def worker() -> None:
        while next(issued) < total:
            samples.append(await slack.command(*next(mix)))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples, time.perf_counter() - started


async def open_loop(slack: Slack, rate: int, seconds: int) -> tuple[list[Sample], float]:
    mix = itertools.cycle(COMMANDS)
    tasks = []
    started = time.perf_counter()
    for i in range(rate * seconds):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(slack.command(*next(mix))))
    samples = await asyncio.gather(*tasks)
    return list(samples), time.perf_counter() - started


async def wait_healthy(
    http: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> None:
    for _ in range(300):
        if process.returncode is not None:
            raise RuntimeError("briefbot run exited")
        try:
            async with http.get(f"{url}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("briefbot run did not start")


async def main(database_url: str | None = None) -> Figures:
    sink = Sink()
    await sink.start()
    folder = Path(tempfile.mkdtemp(prefix="briefbot-bench-slack-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": await fresh_database(database_url, "slack.db"),
        "LOG_LEVEL": "WARNING",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_BASE_URL": f"http://127.0.0.1:{sink.port}/api/",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=folder
    )
    bot_url = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            await wait_healthy(http, bot_url, process)
            slack = Slack(http, bot_url, sink)
            await closed_loop(slack, WARMUP, 8)
            samples, seconds = await closed_loop(slack, THROUGHPUT_COMMANDS, CONCURRENCY)
            rate, ack_p99 = report(f"full speed, {CONCURRENCY} in flight", samples, seconds)
            samples, seconds = await open_loop(slack, RATE, RATE_SECONDS)
            _, fixed_ack_p99 = report(f"fixed rate {RATE}/s for {RATE_SECONDS} s", samples, seconds)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        if sink.runner is not None:
            await sink.runner.cleanup()
    mix = ", ".join(f"{command} {text}".strip() for command, text in COMMANDS)
    print(
        f"  (bot: `briefbot run`, HTTP mode, {backend(env['DATABASE_URL'])}; {os.cpu_count()} "
        f"CPUs shared with this load generator and the fake Slack; mix: {mix})"
    )
    return {"commands_per_s": rate, "ack_p99_ms": ack_p99, "fixed_rate_ack_p99_ms": fixed_ack_p99}


if __name__ == "__main__":
    asyncio.run(main())
