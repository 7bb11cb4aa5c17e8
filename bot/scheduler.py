"""Digest jobs on APScheduler 3's AsyncIOScheduler, in the bot's own event loop.

One job per active subscription, rebuilt from the subscriptions table at start and kept in step
with it: at once for changes made in this process, within `sync_seconds` for changes made by
another process on the same database. A job carries only the subscription id. Each process has
its own in-memory job store (two schedulers must never share one); the delivery ledger, not the
scheduler, makes a digest go out once when several processes fire the same slot.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import DigestDelivery
from briefings.ledger import DeliveryLedger
from briefings.models import utcnow
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionStore, SubscriptionView

log = logging.getLogger(__name__)

# Slots missed beyond the grace period that are written to the ledger as skipped, per
# subscription, after downtime (older ones are not worth a row each).
MAX_SKIPPED_RECORDED = 7
# A job may fire a hair before its slot by another clock's reckoning.
FIRE_TOLERANCE = dt.timedelta(seconds=5)


class SlotTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no types
    """Fires at exactly the slots `Schedule` computes, so the ledger's slot and the job's fire
    time agree, daylight-saving changes included."""

    __slots__ = ("schedule",)

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime:
        if previous_fire_time is not None:
            return self.schedule.next_slot(previous_fire_time)
        return self.schedule.next_slot(now - dt.timedelta(microseconds=1))

    def __str__(self) -> str:
        s = self.schedule
        return f"slots[{s.hour:02d}:{s.minute:02d} {s.timezone} days={s.days}]"


def job_id(subscription_id: int) -> str:
    return f"digest:{subscription_id}"


class DigestScheduler:
    def __init__(
        self,
        subscriptions: SubscriptionStore,
        ledger: DeliveryLedger,
        delivery: DigestDelivery,
        platforms: Iterable[str],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        sync_seconds: float = 30.0,
        sweep_seconds: float = 15.0,
    ) -> None:
        self.subscriptions = subscriptions
        self.ledger = ledger
        self.delivery = delivery
        self.platforms = frozenset(platforms)
        self.clock = clock
        self.sync_seconds = sync_seconds
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self._schedules: dict[int, Schedule] = {}
        self._fingerprint: tuple[int, dt.datetime | None] | None = None

    async def start(self, catch_up: bool = True) -> None:
        subs = await self.subscriptions.all(active_only=True)
        self._fingerprint = await self.subscriptions.fingerprint()
        self.scheduler.start()
        for sub in subs:
            self._schedule(sub)
        self.scheduler.add_job(
            self.sync,
            IntervalTrigger(seconds=self.sync_seconds),
            id="digest-sync",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_job(
            self.delivery.sweep,
            IntervalTrigger(seconds=self.sweep_seconds),
            id="digest-sweep",
            max_instances=1,
            coalesce=True,
        )
        if catch_up:
            await self.catch_up(subs)
        log.info("digests: %d subscriptions", len(self._schedules))

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    @property
    def job_count(self) -> int:
        return len(self._schedules)

    def next_run(self, subscription_id: int) -> dt.datetime | None:
        job = self.scheduler.get_job(job_id(subscription_id))
        return job.next_run_time if job else None

    def _schedule(self, sub: SubscriptionView) -> None:
        if sub.platform not in self.platforms or not sub.active:
            self._unschedule(sub.id)
            return
        if self._schedules.get(sub.id) == sub.schedule:
            return
        self._schedules[sub.id] = sub.schedule
        self.scheduler.add_job(
            self.fire,
            trigger=SlotTrigger(sub.schedule),
            args=[sub.id],
            id=job_id(sub.id),
            replace_existing=True,
            # APScheduler's default of 1 s would drop a digest whenever the loop is busy.
            misfire_grace_time=int(self.delivery.grace.total_seconds()),
            coalesce=True,
            max_instances=1,
        )

    def _unschedule(self, subscription_id: int) -> None:
        if self._schedules.pop(subscription_id, None) is not None:
            self.scheduler.remove_job(job_id(subscription_id))

    async def fire(self, subscription_id: int) -> None:
        schedule = self._schedules.get(subscription_id)
        if schedule is None:
            return
        slot = schedule.latest_slot(self.clock() + FIRE_TOLERANCE)
        if slot is not None:
            self.delivery.submit(subscription_id, slot)

    async def refresh(self, platform: str, chat_id: str) -> None:
        """A subscription of this process's chat changed: follow it at once."""
        sub = await self.subscriptions.get(platform, chat_id)
        if sub is not None:
            self._schedule(sub)
        else:
            known = {s.id for s in await self.subscriptions.all()}
            for gone in set(self._schedules) - known:
                self._unschedule(gone)
        self._fingerprint = None  # the next sync re-reads everything, cheaply enough

    async def sync(self) -> None:
        """Follows changes made by other processes on the same database."""
        fingerprint = await self.subscriptions.fingerprint()
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        subs = await self.subscriptions.all(active_only=True)
        for gone in set(self._schedules) - {s.id for s in subs}:
            self._unschedule(gone)
        for sub in subs:
            self._schedule(sub)

    async def catch_up(self, subs: list[SubscriptionView] | None = None) -> tuple[int, int]:
        """After downtime: slots missed within the grace period are delivered once, older ones
        are recorded as skipped. Returns (submitted, skipped)."""
        if subs is None:
            subs = await self.subscriptions.all(active_only=True)
        now = self.clock()
        latest = await self.ledger.latest_slots()
        submitted = skipped = 0
        for sub in subs:
            if sub.platform not in self.platforms:
                continue
            start = max(sub.schedule_changed_at, latest.get(sub.id, sub.schedule_changed_at))
            missed = list(sub.schedule.slots(start, now))
            owed = [s for s in missed if now - s <= self.delivery.grace]
            stale = [s for s in missed if now - s > self.delivery.grace][-MAX_SKIPPED_RECORDED:]
            if stale:
                skipped += await self.ledger.record_skipped(
                    sub.id, stale, now, "missed while the bot was down"
                )
            for slot in owed:
                self.delivery.submit(sub.id, slot)
                submitted += 1
        if submitted or skipped:
            log.info(
                "catch-up: %d missed digests to deliver, %d recorded as skipped", submitted, skipped
            )
        return submitted, skipped
