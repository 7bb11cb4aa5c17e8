"""Digests are delivered by one replica at a time: the holder of the `digests` lease.

Every replica answers commands; only the leader runs the digest scheduler and the delivery
workers. Each term builds them afresh. On taking the lead it first claims the open deliveries
of whoever led before (dead, or deposed and already stopped: `Leadership` guarantees the old
term ended before its lease could run out), then starts the workers and the scheduler, whose
catch-up queues the slots that fell due while nobody led (within the grace period), then
resumes the claimed deliveries, sending only what the ledger does not show confirmed. The
ledger's unique (subscription, slot) row stays the guard against a digest going out twice.

A single process on SQLite leads without a lease (`leadership=None`): replicas need PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.delivery import DigestDelivery
from bot.health import PartHealth, scheduler_health
from bot.leadership import FOLLOWER, Leadership

if TYPE_CHECKING:
    from bot.scheduler import DigestScheduler

log = logging.getLogger(__name__)

LEASE_NAME = "digests"


class DigestLeader:
    def __init__(
        self,
        make_delivery: Callable[[], DigestDelivery],
        make_scheduler: Callable[[DigestDelivery], DigestScheduler],
        publish: Callable[[DigestScheduler | None], None] = lambda _: None,
    ) -> None:
        self._make_delivery = make_delivery
        self._make_scheduler = make_scheduler
        self._publish = publish  # tells the app which scheduler follows /subscribe, if any
        self.leadership: Leadership | None = None
        self.delivery: DigestDelivery | None = None
        self.scheduler: DigestScheduler | None = None
        self._starting: asyncio.Task[None] | None = None

    async def start(self, leadership: Leadership | None) -> None:
        """Leads at once without a lease (None), or when the lease says so. Returns once this
        process has started delivering, or knows that another one leads."""
        self.leadership = leadership
        if leadership is None:
            await self.lead()
        else:
            await leadership.start()
        if self._starting is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._starting)

    async def stop(self, drain_seconds: float = 5.0) -> None:
        if self.leadership is not None:
            await self.leadership.stop(drain_seconds)
        else:
            await self.follow(drain_seconds)

    @property
    def leading(self) -> bool:
        return self.delivery is not None

    # ----- Role ------------------------------------------------------------------------------

    async def lead(self) -> None:
        delivery = self.delivery = self._make_delivery()
        # In the background: the lease must keep being renewed meanwhile.
        self._starting = asyncio.create_task(self._begin(delivery), name="digest-leader-start")
        self._starting.add_done_callback(_report_failure)

    async def _begin(self, delivery: DigestDelivery) -> None:
        # Before this term claims anything itself: every open claim is the old term's.
        taken = await delivery.ledger.take_over_open(delivery.clock())
        await delivery.start()
        scheduler = self.scheduler = self._make_scheduler(delivery)
        await scheduler.start()
        self._publish(scheduler)
        if taken:
            log.info("resuming %d digests the previous leader left open", len(taken))
        # One task per digest (there are at most as many as the old term's workers): chats
        # are paced apart, so one after another would take minutes.
        await asyncio.gather(*(delivery.resume([view]) for view in taken))

    async def follow(self, drain_seconds: float) -> None:
        starting, self._starting = self._starting, None
        if starting is not None and not starting.done():
            starting.cancel()
        if starting is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await starting
        scheduler, self.scheduler = self.scheduler, None
        delivery, self.delivery = self.delivery, None
        self._publish(None)
        if scheduler is not None:
            await scheduler.stop()
        if delivery is not None:
            await delivery.stop(drain_seconds)

    # ----- watching --------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return self.delivery.pending if self.delivery is not None else 0

    @property
    def job_count(self) -> int:
        return self.scheduler.job_count if self.scheduler is not None else 0

    async def drain(self) -> None:
        """Waits for this term's start (catch-up, resumed digests), then for the queue."""
        if self._starting is not None:
            await asyncio.shield(self._starting)
        if self.delivery is not None:
            await self.delivery.drain()

    def health(self) -> PartHealth:
        """A follower is healthy (ready to take over); a leader is as healthy as its
        scheduler."""
        lease = self.leadership.health() if self.leadership is not None else None
        if lease is not None and lease.state == FOLLOWER:
            return lease
        if self._starting is not None and not self._starting.done():
            return PartHealth("starting", detail={"leader": True})
        part = scheduler_health(self.scheduler)
        detail = {**part.detail, "leader": True, **(lease.detail if lease else {})}
        return PartHealth(part.state, part.ok, part.reason, detail)


def _report_failure(task: asyncio.Task[None]) -> None:
    # /healthz shows the scheduler down meanwhile; the log says why.
    if not task.cancelled() and task.exception() is not None:
        log.error("digest delivery could not start", exc_info=task.exception())
