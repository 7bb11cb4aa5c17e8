"""What Telegram can answer besides 'ok': flood waits, blocked and moved chats, 5xx, timeouts,
slow chats, and bursts that must stay inside the flood limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from bot.adapters.base import SendError
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.rate_limiter import TelegramLimits
from bot.app import App
from bot.core.messages import ChatRef, Reply
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApi, FloodLimits
from tests.telegram.support import StartBot

USER, OTHER = 1101, 1102
GROUP, SUPERGROUP = -2101, -1002101
HELLO = Reply.text("Hello & welcome")


def private(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id), "private")


def group(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id), "group")


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 3.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_flood_wait_is_waited_out_and_retried(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    fake.push(tg.message(USER, "/treaty"))
    await fake.wait_sent(1, USER)
    first, second = fake.requests("sendMessage", USER)
    assert first.status == 429
    assert second.ok
    assert second.at - first.at >= 1.0


async def test_flood_wait_longer_than_allowed_fails_at_once(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests", parameters={"retry_after": 30})
    with pytest.raises(SendError) as failed:
        await bot.send(private(USER), HELLO)
    assert failed.value.retry_after == 30
    assert not failed.value.permanent
    assert len(fake.requests("sendMessage")) == 1


async def test_blocked_chat_is_marked_and_no_longer_written_to(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=USER)
    fake.push(tg.message(USER, "/start"))

    async def blocked() -> bool:
        return (await app.store.chats.status("telegram", str(USER)))[0] == "blocked"

    await eventually(blocked)
    status, reason = await app.store.chats.status("telegram", str(USER))
    assert "blocked by the user" in reason
    with pytest.raises(SendError) as failed:
        await bot.send(private(USER), HELLO)
    assert failed.value.permanent
    assert len(fake.requests("sendMessage", USER)) == 1  # the refused one only
    # Everyone else is still answered.
    fake.push(tg.message(OTHER, "/start"))
    await fake.wait_sent(1, OTHER)
    # Unblocking the bot shows up as a membership change; the chat is reachable again.
    fake.push(tg.my_chat_member(USER, "member", kind="private"))

    async def active() -> bool:
        return (await app.store.chats.status("telegram", str(USER)))[0] == "active"

    await eventually(active)
    await bot.send(private(USER), HELLO)
    assert len(fake.sent(USER)) == 1


async def test_removed_from_group_marks_it_blocked(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.push(tg.my_chat_member(GROUP, "kicked"))

    async def blocked() -> bool:
        return (await app.store.chats.status("telegram", str(GROUP)))[0] == "blocked"

    await eventually(blocked)
    with pytest.raises(SendError):
        await bot.send(group(GROUP), HELLO)
    assert fake.requests("sendMessage") == []


async def test_migrated_group_is_followed_and_the_message_resent(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.fail(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": SUPERGROUP},
        chat_id=GROUP,
    )
    fake.push(tg.message(GROUP, "/treaty@OurBot", kind="group", user_id=USER))
    [resent] = await fake.wait_sent(1, SUPERGROUP)
    assert resent.text.startswith("The partnership treaty")
    status, _ = await app.store.chats.status("telegram", str(GROUP))
    assert status == "moved"
    # Later sends to the old id go straight to the new one.
    await bot.send(group(GROUP), HELLO)
    assert len(fake.requests("sendMessage", GROUP)) == 1
    assert len(fake.sent(SUPERGROUP)) == 2


async def test_bad_gateway_is_retried_with_backoff(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.fail("sendMessage", 502, "Bad Gateway", times=2)
    ids = await bot.send(private(USER), HELLO)
    calls = fake.requests("sendMessage", USER)
    assert [c.status for c in calls] == [502, 502, 200]
    assert ids == [str(calls[-1].result["message_id"])]
    policy = bot.sender.policy
    assert calls[1].at - calls[0].at >= policy.pause(1)
    assert calls[2].at - calls[1].at >= policy.pause(2)


async def test_bad_gateway_retries_are_bounded(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.fail("sendMessage", 502, "Bad Gateway", chat_id=USER, times=100)
    with pytest.raises(SendError) as failed:
        await bot.send(private(USER), HELLO)
    assert not failed.value.permanent
    assert len(fake.requests("sendMessage", USER)) == bot.sender.policy.attempts
    fake.push(tg.message(OTHER, "/start"))  # the bot goes on serving everyone else
    await fake.wait_sent(1, OTHER)


async def test_timeout_is_not_retried_because_it_may_have_been_posted(
    fake: FakeBotApi, start_bot: StartBot
) -> None:
    bot = await start_bot(request_timeout=0.3)
    fake.delay("sendMessage", 1.0, chat_id=USER)
    with pytest.raises(SendError) as failed:
        await bot.send(private(USER), HELLO)
    assert failed.value.maybe_delivered
    assert len(fake.requests("sendMessage", USER)) == 1


async def test_a_slow_chat_does_not_hold_up_the_others(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.delay("sendMessage", 1.5, chat_id=USER)
    fake.push(tg.message(USER, "/treaty"), tg.message(OTHER, "/treaty"))
    await fake.wait_sent(1, OTHER, within=1.0)
    assert fake.sent(USER) == []  # still on its way
    await fake.wait_sent(1, USER)


async def test_a_burst_to_many_chats_stays_under_30_per_second(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    chats = range(5000, 5040)
    started = time.monotonic()
    fake.push(*(tg.message(chat, "/start") for chat in chats))
    await fake.wait_sent(40)
    # 40 messages at 30/s take at least a second; the fake answers 429 to any excess.
    assert time.monotonic() - started >= 1.0
    assert {c.chat_id for c in fake.sent()} == set(chats)


async def test_a_burst_to_one_chat_is_paced(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    started = time.monotonic()
    await asyncio.gather(*(bot.send(private(USER), HELLO) for _ in range(3)))
    assert time.monotonic() - started >= 2.0  # about one message a second in a private chat
    assert len(fake.sent(USER)) == 3


async def test_group_pace_is_kept(app: App, start_bot: StartBot, fake: FakeBotApi) -> None:
    # The real pace (20 a minute) with the period shortened, on both sides, to keep this quick.
    fake.limits = FloodLimits(group=3, group_period=1.0)
    bot = await start_bot(limits=TelegramLimits(group=3, group_period=1.0))
    started = time.monotonic()
    await asyncio.gather(*(bot.send(group(GROUP), HELLO) for _ in range(7)))
    assert time.monotonic() - started >= 2.0
    assert len(fake.sent(GROUP)) == 7


async def test_a_flooding_chat_is_capped_and_others_still_answered(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    waiting = bot.options.max_waiting_per_chat
    fake.delay("sendMessage", 1.0, chat_id=GROUP)  # the first answer is slow to go out
    flood = [tg.message(GROUP, "/start@OurBot", kind="group", user_id=USER) for _ in range(12)]
    fake.push(*flood, tg.message(OTHER, "/start"))
    await fake.wait_sent(1, OTHER, within=0.8)
    await fake.wait_sent(waiting, GROUP)
    await asyncio.sleep(0.3)
    assert len(fake.sent(GROUP)) == waiting  # one at work and the rest queued; others dropped
    dropped = app.metrics.value("platform_errors_total", platform="telegram", kind="update_dropped")
    assert dropped == len(flood) - waiting


async def test_group_upgrade_notice_moves_the_chat(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    notice = tg.message(GROUP, "", kind="group", user_id=USER)
    del notice["message"]["text"]
    notice["message"]["migrate_to_chat_id"] = SUPERGROUP
    fake.push(notice)

    async def moved() -> bool:
        return (await app.store.chats.status("telegram", str(GROUP)))[0] == "moved"

    await eventually(moved)
    await bot.send(group(GROUP), HELLO)
    assert fake.requests("sendMessage", GROUP) == []
    assert len(fake.sent(SUPERGROUP)) == 1
