"""Delivering digests: content per mode, exactly once across processes, grace, retries,
crashes, and each kind of platform failure."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

import pytest

from bot.adapters.base import SendError, message_leaving
from bot.core.messages import ChatRef, Incoming, Reply
from briefings.actors import Actor
from briefings.models import CHANGES, FULL
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest, SubscriptionView
from tests.digests.conftest import START, Env
from tests.digests.fakes import Crash, RecordingAdapter

pytestmark = pytest.mark.postgresql

SLOT = START.replace(hour=8)  # Monday 08:00 UTC


async def subscribe(
    env: Env, chat: str = "100", mode: str = CHANGES, topics: tuple[str, ...] = ()
) -> SubscriptionView:
    return await env.subscriptions.subscribe(
        SubscriptionRequest("telegram", chat, "private", None, Schedule(8, 0, "UTC"), topics, mode),
        Actor.system("tester"),
    )


async def test_first_digest_is_full_then_only_changes(env: Env) -> None:
    sub = await subscribe(env, topics=("treaty",))
    env.clock.now = SLOT
    assert await env.delivery.deliver(sub.id, SLOT) == "sent"
    first = "\n".join(s.text for s in env.adapter.to("100"))
    treaty = (await env.store.topics.catalog()).topic("treaty")
    assert treaty is not None
    assert all(p.text in first for p in treaty.points)
    assert "Everything so far" in first
    assert "/arms" not in first  # only the chosen topic

    env.adapter.sent.clear()
    env.clock.advance(days=1)
    assert await env.delivery.deliver(sub.id, SLOT + dt.timedelta(days=1)) == "empty"
    assert env.adapter.sent == []  # nothing new: no post

    added = await env.store.points.add(
        "treaty", "A fresh development on the pact.", Actor.system("admin")
    )
    await env.store.points.add(
        "arms", "A change in a topic this chat does not follow.", Actor.system("admin")
    )
    env.clock.advance(days=1)
    assert await env.delivery.deliver(sub.id, SLOT + dt.timedelta(days=2)) == "sent"
    third = "\n".join(s.text for s in env.adapter.to("100"))
    assert added.text in third
    assert "1 new or updated point since" in third
    assert "does not follow" not in third
    assert treaty.points[0].text not in third


async def test_full_mode_sends_everything_every_time(env: Env) -> None:
    sub = await subscribe(env, mode=FULL, topics=("vietnam",))
    env.clock.now = SLOT
    await env.delivery.deliver(sub.id, SLOT)
    count = len(env.adapter.sent)
    env.clock.advance(days=1)
    assert await env.delivery.deliver(sub.id, SLOT + dt.timedelta(days=1)) == "sent"
    assert len(env.adapter.sent) == 2 * count


async def test_two_processes_post_each_slot_once(env: Env) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT + dt.timedelta(seconds=2)
    other = env.process("process-b")
    outcomes = sorted([await env.delivery.deliver(sub.id, SLOT), await other.deliver(sub.id, SLOT)])
    assert outcomes == ["sent", "taken"]
    assert len(env.adapter.to("100")) == 1


async def test_a_slot_past_the_grace_period_is_skipped(env: Env) -> None:
    sub = await subscribe(env)
    env.clock.now = SLOT + dt.timedelta(minutes=61)
    assert await env.delivery.deliver(sub.id, SLOT) == "skipped"
    assert env.adapter.sent == []
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert latest.state == "skipped"
    assert await env.delivery.deliver(sub.id, SLOT) == "skipped"  # recorded once, sent never


async def test_blocked_bot_pauses_and_tells_admins_once(env: Env) -> None:
    sub = await subscribe(env)
    other = await subscribe(env, chat="200", topics=("visit",))
    env.clock.now = SLOT
    env.adapter.failures["100"] = [
        SendError("Forbidden: bot was blocked by the user", permanent=True)
    ]
    assert await env.delivery.deliver(sub.id, SLOT) == "paused"
    assert await env.delivery.deliver(other.id, SLOT) == "sent"  # others go on
    paused = await env.subscriptions.by_id(sub.id)
    assert paused is not None
    assert not paused.active
    assert "blocked" in paused.pause_reason
    notices = env.adapter.to("9001")
    assert len(notices) == 1
    assert "paused" in notices[0].text
    assert await env.store.chats.status("telegram", "100") == (
        "unreachable",
        "Forbidden: bot was blocked by the user",
    )
    env.clock.advance(days=1)
    assert await env.delivery.deliver(sub.id, SLOT + dt.timedelta(days=1)) == "inactive"
    assert len(env.adapter.to("9001")) == 1


async def test_migrated_group_moves_the_subscription(env: Env) -> None:
    sub = await subscribe(env, chat="-100", topics=("visit",))
    env.clock.now = SLOT
    env.adapter.failures["-100"] = [SendError("migrated", permanent=False, migrated_to="-100999")]
    assert await env.delivery.deliver(sub.id, SLOT) == "sent"
    assert len(env.adapter.to("-100999")) == 1
    assert env.adapter.to("-100") == []
    moved = await env.subscriptions.get("telegram", "-100999")
    assert moved is not None
    assert moved.id == sub.id
    assert await env.subscriptions.get("telegram", "-100") is None


async def test_retryable_failures_back_off_then_succeed(env: Env) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT
    env.adapter.failures["100"] = [
        SendError("502 Bad Gateway", permanent=False),
        SendError("Too Many Requests", permanent=False, retry_after=90),
    ]
    assert await env.delivery.deliver(sub.id, SLOT) == "retry"
    assert await env.delivery.sweep() == []  # not due yet
    env.clock.advance(seconds=31)
    assert await env.delivery.sweep() == ["retry"]  # waits retry_after (90 s), not 60 s
    env.clock.advance(seconds=61)
    assert await env.delivery.sweep() == []
    env.clock.advance(seconds=30)
    assert await env.delivery.sweep() == ["sent"]
    assert len(env.adapter.to("100")) == 1
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert (latest.state, latest.attempts) == ("sent", 3)


async def test_gives_up_after_the_last_attempt(env: Env) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT
    env.adapter.failures["100"] = [SendError("502", permanent=False) for _ in range(5)]
    assert await env.delivery.deliver(sub.id, SLOT) == "retry"
    outcomes = []
    for _ in range(6):
        env.clock.advance(minutes=10)
        outcomes.extend(await env.delivery.sweep())
    assert outcomes == ["retry", "retry", "retry", "failed"]
    assert env.adapter.sent == []
    still = await env.subscriptions.by_id(sub.id)
    assert still is not None
    assert still.active  # a flaky platform does not pause a chat


async def test_a_timeout_that_may_have_posted_is_not_resent(env: Env) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT
    env.adapter.failures["100"] = [SendError("Timed out", permanent=False, maybe_delivered=True)]
    assert await env.delivery.deliver(sub.id, SLOT) == "sent"
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert latest.message_ids == ("?",)
    env.clock.advance(minutes=30)
    assert await env.delivery.sweep() == []
    assert env.adapter.sent == []


async def test_a_crash_mid_digest_resends_only_what_was_not_confirmed(env: Env) -> None:
    sub = await subscribe(env, mode=FULL)  # every topic: several messages
    env.clock.now = SLOT
    env.adapter.crash_after = 2
    with pytest.raises(Crash):
        await env.delivery.deliver(sub.id, SLOT)
    assert len(env.adapter.sent) == 2
    env.adapter.crash_after = None

    other = env.process("process-b")
    assert await other.sweep() == []  # the claim is within its lease: the owner may be alive
    env.clock.advance(minutes=11)
    assert await other.sweep() == ["sent"]
    texts = [s.text for s in env.adapter.sent]
    assert len(texts) == len(set(texts))  # nothing posted twice
    assert texts[0].startswith("TEST EVENT: DIGEST FOR")
    assert "/unsubscribe stops them" in texts[-1]
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert latest.state == "sent"
    assert len(latest.message_ids) == len(texts)


async def test_a_message_in_the_air_when_its_sender_died_is_not_posted_again(env: Env) -> None:
    sub = await subscribe(env, mode=FULL)  # every topic: several messages
    env.clock.now = SLOT
    env.adapter.crash_in_flight_after = 2  # the third message reached the chat, then death
    with pytest.raises(Crash):
        await env.delivery.deliver(sub.id, SLOT)
    env.adapter.crash_in_flight_after = None
    assert len(env.adapter.sent) == 3
    interrupted = await env.ledger.latest(sub.id)
    assert interrupted is not None
    assert (len(interrupted.message_ids), interrupted.leaving) == (2, 2)

    env.clock.advance(minutes=11)
    assert await env.process("process-b").sweep() == ["sent"]
    texts = [s.text for s in env.adapter.sent]
    assert len(texts) == len(set(texts)), "the message in the air was not posted again"
    assert "/unsubscribe stops them" in texts[-1]
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert latest.message_ids[2] == "?", "counted as maybe posted"
    assert (latest.state, latest.leaving) == ("sent", None)
    assert len(latest.message_ids) == len(texts)


async def test_many_due_at_once_through_the_queue(env: Env) -> None:
    subs = [await subscribe(env, chat=str(1000 + i), topics=("visit",)) for i in range(40)]
    env.clock.now = SLOT
    env.adapter.failures["1005"] = [SendError("Forbidden", permanent=True)]
    await env.delivery.start()
    for sub in subs:
        env.delivery.submit(sub.id, SLOT)
    await env.delivery.drain()
    await env.delivery.stop()
    assert len({s.chat_id for s in env.adapter.sent if s.chat_id != "9001"}) == 39


async def test_subscribe_via_core_then_deliver(env: Env) -> None:
    incoming = Incoming(
        ChatRef("telegram", "555", "private"), "555", "Ann", "/subscribe 08:00 UTC vietnam"
    )
    await env.core.handle(incoming)
    sub = await env.subscriptions.get("telegram", "555")
    assert sub is not None
    env.clock.now = SLOT
    assert await env.delivery.deliver(sub.id, SLOT) == "sent"
    assert "The Vietnam leg (/vietnam)" in env.adapter.to("555")[0].text


async def test_a_message_goes_even_when_its_in_flight_mark_fails(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT

    async def broken(delivery_id: int, index: int) -> None:
        raise ConnectionResetError("the database went away")

    monkeypatch.setattr(env.ledger, "mark_leaving", broken)
    assert await env.delivery.deliver(sub.id, SLOT) == "sent"
    assert len(env.adapter.to("100")) == 1
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    assert (latest.state, latest.message_ids, latest.leaving) == ("sent", ("1",), None)


@dataclass
class RefusingOnce(RecordingAdapter):
    """The platform takes the first message and refuses it (a 429): it was not posted."""

    refused: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        if not self.refused.is_set():
            await message_leaving()
            self.refused.set()
            raise SendError("Too Many Requests", permanent=False, retry_after=1)
        return await super().send(chat, reply)


async def test_a_late_in_flight_mark_never_lands_after_the_refusal(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = await subscribe(env, topics=("visit",))
    env.clock.now = SLOT
    platform = RefusingOnce()
    env.delivery.adapters = {"telegram": platform}
    mark = env.ledger.mark_leaving

    async def late(delivery_id: int, index: int) -> None:
        await platform.refused.wait()  # the message left without waiting for it
        await mark(delivery_id, index)

    monkeypatch.setattr(env.ledger, "mark_leaving", late)
    assert await env.delivery.deliver(sub.id, SLOT) == "retry"
    latest = await env.ledger.latest(sub.id)
    assert latest is not None
    # Had the mark landed after the refusal, the retry would count the message as maybe
    # posted and never send it.
    assert (latest.state, latest.leaving) == ("retry", None)
    env.clock.advance(seconds=31)
    assert await env.delivery.sweep() == ["sent"]
    assert len(platform.to("100")) == 1
