"""ProposalStore: ingested articles and the statements drawn from them, waiting for review.

This module is the only writer of the proposals table, and writes sources for ingested
articles through briefings/topics.py. Recording an ingest, approving and rejecting are each one
transaction with audit entries; approving publishes new points or cites the article on the
points it repeats, and bumps the content revision so readers and `changes` digests see it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload

from briefings import audit
from briefings.actors import Actor
from briefings.db import write_transaction, writer
from briefings.errors import UndoConflict, UnknownProposal, UnknownTopic
from briefings.ingest.types import IngestResult, PendingDoc, ProposalDraft
from briefings.ingest.words import fold
from briefings.models import (
    PUBLISHED,
    RETRACTED,
    AuditEntry,
    KeyPoint,
    Proposal,
    ProposalStatus,
    Source,
    Topic,
    utcnow,
)
from briefings.points import PointStore, changed_since, new_point, stamp
from briefings.text_rules import clean_line, clean_point_text
from briefings.topics import (
    LIVE,
    TopicStore,
    bump_revision,
    find_topic,
    live_point_count,
    lock_catalog,
    source_view,
    withdraw,
)
from briefings.views import SourceView

MAX_OUTLET, MAX_HEADLINE, MAX_URL = 120, 300, 500
# An article sharing this share of its statements with one recorded before (and two at least)
# is a copy of it: a wire story's update, or the same report in another outlet, shares nearly
# all; two reports of one event share a quoted sentence or two.
NEAR_COPY_SHARE = 0.5
NEAR_COPY_MIN = 2


@dataclass(frozen=True)
class ProposalView:
    id: int
    source_key: str
    text: str
    topic: str | None
    alternatives: tuple[str, ...]
    new_topic: tuple[str, str] | None  # (slug, title) when no existing topic fits
    corroborates: int | None
    also_corroborates: tuple[int, ...]
    importance: int
    score: float
    flags: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Ingested:
    """What an ingest recorded, or (`already`) what an earlier ingest of it left. `copied`
    counts the statements an article mostly ingested before shares with it (its new ones
    were added to that source)."""

    source: SourceView
    proposals: tuple[ProposalView, ...]
    already: bool = False
    approved: int = 0
    rejected: int = 0
    copied: int = 0


@dataclass(frozen=True)
class Decision:
    """What /approve or /reject did."""

    published: tuple[int, ...] = ()  # new point ids
    corroborated: tuple[int, ...] = ()  # existing point ids that now cite the article
    rejected: tuple[int, ...] = ()  # proposal ids
    skipped: tuple[int, ...] = ()  # proposal ids not pending any more
    topics_created: tuple[str, ...] = ()
    # New points that went elsewhere than proposed, because what was proposed was removed
    # since the ingest: (point id, its topic, the removed topic it was meant for) ...
    refiled: tuple[tuple[int, str, str], ...] = ()
    # ... and (point id, the removed point it repeated): a new point, not a citation.
    unfolded: tuple[tuple[int, int], ...] = ()


def _view(p: Proposal) -> ProposalView:
    new_topic = (p.new_topic_slug, p.new_topic_title or p.new_topic_slug)
    return ProposalView(
        id=p.id,
        source_key=p.source.key,
        text=p.text,
        topic=p.topic,
        alternatives=tuple(p.alternatives),
        new_topic=new_topic if p.new_topic_slug else None,  # type: ignore[arg-type]
        corroborates=p.corroborates,
        also_corroborates=tuple(p.also_corroborates),
        importance=p.importance,
        score=p.score,
        flags=tuple(p.flags),
        status=p.status,
    )


def source_key(outlet: str | None, published: dt.date | None, fingerprint: str) -> str:
    """A readable, unique key for an ingested article: `reuters-0620-3fa2b1`."""
    stem = re.sub(r"[^a-z0-9]+", "-", (outlet or "article").casefold()).strip("-")[:32] or "article"
    day = f"-{published:%m%d}" if published else ""
    return f"{stem}{day}-{fingerprint[:6]}"


def text_key(text: str) -> str:
    """A statement's hash, case, quotes and spacing aside: the same sentence in two copies of
    an article has the same key."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:16]


def url_key(url: str) -> str:
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()


def decided_ids(entry: AuditEntry) -> list[int]:
    """The proposals an approval or rejection decided."""
    return [int(i) for i in (entry.after or {}).get("proposals", [])]


async def lock_decision(session: AsyncSession, entry: AuditEntry) -> None:
    """Locks the proposals an approval or rejection decided, in id order as deciding does,
    until the transaction ends: two undos of one decision at once then take turns, and the
    second sees the first's undo."""
    ids = decided_ids(entry)
    await session.scalars(
        select(Proposal.id).where(Proposal.id.in_(ids)).order_by(Proposal.id).with_for_update()
    )


