"""TopicStore: the catalog readers are served from (topics, their published points, sources),
search, and the content revision. This module is the only writer of the topics, sources and
store_meta tables.

Readers get an immutable Catalog cached against the content revision; every write anywhere in
the briefings bumps the revision in its own transaction, so this process sees its own writes
at once and other processes on the same database see them within `cache_ttl` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from briefings.errors import UnknownSource, UnknownTopic
from briefings.loader import SourceData, TopicData
from briefings.models import PUBLISHED, KeyPoint, Source, StoreMeta, Topic
from briefings.search import SearchIndex, query_words
from briefings.views import Catalog, PointView, SearchHit, SourceView, TopicView

REVISION_KEY = "revision"


@dataclass(frozen=True)
class SearchResult:
    words: list[str]
    hits: list[SearchHit]
    matched_all: bool


def source_view(s: Source) -> SourceView:
    return SourceView(s.id, s.key, s.outlet, s.headline, s.url, s.published)


def point_view(p: KeyPoint, slug: str) -> PointView:
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
    )


async def bump_revision(session: AsyncSession) -> None:
    """Within the caller's write transaction: readers everywhere rebuild their catalog."""
    result = await session.execute(
        update(StoreMeta).where(StoreMeta.key == REVISION_KEY).values(value=StoreMeta.value + 1)
    )
    if getattr(result, "rowcount", 0) == 0:
        session.add(StoreMeta(key=REVISION_KEY, value=1))
        await session.flush()


async def find_topic(session: AsyncSession, name: str) -> Topic:
    """A topic by slug or alias, as typed (`/Treaty` works); UnknownTopic otherwise."""
    name = name.casefold().lstrip("/")
    topic = await session.scalar(select(Topic).where(Topic.slug == name))
    if topic is None:
        for candidate in await session.scalars(select(Topic)):
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
                points=tuple(point_view(p, slugs[t.id]) for p in by_topic.get(t.id, [])),
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
