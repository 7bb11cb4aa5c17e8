"""PointStore: adding, editing, retracting, moving, re-ranking and undoing key points. This
module is the only writer of the key_points and point_sources tables; each change is one
transaction that also updates the search index, records the audit entry and bumps the content
revision.

Changes to one point are serialised: on PostgreSQL the point's row is locked (SELECT ... FOR
UPDATE) before it is read, and SQLite's BEGIN IMMEDIATE lets one writer in at a time. So every
change starts from the latest version, and none is lost to a concurrent one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, object_session, selectinload

from briefings import audit
from briefings.actors import Actor
from briefings.db import write_transaction, writer
from briefings.errors import (
    AlreadyInTopic,
    BadImportance,
    NothingToUndo,
    SameImportance,
    UndoConflict,
    UnknownPoint,
)
from briefings.models import (
    PUBLISHED,
    RETRACTED,
    AuditEntry,
    KeyPoint,
    PointContent,
    Source,
    Topic,
    utcnow,
)
from briefings.search import SearchIndex
from briefings.text_rules import clean_point_text
from briefings.topics import (
    REMOVED_POSITION,
    TopicStore,
    bump_revision,
    find_sources,
    find_topic,
    lock_catalog,
    point_view,
)
from briefings.views import AuditView, PointView

UNDOABLE = ("add", "edit", "remove", "move", "rerank")
APPROVAL = "proposals"  # the audit entity of an /approve, which /undo takes back whole
DECISIONS = ("approve", "reject")  # the actions on it that /undo takes back
IMPORTANCE = range(1, 6)


def snapshot(p: KeyPoint) -> dict[str, Any]:
    """What the audit trail keeps of a point, before and after a change."""
    return {
        "topic_id": p.topic_id,
        "text": p.text,
        "status": p.status,
        "importance": p.importance,
        "version": p.version,
    }


def fingerprint(point: KeyPoint) -> str | None:
    """What readers see of the point: its text and the sources it cites; None while it is not
    published. (The copy in migration 0008 must give the same value.)"""
    if point.status != PUBLISHED:
        return None
    # Source keys, not ids: a source loaded with its points has no id until it is flushed.
    cited = "\x1f".join(sorted(s.key for s in point.sources))
    return hashlib.sha256(f"{point.text}\x00{cited}".encode()).hexdigest()


def _record_content(session: Session, point: KeyPoint, since: dt.datetime) -> None:
    """After a change: a PointContent row when what readers see of the point changed, so a
    `changes` digest can tell what the point looked like at a chat's last digest."""
    now = fingerprint(point)
    if point.fingerprint == now:
        return  # importance, topic or version only: nothing a reader sees
    point.fingerprint = now
    session.add(PointContent(point=point, since=since, fingerprint=now))


def new_point(
    session: AsyncSession,
    topic: Topic,
    text: str,
    actor: Actor,
    *,
    importance: int = 3,
    sources: Sequence[Source] = (),
    key: str | None = None,
) -> KeyPoint:
    now = utcnow()
    point = KeyPoint(
        key=key,
        topic=topic,
        text=text,
        importance=max(1, min(5, importance)),
        status=PUBLISHED,
        created_at=now,
        updated_at=now,
        created_by=actor.display,
        updated_by=actor.display,
        sources=list(sources),
    )
    session.add(point)
    _record_content(session.sync_session, point, now)
    return point


def stamp(point: KeyPoint, actor: Actor) -> None:
    """Every change to a point makes a new version, by this actor, now. Called once the change
    is made (the point's sources loaded, as every writer here loads them)."""
    point.version += 1
    point.updated_at = utcnow()
    point.updated_by = actor.display
    session = object_session(point)
    assert session is not None, "a point is changed inside a session"
    _record_content(session, point, point.updated_at)


def approval_links(entry: AuditEntry, point_id: int) -> int:
    """How many citations the approval `entry` added to the point: one new version each."""
    return sum(int(p) == point_id for p, _ in (entry.after or {}).get("links", []))


async def changed_since(
    session: AsyncSession, point: KeyPoint, after_id: int, recorded: Any
) -> str | None:
    """Who changed `point` after the audit entry `after_id`, or None when every later change
    has been undone by its author, so taking back that entry's change loses nobody's work.
    `recorded` is the point's version right after that entry (None: not recorded).

    The one rule for /undo of a point change and of an approval. Later changes are the
    point's audited changes and the approvals that cited it (an approval changes the points
    it cites without an entry per point); each one, and each undo of it, made its own
    versions."""
    changes = await audit.later_entries(session, after_id, "point", UNDOABLE, point.id)
    approvals = [
        e
        for e in await audit.later_entries(session, after_id, APPROVAL, ("approve",))
        if approval_links(e, point.id)
    ]
    later = sorted([*changes, *approvals], key=lambda e: e.id)
    undone = await audit.undone_among(session, [e.id for e in later])
    standing = [e for e in later if e.id not in undone]
    if standing:
        return standing[-1].actor
    # Any other version came from a change /undo never takes back (a topic's forced removal)
    # or from a writer that does not audit each point: the point says who changed it last.
    made = len(changes) + sum(approval_links(e, point.id) for e in approvals)
    if recorded is not None and point.version != int(recorded) + 2 * made:
        return point.updated_by
    return None


