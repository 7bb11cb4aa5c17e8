"""About one message per second per channel: posts to one channel queue up, others don't wait;
replicas on PostgreSQL keep that pace together, and a 429 holds the channel back for all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping

import pytest

from bot.adapters.base import SendError
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.outbound import ChannelPacer, SlackRetryPolicy
from bot.adapters.slack.settings import SlackSettings
from bot.app import App
from bot.core.messages import ChatRef, Reply
from briefings.db import create_engine, migrate
from briefings.pacing import SharedPacer
from tests.pg import replica_pacers
from tests.slack.fake_web_api import FakeSlack, rate_limited
from tests.slack.test_send import sender  # noqa: F401  (the started adapter fixture)

pytestmark = pytest.mark.postgresql

REPLY = Reply.text("Paced")


async def test_pacer_reserves_one_slot_per_interval() -> None:
    now = [100.0]
    waits: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        waits.append(seconds)

    pacer = ChannelPacer(interval=1.0, clock=lambda: now[0], sleep=recorded_sleep)
    for _ in range(3):
        await pacer.wait("C1")
    await pacer.wait("C2")
    now[0] = 105.0
    await pacer.wait("C1")
    assert waits == [1.0, 2.0]  # the 2nd and 3rd post to C1; C2 and the later C1 go at once


async def test_posts_to_one_channel_are_a_second_apart(
    sender: SlackAdapter,  # noqa: F811
    fake: FakeSlack,
) -> None:
    chat, other = ChatRef("slack", "CPACE", "group"), ChatRef("slack", "COTHER", "group")
    await asyncio.gather(*(sender.send(chat, REPLY) for _ in range(3)), sender.send(other, REPLY))
    calls = fake.called("chat.postMessage")
    paced = [c.at for c in calls if c.params["channel"] == "CPACE"]
    assert len(paced) == 3
    assert paced[1] - paced[0] >= 0.95
    assert paced[2] - paced[1] >= 0.95
    [quick] = [c.at for c in calls if c.params["channel"] == "COTHER"]
    assert quick - paced[0] < 0.5


@pytest.fixture
async def shared(pg_url: str) -> AsyncIterator[list[SharedPacer]]:
    """Replicas share pacing through PostgreSQL."""
    engine = create_engine(pg_url)
    await migrate(engine)
    async with replica_pacers(engine) as pacers:  # each its own pool: two replicas
        yield pacers
    await engine.dispose()


async def test_two_replicas_pace_one_channel_together(
    bot: App,
    slack_config: SlackSettings,
    fake: FakeSlack,
    shared: list[SharedPacer],
) -> None:
    replicas = [
        SlackAdapter(bot.core, bot.health, slack_config, metrics=bot.metrics, pacer=pacer)
        for pacer in shared
    ]
    for adapter in replicas:
        await adapter.start()
    try:
        chat = ChatRef("slack", "CSHARED", "group")
        await asyncio.gather(*(a.send(chat, REPLY) for a in replicas for _ in range(2)))
    finally:
        for adapter in replicas:
            await adapter.stop()
    times = sorted(c.at for c in fake.called("chat.postMessage"))
    assert len(times) == 4
    assert all(b - a >= 0.95 for a, b in zip(times, times[1:], strict=False))


class OneMomentPacer:
    def __init__(self, wait: float, *, down: bool = False) -> None:
        self.wait, self.down = wait, down
        self.pushed: list[tuple[str, float]] = []

    async def reserve(self, spacings: Mapping[str, float]) -> float:
        if self.down:
            raise ConnectionRefusedError
        assert spacings == {"slack:channel:C1": 1.0}
        return self.wait

    async def push_back(self, key: str, seconds: float) -> None:
        self.pushed.append((key, seconds))


async def test_the_shared_moment_is_waited_for_and_a_429_pushes_back() -> None:
    waits: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        waits.append(seconds)

    shared = OneMomentPacer(0.4)
    pacer = ChannelPacer(interval=1.0, clock=lambda: 100.0, sleep=recorded_sleep, shared=shared)
    await pacer.wait("C1")
    await pacer.wait("C1")
    assert waits == [0.4, 0.4], "the database's answer, not this process's own schedule"
    await pacer.push_back("C1", 7.0)
    assert shared.pushed == [("slack:channel:C1", 7.0)]

    down = ChannelPacer(
        interval=1.0, clock=lambda: 100.0, sleep=recorded_sleep, shared=OneMomentPacer(0, down=True)
    )
    waits.clear()
    await down.wait("C1")
    await down.wait("C1")
    assert waits == [1.0], "without the database this process paces on its own"


async def test_a_rate_limited_post_pushes_the_channel_back_for_every_replica(
    bot: App, slack_config: SlackSettings, fake: FakeSlack
) -> None:
    shared = OneMomentPacer(0.0)
    policy = SlackRetryPolicy(rate_limit_retries=0, backoff_factor=0.01, jitter=0.0)
    adapter = SlackAdapter(
        bot.core, bot.health, slack_config, metrics=bot.metrics, retry=policy, pacer=shared
    )
    await adapter.start()
    fake.canned["chat.postMessage"].append(rate_limited(3))
    try:
        with pytest.raises(SendError):
            await adapter.send(ChatRef("slack", "C1", "group"), REPLY)
    finally:
        await adapter.stop()
    assert shared.pushed == [("slack:channel:C1", 3.0)]
