"""/undo of an approval judged by the same rule as /undo of an edit: a later change to one of
its points blocks it only while that change stands (not when its author undid it), for the
points it published and the points it cited alike, and an approval counts as a change to the
points it cited when an older change to them is undone."""

from __future__ import annotations

import pytest

from bot.core import texts
from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming
from bot.render.plain import render
from briefings.actors import Actor
from briefings.store import BriefingStore
from briefings.views import PointView
from tests.conftest import OPERATOR

pytestmark = pytest.mark.postgresql

# One sentence that is new (published as a point) and repeats the airport welcome (cited there).
SENTENCE = (
    "Kim Jong Un greeted Putin at the airport and hugged him, with generals Pak Jong Chon, "
    "Ri Pyong Chol and Kang Sun Nam watching."
)
OTHER = "other"


async def ask(core: Core, text: str, user: str = OPERATOR) -> str:
    replies = await core.handle(Incoming(ChatRef("console", "local"), user, user, text))
    return "\n\n".join(render(r) for r in replies)


async def welcome(store: BriefingStore) -> PointView:
    catalog = await store.topics.catalog()
    return next(p for t in catalog.topics for p in t.points if "airport" in p.text)


async def approve(core: Core, store: BriefingStore) -> tuple[int, int]:
    """Approves the sentence; returns (the point it published, the point it cited)."""
    cited = (await welcome(store)).id
    await ask(core, f"/ingest outlet: Test Wire\n{SENTENCE}")
    approved = await ask(core, "/approve all")
    published = int(approved.split("#", 1)[1].split(".", 1)[0].split()[0])
    assert published != cited
    assert f"#{cited}" in approved
    return published, cited


def approval_undone(out: str) -> bool:
    return out.startswith(texts.counted(texts.UNDO_APPROVAL, 1))


async def test_your_undone_removal_of_its_point_does_not_block_undoing_the_approval(
    core: Core, store: BriefingStore
) -> None:
    published, _ = await approve(core, store)
    await ask(core, f"/remove {published}")
    assert await ask(core, "/undo") == texts.UNDO_DONE.format(action="remove", id=published)
    assert approval_undone(await ask(core, "/undo"))
    assert (await store.topics.catalog()).point(published) is None
    # And the admin's older changes are still within reach: nothing older is left here.
    assert await ask(core, "/undo") == texts.NOTHING_TO_UNDO


@pytest.mark.parametrize(
    "change", ["/edit {id} A rewrite its author then undid.", "/importance {id} 1"]
)
async def test_your_undone_change_to_a_point_it_cited_does_not_block_it(
    core: Core, store: BriefingStore, change: str
) -> None:
    _, cited = await approve(core, store)
    await ask(core, change.format(id=cited))
    assert (await ask(core, "/undo")).startswith("Undid your")
    assert approval_undone(await ask(core, "/undo"))
    point = (await store.topics.catalog()).point(cited)
    assert point is not None
    assert "Test Wire" not in {s.outlet for s in point.sources}


async def test_another_admins_standing_change_to_a_cited_point_still_blocks_it(
    core: Core, store: BriefingStore
) -> None:
    _, cited = await approve(core, store)
    await store.admins.grant("console", OTHER, Actor.system("test"))
    await ask(core, f"/edit {cited} Another admin rewrote the cited point.", user=OTHER)
    counts = await store.row_counts()
    refused = await ask(core, "/undo")
    assert refused.startswith(
        f"#{cited} was changed by console:{OTHER} ({OTHER}) after your approval"
    )
    assert await store.row_counts() == counts
    # Once they undo theirs, nothing stands in the way.
    await ask(core, "/undo", user=OTHER)
    assert approval_undone(await ask(core, "/undo"))


async def test_your_own_standing_change_after_the_approval_is_undone_first(
    core: Core, store: BriefingStore
) -> None:
    """Undo is a stack: your later edit is taken back first, then the approval."""
    published, _ = await approve(core, store)
    await ask(core, f"/edit {published} The approving admin's own later edit.")
    assert await ask(core, "/undo") == texts.UNDO_DONE.format(action="edit", id=published)
    assert approval_undone(await ask(core, "/undo"))


async def test_an_undone_approval_does_not_block_undoing_an_older_change_to_a_point_it_cited(
    core: Core, store: BriefingStore
) -> None:
    """An approval changes the points it cites without an audit entry per point; taken back,
    it stands in the way of an older change no more than an undone /edit does."""
    cited = (await welcome(store)).id
    await ask(core, f"/importance {cited} 1")
    await approve(core, store)
    assert approval_undone(await ask(core, "/undo"))
    assert await ask(core, "/undo") == texts.UNDO_DONE.format(action="rerank", id=cited)


async def test_a_standing_approval_by_another_admin_blocks_undoing_an_older_change(
    core: Core, store: BriefingStore
) -> None:
    cited = (await welcome(store)).id
    await store.admins.grant("console", OTHER, Actor.system("test"))
    await ask(core, f"/importance {cited} 1")
    await ask(core, f"/ingest outlet: Test Wire\n{SENTENCE}", user=OTHER)
    assert f"#{cited}" in await ask(core, "/approve all", user=OTHER)
    refused = await ask(core, "/undo")
    assert refused.startswith(
        f"#{cited} was changed by console:{OTHER} ({OTHER}) after your rerank"
    )
