"""The subscriptions' schedules, read lean for the digest scheduler.

The scheduler follows 100,000 subscriptions and only needs who, when and whether: these reads
select those columns with Core statements (no ORM objects, no views) and share one Schedule
object between every row with the same time, zone and days, so a full read costs a fraction
of `SubscriptionStore.all()` and most follow-up reads touch a handful of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Executable, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from briefings.models import Subscription
from briefings.schedule import Schedule, as_utc

# Rows per fetch when reading many: small enough that handling one batch keeps the event loop
# from other work for a few milliseconds only.
BATCH = 1000
# Ids per `IN (...)` list: well under SQLite's limit on bound parameters.
IDS_PER_QUERY = 500


class TimetableRow(NamedTuple):
    id: int
    platform: str
    chat_id: str
    schedule: Schedule
    active: bool
    # When the schedule last changed: slots before it are not owed after downtime.
    schedule_changed_at: dt.datetime
    updated_at: dt.datetime


_COLUMNS = (
    Subscription.id,
    Subscription.platform,
    Subscription.chat_id,
    Subscription.hour,
    Subscription.minute,
    Subscription.timezone,
    Subscription.days,
    Subscription.active,
    Subscription.schedule_changed_at,
    Subscription.updated_at,
)


class Timetable:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # Most chats share a few times of day: one Schedule (validated once) per distinct one.
        self._schedules: dict[tuple[int, int, str, str], Schedule] = {}

    async def rows(self, changed_since: dt.datetime | None = None) -> list[TimetableRow]:
        """Every subscription, or those written at or after `changed_since`."""
        return [row async for batch in self.batches(changed_since) for row in batch]

    async def batches(
        self, changed_since: dt.datetime | None = None
    ) -> AsyncIterator[list[TimetableRow]]:
        """The same rows a batch at a time, fetched as they are consumed: between batches the
        event loop runs other work, so reading many rows does not stall replies."""
        query = select(*_COLUMNS).order_by(Subscription.id)
        if changed_since is not None:
            query = query.where(Subscription.updated_at >= changed_since)
        async with self._engine.connect() as conn:
            result = await conn.stream(query)
            async for part in result.partitions(BATCH):
                rows: Sequence[Any] = part
                yield [self._row(*values) for values in rows]

    async def rows_by_id(self, ids: Collection[int]) -> list[TimetableRow]:
        wanted = sorted(ids)
        found: list[TimetableRow] = []
        for at in range(0, len(wanted), IDS_PER_QUERY):
            chunk = wanted[at : at + IDS_PER_QUERY]
            found += await self._read(select(*_COLUMNS).where(Subscription.id.in_(chunk)))
        return found

    async def row_for_chat(self, platform: str, chat_id: str) -> TimetableRow | None:
        query = select(*_COLUMNS).where(
            Subscription.platform == platform, Subscription.chat_id == chat_id
        )
        found = await self._read(query)
        return found[0] if found else None

    async def census(self) -> tuple[int, int]:
        """(how many subscriptions, the highest id): changes when rows are added or deleted,
        whatever the clocks of the processes that wrote them said."""
        async with self._engine.connect() as conn:
            count, top = (
                await conn.execute(select(func.count(Subscription.id), func.max(Subscription.id)))
            ).one()
        return int(count), int(top or 0)

    async def range_sums(self, size: int) -> dict[int, tuple[int, int, int]]:
        """Per range of `size` ids (id // size): how many subscriptions, and the sum and sum of
        squares of their ids' offsets in the range. A hundred triples for 100,000 rows, to
        find where rows were added or deleted without reading every id."""
        number, offset = Subscription.id // size, Subscription.id % size
        query = select(number, func.count(), func.sum(offset), func.sum(offset * offset))
        async with self._engine.connect() as conn:
            result = await conn.execute(query.group_by(number))
            return {int(n): (int(c), int(s), int(q)) for n, c, s, q in result.all()}

    async def ids_between(self, low: int, high: int) -> set[int]:
        """Ids in [low, high)."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(Subscription.id).where(Subscription.id >= low, Subscription.id < high)
            )
            return set(result.scalars())

    async def _read(self, query: Executable) -> list[TimetableRow]:
        async with self._engine.connect() as conn:
            result: Sequence[Any] = (await conn.execute(query)).all()
        return [self._row(*values) for values in result]

    def _row(
        self,
        id_: int,
        platform: str,
        chat_id: str,
        hour: int,
        minute: int,
        timezone: str,
        days: str,
        active: bool,
        schedule_changed_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> TimetableRow:
        key = (hour, minute, timezone, days)
        schedule = self._schedules.get(key)
        if schedule is None:
            schedule = self._schedules[key] = Schedule(hour, minute, timezone, days)
        return TimetableRow(
            id_,
            platform,
            chat_id,
            schedule,
            bool(active),
            as_utc(schedule_changed_at),
            as_utc(updated_at),
        )
