"""TopicStore: the catalog readers are served from (topics, their published points, sources),
search, the content revision, and changing topics from the chat. This module is the only writer
of the topics, sources and store_meta tables.

Readers get an immutable Catalog cached against the content revision; every write anywhere in
the briefings bumps the revision in its own transaction, so this process sees its own writes
at once and other processes on the same database see them within `cache_ttl` seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from briefings import audit, changes
from briefings.actors import Actor
from briefings.db import write_transaction, writer
from briefings.errors import (
    ReservedName,
    TopicExists,
    TopicNotEmpty,
    UnknownAlias,
    UnknownSource,
    UnknownTopic,
)
from briefings.loader import SourceData, TopicData
from briefings.models import (
    PUBLISHED,
    RETRACTED,
    KeyPoint,
    PointContent,
    Source,
    StoreMeta,
    Topic,
)
from briefings.schedule import as_utc
from briefings.search import SearchIndex, query_words
from briefings.text_rules import SLUG, check_slug, clean_title
from briefings.views import Catalog, PointView, SearchHit, SourceView, TopicView

REVISION_KEY = "revision"

# A removed topic whose (retracted) points still reference it cannot be deleted: the points
# stay for the audit trail and key_points.topic_id is RESTRICT. So its row stays, out of sight:
# this position keeps it out of the catalog and out of find_topic, and its slug becomes one no
# command can be (see `_tombstone`), which frees the name for a new topic.
REMOVED_POSITION = -1
LIVE = Topic.position != REMOVED_POSITION

# Retracts a topic's points in the caller's transaction and says how many: PointStore's path,
# handed in because points depend on topics, not the other way round.
RetractPoints = Callable[[AsyncSession, int, Actor], Awaitable[int]]


@dataclass(frozen=True)
class SearchResult:
    words: list[str]
    hits: list[SearchHit]
    matched_all: bool


@dataclass(frozen=True)
class TopicChange:
    """A topic as a change left it (as it was, for a removal), for the reply."""

    slug: str
    title: str
    aliases: tuple[str, ...]
    retracted: int = 0  # points a forced removal retracted


def topic_snapshot(t: Topic) -> dict[str, Any]:
    """What the audit trail keeps of a topic, before and after a change."""
    return {"slug": t.slug, "title": t.title, "aliases": list(t.aliases), "position": t.position}


def _change(t: Topic, retracted: int = 0) -> TopicChange:
    return TopicChange(t.slug, t.title, tuple(t.aliases), retracted)


def _tombstone(t: Topic) -> str:
    """A removed topic's slug: unique, and never a valid command name (it starts with '-')."""
    return f"-{t.id}"


def source_view(s: Source) -> SourceView:
    return SourceView(s.id, s.key, s.outlet, s.headline, s.url, s.published)


def point_view(
    p: KeyPoint, slug: str, history: tuple[tuple[dt.datetime, str | None], ...] = ()
) -> PointView:
    return PointView(
        id=p.id,
        topic_slug=slug,
        text=p.text,
        importance=p.importance,
        status=p.status,
        version=p.version,
        updated_at=p.updated_at,
        updated_by=p.updated_by,
        sources=tuple(source_view(s) for s in p.sources),
        history=history,
    )


async def _histories(
    session: AsyncSession,
) -> dict[int, tuple[tuple[dt.datetime, str | None], ...]]:
    """Every published point's PointContent rows, oldest first, in one query: a `changes`
    digest for each of thousands of chats then compares in memory."""
    rows = await session.execute(
        select(PointContent.point_id, PointContent.since, PointContent.fingerprint)
        .join(KeyPoint, KeyPoint.id == PointContent.point_id)
        .where(KeyPoint.status == PUBLISHED)
        .order_by(PointContent.point_id, PointContent.since, PointContent.id)
    )
    found: dict[int, list[tuple[dt.datetime, str | None]]] = {}
    for point_id, since, fingerprint in rows:
        found.setdefault(point_id, []).append((as_utc(since), fingerprint))
    return {point_id: tuple(marks) for point_id, marks in found.items()}


async def bump_revision(session: AsyncSession) -> None:
    """Within the caller's write transaction: readers everywhere rebuild their catalog."""
    result = await session.execute(
        update(StoreMeta).where(StoreMeta.key == REVISION_KEY).values(value=StoreMeta.value + 1)
    )
    if getattr(result, "rowcount", 0) == 0:
        session.add(StoreMeta(key=REVISION_KEY, value=1))
        await session.flush()
    await changes.announce(session, changes.REVISION, changes.EVERYTHING)


# How long a catalog write waits for the one before it on PostgreSQL, like SQLite's busy
# timeout: a replica stuck inside a write makes the others answer "try again later" instead
# of hanging.
CATALOG_LOCK_TIMEOUT_MS = 10_000


