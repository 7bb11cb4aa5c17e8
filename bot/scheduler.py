"""Digest jobs on APScheduler 3's AsyncIOScheduler, in the bot's own event loop.

One job per distinct schedule (time of day, zone, weekdays), firing every subscription that
shares it, built from a lean read of the subscriptions table at start and kept in step with it:
at once for changes made in this process (`refresh`) or announced by another one on PostgreSQL
(`follow`, fed by briefings/changes.py), and within `sync_seconds` otherwise (`sync`, which
reads only rows written since its last look, plus the ids when the row count says something was
added or deleted unseen). Each process has its own in-memory job store (two schedulers must
never share one); the delivery ledger, not the scheduler, makes a digest go out once when
several processes fire the same slot.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import DigestDelivery
from bot.digest_groups import ID_RANGE, DigestGroups
from briefings.changes import EVERYTHING
from briefings.ledger import DeliveryLedger
from briefings.models import utcnow
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionStore
from briefings.timetable import Timetable, TimetableRow

log = logging.getLogger(__name__)

# Slots missed beyond the grace period that are written to the ledger as skipped, per
# subscription, after downtime (older ones are not worth a row each).
MAX_SKIPPED_RECORDED = 7
# A job may fire a hair before its slot by another clock's reckoning.
FIRE_TOLERANCE = dt.timedelta(seconds=5)
# `sync` re-reads rows stamped this long before its previous look: transactions commit out of
# order (one may stamp its row, wait for SQLite's write lock, and commit seconds later), and
# replicas' clocks differ a little. Rows added or deleted are caught by the census whatever
# their stamps; an update stamped further back than this (a clock that far behind) is not,
# except through PostgreSQL's change notices, which carry the id.
SYNC_OVERLAP = dt.timedelta(seconds=10)


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


def group_job_id(schedule: Schedule) -> str:
    return f"digests:{schedule.hour:02d}:{schedule.minute:02d}:{schedule.timezone}:{schedule.days}"


class DigestScheduler:
    def __init__(
        self,
        subscriptions: SubscriptionStore,
        ledger: DeliveryLedger,
        delivery: DigestDelivery,
        platforms: Iterable[str],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        sync_seconds: float = 5.0,
        sweep_seconds: float = 15.0,
    ) -> None:
        self.timetable = Timetable(subscriptions.engine)
        self.ledger = ledger
        self.delivery = delivery
        self.clock = clock
        self.sync_seconds = sync_seconds
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self.groups = DigestGroups(platforms)
        # When this process last read the rows written since its previous look (by its own
        # clock, which stamps `updated_at` like every replica's); the next sync reads from a
        # little before it.
        self._watermark: dt.datetime | None = None
        # One read-and-apply at a time, so an older read is never applied after a newer one.
        self._reading = asyncio.Lock()

    async def start(self, catch_up: bool = True) -> None:
        async with self._reading:
            # Taken before the read, so a row written meanwhile is read by the first sync.
            self._watermark = self.clock()
            rows = await self.timetable.rows()
            self.scheduler.start()
            for row in rows:
                self._apply(row)
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
            await self.catch_up(rows)
        log.info(
            "digests: %d subscriptions on %d schedules", self.job_count, self.groups.group_count
        )

    async def stop(self) -> None:
        # AsyncIOScheduler.shutdown only schedules the shutdown on the loop, and `running`
        # stays true until it has run: let it run, so a second stop finds it stopped instead
        # of scheduling a second shutdown (which fails, in a callback, with a traceback).
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    @property
    def job_count(self) -> int:
        """Subscriptions scheduled here (what the jobs metric reports), not APScheduler jobs."""
        return self.groups.scheduled

    def next_run(self, subscription_id: int) -> dt.datetime | None:
        schedule = self.groups.schedule_of(subscription_id)
        job = self.scheduler.get_job(group_job_id(schedule)) if schedule else None
        return job.next_run_time if job else None

    def _apply(self, row: TimetableRow) -> None:
        self._follow_groups(*self.groups.apply(row))

    def _forget(self, subscription_id: int) -> None:
        self._follow_groups(self.groups.forget(subscription_id), None)

    def _follow_groups(self, emptied: Schedule | None, created: Schedule | None) -> None:
        if emptied is not None:
            self.scheduler.remove_job(group_job_id(emptied))
        if created is not None:
            self.scheduler.add_job(
                self.fire_group,
                trigger=SlotTrigger(created),
                args=[created],
                id=group_job_id(created),
                replace_existing=True,
                # APScheduler's default of 1 s would drop digests whenever the loop is busy.
                misfire_grace_time=int(self.delivery.grace.total_seconds()),
                coalesce=True,
                max_instances=1,
            )

    async def fire_group(self, schedule: Schedule) -> None:
        slot = schedule.latest_slot(self.clock() + FIRE_TOLERANCE)
        if slot is None:
            return
        for subscription_id in self.groups.members(schedule):
            self.delivery.submit(subscription_id, slot)

    async def refresh(self, platform: str, chat_id: str) -> None:
        """A subscription of this process's chat changed: follow it at once."""
        async with self._reading:
            row = await self.timetable.row_for_chat(platform, chat_id)
            if row is not None:
                self._apply(row)
                return
            gone = self.groups.subscription_for(platform, chat_id)
            if gone is not None:
                self._forget(gone)

    async def noticed(self, ident: str) -> None:
        """A change notice from briefings/changes.py: one subscription, or many ("*")."""
        if ident == EVERYTHING:
            await self.sync()
        else:
            await self.follow(int(ident))

    async def follow(self, subscription_id: int) -> None:
        """Another process announced a change to this subscription (-id: deleted it)."""
        async with self._reading:
            if subscription_id < 0:
                self._forget(-subscription_id)
                return
            rows = await self.timetable.rows_by_id([subscription_id])
            if rows:
                self._apply(rows[0])
            else:
                self._forget(subscription_id)

    async def sync(self) -> None:
        """Follows changes made by other processes on the same database: rows written since
        the last look, then, when the count or highest id disagree with what this process has
        seen, the ids, to find rows deleted or added unseen."""
        async with self._reading:
            since = self._watermark - SYNC_OVERLAP if self._watermark else None
            looked_at = self.clock()
            async for batch in self.timetable.batches(changed_since=since):
                for row in batch:
                    self._apply(row)
            self._watermark = looked_at
            if await self.timetable.census() != self.groups.census:
                await self._reconcile_ids()

    async def _reconcile_ids(self) -> None:
        """Rows were added or deleted unseen (another process, no change notice): compare the
        ids a range at a time and read only the ranges that differ."""
        theirs = await self.timetable.range_sums(ID_RANGE)
        ours = self.groups.range_sums()
        for number in sorted(set(theirs) | set(ours)):
            if theirs.get(number) == ours.get(number):
                continue
            present = await self.timetable.ids_between(number * ID_RANGE, (number + 1) * ID_RANGE)
            known = self.groups.ids_in_range(number)
            for gone in known - present:
                self._forget(gone)
            for row in await self.timetable.rows_by_id(present - known):
                self._apply(row)

    async def catch_up(self, rows: list[TimetableRow] | None = None) -> tuple[int, int]:
        """After downtime: slots missed within the grace period are delivered once, older ones
        are recorded as skipped. Returns (submitted, skipped)."""
        if rows is None:
            rows = await self.timetable.rows()
        now = self.clock()
        latest = await self.ledger.latest_slots()
        # Slots are worked out once per schedule, from the earliest any of its rows needs.
        starts: dict[Schedule, list[tuple[dt.datetime, int]]] = defaultdict(list)
        for row in rows:
            if row.active and row.platform in self.groups.platforms:
                changed = row.schedule_changed_at
                starts[row.schedule].append((max(changed, latest.get(row.id, changed)), row.id))
        submitted = skipped = 0
        for schedule, subs in starts.items():
            slots = list(schedule.slots(min(start for start, _ in subs), now))
            for start, subscription_id in sorted(subs, key=lambda s: s[1]):
                missed = slots[bisect.bisect_right(slots, start) :]
                owed = [s for s in missed if now - s <= self.delivery.grace]
                stale = [s for s in missed if now - s > self.delivery.grace]
                if stale:
                    skipped += await self.ledger.record_skipped(
                        subscription_id,
                        stale[-MAX_SKIPPED_RECORDED:],
                        now,
                        "missed while the bot was down",
                    )
                for slot in owed:
                    self.delivery.submit(subscription_id, slot)
                    submitted += 1
        if submitted or skipped:
            log.info(
                "catch-up: %d missed digests to deliver, %d recorded as skipped", submitted, skipped
            )
        return submitted, skipped