class _UndoneMeanwhile(Exception):
    """Another undo by the same person reverted the chosen change while this one waited for the
    point's lock; the transaction is rolled back and the next change is tried."""


class PointStore:
    def __init__(self, engine: AsyncEngine, index: SearchIndex, topics: TopicStore) -> None:
        self._writer = writer(engine)
        self._index = index
        self._topics = topics

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        async with write_transaction(self._writer) as session:
            await lock_catalog(session)
            yield session
        self._topics.invalidate()

    async def _locked(self, session: AsyncSession, point_id: int) -> KeyPoint | None:
        """The point as it is now, locked until the transaction ends (PostgreSQL; SQLite's
        write transaction already holds the database's only write lock)."""
        return await session.scalar(
            select(KeyPoint)
            .where(KeyPoint.id == point_id)
            .with_for_update(of=KeyPoint)
            .options(selectinload(KeyPoint.sources))
            .execution_options(populate_existing=True)
        )

    async def _point(self, session: AsyncSession, point_id: int) -> KeyPoint:
        point = await self._locked(session, point_id)
        if point is None or point.status == RETRACTED:
            raise UnknownPoint(point_id)
        return point

    async def reindex(self, session: AsyncSession, point: KeyPoint) -> None:
        """The search index follows the point: published points are found, others are not."""
        conn = await session.connection()
        if point.status == PUBLISHED:
            await self._index.index(conn, point.id, point.text)
        else:
            await self._index.unindex(conn, point.id)

    async def _slug(self, session: AsyncSession, point: KeyPoint) -> str:
        return (await session.get_one(Topic, point.topic_id)).slug

    async def add(
        self,
        topic: str,
        text: str,
        actor: Actor,
        importance: int = 3,
        source_keys: Iterable[str] = (),
    ) -> PointView:
        async with self._write() as session:
            # The topic first: "no such topic" is the answer that helps, whatever the text.
            row = await find_topic(session, topic)
            body = clean_point_text(text)
            sources = await find_sources(session, source_keys)
            point = new_point(session, row, body, actor, importance=importance, sources=sources)
            await session.flush()
            await self.reindex(session, point)
            audit.record(session, actor, "add", "point", point.id, None, snapshot(point))
            await bump_revision(session)
            return point_view(point, row.slug)

    async def edit(self, point_id: int, text: str, actor: Actor) -> tuple[str, PointView]:
        """Returns the old text and the edited point."""
        body = clean_point_text(text)
        async with self._write() as session:
            point = await self._point(session, point_id)
            before = snapshot(point)
            point.text = body
            stamp(point, actor)
            await session.flush()
            await self.reindex(session, point)
            audit.record(session, actor, "edit", "point", point.id, before, snapshot(point))
            await bump_revision(session)
            return before["text"], point_view(point, await self._slug(session, point))

    async def remove(self, point_id: int, actor: Actor) -> PointView:
        """Retracts the point: it leaves every reply but stays in the database and the audit."""
        async with self._write() as session:
            point = await self._point(session, point_id)
            await self._retract(session, point, actor, "remove")
            await bump_revision(session)
            return point_view(point, await self._slug(session, point))

    async def undo(self, actor: Actor) -> AuditView:
        """Reverts the actor's latest add, edit or remove that has not been undone yet, matched
        on the actor's id, not their name. Refused (UndoConflict) when someone changed the point
        since; two undos at once never revert the same change."""
        while True:
            try:
                return await self._undo_latest(actor)
            except _UndoneMeanwhile:
                continue  # each retry starts after one more change was undone, so it ends

    async def _undo_latest(self, actor: Actor) -> AuditView:
        async with self._write() as session:
            entry = await self._latest_undoable(session, actor)
            if entry is not None and entry.entity == APPROVAL:
                return await self._undo_decision(session, entry, actor)
            if entry is None or entry.entity_id is None:
                raise NothingToUndo()
            point = await self._locked(session, entry.entity_id)
            if point is None:
                raise NothingToUndo()
            if await audit.is_undone(session, entry.id):
                raise _UndoneMeanwhile()
            recorded = (entry.after or {}).get("version")
            changed_by = await changed_since(session, point, entry.id, recorded)
            if changed_by is not None:
                raise UndoConflict(point.id, entry.action, changed_by)
            before = snapshot(point)
            target = entry.before or {"text": point.text, "status": RETRACTED}
            point.text = str(target["text"])
            point.status = str(target["status"])
            point.importance = int(target.get("importance", point.importance))
            await self._restore_topic(session, point, target.get("topic_id"))
            stamp(point, actor)
            await session.flush()
            await self.reindex(session, point)
            audit.record(session, actor, audit.UNDO, "audit", entry.id, before, snapshot(point))
            await bump_revision(session)
            await session.flush()
            return audit.audit_view(entry, entity_id=point.id)

    async def move(self, point_id: int, topic: str, actor: Actor) -> tuple[str, PointView]:
        """Moves a point to another topic (a new version). Returns the old topic's slug."""
        async with self._write() as session:
            point = await self._point(session, point_id)
            target = await find_topic(session, topic)
            old = await self._slug(session, point)
            if target.id == point.topic_id:
                raise AlreadyInTopic(point.id, old)
            await self._change(session, point, actor, "move", topic_id=target.id)
            return old, point_view(point, target.slug)

    async def set_importance(self, point_id: int, importance: int, actor: Actor) -> PointView:
        """1 (least) to 5 (most important); a topic lists its points most important first."""
        if importance not in IMPORTANCE:
            raise BadImportance(str(importance))
        async with self._write() as session:
            point = await self._point(session, point_id)
            if point.importance == importance:
                raise SameImportance(point.id, importance)
            await self._change(session, point, actor, "rerank", importance=importance)
            return point_view(point, await self._slug(session, point))

    async def retract_topic_points(self, session: AsyncSession, topic_id: int, actor: Actor) -> int:
        """In the caller's transaction (a topic's removal): retracts every point of the topic
        that is not retracted yet, each audited and unindexed. Audited as "retract", which
        /undo leaves alone: bringing one back would publish it in a topic nobody can see."""
        points = await session.scalars(
            select(KeyPoint).where(KeyPoint.topic_id == topic_id, KeyPoint.status != RETRACTED)
        )
        count = 0
        for point in points.all():
            await self._retract(session, point, actor, "retract")
            count += 1
        return count

    async def _retract(
        self, session: AsyncSession, point: KeyPoint, actor: Actor, action: str
    ) -> None:
        before = snapshot(point)
        point.status = RETRACTED
        stamp(point, actor)
        await session.flush()
        await self.reindex(session, point)
        audit.record(session, actor, action, "point", point.id, before, snapshot(point))

    async def _change(
        self, session: AsyncSession, point: KeyPoint, actor: Actor, action: str, **values: int
    ) -> None:
        """A new version of the point with `values` set; audited, in the caller's transaction."""
        before = snapshot(point)
        for name, value in values.items():
            setattr(point, name, value)
        stamp(point, actor)
        await session.flush()
        audit.record(session, actor, action, "point", point.id, before, snapshot(point))
        await bump_revision(session)

    async def _restore_topic(self, session: AsyncSession, point: KeyPoint, topic_id: Any) -> None:
        """For /undo: the point goes back to the topic it was in, unless that topic has been
        removed since; and a point is never published in a removed topic."""
        if topic_id is not None:
            former = await session.get_one(Topic, int(topic_id))
            if former.position != REMOVED_POSITION:
                point.topic_id = former.id
        current = await session.get_one(Topic, point.topic_id)
        if current.position == REMOVED_POSITION:
            point.status = RETRACTED

    async def _undo_decision(
        self, session: AsyncSession, entry: AuditEntry, actor: Actor
    ) -> AuditView:
        # Imported here: proposals.py builds on this module (new points, stamps, the index).
        from briefings.proposals import lock_decision, revert_approval, revert_rejection

        await lock_decision(session, entry)
        if await audit.is_undone(session, entry.id):
            raise _UndoneMeanwhile()
        audit.record(session, actor, audit.UNDO, "audit", entry.id, entry.after, None)
        if entry.action == "reject":
            await revert_rejection(session, entry)
            await session.flush()
            return audit.audit_view(entry)
        reverted = await revert_approval(session, entry, actor)
        for point in reverted.points:
            await self.reindex(session, point)
        await bump_revision(session)
        await session.flush()
        view = audit.audit_view(entry)
        # The caller tells the admin which topics the approval created are gone again.
        return dataclasses.replace(
            view, after={**(view.after or {}), "topics_removed": reverted.topics_removed}
        )

    async def _latest_undoable(self, session: AsyncSession, actor: Actor) -> AuditEntry | None:
        undone = select(AuditEntry.entity_id).where(
            AuditEntry.action == "undo", AuditEntry.actor_id == actor.id
        )
        return await session.scalar(
            select(AuditEntry)
            .where(
                AuditEntry.actor_id == actor.id,
                or_(
                    (AuditEntry.entity == "point") & AuditEntry.action.in_(UNDOABLE),
                    (AuditEntry.entity == APPROVAL) & AuditEntry.action.in_(DECISIONS),
                ),
                AuditEntry.id.not_in(undone),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
