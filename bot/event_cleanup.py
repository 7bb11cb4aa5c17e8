"""Housekeeping of the tables replicas share: forgetting events the platforms will not deliver
again, so the event log stays small, send-pacing keys long idle (PostgreSQL), and leases that
ran out long ago (a killed Telegram webhook replica's own lease is never taken again).

Every replica runs it: each DELETE is the same whoever runs it, and running it twice costs one
cheap indexed query.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from bot.problems import first_line
from briefings.leases import LeaseStore
from briefings.models import utcnow
from briefings.pacing import SharedPacer
from briefings.seen import SeenEvents

log = logging.getLogger(__name__)

EVERY_SECONDS = 600.0
# Past the longest redelivery window, so a late retry is still recognised.
MARGIN = dt.timedelta(hours=1)


async def forget_once(
    seen: SeenEvents, window: dt.timedelta, clock: Callable[[], dt.datetime] = utcnow
) -> int:
    """Deletes keys older than `window` plus a margin; returns how many."""
    return await seen.forget_older_than(clock() - window - MARGIN)


async def keep_forgetting(
    seen: SeenEvents,
    window: dt.timedelta,
    pacer: SharedPacer | None = None,
    leases: LeaseStore | None = None,
    every: float = EVERY_SECONDS,
) -> None:
    """Runs until cancelled; a failed sweep (the database away) is tried at the next turn."""
    while True:
        try:
            forgotten = await forget_once(seen, window)
            pruned = await pacer.prune() if pacer is not None else 0
            if leases is not None:
                pruned += await leases.forget_expired(utcnow() - MARGIN)
        except Exception as exc:
            log.warning("could not clean up shared tables: %s", first_line(exc))
        else:
            if forgotten or pruned:
                log.debug(
                    "forgot %d old events, %d idle pacing keys and old leases", forgotten, pruned
                )
        await asyncio.sleep(every)
