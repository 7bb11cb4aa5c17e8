"""BriefingStore: the only code that queries the database.

Readers are served from an immutable Catalog cached against a content revision; every write
bumps the revision in the same transaction, so this process sees its own writes at once and
other processes on the same database see them within `cache_ttl` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from briefings.db import write_transaction, writer
from briefings.errors import NothingToUndo, UnknownPoint, UnknownSource, UnknownTopic
from briefings.loader import BriefingData
from briefings.models import (
    CHAT_ACTIVE,
    CHAT_MOVED,
    PUBLISHED,
    RETRACTED,
    Admin,
    AuditEntry,
    Chat,
    KeyPoint,
    Source,
    StoreMeta,
    Subscription,
    Topic,
    point_sources,
    utcnow,
)
from briefings.search import SearchIndex, index_for, query_words
from briefings.text_rules import clean_point_text
from briefings.views import AuditView, Catalog, PointView, SearchHit, SourceView, TopicView

REVISION_KEY = "revision"
UNDOABLE = ("add", "edit", "remove")


@dataclass(frozen=True)
class SearchResult:
    words: list[str]
    hits: list[SearchHit]
    matched_all: bool


@dataclass(frozen=True)
class LoadReport:
    topics: int
    sources: int
    points: int

    @property
    def changed(self) -> bool:
        return bool(self.topics or self.sources or self.points)


def _source_view(s: Source) -> SourceView:
    return SourceView(s.id, s.key, s.outlet, s.headline, s.url, s.published)


def _point_view(p: KeyPoint, slug: str) -> PointView:
    return PointView(
        id=p.id,
        topic_slug=slug,
        text=p.text,
        importance=p.importance,
        status=p.status,
        version=p.version,
        updated_at=p.updated_at,
        updated_by=p.updated_by,
        sources=tuple(_source_view(s) for s in p.sources),
    )


def _snapshot(p: KeyPoint) -> dict[str, Any]:
    return {
        "topic_id": p.topic_id,
        "text": p.text,
        "status": p.status,
        "importance": p.importance,
        "version": p.version,
    }


class BriefingStore:
    def __init__(
        self,
        engine: AsyncEngine,
        cache_ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._index: SearchIndex = index_for(engine.dialect.name)
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._catalog: Catalog | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def close(self) -> None:
        await self._engine.dispose()

    # ----- reading -------------------------------------------------------------------------

    async def catalog(self) -> Catalog:
        cached = self._catalog
        if cached is not None and self._clock() - self._checked_at < self._cache_ttl:
            return cached
        async with self._lock:
            if self._catalog is not None and self._clock() - self._checked_at < self._cache_ttl:
                return self._catalog
            async with AsyncSession(self._engine) as session:
                revision = await self._revision(session)
                if self._catalog is None or self._catalog.revision != revision:
                    self._catalog = await self._build_catalog(session, revision)
            self._checked_at = self._clock()
            return self._catalog

    def invalidate(self) -> None:
        self._checked_at = float("-inf")

    async def _revision(self, session: AsyncSession) -> int:
        value = await session.scalar(select(StoreMeta.value).where(StoreMeta.key == REVISION_KEY))
        return int(value or 0)

    async def _build_catalog(self, session: AsyncSession, revision: int) -> Catalog:
        topics = (await session.scalars(select(Topic).order_by(Topic.position, Topic.slug))).all()
        points = (
            await session.scalars(
                select(KeyPoint)
                .where(KeyPoint.status == PUBLISHED)
                .options(selectinload(KeyPoint.sources))
                .order_by(KeyPoint.importance.desc(), KeyPoint.id)
            )
        ).all()
        sources = (await session.scalars(select(Source).order_by(Source.id))).all()
        by_topic: dict[int, list[KeyPoint]] = {}
        slugs = {t.id: t.slug for t in topics}
        for p in points:
            by_topic.setdefault(p.topic_id, []).append(p)
        views = tuple(
            TopicView(
                id=t.id,
                slug=t.slug,
                title=t.title,
                description=t.description,
                aliases=tuple(t.aliases),
                position=t.position,
                points=tuple(_point_view(p, slugs[t.id]) for p in by_topic.get(t.id, [])),
            )
            for t in topics
        )
        return Catalog(revision, views, tuple(_source_view(s) for s in sources))

    async def search(self, query: str, limit: int = 10) -> SearchResult:
        words = query_words(query)
        if not words:
            return SearchResult(words, [], True)
        catalog = await self.catalog()
        async with self._engine.connect() as conn:
            ids = await self._index.search(conn, words, limit, match_all=True)
            matched_all = bool(ids) or len(words) == 1
            if not ids and len(words) > 1:
                ids = await self._index.search(conn, words, limit, match_all=False)
        hits = []
        for point_id in ids:
            point = catalog.point(point_id)
            topic = catalog.topic(point.topic_slug) if point else None
            if point and topic:
                hits.append(SearchHit(point, topic))
        return SearchResult(words, hits, matched_all)

    async def audit_log(self, limit: int = 10) -> list[AuditView]:
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            )
            return [
                AuditView(a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.before, a.after)
                for a in rows
            ]

    async def row_counts(self) -> dict[str, int]:
        """How many rows each table holds; what tests compare to prove nothing changed."""
        counts: dict[str, int] = {}
        async with AsyncSession(self._engine) as session:
            for model in (Topic, Source, KeyPoint, Admin, AuditEntry, Chat, StoreMeta):
                counts[model.__tablename__] = int(
                    await session.scalar(select(func.count()).select_from(model)) or 0
                )
            counts["point_sources"] = int(
                await session.scalar(select(func.count()).select_from(point_sources)) or 0
            )
        return counts

    # ----- chats ---------------------------------------------------------------------------

    async def chat_status(self, platform: str, chat_id: str) -> tuple[str, str]:
        """(status, reason) of a chat; ("active", "") for chats never marked."""
        async with AsyncSession(self._engine) as session:
            chat = await session.scalar(
                select(Chat).where(Chat.platform == platform, Chat.chat_id == chat_id)
            )
            return (chat.status, chat.reason) if chat else (CHAT_ACTIVE, "")

    async def mark_chat(self, platform: str, chat_id: str, status: str, reason: str = "") -> None:
        """Records that a chat is unreachable (blocked, kicked, archived...) or active again.
        Digest delivery reads this before sending, and pauses the chat's subscription."""
        async with self._write() as session:
            chat = await self._chat_row(session, platform, chat_id)
            chat.status, chat.reason, chat.updated_at = status, reason[:200], utcnow()

    async def move_chat(self, platform: str, old_id: str, new_id: str) -> None:
        """Remembers that the platform moved a chat to a new id; later work follows the move."""
        async with self._write() as session:
            old = await self._chat_row(session, platform, old_id)
            old.status, old.reason, old.moved_to = CHAT_MOVED, f"moved to {new_id}", new_id
            old.updated_at = utcnow()
            new = await self._chat_row(session, platform, new_id)
            new.status, new.reason = CHAT_ACTIVE, ""
            await session.execute(
                update(Subscription)
                .where(Subscription.platform == platform, Subscription.chat_id == old_id)
                .values(chat_id=new_id, updated_at=utcnow())
            )

    async def _chat_row(self, session: AsyncSession, platform: str, chat_id: str) -> Chat:
        chat = await session.scalar(
            select(Chat).where(Chat.platform == platform, Chat.chat_id == chat_id)
        )
        if chat is None:
            chat = Chat(platform=platform, chat_id=chat_id, status=CHAT_ACTIVE, reason="")
            session.add(chat)
            await session.flush()
        return chat

    # ----- admins --------------------------------------------------------------------------

    async def is_admin(self, platform: str, user_id: str) -> bool:
        async with AsyncSession(self._engine) as session:
            found = await session.scalar(
                select(Admin.id).where(Admin.platform == platform, Admin.user_id == user_id)
            )
            return found is not None

    async def admins(self) -> list[tuple[str, str, str]]:
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(select(Admin).order_by(Admin.platform, Admin.user_id))
            return [(a.platform, a.user_id, a.granted_by) for a in rows]

    async def grant_admin(self, platform: str, user_id: str, actor: str) -> bool:
        async with self._write() as session:
            exists = await session.scalar(
                select(Admin.id).where(Admin.platform == platform, Admin.user_id == user_id)
            )
            if exists is not None:
                return False
            admin = Admin(platform=platform, user_id=user_id, granted_by=actor)
            session.add(admin)
            await session.flush()
            self._audit(
                session,
                actor,
                "grant",
                "admin",
                admin.id,
                None,
                {"platform": platform, "user_id": user_id},
            )
            return True

    async def revoke_admin(self, platform: str, user_id: str, actor: str) -> bool:
        async with self._write() as session:
            admin = await session.scalar(
                select(Admin).where(Admin.platform == platform, Admin.user_id == user_id)
            )
            if admin is None:
                return False
            self._audit(
                session,
                actor,
                "revoke",
                "admin",
                admin.id,
                {"platform": platform, "user_id": user_id},
                None,
            )
            await session.delete(admin)
            return True

    # ----- writing -------------------------------------------------------------------------

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        async with write_transaction(self._writer) as session:
            yield session
        self.invalidate()

    async def _bump_revision(self, session: AsyncSession) -> None:
        result = await session.execute(
            update(StoreMeta).where(StoreMeta.key == REVISION_KEY).values(value=StoreMeta.value + 1)
        )
        if getattr(result, "rowcount", 0) == 0:
            session.add(StoreMeta(key=REVISION_KEY, value=1))
            await session.flush()

    def _audit(
        self,
        session: AsyncSession,
        actor: str,
        action: str,
        entity: str,
        entity_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        session.add(
            AuditEntry(
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=before,
                after=after,
            )
        )

    async def _topic(self, session: AsyncSession, name: str) -> Topic:
        name = name.casefold().lstrip("/")
        topic = await session.scalar(select(Topic).where(Topic.slug == name))
        if topic is None:
            for candidate in await session.scalars(select(Topic)):
                if name in candidate.aliases:
                    return candidate
            raise UnknownTopic(name)
        return topic

    async def _sources(self, session: AsyncSession, keys: Iterable[str]) -> list[Source]:
        wanted = list(dict.fromkeys(k.casefold() for k in keys))
        if not wanted:
            return []
        found = (await session.scalars(select(Source).where(Source.key.in_(wanted)))).all()
        missing = sorted(set(wanted) - {s.key for s in found})
        if missing:
            raise UnknownSource(missing)
        return list(found)

    async def _point(self, session: AsyncSession, point_id: int) -> KeyPoint:
        point = await session.scalar(
            select(KeyPoint).where(KeyPoint.id == point_id).options(selectinload(KeyPoint.sources))
        )
        if point is None or point.status == RETRACTED:
            raise UnknownPoint(point_id)
        return point

    async def add_point(
        self,
        topic: str,
        text: str,
        actor: str,
        importance: int = 3,
        source_keys: Iterable[str] = (),
    ) -> PointView:
        body = clean_point_text(text)
        async with self._write() as session:
            row = await self._topic(session, topic)
            sources = await self._sources(session, source_keys)
            point = KeyPoint(
                topic_id=row.id,
                text=body,
                importance=max(1, min(5, importance)),
                status=PUBLISHED,
                created_by=actor,
                updated_by=actor,
                sources=sources,
            )
            session.add(point)
            await session.flush()
            await self._index.index(await session.connection(), point.id, body)
            self._audit(session, actor, "add", "point", point.id, None, _snapshot(point))
            await self._bump_revision(session)
            return _point_view(point, row.slug)

    async def edit_point(self, point_id: int, text: str, actor: str) -> tuple[str, PointView]:
        """Returns the old text and the edited point."""
        body = clean_point_text(text)
        async with self._write() as session:
            point = await self._point(session, point_id)
            before = _snapshot(point)
            point.text = body
            point.version += 1
            point.updated_at = utcnow()
            point.updated_by = actor
            await session.flush()
            await self._index.index(await session.connection(), point.id, body)
            self._audit(session, actor, "edit", "point", point.id, before, _snapshot(point))
            await self._bump_revision(session)
            slug = (await session.get_one(Topic, point.topic_id)).slug
            return before["text"], _point_view(point, slug)

    async def remove_point(self, point_id: int, actor: str) -> PointView:
        """Retracts the point: it leaves every reply but stays in the database and the audit."""
        async with self._write() as session:
            point = await self._point(session, point_id)
            before = _snapshot(point)
            point.status = RETRACTED
            point.version += 1
            point.updated_at = utcnow()
            point.updated_by = actor
            await session.flush()
            await self._index.unindex(await session.connection(), point.id)
            self._audit(session, actor, "remove", "point", point.id, before, _snapshot(point))
            await self._bump_revision(session)
            slug = (await session.get_one(Topic, point.topic_id)).slug
            return _point_view(point, slug)

    async def undo(self, actor: str) -> AuditView:
        """Reverts the actor's latest add, edit or remove that has not been undone yet."""
        async with self._write() as session:
            undone = select(AuditEntry.entity_id).where(
                AuditEntry.action == "undo", AuditEntry.actor == actor
            )
            entry = await session.scalar(
                select(AuditEntry)
                .where(
                    AuditEntry.actor == actor,
                    AuditEntry.action.in_(UNDOABLE),
                    AuditEntry.id.not_in(undone),
                )
                .order_by(AuditEntry.id.desc())
                .limit(1)
            )
            if entry is None or entry.entity_id is None:
                raise NothingToUndo()
            point = await session.get(KeyPoint, entry.entity_id)
            if point is None:
                raise NothingToUndo()
            target = entry.before or {"text": point.text, "status": RETRACTED}
            point.text = str(target["text"])
            point.status = str(target["status"])
            point.version += 1
            point.updated_at = utcnow()
            point.updated_by = actor
            await session.flush()
            conn = await session.connection()
            if point.status == PUBLISHED:
                await self._index.index(conn, point.id, point.text)
            else:
                await self._index.unindex(conn, point.id)
            undo = AuditEntry(
                actor=actor,
                action="undo",
                entity="audit",
                entity_id=entry.id,
                before=entry.after,
                after=_snapshot(point),
            )
            session.add(undo)
            await self._bump_revision(session)
            await session.flush()
            return AuditView(
                entry.id,
                entry.at,
                entry.actor,
                entry.action,
                entry.entity,
                point.id,
                entry.before,
                entry.after,
            )

    async def load_briefings(self, data: BriefingData, actor: str = "seed") -> LoadReport:
        """Adds the sources, topics and points of `data` that the store lacks, matched by key.
        Existing rows are left as they are, so admins' edits survive a reload."""
        async with self._write() as session:
            sources = {s.key: s for s in await session.scalars(select(Source))}
            new_sources = 0
            for s in data.sources:
                if s.key not in sources:
                    sources[s.key] = Source(
                        key=s.key,
                        outlet=s.outlet,
                        headline=s.headline,
                        url=s.url,
                        published=s.published,
                    )
                    session.add(sources[s.key])
                    new_sources += 1
            topics = {t.slug: t for t in await session.scalars(select(Topic))}
            known_points = set(
                await session.scalars(select(KeyPoint.key).where(KeyPoint.key.is_not(None)))
            )
            new_topics = new_points = 0
            added: list[KeyPoint] = []
            for position, t in enumerate(data.topics):
                topic = topics.get(t.slug)
                if topic is None:
                    topic = Topic(
                        slug=t.slug,
                        title=t.title,
                        description=t.description,
                        aliases=list(t.aliases),
                        position=position,
                    )
                    session.add(topic)
                    new_topics += 1
                for p in t.points:
                    if p.key in known_points:
                        continue
                    point = KeyPoint(
                        key=p.key,
                        topic=topic,
                        text=p.text,
                        importance=p.importance,
                        status=PUBLISHED,
                        created_by=actor,
                        updated_by=actor,
                        sources=[sources[k] for k in p.sources],
                    )
                    session.add(point)
                    added.append(point)
                    new_points += 1
            report = LoadReport(new_topics, new_sources, new_points)
            if report.changed:
                await session.flush()
                await self._index.index_many(
                    await session.connection(), [(p.id, p.text) for p in added]
                )
                self._audit(
                    session,
                    actor,
                    "load",
                    "briefings",
                    None,
                    None,
                    {
                        "event": data.event_slug,
                        "topics": new_topics,
                        "sources": new_sources,
                        "points": new_points,
                    },
                )
                await self._bump_revision(session)
            return report