async def lock_catalog(session: AsyncSession) -> None:
    """First in a write transaction that changes points, topics or proposals. On PostgreSQL
    the revision row's lock then serialises every catalog writer, as SQLite's write lock does:
    two writers never hold rows the other waits for (an /edit and a /topic remove --force used
    to deadlock), and a check before an insert sees what the writer before it committed."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL lock_timeout = {int(CATALOG_LOCK_TIMEOUT_MS)}"))
    locked = await session.scalar(
        select(StoreMeta.key).where(StoreMeta.key == REVISION_KEY).with_for_update()
    )
    if locked is None:
        # A new database: the row comes with its first write (the seeding, which replicas
        # starting together run once, under an advisory lock), still at revision 0.
        session.add(StoreMeta(key=REVISION_KEY, value=0))
        await session.flush()


async def live_point_count(session: AsyncSession, topic: Topic) -> int:
    """How many of the topic's points are not retracted."""
    count = await session.scalar(
        select(func.count())
        .select_from(KeyPoint)
        .where(KeyPoint.topic_id == topic.id, KeyPoint.status != RETRACTED)
    )
    return int(count or 0)


async def withdraw(session: AsyncSession, topic: Topic, actor: Actor) -> None:
    """Within the caller's transaction: takes the topic out of the catalog, help, menus and
    commands, audited. Its row stays (the audit trail and retracted points refer to it)."""
    before = topic_snapshot(topic)
    topic.slug = _tombstone(topic)
    topic.aliases = []
    topic.position = REMOVED_POSITION
    await audit_topic(session, actor, "withdraw", topic, before)


async def audit_topic(
    session: AsyncSession, actor: Actor, action: str, topic: Topic, before: dict[str, Any]
) -> None:
    """Within the caller's transaction: the topic's change, as it was and as it is now."""
    await session.flush()
    audit.record(session, actor, action, "topic", topic.id, before, topic_snapshot(topic))


async def find_topic(session: AsyncSession, name: str) -> Topic:
    """A topic by slug or alias, as typed (`/Treaty` works); UnknownTopic otherwise, and for
    a removed topic."""
    name = name.casefold().lstrip("/")
    if not SLUG.fullmatch(name):
        # Not a name any topic can have; and PostgreSQL refuses some (a NUL byte) outright.
        raise UnknownTopic(name)
    topic = await session.scalar(select(Topic).where(LIVE, Topic.slug == name))
    if topic is None:
        for candidate in await session.scalars(select(Topic).where(LIVE)):
            if name in candidate.aliases:
                return candidate
        raise UnknownTopic(name)
    return topic


async def find_sources(session: AsyncSession, keys: Iterable[str]) -> list[Source]:
    wanted = list(dict.fromkeys(k.casefold() for k in keys))
    if not wanted:
        return []
    found = (await session.scalars(select(Source).where(Source.key.in_(wanted)))).all()
    missing = sorted(set(wanted) - {s.key for s in found})
    if missing:
        raise UnknownSource(missing)
    return list(found)


def new_source(session: AsyncSession, data: SourceData) -> Source:
    source = Source(
        key=data.key,
        outlet=data.outlet,
        headline=data.headline,
        url=data.url,
        published=data.published,
    )
    session.add(source)
    return source


def new_topic(session: AsyncSession, data: TopicData, position: int) -> Topic:
    topic = Topic(
        slug=data.slug,
        title=data.title,
        description=data.description,
        aliases=list(data.aliases),
        position=position,
    )
    session.add(topic)
    return topic


