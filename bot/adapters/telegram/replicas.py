"""Telegram beside other replicas of the bot: which mode may run more than once, and the key
that makes a webhook update count once.

Telegram gives each bot token one stream of updates. Long polling from two processes makes
getUpdates fail with 409 Conflict for one of them and hands updates to whichever asked last, so
one replica polls (lease `telegram:polling:<bot id>`) and the others refuse to start. In webhook
mode any number of replicas can serve the one URL, provided they all give setWebhook the same
secret: TELEGRAM_WEBHOOK_SECRET. Without it each process makes one up, and every start would
lock the others out, so then too only one replica may run (lease
`telegram:webhook-secret:<bot id>`).
"""

from __future__ import annotations

from bot.adapters.base import Leases, StartRefused
from bot.adapters.held_lease import HeldLease, OnLost, shown_holder

POLLING_TAKEN = (
    "Telegram: another replica ({holder}) is already polling this bot; several replicas need "
    "webhook mode (TELEGRAM_WEBHOOK_URL)"
)
SECRET_TAKEN = (
    "Telegram: another replica ({holder}) serves this bot's webhook with a secret it made up; "
    "several replicas need the same TELEGRAM_WEBHOOK_SECRET"
)


def update_key(bot_id: int, update_id: int) -> str:
    return f"telegram:{bot_id}:update:{update_id}"


def lease_for(
    leases: Leases,
    holder: str,
    bot_id: int,
    *,
    webhook: bool,
    secret_configured: bool,
    on_lost: OnLost,
    renew_every: float,
) -> tuple[HeldLease, str] | None:
    """The lease this mode needs and the sentence refusing a second replica; None when any
    number of replicas may run (a webhook with a configured secret)."""
    if not webhook:
        name, refusal = f"telegram:polling:{bot_id}", POLLING_TAKEN
    elif not secret_configured:
        name, refusal = f"telegram:webhook-secret:{bot_id}", SECRET_TAKEN
    else:
        return None
    return HeldLease(leases, name, holder, on_lost, renew_every=renew_every), refusal


async def take(lease: HeldLease, refusal: str) -> None:
    """Takes the lease, or raises StartRefused naming the replica that holds it."""
    other = await lease.take()
    if other is not None:
        raise StartRefused(refusal.format(holder=shown_holder(other.holder)))
