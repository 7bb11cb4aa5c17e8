"""Digests falling due for many chats at once, written into the database before the replicas
start, as `briefbot run` itself would find them: the database migrated and seeded, and one
subscription per private Telegram chat, all at the same minute."""

from __future__ import annotations

import datetime as dt

from bot.app import open_store
from bot.config import Settings
from briefings.actors import Actor
from briefings.loader import load_briefings
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore


def just_passed(now: dt.datetime | None = None) -> dt.datetime:
    """A slot a minute or two ago: the replicas' start-up catch-up owes it (it is well within
    DIGEST_GRACE_MINUTES), so every replica finds all of it due the moment it starts."""
    now = now or dt.datetime.now(dt.UTC)
    return (now - dt.timedelta(minutes=1)).replace(second=0, microsecond=0)


async def subscribe_chats(
    database_url: str, first_chat: int, count: int, slot: dt.datetime
) -> list[int]:
    """Subscribes private chats first_chat, first_chat + 1, ... to a daily digest of /treaty at
    the slot's time (UTC); returns their ids."""
    store = await open_store(
        Settings(database_url=database_url, _env_file=None), seed_with=load_briefings()
    )
    try:
        # Subscribed an hour before the slot, so the slot counts as missed, not as predating
        # the subscription.
        before = slot - dt.timedelta(hours=1)
        subscriptions = SubscriptionStore(store.engine, clock=lambda: before)
        chats = list(range(first_chat, first_chat + count))
        schedule = Schedule(slot.hour, slot.minute, "UTC")
        await subscriptions.bulk_subscribe(
            (
                SubscriptionRequest(
                    "telegram", str(chat), "private", None, schedule, ("treaty",), "changes"
                )
                for chat in chats
            ),
            Actor.system("replica tests"),
        )
        return chats
    finally:
        await store.close()
