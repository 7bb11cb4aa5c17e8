"""BriefingStore: the briefings' stores on one database, one per concept, each the only writer
of its tables. Readers use `topics` (the cached catalog and search); admins' changes go through
`points` and `admins`; `chats` remembers unreachable and moved chats; `audit` reads the trail.
Loading a curated file composes them in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings import audit
from briefings.actors import SEED, Actor
from briefings.admins import AdminStore
from briefings.chats import ChatStore
from briefings.db import write_transaction, writer
from briefings.loader import BriefingData
from briefings.models import (
    Admin,
    AuditEntry,
    Chat,
    KeyPoint,
    PointContent,
    Proposal,
    Source,
    StoreMeta,
    Topic,
)
from briefings.models import point_sources as point_sources_table
from briefings.points import PointStore, new_point
from briefings.proposals import ProposalStore
from briefings.search import index_for
from briefings.topics import (
    LIVE,
    TopicStore,
    bump_revision,
    lock_catalog,
    new_source,
    new_topic,
)


@dataclass(frozen=True)
class LoadReport:
    topics: int
    sources: int
    points: int

    @property
    def changed(self) -> bool:
        return bool(self.topics or self.sources or self.points)


class BriefingStore:
    def __init__(
        self,
        engine: AsyncEngine,
        cache_ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self._index = index_for(engine.dialect.name)
        self.topics = TopicStore(engine, self._index, cache_ttl, clock)
        self.points = PointStore(engine, self._index, self.topics)
        self.admins = AdminStore(engine)
        self.chats = ChatStore(engine)
        self.proposals = ProposalStore(engine, self.topics, self.points)
        self.audit = audit.AuditLog(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def row_counts(self) -> dict[str, int]:
        """How many rows each table holds; what tests compare to prove nothing changed."""
        counts: dict[str, int] = {}
        async with AsyncSession(self.engine) as session:
            models = (
                Topic,
                Source,
                KeyPoint,
                PointContent,
                Proposal,
                Admin,
                AuditEntry,
                Chat,
                StoreMeta,
            )
            for model in models:
                counts[model.__tablename__] = int(
                    await session.scalar(select(func.count()).select_from(model)) or 0
                )
            counts["point_sources"] = int(
                await session.scalar(select(func.count()).select_from(point_sources_table)) or 0
            )
        return counts

    async def load_briefings(self, data: BriefingData, actor: Actor = SEED) -> LoadReport:
        """Adds the sources, topics and points of `data` that the store lacks, matched by key.
        Existing rows are left as they are, so admins' edits survive a reload."""
        async with write_transaction(writer(self.engine)) as session:
            await lock_catalog(session)  # two replicas starting at once load it once
            sources = {s.key: s for s in await session.scalars(select(Source))}
            new_sources = 0
            for s in data.sources:
                if s.key not in sources:
                    sources[s.key] = new_source(session, s)
                    new_sources += 1
            # By slug or alias: a topic renamed in the chat keeps its old slug as an alias.
            topics: dict[str, Topic] = {}
            for row in await session.scalars(select(Topic).where(LIVE)):
                for name in (row.slug, *row.aliases):
                    topics.setdefault(name, row)
            known_points = set(
                await session.scalars(select(KeyPoint.key).where(KeyPoint.key.is_not(None)))
            )
            new_topics = 0
            added: list[KeyPoint] = []
            for position, t in enumerate(data.topics):
                topic = topics.get(t.slug)
                if topic is None:
                    if t.points and all(p.key in known_points for p in t.points):
                        continue  # loaded before, since removed in the chat: it stays removed
                    topic = new_topic(session, t, position)
                    new_topics += 1
                for p in t.points:
                    if p.key in known_points:
                        continue
                    cited = [sources[k] for k in p.sources]
                    added.append(
                        new_point(
                            session,
                            topic,
                            p.text,
                            actor,
                            importance=p.importance,
                            sources=cited,
                            key=p.key,
                        )
                    )
            report = LoadReport(new_topics, new_sources, len(added))
            if report.changed:
                await session.flush()
                await self._index.index_many(
                    await session.connection(), [(p.id, p.text) for p in added]
                )
                summary = {
                    "event": data.event_slug,
                    "topics": new_topics,
                    "sources": new_sources,
                    "points": len(added),
                }
                audit.record(session, actor, "load", "briefings", None, None, summary)
                await bump_revision(session)
        self.topics.invalidate()
        return report
