"""BriefingStore: catalog, writes with audit, undo, search, admins, chats and seeding."""

from __future__ import annotations

import pytest

from briefings.actors import Actor
from briefings.errors import InvalidText, NothingToUndo, UnknownPoint, UnknownSource, UnknownTopic
from briefings.loader import load_briefings
from briefings.models import PUBLISHED, RETRACTED
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionStore

pytestmark = pytest.mark.postgresql

REQUIRED_TOPICS = {
    "treaty",
    "reactions",
    "arms",
    "economy",
    "visit",
    "delegation",
    "vietnam",
    "background",
}


async def test_seeded_catalog_has_every_required_topic(store: BriefingStore) -> None:
    catalog = await store.topics.catalog()
    assert {t.slug for t in catalog.topics} >= REQUIRED_TOPICS
    for topic in catalog.topics:
        assert topic.points, topic.slug
        importance = [p.importance for p in topic.points]
        assert importance == sorted(importance, reverse=True)
        assert all(p.sources for p in topic.points)


async def test_aliases_resolve_to_their_topic(store: BriefingStore) -> None:
    catalog = await store.topics.catalog()
    for topic in catalog.topics:
        for alias in topic.aliases:
            assert catalog.topic(alias) is topic
        assert catalog.topic(topic.slug.upper()) is topic


async def test_loading_twice_adds_nothing(store: BriefingStore) -> None:
    before = await store.row_counts()
    report = await store.load_briefings(load_briefings())
    assert not report.changed
    assert await store.row_counts() == before


async def test_reload_keeps_admin_edits(store: BriefingStore) -> None:
    point = (await store.topics.catalog()).topic("treaty").points[0]  # type: ignore[union-attr]
    await store.points.edit(
        point.id, "An admin rewrote this point completely.", Actor.system("tester")
    )
    await store.load_briefings(load_briefings())
    edited = (await store.topics.catalog()).point(point.id)
    assert edited is not None
    assert edited.text == "An admin rewrote this point completely."


async def test_add_edit_remove_are_audited_and_served(store: BriefingStore) -> None:
    added = await store.points.add(
        "treaty",
        "  A brand new   point about the pact.  ",
        Actor.system("alice"),
        source_keys=["iria"],
    )
    assert added.text == "A brand new point about the pact."
    assert [s.key for s in added.sources] == ["iria"]
    assert (await store.topics.catalog()).point(added.id) is not None

    old, edited = await store.points.edit(
        added.id, "The point, rewritten by an admin.", Actor.system("bob")
    )
    assert old == "A brand new point about the pact."
    assert edited.version == 2
    assert (await store.topics.catalog()).point(added.id).text == edited.text  # type: ignore[union-attr]

    removed = await store.points.remove(added.id, Actor.system("carol"))
    assert removed.status == RETRACTED
    assert (await store.topics.catalog()).point(added.id) is None

    log = await store.audit.recent(limit=3)
    assert [(e.action, e.actor) for e in log] == [
        ("remove", "carol"),
        ("edit", "bob"),
        ("add", "alice"),
    ]
    assert log[1].before is not None
    assert log[1].before["text"] == old
    assert log[0].after is not None
    assert log[0].after["status"] == RETRACTED


async def test_undo_reverts_the_actors_latest_change_in_order(store: BriefingStore) -> None:
    added = await store.points.add(
        "arms", "A point that will be edited then undone.", Actor.system("ann")
    )
    await store.points.edit(added.id, "The edited version of that point.", Actor.system("ann"))
    await store.points.undo(Actor.system("ann"))
    assert (await store.topics.catalog()).point(added.id).text.startswith("A point that")  # type: ignore[union-attr]
    await store.points.undo(Actor.system("ann"))
    assert (await store.topics.catalog()).point(added.id) is None
    with pytest.raises(NothingToUndo):
        await store.points.undo(Actor.system("ann"))
    with pytest.raises(NothingToUndo):
        await store.points.undo(Actor.system("somebody-else"))


