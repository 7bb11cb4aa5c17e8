"""SubscriptionStore: which chats get a digest, when, of what; and pausing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings import audit, changes, chats
from briefings.actors import Actor
from briefings.db import retry_lost_races, write_transaction, writer
from briefings.models import ChatStatus, Subscription, utcnow
from briefings.schedule import Schedule, as_utc


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    platform: str
    chat_id: str
    chat_kind: str
    thread_id: str | None
    schedule: Schedule
    topics: tuple[str, ...]
    mode: str
    active: bool
    pause_reason: str
    created_at: dt.datetime
    schedule_changed_at: dt.datetime
    updated_at: dt.datetime
    delivered_until: dt.datetime | None


def view(row: Subscription) -> SubscriptionView:
    return SubscriptionView(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        chat_kind=row.chat_kind,
        thread_id=row.thread_id,
        schedule=Schedule(row.hour, row.minute, row.timezone, row.days),
        topics=tuple(row.topics),
        mode=row.mode,
        active=row.active,
        pause_reason=row.pause_reason,
        created_at=as_utc(row.created_at),
        schedule_changed_at=as_utc(row.schedule_changed_at),
        updated_at=as_utc(row.updated_at),
        delivered_until=as_utc(row.delivered_until) if row.delivered_until else None,
    )


@dataclass(frozen=True)
class SubscriptionRequest:
    platform: str
    chat_id: str
    chat_kind: str
    thread_id: str | None
    schedule: Schedule
    topics: tuple[str, ...]
    mode: str


class SubscriptionStore:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock

    @property
    def engine(self) -> AsyncEngine:
        """For lean readers of the same table (briefings/timetable.py)."""
        return self._engine

    def _write(self) -> AbstractAsyncContextManager[AsyncSession]:
        return write_transaction(self._writer)

    async def _row(self, session: AsyncSession, platform: str, chat_id: str) -> Subscription | None:
        return await session.scalar(
            select(Subscription).where(
                Subscription.platform == platform, Subscription.chat_id == chat_id
            )
        )

    async def get(self, platform: str, chat_id: str) -> SubscriptionView | None:
        async with AsyncSession(self._engine) as session:
            row = await self._row(session, platform, chat_id)
            return view(row) if row else None

    async def by_id(self, subscription_id: int) -> SubscriptionView | None:
        async with AsyncSession(self._engine) as session:
            row = await session.get(Subscription, subscription_id)
            return view(row) if row else None

    async def all(self, active_only: bool = False) -> list[SubscriptionView]:
        query = select(Subscription).order_by(Subscription.id)
        if active_only:
            query = query.where(Subscription.active.is_(True))
        async with AsyncSession(self._engine) as session:
            return [view(row) for row in await session.scalars(query)]

    @retry_lost_races
    async def subscribe(self, request: SubscriptionRequest, actor: Actor) -> SubscriptionView:
        """Creates or replaces the chat's subscription and makes it active again."""
        now = self._clock()
        s = request.schedule
        async with self._write() as session:
            row = await self._row(session, request.platform, request.chat_id)
            before = None
            if row is None:
                row = Subscription(
                    platform=request.platform,
                    chat_id=request.chat_id,
                    created_by=actor.display,
                    created_at=now,
                    schedule_changed_at=now,
                )
                session.add(row)
            else:
                before = _snapshot(row)
                if (row.hour, row.minute, row.timezone, row.days) != (
                    s.hour,
                    s.minute,
                    s.timezone,
                    s.days,
                ):
                    row.schedule_changed_at = now
            row.chat_kind = request.chat_kind
            row.thread_id = request.thread_id
            row.hour, row.minute, row.timezone, row.days = s.hour, s.minute, s.timezone, s.days
            row.topics = list(request.topics)
            row.mode = request.mode
            row.active, row.pause_reason = True, ""
            row.updated_at = now
            # Someone just asked for digests here, so the chat is reachable again.
            await chats.set_status(session, request.platform, request.chat_id, ChatStatus.ACTIVE)
            await session.flush()
            audit.record(
                session, actor, "subscribe", "subscription", row.id, before, _snapshot(row)
            )
            await changes.announce(session, changes.SUBSCRIPTION, row.id)
            return view(row)

    async def unsubscribe(self, platform: str, chat_id: str, actor: Actor) -> bool:
        async with self._write() as session:
            row = await self._row(session, platform, chat_id)
            if row is None:
                return False
            audit.record(
                session, actor, "unsubscribe", "subscription", row.id, _snapshot(row), None
            )
            await session.delete(row)
            await changes.announce(session, changes.SUBSCRIPTION, -row.id)
            return True

    @retry_lost_races
    async def follow_move(self, platform: str, old_id: str, new_id: str) -> None:
        """The platform moved a chat (a Telegram group became a supergroup): record the move
        and let the chat's subscription follow it, in one transaction."""
        async with self._write() as session:
            await chats.record_move(session, platform, old_id, new_id)
            await session.execute(
                update(Subscription)
                .where(Subscription.platform == platform, Subscription.chat_id == old_id)
                .values(chat_id=new_id, updated_at=self._clock())
            )
            # Rare, and the moved row's id is not at hand: readers re-read what changed.
            await changes.announce(session, changes.SUBSCRIPTION, changes.EVERYTHING)

    async def pause(self, subscription_id: int, reason: str) -> bool:
        """Pauses an active subscription; False when it was already paused or is gone, so the
        caller tells the admins once."""
        async with self._write() as session:
            row = await session.get(Subscription, subscription_id)
            if row is None or not row.active:
                return False
            row.active, row.pause_reason, row.updated_at = False, reason[:200], self._clock()
            await changes.announce(session, changes.SUBSCRIPTION, row.id)
            return True

    async def pause_chat(self, platform: str, chat_id: str, reason: str) -> int | None:
        """Pauses the chat's subscription if it has an active one; returns its id then."""
        async with self._write() as session:
            row = await self._row(session, platform, chat_id)
            if row is None or not row.active:
                return None
            row.active, row.pause_reason, row.updated_at = False, reason[:200], self._clock()
            await changes.announce(session, changes.SUBSCRIPTION, row.id)
            return row.id

    async def bulk_subscribe(self, requests: Iterable[SubscriptionRequest], actor: Actor) -> int:
        """Adds many new subscriptions in one transaction (operators' imports, benchmarks)."""
        now = self._clock()
        rows = [
            {
                "platform": r.platform,
                "chat_id": r.chat_id,
                "chat_kind": r.chat_kind,
                "thread_id": r.thread_id,
                "hour": r.schedule.hour,
                "minute": r.schedule.minute,
                "timezone": r.schedule.timezone,
                "days": r.schedule.days,
                "topics": list(r.topics),
                "mode": r.mode,
                "active": True,
                "pause_reason": "",
                "created_by": actor.display,
                "created_at": now,
                "schedule_changed_at": now,
                "updated_at": now,
            }
            for r in requests
        ]
        if not rows:
            return 0
        # A Core insert of plain rows: building ORM objects costs ten times as much.
        async with self._write() as session:
            await session.execute(insert(Subscription), rows)
            await changes.announce(session, changes.SUBSCRIPTION, changes.EVERYTHING)
        return len(rows)


def _snapshot(row: Subscription) -> dict[str, object]:
    return {
        "chat": f"{row.platform}:{row.chat_id}",
        "time": f"{row.hour:02d}:{row.minute:02d}",
        "timezone": row.timezone,
        "days": row.days,
        "topics": list(row.topics),
        "mode": row.mode,
        "active": row.active,
    }
