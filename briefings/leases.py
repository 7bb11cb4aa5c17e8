"""Leases: a named right that one process holds until it expires unless renewed.

Replicas use them for what only one of them may do at a time: lead digest delivery, poll a
Telegram token, serve a webhook whose secret was made up at start. A lease whose name holds its
holder's (one per replica) says that the replica is alive and what it does, for `live` to find:
a Telegram webhook replica, which a poller must not start beside. A holder renews well
before expiry; one that dies (SIGKILL, a machine gone) loses the right when the lease runs
out, so a takeover is bounded by the lease's length, whatever happened to the connection.
Taking, renewing and releasing are each one atomic statement on SQLite and PostgreSQL.

Expiry is judged by the clock of the process asking, so replicas' clocks must agree to well
within a lease (NTP does; leases here last seconds to tens of seconds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings.db import dialect_insert, write_transaction, writer
from briefings.models import Lease, utcnow
from briefings.schedule import as_utc


@dataclass(frozen=True)
class LeaseView:
    name: str
    holder: str
    acquired_at: dt.datetime
    expires_at: dt.datetime


class LeaseStore:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock

    def _insert(self) -> Any:
        return dialect_insert(self._engine, Lease)

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta) -> bool:
        """Takes the lease when it is free or expired, or renews it when `holder` has it.
        True when `holder` holds it afterwards."""
        now = self._clock()
        insert = self._insert()
        statement = insert.values(
            name=name, holder=holder, acquired_at=now, expires_at=now + ttl
        ).on_conflict_do_update(
            index_elements=[Lease.name],
            set_={
                "holder": insert.excluded.holder,
                # A renewal keeps the time the holder first took it.
                "acquired_at": case(
                    (Lease.holder == insert.excluded.holder, Lease.acquired_at),
                    else_=insert.excluded.acquired_at,
                ),
                "expires_at": insert.excluded.expires_at,
            },
            where=(Lease.holder == holder) | (Lease.expires_at <= now),
        )
        async with write_transaction(self._writer) as session:
            await session.execute(statement)
            current = await session.scalar(select(Lease.holder).where(Lease.name == name))
        return current == holder

    async def renew(self, name: str, holder: str, ttl: dt.timedelta) -> bool:
        """Extends the lease if `holder` still has it (it may have expired, if nobody else took
        it meanwhile); False when someone else holds it now."""
        return await self.acquire(name, holder, ttl)

    async def release(self, name: str, holder: str) -> None:
        """Gives the lease up at once (a clean stop), so the next holder need not wait."""
        async with write_transaction(self._writer) as session:
            await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))

    async def current(self, name: str) -> LeaseView | None:
        """Who holds the lease now; None when nobody does or it has expired."""
        async with AsyncSession(self._engine) as session:
            row = await session.get(Lease, name)
            if row is None or as_utc(row.expires_at) <= self._clock():
                return None
            return _view(row)

    async def live(self, prefix: str) -> list[LeaseView]:
        """The leases not yet expired whose names start with `prefix` (exactly: case counts
        and nothing is a wildcard), oldest first."""
        now = self._clock()
        query = (
            select(Lease)
            .where(
                func.substr(Lease.name, 1, len(prefix)) == prefix,
                Lease.expires_at > now,
            )
            .order_by(Lease.acquired_at, Lease.name)
        )
        async with AsyncSession(self._engine) as session:
            rows = (await session.scalars(query)).all()
        return [_view(row) for row in rows]

    async def forget_expired(self, before: dt.datetime) -> int:
        """Deletes the leases that ran out before `before`; returns how many. Names with a
        holder in them are used once, so a replica that died leaves a row nobody takes again."""
        async with write_transaction(self._writer) as session:
            result = await session.execute(delete(Lease).where(Lease.expires_at < before))
        return int(getattr(result, "rowcount", 0) or 0)


def _view(row: Lease) -> LeaseView:
    return LeaseView(row.name, row.holder, as_utc(row.acquired_at), as_utc(row.expires_at))