async def test_undo_of_remove_republishes_and_reindexes(store: BriefingStore) -> None:
    added = await store.points.add(
        "economy", "Zanzibarian barter scheme announced.", Actor.system("ann")
    )
    await store.points.remove(added.id, Actor.system("ann"))
    assert not (await store.topics.search("zanzibarian")).hits
    await store.points.undo(Actor.system("ann"))
    point = (await store.topics.catalog()).point(added.id)
    assert point is not None
    assert point.status == PUBLISHED
    assert [h.point.id for h in (await store.topics.search("zanzibarian")).hits] == [added.id]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda s: s.points.add("nope", "Valid text for a point.", Actor.system("x")),
            UnknownTopic,
        ),
        (lambda s: s.points.add("treaty", "   ", Actor.system("x")), InvalidText),
        (lambda s: s.points.add("treaty", "short", Actor.system("x")), InvalidText),
        (lambda s: s.points.add("treaty", "long " * 200, Actor.system("x")), InvalidText),
        (
            lambda s: s.points.add(
                "treaty", "Valid text here.", Actor.system("x"), source_keys=["zz"]
            ),
            UnknownSource,
        ),
        (
            lambda s: s.points.edit(999999, "Valid replacement text.", Actor.system("x")),
            UnknownPoint,
        ),
        (lambda s: s.points.remove(999999, Actor.system("x")), UnknownPoint),
    ],
)
async def test_bad_writes_change_nothing(store: BriefingStore, call: object, error: type) -> None:
    before = await store.row_counts()
    with pytest.raises(error):
        await call(store)  # type: ignore[operator]
    assert await store.row_counts() == before


async def test_removed_point_cannot_be_edited_or_removed_again(store: BriefingStore) -> None:
    point = (await store.topics.catalog()).topic("visit").points[-1]  # type: ignore[union-attr]
    await store.points.remove(point.id, Actor.system("x"))
    with pytest.raises(UnknownPoint):
        await store.points.edit(point.id, "Trying to edit a retracted point.", Actor.system("x"))
    with pytest.raises(UnknownPoint):
        await store.points.remove(point.id, Actor.system("x"))


async def test_search_ranks_and_stems(store: BriefingStore) -> None:
    result = await store.topics.search("missile")
    assert result.hits
    assert all("missile" in h.point.text.lower() for h in result.hits)
    assert result.matched_all


async def test_search_falls_back_to_any_word(store: BriefingStore) -> None:
    result = await store.topics.search("treaty xylophone")
    assert result.hits
    assert not result.matched_all


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND",
        "NEAR(",
        "missile OR",
        "(((",
        "'; DROP TABLE key_points; --",
        "treaty NOT",
        "col:value",
        "^start",
        "a\x00b",
        "🚀",
        "\u202eevil",
        "-",
        "+++",
    ],
)
async def test_search_never_passes_syntax_through(store: BriefingStore, query: str) -> None:
    before = await store.row_counts()
    result = await store.topics.search(query)
    assert isinstance(result.hits, list)
    assert await store.row_counts() == before


async def test_other_process_writes_are_seen_after_the_ttl(store: BriefingStore) -> None:
    now = [0.0]
    reader = BriefingStore(store.engine, cache_ttl=5.0, clock=lambda: now[0])
    before = await reader.topics.catalog()
    added = await store.points.add("treaty", "Written by another process.", Actor.system("other"))
    assert (await reader.topics.catalog()) is before  # still within the TTL
    now[0] = 6.0
    assert (await reader.topics.catalog()).point(added.id) is not None


async def test_admins_grant_revoke(store: BriefingStore) -> None:
    assert not await store.admins.is_admin("telegram", "42")
    assert await store.admins.grant("telegram", "42", Actor.system("root"))
    assert not await store.admins.grant("telegram", "42", Actor.system("root"))
    assert await store.admins.is_admin("telegram", "42")
    assert not await store.admins.is_admin("slack", "42")
    assert await store.admins.all() == [("telegram", "42", "root")]
    assert await store.admins.revoke("telegram", "42", Actor.system("root"))
    assert not await store.admins.revoke("telegram", "42", Actor.system("root"))
    assert [e.action for e in await store.audit.recent(2)] == ["revoke", "grant"]


async def test_chat_marks_and_moves(store: BriefingStore) -> None:
    assert await store.chats.status("telegram", "-1") == ("active", "")
    await store.chats.mark("telegram", "-1", "blocked", "bot was blocked")
    assert await store.chats.status("telegram", "-1") == ("blocked", "bot was blocked")
    await SubscriptionStore(store.engine).follow_move("telegram", "-1", "-100")
    assert (await store.chats.status("telegram", "-1"))[0] == "moved"
    assert await store.chats.status("telegram", "-100") == ("active", "")
