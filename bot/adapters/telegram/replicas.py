"""Telegram beside other replicas of the bot: which mode may run more than once, which modes
may not run together, and the key that makes a webhook update count once.

Telegram gives each bot token one stream of updates. Long polling from two processes makes
getUpdates fail with 409 Conflict for one of them and hands updates to whichever asked last, so
one replica polls (lease `telegram:polling:<bot id>`) and the others refuse to start. In webhook
mode any number of replicas can serve the one URL, provided they all give setWebhook the same
secret: TELEGRAM_WEBHOOK_SECRET. Each holds a lease of its own, `telegram:webhook:<bot id>:
<holder>`, which says it is there. Without the secret each process makes one up, and every
start would lock the others out, so then too only one replica may run (lease
`telegram:webhook-secret:<bot id>`).

The modes do not mix either: polling deletes the webhook when it starts (and getUpdates fails
with 409 while one is set), a webhook set by one replica ends another's polling, and a made-up
secret locks out the replicas that share a configured one. So a replica starting refuses while
a live replica of this bot runs in another mode.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from bot.adapters.base import Leases, StartRefused
from bot.adapters.held_lease import HeldLease, OnLost, shown_holder
from briefings.leases import LeaseView

POLLING_TAKEN = (
    "Telegram: another replica ({holder}) is already polling this bot; several replicas need "
    "webhook mode (TELEGRAM_WEBHOOK_URL)"
)
SECRET_TAKEN = (
    "Telegram: another replica ({holder}) serves this bot's webhook with a secret it made up; "
    "several replicas need the same TELEGRAM_WEBHOOK_SECRET"
)
POLLING_RUNS = (
    "Telegram: another replica ({holder}) is polling this bot, which a webhook would cut off; "
    "stop it before starting replicas in webhook mode"
)
WEBHOOK_RUNS = (
    "Telegram: another replica ({holder}) serves this bot's webhook, which polling would "
    "delete; run this replica in webhook mode too (TELEGRAM_WEBHOOK_URL), or stop the webhook "
    "replicas first"
)
SHARED_SECRET_RUNS = (
    "Telegram: another replica ({holder}) serves this bot's webhook with TELEGRAM_WEBHOOK_SECRET, "
    "which a made-up secret would lock out; set the same TELEGRAM_WEBHOOK_SECRET here"
)

POLLING, MADE_UP_SECRET, SHARED_SECRET = "polling", "made-up secret", "shared secret"


def update_key(bot_id: int, update_id: int) -> str:
    return f"telegram:{bot_id}:update:{update_id}"


def polling_lease(bot_id: int) -> str:
    return f"telegram:polling:{bot_id}"


def made_up_secret_lease(bot_id: int) -> str:
    return f"telegram:webhook-secret:{bot_id}"


def webhook_prefix(bot_id: int) -> str:
    """The start of every shared-secret webhook replica's own lease name (then its holder)."""
    return f"telegram:webhook:{bot_id}:"


def mode_of(*, webhook: bool, secret_configured: bool) -> str:
    if not webhook:
        return POLLING
    return SHARED_SECRET if secret_configured else MADE_UP_SECRET


@dataclass(frozen=True)
class Claim:
    """The lease a mode runs under, and the sentence refusing a second replica when it is one
    replica's (None: any number of replicas hold leases of their own)."""

    name: str
    refusal: str | None


def claim_for(mode: str, bot_id: int, holder: str) -> Claim:
    if mode == POLLING:
        return Claim(polling_lease(bot_id), POLLING_TAKEN)
    if mode == MADE_UP_SECRET:
        return Claim(made_up_secret_lease(bot_id), SECRET_TAKEN)
    # The holder ("host:pid:random", at most 79 characters) fits the 160 of a lease name.
    return Claim(webhook_prefix(bot_id) + holder, None)


# What a replica starting in the first mode says when it finds one running in the second.
REFUSALS = {
    (POLLING, MADE_UP_SECRET): WEBHOOK_RUNS,
    (POLLING, SHARED_SECRET): WEBHOOK_RUNS,
    (MADE_UP_SECRET, POLLING): POLLING_RUNS,
    (MADE_UP_SECRET, SHARED_SECRET): SHARED_SECRET_RUNS,
    (SHARED_SECRET, POLLING): POLLING_RUNS,
    (SHARED_SECRET, MADE_UP_SECRET): SECRET_TAKEN,
}


async def running(leases: Leases, bot_id: int, mode: str) -> LeaseView | None:
    """A live replica of this bot in `mode` (the oldest, when there are several)."""
    if mode == POLLING:
        return await leases.current(polling_lease(bot_id))
    if mode == MADE_UP_SECRET:
        return await leases.current(made_up_secret_lease(bot_id))
    shared = await leases.live(webhook_prefix(bot_id))
    return shared[0] if shared else None


async def clash(leases: Leases, bot_id: int, mode: str) -> str | None:
    """The refusal naming a live replica of this bot in a mode that `mode` cannot run beside
    (any other); None when there is none."""
    for (mine, theirs), refusal in REFUSALS.items():
        if mine == mode and (other := await running(leases, bot_id, theirs)) is not None:
            return refusal.format(holder=shown_holder(other.holder))
    return None


async def claim(
    leases: Leases,
    holder: str,
    bot_id: int,
    *,
    webhook: bool,
    secret_configured: bool,
    on_lost: OnLost,
    renew_every: float,
) -> HeldLease:
    """Takes the lease this replica's mode runs under and starts renewing it, or raises
    StartRefused with one sentence naming the replica in the way and what to do.

    The replica's own lease is taken FIRST, and only then are the other modes' leases looked
    at. Of two replicas starting at the same moment in modes that clash, the one that looks
    last finds the other's lease (written before the first one looked), unless that one has
    already refused and given it back: at worst both refuse (and a later start settles it),
    never do both run. All of this happens before the adapter changes anything at Telegram."""
    mode = mode_of(webhook=webhook, secret_configured=secret_configured)
    wanted = claim_for(mode, bot_id, holder)

    async def after_lapse() -> str | None:
        why = await clash(leases, bot_id, mode)
        return None if why is None else f"while lease {wanted.name} had lapsed: {why}"

    lease = HeldLease(
        leases,
        wanted.name,
        holder,
        on_lost,
        renew_every=renew_every,
        # A lease only this replica takes is not lost when renewals fail for a while; whether
        # a replica in another mode started meanwhile is checked when they work again.
        after_lapse=after_lapse if wanted.refusal is None else None,
    )
    other = await lease.take()
    if other is not None:
        assert wanted.refusal is not None  # nobody else takes a lease named after its holder
        raise StartRefused(wanted.refusal.format(holder=shown_holder(other.holder)))
    try:
        refusal = await clash(leases, bot_id, mode)
    except BaseException:
        with contextlib.suppress(Exception):  # else it runs out within the lease's ttl
            await lease.release()
        raise
    if refusal is not None:
        await lease.release()
        raise StartRefused(refusal)
    return lease