@dataclass(frozen=True)
class Reverted:
    points: list[KeyPoint]  # changed, for the search index
    topics_removed: list[str]


async def _versions(session: AsyncSession, point_ids: list[int]) -> dict[str, int]:
    """The points' versions now, keyed by id (as JSON keys are strings)."""
    await session.flush()
    rows = await session.execute(
        select(KeyPoint.id, KeyPoint.version).where(KeyPoint.id.in_(set(point_ids)))
    )
    return {str(point_id): version for point_id, version in rows}


async def revert_rejection(session: AsyncSession, entry: AuditEntry) -> None:
    """In /undo's transaction: the proposals a rejection dropped are pending again."""
    ids = decided_ids(entry)
    for proposal in await session.scalars(select(Proposal).where(Proposal.id.in_(ids))):
        if proposal.status == ProposalStatus.REJECTED:
            proposal.status = ProposalStatus.PENDING
            proposal.decided_by = proposal.decided_at = None
    await session.flush()


def _version_after(after: dict[str, Any], point_id: int, published: list[int]) -> int | None:
    """The point's version right after the approval. Approvals recorded before versions were
    kept: a point it published was new (version 1); a point it cited is not known."""
    recorded = after.get("versions", {}).get(str(point_id))
    if recorded is not None:
        return int(recorded)
    return 1 if point_id in published else None


async def revert_approval(session: AsyncSession, entry: AuditEntry, actor: Actor) -> Reverted:
    """In /undo's transaction: takes an approval back whole. Its new points are retracted, the
    article stops being a source of the points it corroborated, the proposals are pending
    again, and a topic it created goes again while nothing else was filed or named in it.
    Refused (UndoConflict) when a point it published or cited has a change since that its
    author has not undone (the same rule as /undo of an /edit: briefings.points.changed_since)."""
    after = entry.after or {}
    published = [int(i) for i in after.get("published", [])]
    links = [(int(p), int(s)) for p, s in after.get("links", [])]
    points = {
        p.id: p
        for p in await session.scalars(
            select(KeyPoint)
            .options(selectinload(KeyPoint.sources))
            .where(KeyPoint.id.in_(sorted({*published, *(p for p, _ in links)})))
            .order_by(KeyPoint.id)
            .with_for_update()
        )
    }
    for row in points.values():
        recorded = _version_after(after, row.id, published)
        changed_by = await changed_since(session, row, entry.id, recorded)
        if changed_by is not None:
            raise UndoConflict(row.id, "approval", changed_by)
    changed = []
    for point_id in published:
        if (point := points.get(point_id)) is not None:
            point.status = RETRACTED
            stamp(point, actor)
            changed.append(point)
    for point_id, source_id in links:
        point = points.get(point_id)
        cited = [s for s in point.sources if s.id == source_id] if point is not None else []
        if point is not None and cited:
            point.sources.remove(cited[0])
            stamp(point, actor)
            changed.append(point)
    proposals = await session.scalars(select(Proposal).where(Proposal.id.in_(decided_ids(entry))))
    for proposal in proposals:
        proposal.status = ProposalStatus.PENDING
        proposal.decided_by = proposal.decided_at = proposal.point_id = None
    await session.flush()
    removed = []
    for slug in after.get("topics_created", []):
        topic = await session.scalar(select(Topic).where(LIVE, Topic.slug == slug))
        if topic is None or topic.aliases:
            continue  # renamed or given an alias since: an admin has made it their own
        if not await live_point_count(session, topic):
            await withdraw(session, topic, actor)
            removed.append(slug)
    return Reverted(changed, removed)


async def _removed(session: AsyncSession, point_id: int) -> bool:
    """Whether a point a proposal repeats is gone (retracted) rather than already citing it."""
    point = await session.get(KeyPoint, point_id)
    return point is None or point.status != PUBLISHED


