"""Two bot processes deciding the same proposals at once, on SQLite and PostgreSQL: two admins
tapping "approve" on one review list (or one approving while the other rejects, or one person
undoing an approval twice) publish each point once, cite each article once, create a suggested
topic once, and make every point version exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from briefings.actors import Actor
from briefings.ingest.types import IngestResult, NewTopic, ProposalDraft
from briefings.models import AuditEntry, KeyPoint, Proposal, Topic
from briefings.store import BriefingStore
from tests.test_concurrent_edits import point_ids, run_together

pytestmark = pytest.mark.postgresql

ARTICLES = 3
NEW_POINTS_PER_ARTICLE = 6
NEW_TOPIC = NewTopic("energy", "Energy and fuel")
ADMIN = Actor.user("telegram", "1", "One")


def draft(text: str, topic: str | None = "treaty", **fields: object) -> ProposalDraft:
    return ProposalDraft(
        text=text,
        topic=topic,
        topic_alternatives=("arms",),
        new_topic=fields.get("new_topic"),  # type: ignore[arg-type]
        corroborates=fields.get("corroborates"),  # type: ignore[arg-type]
        candidates=(),
        score=0.5,
        importance=3,
        flags=(),
        heading=None,
    )


async def record_articles(store: BriefingStore, repeated: list[int]) -> None:
    """Three articles, each with new points, a repeat of each point in `repeated` (so that
    approving them cites the article on those points) and one point for a new topic."""
    for n in range(ARTICLES):
        drafts = [
            draft(
                f"Article {n} reports new fact number {k} about the visit.",
                ("treaty", "arms")[k % 2],
            )
            for k in range(NEW_POINTS_PER_ARTICLE)
        ]
        drafts += [draft(f"Article {n} repeats point {p}.", corroborates=p) for p in repeated]
        drafts.append(draft(f"Article {n} reports a new fuel shipment.", None, new_topic=NEW_TOPIC))
        result = IngestResult(
            f"Wire story {n}",
            f"Wire {n}",
            dt.date(2024, 6, 20),
            f"https://news.example/{n}",
            "text",
            f"{n}" * 64,
            tuple(drafts),
        )
        await store.proposals.record(result, ADMIN)


async def prepare(store: BriefingStore, *topics: str) -> tuple[list[int], int]:
    """Records the articles, repeating the first point of each of `topics`; returns those
    points and how many points were published before."""
    repeated = await point_ids(store, *topics)
    async with AsyncSession(store.engine) as session:
        before = await published_count(session)
    await record_articles(store, repeated)
    return repeated, before


async def published_count(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(KeyPoint).where(KeyPoint.status == "published")
        )
        or 0
    )


async def approvals(session: AsyncSession) -> list[int]:
    """Every proposal id named by an approval, as many times as it was approved."""
    entries = await session.scalars(select(AuditEntry).where(AuditEntry.action == "approve"))
    return sorted(i for e in entries for i in (e.after or {}).get("proposals", []))


@pytest.mark.parametrize(
    "jobs",
    [("approve-all", "approve-all"), ("approve-each", "approve-each-reversed")],
    ids=["all-and-all", "each-both-ways"],
)
async def test_two_admins_approving_the_same_list_publish_each_point_once(
    store: BriefingStore, database_url: str, jobs: tuple[str, str]
) -> None:
    repeated, before = await prepare(store, "treaty", "economy")

    tallies = await run_together(
        database_url, (jobs[0], 0, 1, "1", "One"), (jobs[1], 0, 1, "2", "Two")
    )

    new_points = ARTICLES * (NEW_POINTS_PER_ARTICLE + 1)
    assert sum(t.get("published", 0) for t in tallies) == new_points
    assert sum(t.get("topics_created", 0) for t in tallies) == 1
    async with AsyncSession(store.engine) as session:
        proposals = (await session.scalars(select(Proposal))).all()
        assert {p.status for p in proposals} == {"approved"}
        assert await approvals(session) == sorted(p.id for p in proposals)  # each one once
        assert await published_count(session) == before + new_points
        topics = (await session.scalars(select(Topic).where(Topic.slug == NEW_TOPIC.slug))).all()
        assert len(topics) == 1
        in_new_topic = await session.scalar(
            select(func.count()).select_from(KeyPoint).where(KeyPoint.topic_id == topics[0].id)
        )
        assert in_new_topic == ARTICLES
        for point in await session.scalars(
            select(KeyPoint)
            .options(selectinload(KeyPoint.sources))
            .where(KeyPoint.id.in_(repeated))
        ):
            cited = {s.headline for s in point.sources if s.headline.startswith("Wire story")}
            assert cited == {f"Wire story {n}" for n in range(ARTICLES)}
            assert point.version == 1 + ARTICLES  # one new version per citing article


async def test_approving_while_another_admin_rejects_decides_each_proposal_once(
    store: BriefingStore, database_url: str
) -> None:
    repeated, before = await prepare(store, "treaty")

    tallies = await run_together(
        database_url, ("approve-each", 0, 1, "1", "One"), ("reject-each", 0, 1, "2", "Two")
    )

    async with AsyncSession(store.engine) as session:
        proposals = (await session.scalars(select(Proposal))).all()
        approved = [p for p in proposals if p.status == "approved"]
        rejected = [p for p in proposals if p.status == "rejected"]
        assert len(approved) + len(rejected) == len(proposals)
        assert sum(t.get("rejected", 0) for t in tallies) == len(rejected)
        assert await approvals(session) == sorted(p.id for p in approved)
        # A rejected proposal published nothing; an approved new one published its point.
        assert all(p.point_id is None for p in rejected)
        new = [p for p in approved if p.corroborates is None]
        assert all(p.point_id is not None for p in new)
        assert await published_count(session) == before + len(new)
        assert sum(t.get("published", 0) for t in tallies) == len(new)


async def test_one_admin_undoing_an_approval_twice_at_once_undoes_it_once(
    store: BriefingStore, database_url: str
) -> None:
    repeated, before = await prepare(store, "treaty")
    await store.proposals.approve(None, ADMIN)

    tallies = await run_together(
        database_url, ("undo", 0, 1, "1", "One"), ("undo", 0, 1, "1", "Uno")
    )

    assert sum(t.get("undone", 0) for t in tallies) == 1
    assert sum(t.get("nothing", 0) for t in tallies) == 1
    async with AsyncSession(store.engine) as session:
        undos = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "undo")
        )
        assert undos == 1
        assert await published_count(session) == before
        statuses = set(await session.scalars(select(Proposal.status)))
        assert statuses == {"pending"}
        point = await session.scalar(
            select(KeyPoint)
            .options(selectinload(KeyPoint.sources))
            .where(KeyPoint.id == repeated[0])
        )
        assert point is not None
        assert not [s for s in point.sources if s.headline.startswith("Wire story")]
        assert point.version == 1 + 2 * ARTICLES  # each citation made, and taken back, once
