"""Two replicas, one bot token: two real Telegram adapters, each with its own database engine
and shared pacer on one PostgreSQL database, post to the fake Bot API at once. Each alone would
keep Telegram's limits; together they keep them only through the shared spacing (without it the
fake answers 429). The group limit is scaled down (4 per 0.4 s on both sides) to keep this
short; the token's 30/s and the private chats' 1/s are Telegram's own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.rate_limiter import TelegramLimits
from bot.app import App
from bot.core.messages import ChatRef, Reply
from briefings.db import create_engine, migrate
from briefings.pacing import SharedPacer
from tests.pg import replica_pacers
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi, FloodLimits
from tests.telegram.support import FAST, StartBot

pytestmark = pytest.mark.postgresql

GROUP = -7100
SHARED_PRIVATE = 7000
LIMITS = TelegramLimits(group=4, group_period=0.4)


@pytest.fixture
async def pacers(pg_url: str) -> AsyncIterator[list[SharedPacer]]:
    """Replicas share pacing through PostgreSQL."""
    engine = create_engine(pg_url)
    await migrate(engine)
    async with replica_pacers(engine) as pacers:
        yield pacers
    await engine.dispose()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(limits=FloodLimits(group=4, group_period=0.4)) as server:
        yield server


@pytest.fixture
async def replicas(
    app: App, fake_api: FakeBotApi, pacers: list[SharedPacer]
) -> AsyncIterator[list[TelegramAdapter]]:
    adapters = [
        TelegramAdapter(
            app.core,
            app.health,
            app.store.topics,
            TOKEN,
            fake_api.base_url,
            replace(FAST, limits=LIMITS, pacer=pacer),
            app.metrics,
        )
        for pacer in pacers
    ]
    for adapter in adapters:
        await adapter.start()
    yield adapters
    for adapter in adapters:
        await adapter.stop()


async def test_replicas_together_stay_within_the_tokens_limits(
    replicas: list[TelegramAdapter], fake_api: FakeBotApi
) -> None:
    sends = []
    for n, adapter in enumerate(replicas):
        # 15 private chats each: 30 messages in one burst, Telegram's limit for one second.
        sends += [
            adapter.send(ChatRef("telegram", str(5000 + 100 * n + i), "private"), Reply.text("a"))
            for i in range(15)
        ]
        sends += [
            adapter.send(ChatRef("telegram", str(SHARED_PRIVATE), "private"), Reply.text("b"))
            for _ in range(2)
        ]
        sends += [
            adapter.send(ChatRef("telegram", str(GROUP), "group"), Reply.text("c"))
            for _ in range(4)
        ]
    await asyncio.gather(*sends)

    calls = fake_api.sent()
    assert len(calls) == 2 * (15 + 2 + 4)
    assert fake_api.flood_hits == 0, "no 429: the replicas kept the limits together"
    assert all(call.ok for call in fake_api.requests("sendMessage"))
    arrivals = sorted(call.at for call in calls)
    # Any 31 messages in a row took the better part of a second (the fake forgives 5%).
    assert all(b - a >= 0.95 for a, b in zip(arrivals, arrivals[30:], strict=False))
    private = sorted(call.at for call in calls if call.chat_id == SHARED_PRIVATE)
    assert all(b - a >= 0.95 for a, b in zip(private, private[1:], strict=False))
    group = sorted(call.at for call in calls if call.chat_id == GROUP)
    assert all(b - a >= 0.38 for a, b in zip(group, group[4:], strict=False))


class RecordingPacer:
    """A shared pacer that grants every moment at once and records what it was asked."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.reserved: list[dict[str, float]] = []
        self.pushed: list[tuple[str, float]] = []

    async def reserve(self, spacings: Mapping[str, float]) -> float:
        if self.down:
            raise ConnectionRefusedError
        self.reserved.append(dict(spacings))
        return 0.0

    async def push_back(self, key: str, seconds: float) -> None:
        self.pushed.append((key, seconds))


async def test_keys_spacings_and_a_429_pushed_back_for_all_replicas(
    start_bot: StartBot, fake: FakeBotApi
) -> None:
    pacer = RecordingPacer()
    bot = await start_bot(pacer=pacer)
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    await bot.send(ChatRef("telegram", "-42", "group"), Reply.text("paced"))
    await bot.send(ChatRef("telegram", "42", "private"), Reply.text("paced"))
    bot_id = TOKEN.partition(":")[0]
    token, group, private = (f"telegram:{bot_id}:{k}" for k in ("all", "chat:-42", "chat:42"))
    assert pacer.reserved[0] == pytest.approx({token: 1.05 / 30, group: 3.15})
    assert pacer.reserved[-1] == pytest.approx({token: 1.05 / 30, private: 1.05})
    assert pacer.pushed == [(group, 1.0)], "the 429's chat waits on every replica"
    assert [c.status for c in fake.requests("sendMessage")] == [429, 200, 200]


async def test_without_the_database_messages_are_paced_locally(
    start_bot: StartBot, fake: FakeBotApi
) -> None:
    bot = await start_bot(pacer=RecordingPacer(down=True))
    chat = ChatRef("telegram", "43", "private")
    await asyncio.gather(*(bot.send(chat, Reply.text("x")) for _ in range(2)))
    # The `fake` fixture fails the test on a 429: the local 1/s window held.
    assert [c.status for c in fake.requests("sendMessage", 43)] == [200, 200]


async def test_limits_off_means_no_pacing_at_all(start_bot: StartBot, fake: FakeBotApi) -> None:
    pacer = RecordingPacer()
    bot = await start_bot(pacer=pacer, limits=TelegramLimits.off())
    await bot.send(ChatRef("telegram", "44", "private"), Reply.text("x"))
    assert pacer.reserved == [], "benchmarks measure the bot, not the database"


async def test_messages_granted_the_same_moment_still_leave_spaced(
    start_bot: StartBot, fake: FakeBotApi
) -> None:
    """What a stalled event loop looks like to the limiter: every reserved moment has come at
    once. The process's own windows still space the messages."""
    pacer = RecordingPacer()
    bot = await start_bot(pacer=pacer)
    chat = ChatRef("telegram", "45", "private")
    await asyncio.gather(*(bot.send(chat, Reply.text("x")) for _ in range(2)))
    assert len(pacer.reserved) == 2
    # The `fake` fixture fails the test on a 429: the local 1/s window held.
    assert [c.status for c in fake.requests("sendMessage", 45)] == [200, 200]
