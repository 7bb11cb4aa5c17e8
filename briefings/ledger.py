"""DeliveryLedger: exactly-once digests across processes.

A process may send a digest for (subscription, slot) only after inserting that row; the unique
constraint lets exactly one process win. The row then records how far the send got: every
message the platform confirmed is written down at once, so a process that takes over a stale
claim (its owner crashed) resends only what was not confirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings.db import write_transaction, writer
from briefings.models import Delivery, DeliveryState, Subscription
from briefings.schedule import as_utc

OPEN_STATES = (DeliveryState.CLAIMED, DeliveryState.SENDING)


@dataclass(frozen=True)
class DeliveryView:
    id: int
    subscription_id: int
    slot: dt.datetime
    state: str
    attempts: int
    reason: str
    message_ids: tuple[str, ...]
    content_until: dt.datetime | None
    leaving: int | None = None  # see Delivery.leaving


def _view(row: Delivery) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        subscription_id=row.subscription_id,
        slot=as_utc(row.slot),
        state=row.state,
        attempts=row.attempts,
        reason=row.reason,
        message_ids=tuple(row.message_ids),
        content_until=as_utc(row.content_until) if row.content_until else None,
        leaving=row.leaving,
    )


class DeliveryLedger:
    def __init__(
        self, engine: AsyncEngine, worker: str, *, send_path: AsyncEngine | None = None
    ) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self.worker = worker
        # Where in-flight marks are written (see mark_leaving): the send path's own pool
        # (briefings/send_path.py) when the App has one, else the store's engine.
        self._send_path = send_path

    def _write(self) -> AbstractAsyncContextManager[AsyncSession]:
        return write_transaction(self._writer)

    async def claim(self, subscription_id: int, slot: dt.datetime, now: dt.datetime) -> int | None:
        """The delivery id when this process won the slot; None when another process has it."""
        row = Delivery(
            subscription_id=subscription_id,
            slot=as_utc(slot),
            state=DeliveryState.CLAIMED,
            claimed_by=self.worker,
            claimed_at=now,
            attempts=1,
            reason="",
            message_ids=[],
        )
        try:
            async with self._write() as session:
                session.add(row)
        except IntegrityError:
            return None
        return row.id

    async def record_skipped(
        self, subscription_id: int, slots: Iterable[dt.datetime], now: dt.datetime, reason: str
    ) -> int:
        """Writes slots that will not be delivered (missed beyond the grace period); slots
        already in the ledger are left alone. Returns how many were recorded."""
        recorded = 0
        for slot in slots:
            try:
                async with self._write() as session:
                    session.add(
                        Delivery(
                            subscription_id=subscription_id,
                            slot=as_utc(slot),
                            state=DeliveryState.SKIPPED,
                            claimed_by=self.worker,
                            claimed_at=now,
                            attempts=0,
                            reason=reason,
                            message_ids=[],
                            finished_at=now,
                        )
                    )
                recorded += 1
            except IntegrityError:
                continue
        return recorded

    async def get(self, delivery_id: int) -> DeliveryView | None:
        async with AsyncSession(self._engine) as session:
            row = await session.get(Delivery, delivery_id)
            return _view(row) if row else None

    async def slots_known(self, subscription_id: int, since: dt.datetime) -> set[dt.datetime]:
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(
                select(Delivery.slot).where(
                    Delivery.subscription_id == subscription_id, Delivery.slot > as_utc(since)
                )
            )
            return {as_utc(s) for s in rows}

    async def latest_slots(self) -> dict[int, dt.datetime]:
        """The newest slot in the ledger for every subscription: where catch-up starts."""
        async with AsyncSession(self._engine) as session:
            rows = await session.execute(
                select(Delivery.subscription_id, func.max(Delivery.slot)).group_by(
                    Delivery.subscription_id
                )
            )
            return {sub_id: as_utc(slot) for sub_id, slot in rows}

    async def latest(self, subscription_id: int) -> DeliveryView | None:
        async with AsyncSession(self._engine) as session:
            row = await session.scalar(
                select(Delivery)
                .where(Delivery.subscription_id == subscription_id)
                .order_by(Delivery.slot.desc())
                .limit(1)
            )
            return _view(row) if row else None

    async def start_sending(self, delivery_id: int, content_until: dt.datetime) -> None:
        async with self._write() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(state=DeliveryState.SENDING, content_until=as_utc(content_until))
            )

    async def mark_leaving(self, delivery_id: int, index: int) -> None:
        """Called as message `index` leaves for the platform (after any pacing wait): if this
        process dies before the platform answers, whoever takes over counts it as maybe posted
        rather than posting it again.

        This write sits between a message's paced moment and its departure, so its latency is
        jitter in the spacing. On PostgreSQL it goes through the send path's own pool, not the
        store's (whose connections 32 workers and the commands wait for): one autocommit
        statement, committed without waiting for the WAL flush. Other sessions see it at once;
        only a crash of the database server itself could lose it, and then the message is
        resent, as without the mark. On SQLite it goes through the store's engine: SQLite has
        one writer, so a connection of its own would wait for the same write lock, and with no
        replicas (and no shared pacer) nothing else crowds the pool between paced moments."""
        mark = update(Delivery).where(Delivery.id == delivery_id).values(leaving=index)
        if self._send_path is not None:
            async with self._send_path.connect() as connection:
                await connection.execute(mark)
            return
        async with self._write() as session:
            if self._engine.dialect.name == "postgresql":
                # A ledger built without a send path (tools, tests): the same commit, here.
                await session.execute(text("SET LOCAL synchronous_commit = off"))
            await session.execute(mark)

    async def record_sent_message(self, delivery_id: int, message_ids: list[str]) -> None:
        """Called after each message the platform confirmed, before the next is sent."""
        async with self._write() as session:
            row = await session.get_one(Delivery, delivery_id)
            row.message_ids = [*row.message_ids, *message_ids]
            row.leaving = None

    async def finish(
        self, delivery_id: int, state: str, now: dt.datetime, reason: str = ""
    ) -> None:
        """Closes a delivery. A sent one moves its subscription's content cut-off forward in the
        same transaction, so a crash can never send the same changes twice."""
        async with self._write() as session:
            row = await session.get_one(Delivery, delivery_id)
            row.state, row.reason, row.finished_at = state, reason[:200], now
            row.next_attempt_at = row.leaving = None
            if state == DeliveryState.SENT and row.content_until is not None:
                await session.execute(
                    update(Subscription)
                    .where(Subscription.id == row.subscription_id)
                    .values(delivered_until=row.content_until)
                )

    async def retry_later(self, delivery_id: int, reason: str, at: dt.datetime) -> None:
        async with self._write() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(
                    state=DeliveryState.RETRY,
                    reason=reason[:200],
                    next_attempt_at=as_utc(at),
                    leaving=None,  # the platform refused it: it was not posted
                )
            )

    async def take_over(self, now: dt.datetime, lease: dt.timedelta) -> list[DeliveryView]:
        """Claims deliveries due for another attempt: retries whose time has come, and claims
        whose owner has held them past the lease (it crashed or hung). Compare-and-set on the
        row, so two processes never take over the same delivery."""
        return await self._take(
            ((Delivery.state == DeliveryState.RETRY) & (Delivery.next_attempt_at <= now))
            | (Delivery.state.in_(OPEN_STATES) & (Delivery.claimed_at <= now - lease)),
            now,
        )

    async def take_over_open(self, now: dt.datetime) -> list[DeliveryView]:
        """Claims every delivery still open (claimed or half sent), whoever claimed it and
        however recently. Only a new digest leader may call this, before it sends anything:
        the previous leader stopped (or fenced itself) before its lease ran out, so nobody
        else is sending them. Resuming sends only what was not confirmed."""
        return await self._take(Delivery.state.in_(OPEN_STATES), now)

    async def _take(self, condition: ColumnElement[bool], now: dt.datetime) -> list[DeliveryView]:
        taken = []
        async with AsyncSession(self._engine) as session:
            candidates = (await session.scalars(select(Delivery).where(condition))).all()
        for row in candidates:
            async with self._write() as session:
                result = await session.execute(
                    update(Delivery)
                    .where(
                        Delivery.id == row.id,
                        Delivery.state == row.state,
                        Delivery.attempts == row.attempts,
                    )
                    .values(
                        claimed_by=self.worker,
                        claimed_at=now,
                        attempts=row.attempts + 1,
                        state=DeliveryState.SENDING
                        if row.state == DeliveryState.SENDING
                        else DeliveryState.CLAIMED,
                    )
                )
                if getattr(result, "rowcount", 0) == 1:
                    refreshed = await session.get_one(Delivery, row.id)
                    taken.append(_view(refreshed))
        return taken

    async def fail(self, delivery_id: int, now: dt.datetime, reason: str) -> None:
        await self.finish(delivery_id, DeliveryState.FAILED, now, reason)