class ProposalStore:
    def __init__(self, engine: AsyncEngine, topics: TopicStore, points: PointStore) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._topics = topics
        self._points = points

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        async with write_transaction(self._writer) as session:
            await lock_catalog(session)
            yield session
        self._topics.invalidate()

    # ----- reading -------------------------------------------------------------------------

    async def pending_docs(self) -> list[PendingDoc]:
        """What a new ingest should recognise as already proposed."""
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(
                select(Proposal).where(Proposal.status == ProposalStatus.PENDING)
            )
            return [PendingDoc(p.id, p.text, p.topic or p.new_topic_slug or "") for p in rows]

    async def pending(self, limit: int = 200) -> list[ProposalView]:
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(
                select(Proposal)
                .options(selectinload(Proposal.source))
                .where(Proposal.status == ProposalStatus.PENDING)
                .order_by(Proposal.source_id, Proposal.position)
                .limit(limit)
            )
            return [_view(p) for p in rows]

    async def pending_count(self) -> int:
        async with AsyncSession(self._engine) as session:
            count = await session.scalar(
                select(func.count())
                .select_from(Proposal)
                .where(Proposal.status == ProposalStatus.PENDING)
            )
            return int(count or 0)

    async def already_ingested(self, fingerprint: str, url: str | None) -> Ingested | None:
        """The earlier ingest of the same text (or the same URL), with its proposals."""
        async with AsyncSession(self._engine) as session:
            condition = Source.fingerprint == fingerprint
            if url:
                condition = or_(condition, Source.url == clean_line(url)[:MAX_URL])
            source = await session.scalar(select(Source).where(condition).limit(1))
            if source is None:
                return None
            return await self._summary(session, source, already=True)

    async def _copied_source(
        self, session: AsyncSession, keys: Sequence[str]
    ) -> tuple[Source, set[str]] | None:
        """The earlier source that holds NEAR_COPY_SHARE of these statements or more (a wire
        story's update, the same report in another outlet), with every statement key it has;
        None when the article is its own."""
        wanted = set(keys)
        shared = func.count(func.distinct(Proposal.text_key))
        best = (
            await session.execute(
                select(Proposal.source_id, shared)
                .where(Proposal.text_key.in_(wanted))
                .group_by(Proposal.source_id)
                .order_by(shared.desc(), Proposal.source_id)
                .limit(1)
            )
        ).first()
        if best is None or best[1] < max(NEAR_COPY_MIN, NEAR_COPY_SHARE * len(wanted)):
            return None
        source = await session.get(Source, best[0])
        if source is None:
            return None
        known = await session.scalars(
            select(Proposal.text_key).where(Proposal.source_id == source.id)
        )
        return source, {key for key in known if key}

    async def _summary(
        self, session: AsyncSession, source: Source, already: bool, copied: int = 0
    ) -> Ingested:
        rows = (
            await session.scalars(
                select(Proposal)
                .options(selectinload(Proposal.source))
                .where(Proposal.source_id == source.id)
                .order_by(Proposal.position)
            )
        ).all()
        return Ingested(
            source_view(source),
            tuple(_view(p) for p in rows if p.status == ProposalStatus.PENDING),
            already=already,
            approved=sum(p.status == ProposalStatus.APPROVED for p in rows),
            rejected=sum(p.status == ProposalStatus.REJECTED for p in rows),
            copied=copied,
        )

    # ----- writing -------------------------------------------------------------------------

    async def record(self, result: IngestResult, actor: Actor) -> Ingested:
        """Stores the article as a source and its drafts as pending proposals. The same text
        or URL recorded twice (even by two processes at once) is one source, and so is an
        article that is mostly one recorded before: only its new statements are added, to
        that source, so that a copy never counts as a second, corroborating source."""
        earlier = await self.already_ingested(result.fingerprint, result.url)
        if earlier is not None:
            return earlier
        # Cleaned here too, whoever ingests: a page's own title may hold a NUL, which
        # PostgreSQL refuses. Cut, not refused: nobody typed these, the page named itself.
        outlet = (clean_line(result.outlet or "") or "Unknown outlet")[:MAX_OUTLET]
        headline = (clean_line(result.title or "") or "Untitled article")[:MAX_HEADLINE]
        url = clean_line(result.url or "")[:MAX_URL] or None
        keys = [text_key(draft.text) for draft in result.proposals]
        try:
            async with self._write() as session:
                # Inside the catalog lock (_write): two copies recorded at once take turns, and
                # the second finds what the first added.
                copied = await self._copied_source(session, keys)
                if copied is not None:
                    return await self._add_to(session, *copied, result, keys, actor)
                source = Source(
                    key=source_key(result.outlet, result.published, result.fingerprint),
                    outlet=outlet,
                    headline=headline,
                    url=url,
                    published=result.published,
                    fingerprint=result.fingerprint,
                    ingested_by=actor.display,
                    ingested_at=utcnow(),
                )
                session.add(source)
                await session.flush()
                rows = [self._proposal(source, n, d, actor) for n, d in enumerate(result.proposals)]
                session.add_all(rows)
                await session.flush()
                after = {"source": source.key, "proposals": [p.id for p in rows]}
                audit.record(session, actor, "ingest", "source", source.id, None, after)
                await bump_revision(session)  # /sources lists the new source
                return await self._summary(session, source, already=False)
        except IntegrityError:
            # Another process recorded the same article between the check and the insert.
            found = await self.already_ingested(result.fingerprint, result.url)
            if found is None:
                raise
            return found

    async def _add_to(
        self,
        session: AsyncSession,
        source: Source,
        known: set[str],
        result: IngestResult,
        keys: Sequence[str],
        actor: Actor,
    ) -> Ingested:
        """Adds the statements of a copy of `source` that it does not have yet, after its own
        in the review order; nothing at all when it has every one."""
        fresh = {key: draft for key, draft in zip(keys, result.proposals, strict=True)}
        new = [draft for key, draft in fresh.items() if key not in known]
        copied = len(fresh) - len(new)
        if not new:
            return await self._summary(session, source, already=True, copied=copied)
        last = await session.scalar(
            select(func.max(Proposal.position)).where(Proposal.source_id == source.id)
        )
        start = (last or 0) + 1
        rows = [self._proposal(source, start + n, d, actor) for n, d in enumerate(new)]
        session.add_all(rows)
        await session.flush()
        after = {"source": source.key, "proposals": [p.id for p in rows], "copied": copied}
        audit.record(session, actor, "ingest", "source", source.id, None, after)
        summary = await self._summary(session, source, already=False, copied=copied)
        # The review list holds what this copy added, not what the source still has pending.
        added = {p.id for p in rows}
        return replace(summary, proposals=tuple(p for p in summary.proposals if p.id in added))

    def _proposal(
        self, source: Source, position: int, draft: ProposalDraft, actor: Actor
    ) -> Proposal:
        return Proposal(
            source=source,
            position=position,
            text=draft.text,
            text_key=text_key(draft.text),
            topic=draft.topic,
            alternatives=list(draft.topic_alternatives),
            new_topic_slug=draft.new_topic.slug if draft.new_topic else None,
            new_topic_title=draft.new_topic.title[:120] if draft.new_topic else None,
            corroborates=draft.corroborates,
            also_corroborates=list(draft.also_corroborates),
            candidates=list(draft.candidates),
            score=float(draft.score),
            importance=draft.importance,
            flags=list(draft.flags),
            heading=draft.heading[:200] if draft.heading else None,
            status=ProposalStatus.PENDING,
            created_by=actor.display,
        )

    async def _chosen(self, session: AsyncSession, ids: Sequence[int] | None) -> list[Proposal]:
        """The proposals to decide, locked until the transaction ends, so that two admins
        deciding one list at once (two taps, two replicas) decide each proposal once: the
        second waits and then sees it decided. In id order, so two such waits cannot deadlock.
        (On SQLite the write transaction already holds the database's only write lock.)"""
        query = (
            select(Proposal)
            .options(selectinload(Proposal.source))
            .with_for_update(of=Proposal)
            .execution_options(populate_existing=True)
        )
        if ids is None:
            query = query.where(Proposal.status == ProposalStatus.PENDING)
        else:
            query = query.where(Proposal.id.in_(list(ids)))
        rows = list((await session.scalars(query.order_by(Proposal.id))).all())
        missing = sorted(set(ids or ()) - {p.id for p in rows})
        if missing:
            raise UnknownProposal(missing[0])
        return rows

    async def approve(
        self, ids: Sequence[int] | None, actor: Actor, topic: str | None = None
    ) -> Decision:
        """Approves the given proposals (None: every pending one), in one transaction: new
        points in their topic (or `topic`), or the article cited on the points they repeat."""
        async with self._write() as session:
            chosen = await self._chosen(session, ids)
            override = await find_topic(session, topic) if topic else None
            published: list[int] = []
            corroborated: list[int] = []
            skipped: list[int] = []
            created: list[str] = []
            links: list[list[int]] = []
            refiled: list[tuple[int, str, str]] = []
            unfolded: list[tuple[int, int]] = []
            for proposal in chosen:
                if proposal.status != ProposalStatus.PENDING:
                    skipped.append(proposal.id)
                    continue
                # The point it repeats, unless an admin chose a topic for it.
                repeated = proposal.corroborates if override is None else None
                cited = await self._cite(session, proposal, actor) if repeated is not None else []
                # Not cited: the point it repeats was removed, or it cites the article already.
                gone = None
                if repeated is not None and not cited and await _removed(session, repeated):
                    gone = repeated
                if repeated is not None and not cited and gone is None:
                    # Its point cites the article already: another of the article's statements
                    # said the same and was approved first. Nothing to add, least of all a copy
                    # of the point; no link either, so undoing this approval keeps that one's.
                    corroborated.append(repeated)
                elif not cited:
                    target, meant = override, None
                    if target is None:
                        target, meant = await self._topic_for(session, proposal, created)
                    point = new_point(
                        session,
                        target,
                        clean_point_text(proposal.text),
                        actor,
                        importance=proposal.importance,
                        sources=[proposal.source],
                    )
                    await session.flush()
                    await self._points.reindex(session, point)
                    proposal.point_id = point.id
                    published.append(point.id)
                    if meant is not None:
                        refiled.append((point.id, target.slug, meant))
                    if gone is not None:
                        unfolded.append((point.id, gone))
                    if override is None and proposal.corroborates is None:
                        # Something new that also repeats a point: that point cites it too.
                        cited = await self._cite(session, proposal, actor)
                corroborated.extend(cited)
                links.extend([point_id, proposal.source_id] for point_id in cited)
                proposal.status = ProposalStatus.APPROVED
                proposal.decided_by, proposal.decided_at = actor.display, utcnow()
            decided = [p.id for p in chosen if p.id not in skipped]
            if decided:
                after = {
                    "proposals": decided,
                    "published": published,
                    "links": links,
                    "topics_created": created,
                    # What /undo compares with: a version beyond these is a later change.
                    "versions": await _versions(session, [*published, *corroborated]),
                }
                audit.record(session, actor, "approve", "proposals", None, None, after)
                await bump_revision(session)
            return Decision(
                published=tuple(published),
                corroborated=tuple(dict.fromkeys(corroborated)),
                skipped=tuple(skipped),
                topics_created=tuple(created),
                refiled=tuple(refiled),
                unfolded=tuple(unfolded),
            )

    async def _cite(self, session: AsyncSession, proposal: Proposal, actor: Actor) -> list[int]:
        """Adds the article as a source of the published points the proposal repeats; a
        point that gains a source is a new version, so `changes` digests show it again."""
        wanted = [proposal.corroborates, *proposal.also_corroborates]
        ids = [i for i in dict.fromkeys(wanted) if i is not None]
        if not ids:
            return []
        points = (
            await session.scalars(
                select(KeyPoint)
                .options(selectinload(KeyPoint.sources))
                .where(KeyPoint.id.in_(ids), KeyPoint.status == PUBLISHED)
                .order_by(KeyPoint.id)
                # Locked like an /edit's point: each citation is one new version, none lost.
                .with_for_update(of=KeyPoint)
                .execution_options(populate_existing=True)
            )
        ).all()
        cited = []
        for point in points:
            if proposal.source not in point.sources:
                point.sources.append(proposal.source)
                stamp(point, actor)
                cited.append(point.id)
        return cited

    async def _topic_for(
        self, session: AsyncSession, proposal: Proposal, created: list[str]
    ) -> tuple[Topic, str | None]:
        """The proposal's topic; a suggested new topic is created on approval. With it, the
        proposed topic when that was removed since the ingest and an alternative stands in,
        so the approval can say where the point went instead."""
        if proposal.topic:
            try:
                return await find_topic(session, proposal.topic), None
            except UnknownTopic:
                pass  # removed since the ingest: fall back to its alternatives
        for name in [proposal.new_topic_slug, *proposal.alternatives]:
            if not name:
                continue
            try:
                return await find_topic(session, name), proposal.topic
            except UnknownTopic:
                if name != proposal.new_topic_slug:
                    continue
            # No other approval or topic change can create it meanwhile: see lock_catalog.
            position = int(await session.scalar(select(func.count()).select_from(Topic)) or 0)
            topic = Topic(
                slug=name,
                title=proposal.new_topic_title or name.title(),
                description="",
                aliases=[],
                position=position,
            )
            session.add(topic)
            await session.flush()
            created.append(name)
            return topic, proposal.topic
        raise UnknownTopic(proposal.topic or "")

    async def reject(self, ids: Sequence[int] | None, actor: Actor) -> Decision:
        async with self._write() as session:
            chosen = await self._chosen(session, ids)
            rejected, skipped = [], []
            for proposal in chosen:
                if proposal.status != ProposalStatus.PENDING:
                    skipped.append(proposal.id)
                    continue
                proposal.status = ProposalStatus.REJECTED
                proposal.decided_by, proposal.decided_at = actor.display, utcnow()
                rejected.append(proposal.id)
            if rejected:
                audit.record(
                    session, actor, "reject", "proposals", None, None, {"proposals": rejected}
                )
            return Decision(rejected=tuple(rejected), skipped=tuple(skipped))
