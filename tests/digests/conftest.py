"""A core with digest controls, a delivery service and a hand-moved clock on one database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.chat_health import StoredChatHealth
from bot.core.core import Core
from bot.core.digests import DigestControls
from bot.core.roles import Roles
from bot.delivery import DigestDelivery
from briefings.ledger import DeliveryLedger
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionStore
from tests.conftest import CONSOLE_ADMINS
from tests.digests.fakes import Clock, RecordingAdapter

START = dt.datetime(2024, 6, 17, 6, 0, tzinfo=dt.UTC)  # a Monday
TELEGRAM_ADMINS = {"telegram": frozenset({"9001"}), **CONSOLE_ADMINS}


@dataclass
class Env:
    store: BriefingStore
    subscriptions: SubscriptionStore
    ledger: DeliveryLedger
    core: Core
    clock: Clock
    adapter: RecordingAdapter
    delivery: DigestDelivery

    def process(self, name: str) -> DigestDelivery:
        """Another bot process on the same database, sending through the same fake platform."""
        subscriptions = SubscriptionStore(self.store.engine, self.clock)
        return DigestDelivery(
            self.store,
            StoredChatHealth(self.store.chats, subscriptions),
            subscriptions,
            DeliveryLedger(self.store.engine, name),
            {"telegram": self.adapter},
            TELEGRAM_ADMINS,
            "Test event",
            clock=self.clock,
            backoff=dt.timedelta(seconds=30),
        )


@pytest.fixture
def env(store: BriefingStore) -> Env:
    clock = Clock(START)
    subscriptions = SubscriptionStore(store.engine, clock)
    ledger = DeliveryLedger(store.engine, "process-a")
    core = Core(
        store,
        Roles(store.admins, TELEGRAM_ADMINS),
        event_title="Test event",
        digests=DigestControls(subscriptions, ledger, "UTC", clock=clock),
    )
    adapter = RecordingAdapter()
    delivery = DigestDelivery(
        store,
        StoredChatHealth(store.chats, subscriptions),
        subscriptions,
        ledger,
        {"telegram": adapter},
        TELEGRAM_ADMINS,
        "Test event",
        clock=clock,
        backoff=dt.timedelta(seconds=30),
    )
    return Env(store, subscriptions, ledger, core, clock, adapter, delivery)
