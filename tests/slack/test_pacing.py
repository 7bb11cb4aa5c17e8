"""About one message per second per channel: posts to one channel queue up, others don't wait."""

from __future__ import annotations

import asyncio

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.outbound import ChannelPacer
from bot.core.messages import ChatRef, Reply
from tests.slack.fake_web_api import FakeSlack
from tests.slack.test_send import sender  # noqa: F401  (the started adapter fixture)

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
