"""Two statements of one article that repeat the same point: approving both cites the article
on that point once and publishes nothing, whether they are approved together or one at a time;
undoing the second approval keeps the first one's citation. (Approving the second used to
publish it as a new point, a copy of the one it repeats.)"""

from __future__ import annotations

import datetime as dt

import pytest

from briefings.actors import Actor
from briefings.ingest.types import IngestResult
from briefings.store import BriefingStore
from tests.test_concurrent_approvals import draft
from tests.test_concurrent_edits import point_ids

pytestmark = pytest.mark.postgresql

ADMIN = Actor.user("telegram", "1", "One")


async def _record_two_repeats(store: BriefingStore) -> tuple[int, list[int]]:
    """An article whose two statements both repeat the treaty's first point: that point and
    the two proposals."""
    [point] = await point_ids(store, "treaty")
    drafts = (
        draft("The two leaders signed the treaty in Pyongyang.", corroborates=point),
        draft("In Pyongyang, Putin and Kim put their names to the pact.", corroborates=point),
    )
    result = IngestResult(
        "Pact signed", "Wire", dt.date(2024, 6, 19), None, "text", "f" * 64, drafts
    )
    recorded = await store.proposals.record(result, ADMIN)
    return point, [p.id for p in recorded.proposals]


async def _citations(store: BriefingStore, point: int) -> list[str]:
    found = (await store.topics.catalog()).point(point)
    assert found is not None
    return [s.outlet for s in found.sources]


async def test_approved_together_they_cite_the_article_once(store: BriefingStore) -> None:
    point, _ = await _record_two_repeats(store)
    before = (await store.topics.catalog()).point_count
    decision = await store.proposals.approve(None, ADMIN)
    assert decision.published == ()
    assert decision.corroborated == (point,)
    assert (await store.topics.catalog()).point_count == before
    assert (await _citations(store, point)).count("Wire") == 1


async def test_approved_one_at_a_time_the_second_adds_nothing(store: BriefingStore) -> None:
    point, (first, second) = await _record_two_repeats(store)
    before = (await store.topics.catalog()).point_count
    await store.proposals.approve([first], ADMIN)
    decision = await store.proposals.approve([second], ADMIN)
    assert decision.published == ()
    assert (await store.topics.catalog()).point_count == before
    await store.points.undo(ADMIN)  # the second approval
    assert (await _citations(store, point)).count("Wire") == 1  # the first's citation stays
    await store.points.undo(ADMIN)  # the first
    assert "Wire" not in await _citations(store, point)
