"""An article that is mostly one ingested before (a wire story's update, the same report
republished by another outlet) is that source again: only its new statements are proposed,
cited to it, so a copy never turns the points it repeats into "corroborated by two sources".
Through the core, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.core import Core
from briefings.models import Proposal, Source
from briefings.store import BriefingStore
from tests.test_concurrent_approvals import record_articles
from tests.test_concurrent_edits import run_together
from tests.test_ingest_chat import ask, proposal_ids

pytestmark = pytest.mark.postgresql

ARTICLE = (
    Path(__file__).resolve().parent / "fixtures" / "articles" / "untuned" / "101_duma_ratifies.txt"
).read_text(encoding="utf-8")
# One sentence reworded and one paragraph added: the story's update an hour later.
CHANGED_FROM = "without debate"
CHANGED_TO = "without any debate at all"
ADDED = (
    "Late on Thursday the Kremlin said it welcomed the vote and expected the upper house to"
    " act before the end of the month.\n\n"
)
UPDATE = ARTICLE.replace(CHANGED_FROM, CHANGED_TO).replace(
    "Once the Federation Council", ADDED + "Once the Federation Council"
)


COPY_NOTE = "statements were proposed from that one already"


async def _source_count(store: BriefingStore) -> int:
    return len((await store.topics.catalog()).sources)


async def test_an_update_of_an_ingested_article_adds_only_what_is_new(
    core: Core, store: BriefingStore
) -> None:
    assert CHANGED_FROM in ARTICLE
    first = await ask(core, f"/ingest outlet: Test Wire\n{ARTICLE}")
    first_ids = proposal_ids(first)
    sources = await _source_count(store)
    again = await ask(core, f"/ingest outlet: Other Paper\n{UPDATE}")
    assert COPY_NOTE in again, again
    assert await _source_count(store) == sources  # no second source
    new_ids = proposal_ids(again)
    assert 1 <= len(new_ids) <= 3, again  # the reworded sentence and the added paragraph
    assert not set(new_ids) & set(first_ids)
    assert "Kremlin said it welcomed the vote" in again
    listed = await ask(core, "/proposals")
    assert sorted(proposal_ids(listed)) == sorted(first_ids + new_ids)
    approved = await ask(core, "/approve all")
    assert "Published" in approved
    catalog = await store.topics.catalog()
    wire = [s for s in catalog.sources if s.outlet == "Test Wire"]
    assert len(wire) == 1
    assert not [s for s in catalog.sources if s.outlet == "Other Paper"]


async def test_a_copy_with_nothing_new_adds_nothing(core: Core, store: BriefingStore) -> None:
    await ask(core, f"/ingest {ARTICLE}")
    listed = proposal_ids(await ask(core, "/proposals"))
    # The same article without one of its paragraphs: a shorter reprint.
    paragraphs = ARTICLE.split("\n\n")
    dropped = next(p for p in paragraphs if p.startswith("The vote comes as"))
    shorter = "\n\n".join(p for p in paragraphs if p is not dropped)
    again = await ask(core, f"/ingest outlet: Reprint Daily\n{shorter}")
    assert again.startswith("I already have that article"), again
    assert proposal_ids(await ask(core, "/proposals")) == listed


async def test_two_reports_sharing_a_sentence_are_two_sources(
    core: Core, store: BriefingStore
) -> None:
    await ask(core, f"/ingest outlet: Test Wire\n{ARTICLE}")
    sources = await _source_count(store)
    other = (
        "Russia's lower house of parliament on Thursday voted unanimously to ratify the"
        " comprehensive strategic partnership treaty that Vladimir Putin and Kim Jong Un signed"
        " in Pyongyang in June.\n\nIn Seoul, the foreign ministry summoned the Russian"
        " ambassador to protest against the vote and the troop deployments.\n\nSouth Korean"
        " officials said they were reviewing every option, including sending weapons to"
        " Ukraine directly.\n\nThe ambassador told reporters that the treaty threatened no"
        " third country."
    )
    out = await ask(core, f"/ingest outlet: Seoul Desk\n{other}")
    assert COPY_NOTE not in out, out
    assert await _source_count(store) == sources + 1


async def test_two_copies_recorded_at_once_add_the_new_statement_once(
    store: BriefingStore, database_url: str
) -> None:
    """Two processes recording copies of one article at once (two admins forwarding two
    outlets' reprints): the statement they add is proposed once, and no source is added."""
    await record_articles(store, [])
    async with AsyncSession(store.engine) as session:
        sources = await session.scalar(select(func.count()).select_from(Source))
    outcomes = await run_together(
        database_url,
        ("record-copy", 0, 0, "1", "Reprint A"),
        ("record-copy", 0, 0, "2", "Reprint B"),
    )
    assert sorted(o.get("added", 0) for o in outcomes) == [0, 1], outcomes
    assert sorted(o["copied"] for o in outcomes) == [6, 7]  # the second found the first's
    async with AsyncSession(store.engine) as session:
        assert await session.scalar(select(func.count()).select_from(Source)) == sources
        added = await session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.text.like("%late reaction%"))
        )
        assert added == 1
