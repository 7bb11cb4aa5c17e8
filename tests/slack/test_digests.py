"""Scheduled digests through the real Slack adapter: subscribed with a signed slash command,
delivered to the fake Web API exactly once, and paused when the channel is gone."""

from __future__ import annotations

import datetime as dt

from bot.adapters.slack.adapter import SlackAdapter
from bot.app import App
from bot.config import Settings
from bot.delivery import DigestDelivery, worker_name
from briefings.actors import Actor
from briefings.ledger import DeliveryLedger
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest
from tests.digests.fakes import Clock
from tests.slack.conftest import ADMIN
from tests.slack.factories import CHANNEL, SlackSender
from tests.slack.fake_web_api import RESPONSE, FakeSlack

SLOT = dt.datetime(2024, 6, 18, 9, 0, tzinfo=dt.UTC)  # 18:00 in Seoul


def delivery_for(
    app: App,
    adapter: SlackAdapter,
    settings: Settings,
    clock: Clock,
    ledger: DeliveryLedger | None = None,
) -> DigestDelivery:
    return DigestDelivery(
        app.store,
        app.health,
        app.subscriptions,
        ledger or app.ledger,
        {"slack": adapter},
        app.configured_admins,
        "Test event",
        clock=clock,
    )


def posts_to(fake: FakeSlack, channel: str) -> list[str]:
    return [c.text for c in fake.called("chat.postMessage") if c.params.get("channel") == channel]


async def test_subscribe_by_slash_command_then_one_digest_per_slot(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter, bot: App, settings: Settings
) -> None:
    await slack.command(
        "/brief", "subscribe 18:00 Asia/Seoul treaty", fake.response_url("s"), user=ADMIN
    )
    [answer] = await fake.wait_for(RESPONSE)
    assert "Subscribed. At 18:00 Asia/Seoul, every day; /treaty" in answer.text
    sub = await bot.subscriptions.get("slack", CHANNEL)
    assert sub is not None
    assert sub.chat_kind == "group"

    clock = Clock(SLOT + dt.timedelta(seconds=3))
    first = delivery_for(bot, adapter, settings, clock)
    second = delivery_for(
        bot, adapter, settings, clock, DeliveryLedger(bot.store.engine, worker_name())
    )
    assert sorted([await first.deliver(sub.id, SLOT), await second.deliver(sub.id, SLOT)]) == [
        "sent",
        "taken",
    ]
    posted = posts_to(fake, CHANNEL)
    assert len(posted) == 1
    assert "digest for Tuesday 18 June 2024" in posted[0]
    assert "The partnership treaty (/treaty)" in posted[0]
    latest = await bot.ledger.latest(sub.id)
    assert latest is not None
    assert latest.message_ids[0].startswith("1718700000.")

    # Nothing changed by the next evening: "changes" mode posts nothing.
    clock.advance(days=1)
    assert await first.deliver(sub.id, SLOT + dt.timedelta(days=1)) == "empty"
    assert len(posts_to(fake, CHANNEL)) == 1


async def test_a_channel_that_is_gone_pauses_and_tells_the_admins(
    fake: FakeSlack, adapter: SlackAdapter, bot: App, settings: Settings
) -> None:
    sub = await bot.subscriptions.subscribe(
        SubscriptionRequest(
            "slack", "CGONE", "group", None, Schedule(18, 0, "Asia/Seoul"), ("visit",), "changes"
        ),
        Actor.system("tester"),
    )
    fake.channel_errors["CGONE"] = "channel_not_found"
    delivery = delivery_for(bot, adapter, settings, Clock(SLOT))
    assert await delivery.deliver(sub.id, SLOT) == "paused"
    paused = await bot.subscriptions.by_id(sub.id)
    assert paused is not None
    assert not paused.active
    assert "channel_not_found" in paused.pause_reason
    notices = posts_to(fake, ADMIN)
    assert len(notices) == 1
    assert "CGONE" in notices[0]
