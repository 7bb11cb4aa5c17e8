"""What the core needs to manage digest subscriptions, handed in by the composition root."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from briefings.ledger import DeliveryLedger
from briefings.models import utcnow
from briefings.subscriptions import SubscriptionStore


async def _nothing(platform: str, chat_id: str) -> None:
    return None


@dataclass(frozen=True)
class DigestControls:
    subscriptions: SubscriptionStore
    ledger: DeliveryLedger
    default_timezone: str = "UTC"
    # Tells the scheduler in this process that a chat's subscription changed.
    changed: Callable[[str, str], Awaitable[None]] = _nothing
    clock: Callable[[], dt.datetime] = field(default=utcnow)
