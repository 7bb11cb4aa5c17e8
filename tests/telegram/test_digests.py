"""Scheduled digests through the real Telegram adapter and the fake Bot API: subscribed from a
chat, posted once per slot however many processes try, paused when the bot is blocked, and
following a group that became a supergroup."""

from __future__ import annotations

import datetime as dt

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from bot.delivery import DigestDelivery, worker_name
from briefings.actors import Actor
from briefings.ledger import DeliveryLedger
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest
from tests.digests.fakes import Clock
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.support import ADMIN_ID

USER, GROUP, SUPERGROUP = 3101, -3201, -1003201
SLOT = dt.datetime(2024, 6, 18, 5, 0, tzinfo=dt.UTC)  # 08:00 in Kyiv (summer time)


def delivery_for(
    app: App, bot: TelegramAdapter, clock: Clock, ledger: DeliveryLedger | None = None
) -> DigestDelivery:
    return DigestDelivery(
        app.store,
        app.health,
        app.subscriptions,
        ledger or app.ledger,
        {"telegram": bot},
        app.configured_admins,
        "Test event",
        clock=clock,
    )


async def subscribe(app: App, chat: int, kind: str = "private") -> int:
    sub = await app.subscriptions.subscribe(
        SubscriptionRequest(
            "telegram",
            str(chat),
            kind,
            None,
            Schedule(8, 0, "Europe/Kyiv"),
            ("delegation",),
            "changes",
        ),
        Actor.system("tester"),
    )
    return sub.id


async def test_subscribe_in_chat_then_exactly_one_digest(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.push(tg.message(USER, "/subscribe 08:00 Europe/Kyiv delegation"))
    [answer] = await fake.wait_sent(1, USER)
    assert answer.text.startswith("Subscribed. At 08:00 Europe/Kyiv, every day; /delegation")
    sub = await app.subscriptions.get("telegram", str(USER))
    assert sub is not None

    clock = Clock(SLOT + dt.timedelta(seconds=1))
    first = delivery_for(app, bot, clock)
    second = delivery_for(app, bot, clock, DeliveryLedger(app.store.engine, worker_name()))
    outcomes = sorted([await first.deliver(sub.id, SLOT), await second.deliver(sub.id, SLOT)])
    assert outcomes == ["sent", "taken"]
    posts = fake.sent(USER)[1:]
    assert len(posts) == 1
    assert posts[0].params["parse_mode"] == "HTML"
    assert "digest for Tuesday 18 June 2024" in posts[0].text
    assert "Who travelled with Putin (/delegation)" in posts[0].text
    latest = await app.ledger.latest(sub.id)
    assert latest is not None
    assert latest.message_ids == (str(posts[0].result["message_id"]),)


async def test_blocked_bot_pauses_the_subscription_and_tells_the_admin_once(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    sub_id = await subscribe(app, USER)
    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=USER)
    clock = Clock(SLOT)
    delivery = delivery_for(app, bot, clock)
    assert await delivery.deliver(sub_id, SLOT) == "paused"
    clock.advance(days=1)
    assert await delivery.deliver(sub_id, SLOT + dt.timedelta(days=1)) == "inactive"
    sub = await app.subscriptions.by_id(sub_id)
    assert sub is not None
    assert not sub.active
    assert "blocked" in sub.pause_reason
    notices = fake.sent(ADMIN_ID)
    assert len(notices) == 1
    assert "paused" in notices[0].text
    assert fake.sent(USER) == []


async def test_a_migrated_group_keeps_its_digest(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    sub_id = await subscribe(app, GROUP, "group")
    fake.fail(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": SUPERGROUP},
        chat_id=GROUP,
    )
    delivery = delivery_for(app, bot, Clock(SLOT))
    assert await delivery.deliver(sub_id, SLOT) == "sent"
    assert len(fake.sent(SUPERGROUP)) == 1
    moved = await app.subscriptions.by_id(sub_id)
    assert moved is not None
    assert moved.chat_id == str(SUPERGROUP)


async def test_in_groups_only_the_chats_admins_subscribe(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    member, owner = 3301, 3302
    fake.chat_admins.add((GROUP, owner))
    fake.push(tg.message(GROUP, "/subscribe@OurBot 09:00 UTC", kind="group", user_id=member))
    [refused] = await fake.wait_sent(1, GROUP)
    assert refused.text.startswith("Only this chat's admins")
    assert await app.subscriptions.get("telegram", str(GROUP)) is None
    fake.push(tg.message(GROUP, "/subscribe@OurBot 09:00 UTC", kind="group", user_id=owner))
    [_, accepted] = await fake.wait_sent(2, GROUP)
    assert accepted.text.startswith("Subscribed. At 09:00 UTC")
    asked = fake.requests("getChatMember")
    assert [(c.params["chat_id"], int(c.params["user_id"])) for c in asked] == [
        (GROUP, member),
        (GROUP, owner),
    ]


async def test_a_channel_post_may_subscribe_the_channel(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    channel = -1009999
    fake.push(tg.channel_post(channel, "/subscribe 07:30 Europe/Kyiv weekdays"))
    [answer] = await fake.wait_sent(1, channel)
    assert answer.text.startswith("Subscribed. At 07:30 Europe/Kyiv, weekdays")
    sub = await app.subscriptions.get("telegram", str(channel))
    assert sub is not None
    assert sub.chat_kind == "channel"