class TopicStore:
    def __init__(
        self,
        engine: AsyncEngine,
        index: SearchIndex,
        cache_ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._index = index
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._catalog: Catalog | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

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

    async def listing(self) -> tuple[int, tuple[TopicView, ...]]:
        """(revision, topics): what a platform's command menu is built from."""
        catalog = await self.catalog()
        return catalog.revision, catalog.topics

    def invalidate(self) -> None:
        """After a write in this process: the next read checks the revision at once."""
        self._checked_at = float("-inf")

    async def _revision(self, session: AsyncSession) -> int:
        value = await session.scalar(select(StoreMeta.value).where(StoreMeta.key == REVISION_KEY))
        return int(value or 0)

    async def _build_catalog(self, session: AsyncSession, revision: int) -> Catalog:
        topics = (
            await session.scalars(select(Topic).where(LIVE).order_by(Topic.position, Topic.slug))
        ).all()
        points = (
            await session.scalars(
                select(KeyPoint)
                .where(KeyPoint.status == PUBLISHED)
                .options(selectinload(KeyPoint.sources))
                .order_by(KeyPoint.importance.desc(), KeyPoint.id)
            )
        ).all()
        sources = (await session.scalars(select(Source).order_by(Source.id))).all()
        history = await _histories(session)
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
                points=tuple(
                    point_view(p, slugs[t.id], history.get(p.id, ()))
                    for p in by_topic.get(t.id, [])
                ),
            )
            for t in topics
        )
        return Catalog(revision, views, tuple(source_view(s) for s in sources))

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

    # Changing topics from the chat. Each change is one write transaction with its audit entry
    # and a revision bump, so menus, help and other processes follow. `reserved` is every
    # fixed command name and alias: the store does not know the commands, the caller does.

    async def add_topic(
        self, slug: str, title: str, actor: Actor, *, reserved: Collection[str]
    ) -> TopicChange:
        """A new, empty topic after the last one; its slug is a command at once."""
        name = check_slug(slug)
        body = clean_title(title)
        async with self._write() as session:
            await self._check_free(session, name, reserved)
            last = await session.scalar(select(func.max(Topic.position)))
            position = 0 if last is None or last < 0 else last + 1
            topic = Topic(slug=name, title=body, description="", aliases=[], position=position)
            session.add(topic)
            await session.flush()
            audit.record(session, actor, "create", "topic", topic.id, None, topic_snapshot(topic))
            return _change(topic)

    async def rename_topic(
        self,
        name: str,
        new_slug: str,
        actor: Actor,
        *,
        reserved: Collection[str],
        title: str | None = None,
    ) -> tuple[str, TopicChange]:
        """A new slug (and title, if given); the old slug stays as an alias so old habits and
        subscriptions keep working. Returns the old slug and the topic."""
        new = check_slug(new_slug)
        body = clean_title(title) if title is not None else None
        async with self._write() as session:
            topic = await find_topic(session, name)
            if new == topic.slug:
                raise TopicExists(new, topic.slug)
            # The topic's own alias may become its slug (the two swap places).
            await self._check_free(session, new, reserved, own_aliases_of=topic)
            before = topic_snapshot(topic)
            old = topic.slug
            topic.aliases = [*(a for a in topic.aliases if a != new), old]
            topic.slug = new
            if body is not None:
                topic.title = body
            await audit_topic(session, actor, "rename", topic, before)
            return old, _change(topic)

    async def set_title(self, name: str, title: str, actor: Actor) -> TopicChange:
        body = clean_title(title)
        async with self._write() as session:
            topic = await find_topic(session, name)
            before = topic_snapshot(topic)
            topic.title = body
            await audit_topic(session, actor, "retitle", topic, before)
            return _change(topic)

    async def add_alias(
        self, name: str, alias: str, actor: Actor, *, reserved: Collection[str]
    ) -> TopicChange:
        new = check_slug(alias)
        async with self._write() as session:
            topic = await find_topic(session, name)
            await self._check_free(session, new, reserved)
            before = topic_snapshot(topic)
            # A new list, not an append: the JSON column only notices assignment.
            topic.aliases = [*topic.aliases, new]
            await audit_topic(session, actor, "alias", topic, before)
            return _change(topic)

    async def remove_alias(self, name: str, alias: str, actor: Actor) -> TopicChange:
        gone = alias.casefold().removeprefix("/")
        async with self._write() as session:
            topic = await find_topic(session, name)
            if gone not in topic.aliases:
                raise UnknownAlias(topic.slug, gone)
            before = topic_snapshot(topic)
            topic.aliases = [a for a in topic.aliases if a != gone]
            await audit_topic(session, actor, "unalias", topic, before)
            return _change(topic)

    async def remove_topic(
        self, name: str, actor: Actor, retract: RetractPoints | None = None
    ) -> TopicChange:
        """Takes the topic out of the catalog, help, menus and commands. Without `retract` it
        must have no points left (TopicNotEmpty); with it, its points are retracted first, in
        the same transaction. Returns the topic as it was."""
        async with self._write() as session:
            topic = await find_topic(session, name)
            retracted = 0
            if retract is None:
                if count := await live_point_count(session, topic):
                    raise TopicNotEmpty(topic.slug, count)
            else:
                retracted = await retract(session, topic.id, actor)
            was = _change(topic, retracted)
            await withdraw(session, topic, actor)
            return was

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        async with write_transaction(self._writer) as session:
            # First, not last: the name checks that follow then see a name another process
            # has just taken (see lock_catalog).
            await lock_catalog(session)
            await bump_revision(session)
            yield session
        self.invalidate()

    async def _check_free(
        self,
        session: AsyncSession,
        name: str,
        reserved: Collection[str],
        own_aliases_of: Topic | None = None,
    ) -> None:
        """ReservedName or TopicExists unless `name` can become a new command."""
        if name in reserved:
            raise ReservedName(name)
        for topic in await session.scalars(select(Topic).where(LIVE)):
            if topic is own_aliases_of and name in topic.aliases:
                continue
            if name == topic.slug or name in topic.aliases:
                raise TopicExists(name, topic.slug)
