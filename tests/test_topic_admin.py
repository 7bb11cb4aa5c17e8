"""Managing topics from the chat (/topic ...), /move and /importance: the stores on both
databases, then the core end to end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.adapters.telegram.menu import menu_entries
from bot.core import texts
from bot.core.core import FIXED_COMMANDS, Core
from bot.render.plain import render
from briefings.actors import Actor
from briefings.digest import compose
from briefings.errors import (
    AlreadyInTopic,
    BadImportance,
    BadSlug,
    InvalidTitle,
    NothingToUndo,
    ReservedName,
    SameImportance,
    TopicExists,
    TopicNotEmpty,
    UndoConflict,
    UnknownAlias,
    UnknownPoint,
    UnknownTopic,
)
from briefings.loader import PointData, load_briefings
from briefings.models import FULL
from briefings.search import index_for
from briefings.store import BriefingStore
from tests.conftest import GUEST, MessageFactory

RESERVED = frozenset({"search", "find", "help", "topic"})
ACTOR = Actor.system("ann")


async def ask(core: Core, message: MessageFactory, text: str, user: str = "operator") -> str:
    replies = await core.handle(message(text, user))
    assert replies, f"no reply to {text!r}"
    return "\n\n".join(render(r) for r in replies)


async def revision(store: BriefingStore) -> int:
    return (await store.topics.catalog()).revision


async def indexed(store: BriefingStore, word: str) -> list[int]:
    """Point ids the search index itself returns, before the catalog filters anything."""
    async with store.engine.connect() as conn:
        return await index_for(store.engine.dialect.name).search(conn, [word], 100, True)


# The stores


async def test_add_topic_goes_last_empty_and_audited(store: BriefingStore) -> None:
    before = await store.topics.catalog()
    added = await store.topics.add_topic(
        "summit", "  The\tsummit \u200bitself ", ACTOR, reserved=RESERVED
    )
    assert (added.slug, added.title) == ("summit", "The summit itself")
    catalog = await store.topics.catalog()
    assert catalog.revision > before.revision
    assert catalog.topics[-1].slug == "summit"
    assert catalog.topics[-1].points == ()
    assert catalog.topics[-1].position > before.topics[-1].position
    entry = (await store.audit.recent(1))[0]
    assert (entry.actor, entry.action, entry.entity) == (ACTOR.display, "create", "topic")
    assert entry.after is not None
    assert entry.after["slug"] == "summit"


@pytest.mark.parametrize(
    "slug", ["Summit", "sümmit", "s" * 40, "../x", "", "/", "1summit", "sum-mit", "summit\n"]
)
async def test_bad_slugs_are_refused_and_change_nothing(store: BriefingStore, slug: str) -> None:
    before, rev = await store.row_counts(), await revision(store)
    with pytest.raises(BadSlug):
        await store.topics.add_topic(slug, "A title", ACTOR, reserved=RESERVED)
    with pytest.raises(BadSlug):
        await store.topics.add_alias("treaty", slug, ACTOR, reserved=RESERVED)
    with pytest.raises(BadSlug):
        await store.topics.rename_topic("treaty", slug, ACTOR, reserved=RESERVED)
    assert await store.row_counts() == before
    assert await revision(store) == rev


async def test_a_leading_slash_and_the_longest_slug_are_fine(store: BriefingStore) -> None:
    assert (await store.topics.add_topic("/summit", "T", ACTOR, reserved=RESERVED)).slug == "summit"
    longest = "s" + "9" * 31
    assert (await store.topics.add_topic(longest, "T", ACTOR, reserved=RESERVED)).slug == longest


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("search", ReservedName),
        ("find", ReservedName),  # a command's alias
        ("treaty", TopicExists),
        ("pact", TopicExists),  # a topic's alias
    ],
)
async def test_names_already_taken_are_refused(
    store: BriefingStore, name: str, error: type[Exception]
) -> None:
    before = await store.row_counts()
    with pytest.raises(error):
        await store.topics.add_topic(name, "A title", ACTOR, reserved=RESERVED)
    with pytest.raises(error):
        await store.topics.add_alias("arms", name, ACTOR, reserved=RESERVED)
    with pytest.raises(error):
        await store.topics.rename_topic("arms", name, ACTOR, reserved=RESERVED)
    assert await store.row_counts() == before


@pytest.mark.parametrize(("title", "reason"), [("  \u200b\t ", "empty"), ("t" * 121, "too_long")])
async def test_bad_titles_are_refused(store: BriefingStore, title: str, reason: str) -> None:
    before = await store.row_counts()
    with pytest.raises(InvalidTitle) as raised:
        await store.topics.add_topic("summit", title, ACTOR, reserved=RESERVED)
    assert raised.value.reason == reason
    with pytest.raises(InvalidTitle):
        await store.topics.set_title("treaty", title, ACTOR)
    assert await store.row_counts() == before


async def test_rename_keeps_the_old_slug_as_an_alias(store: BriefingStore) -> None:
    treaty = (await store.topics.catalog()).topic("treaty")
    assert treaty is not None
    old, renamed = await store.topics.rename_topic(
        "treaty", "accord", ACTOR, reserved=RESERVED, title="The accord"
    )
    assert old == "treaty"
    assert renamed.aliases == ("pact", "agreement", "treaty")
    catalog = await store.topics.catalog()
    accord = catalog.topic("accord")
    assert accord is not None
    assert catalog.topic("treaty") is accord
    assert accord.title == "The accord"
    assert [p.id for p in accord.points] == [p.id for p in treaty.points]
    # A chat subscribed to /treaty keeps getting it.
    assert compose(catalog, ("treaty",), FULL, None).topics[0][0] is accord


async def test_rename_to_its_own_alias_swaps_them(store: BriefingStore) -> None:
    _, renamed = await store.topics.rename_topic("treaty", "pact", ACTOR, reserved=RESERVED)
    assert renamed.slug == "pact"
    assert renamed.aliases == ("agreement", "treaty")
    with pytest.raises(TopicExists):
        await store.topics.rename_topic("pact", "pact", ACTOR, reserved=RESERVED)


async def test_set_title_and_aliases(store: BriefingStore) -> None:
    await store.topics.set_title("pact", "Treaty\nof partnership", ACTOR)
    await store.topics.add_alias("treaty", "/accord", ACTOR, reserved=RESERVED)
    catalog = await store.topics.catalog()
    treaty = catalog.topic("accord")
    assert treaty is not None
    assert treaty.title == "Treaty of partnership"
    await store.topics.remove_alias("treaty", "PACT", ACTOR)
    catalog = await store.topics.catalog()
    assert catalog.topic("pact") is None
    assert catalog.topic("accord") is catalog.topic("treaty")
    with pytest.raises(UnknownAlias):
        await store.topics.remove_alias("treaty", "pact", ACTOR)
    with pytest.raises(UnknownAlias):  # the slug is not an alias
        await store.topics.remove_alias("treaty", "treaty", ACTOR)
    actions = [e.action for e in await store.audit.recent(3)]
    assert actions == ["unalias", "alias", "retitle"]


async def test_remove_refuses_a_topic_with_points(store: BriefingStore) -> None:
    before = await store.row_counts()
    with pytest.raises(TopicNotEmpty) as raised:
        await store.topics.remove_topic("hanoi", ACTOR)
    assert raised.value.slug == "vietnam"
    assert raised.value.count == len((await store.topics.catalog()).topic("vietnam").points)  # type: ignore[union-attr]
    assert await store.row_counts() == before


async def test_forced_remove_retracts_points_and_hides_the_topic(store: BriefingStore) -> None:
    vietnam = (await store.topics.catalog()).topic("vietnam")
    assert vietnam is not None
    ids = {p.id for p in vietnam.points}
    assert ids & set(await indexed(store, "lam"))
    removed = await store.topics.remove_topic("vietnam", ACTOR, store.points.retract_topic_points)
    assert (removed.slug, removed.retracted) == ("vietnam", len(ids))
    catalog = await store.topics.catalog()
    assert catalog.topic("vietnam") is None
    assert catalog.topic("hanoi") is None
    assert not ids & {p.id for t in catalog.topics for p in t.points}
    assert not ids & set(await indexed(store, "lam"))
    assert not (await store.topics.search("lam")).hits
    recent = await store.audit.recent(len(ids) + 1)
    assert recent[0].action == "withdraw"
    # Not even the name the removed row now carries leads to it.
    assert recent[0].after is not None
    with pytest.raises(UnknownTopic):
        await store.points.add(recent[0].after["slug"], "A point for a hidden topic.", ACTOR)
    assert sorted(e.entity_id for e in recent[1:] if e.action == "retract") == sorted(ids)
    with pytest.raises(UnknownTopic):
        await store.points.add("vietnam", "A point for a topic that is gone.", ACTOR)
    with pytest.raises(UnknownTopic):
        await store.topics.remove_topic("vietnam", ACTOR)
    # /undo does not bring a retracted point back into a removed topic.
    with pytest.raises(NothingToUndo):
        await store.points.undo(ACTOR)
    # The names are free again: a new, empty topic may take them.
    await store.topics.add_topic("vietnam", "Vietnam again", ACTOR, reserved=RESERVED)
    await store.topics.add_alias("vietnam", "hanoi", ACTOR, reserved=RESERVED)
    again = (await store.topics.catalog()).topic("hanoi")
    assert again is not None
    assert (again.slug, again.points) == ("vietnam", ())


async def test_an_empty_topic_is_removed_without_force(store: BriefingStore) -> None:
    await store.topics.add_topic("summit", "Summit", ACTOR, reserved=RESERVED)
    removed = await store.topics.remove_topic("summit", ACTOR)
    assert (removed.slug, removed.retracted) == ("summit", 0)
    assert (await store.topics.catalog()).topic("summit") is None


async def test_a_digest_of_only_removed_topics_is_empty(store: BriefingStore) -> None:
    await store.topics.remove_topic("vietnam", ACTOR, store.points.retract_topic_points)
    catalog = await store.topics.catalog()
    assert compose(catalog, ("vietnam",), FULL, None).empty
    assert [t.slug for t, _ in compose(catalog, ("vietnam", "arms"), FULL, None).topics] == ["arms"]


async def test_topic_changes_are_never_undone(store: BriefingStore) -> None:
    await store.topics.add_topic("summit", "Summit", ACTOR, reserved=RESERVED)
    await store.topics.remove_topic("summit", ACTOR)
    with pytest.raises(NothingToUndo):
        await store.points.undo(ACTOR)


async def test_other_processes_see_a_new_topic_after_the_ttl(store: BriefingStore) -> None:
    now = [0.0]
    reader = BriefingStore(store.engine, cache_ttl=5.0, clock=lambda: now[0])
    before = await reader.topics.catalog()
    await store.topics.add_topic("summit", "Summit", ACTOR, reserved=RESERVED)
    assert await reader.topics.catalog() is before
    now[0] = 6.0
    assert (await reader.topics.catalog()).topic("summit") is not None


async def test_move_is_a_new_audited_version_and_undoes(store: BriefingStore) -> None:
    point = (await store.topics.catalog()).topic("vietnam").points[0]  # type: ignore[union-attr]
    old, moved = await store.points.move(point.id, "/Background", ACTOR)
    assert (old, moved.topic_slug, moved.version) == ("vietnam", "background", point.version + 1)
    catalog = await store.topics.catalog()
    assert point.id in {p.id for p in catalog.topic("background").points}  # type: ignore[union-attr]
    assert point.id not in {p.id for p in catalog.topic("vietnam").points}  # type: ignore[union-attr]
    entry = (await store.audit.recent(1))[0]
    assert entry.action == "move"
    assert (entry.before or {})["topic_id"] != (entry.after or {})["topic_id"]
    await store.points.undo(ACTOR)
    back = (await store.topics.catalog()).point(point.id)
    assert back is not None
    assert (back.topic_slug, back.version) == ("vietnam", point.version + 2)


async def test_importance_reorders_the_topic_and_undoes(store: BriefingStore) -> None:
    last = (await store.topics.catalog()).topic("arms").points[-1]  # type: ignore[union-attr]
    assert last.importance < 5
    changed = await store.points.set_importance(last.id, 5, ACTOR)
    assert (changed.importance, changed.version) == (5, last.version + 1)
    arms = (await store.topics.catalog()).topic("arms")
    assert arms is not None
    assert arms.points[0].importance == 5
    assert arms.points[-1].id != last.id
    assert (await store.audit.recent(1))[0].action == "rerank"
    await store.points.undo(ACTOR)
    assert (await store.topics.catalog()).topic("arms").points[-1].id == last.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s, p: s.points.move(p, "vietnam", ACTOR), AlreadyInTopic),
        (lambda s, p: s.points.move(p, "nosuch", ACTOR), UnknownTopic),
        (lambda s, p: s.points.move(999999, "arms", ACTOR), UnknownPoint),
        (lambda s, p: s.points.set_importance(p, 0, ACTOR), BadImportance),
        (lambda s, p: s.points.set_importance(p, 6, ACTOR), BadImportance),
        (lambda s, p: s.points.set_importance(999999, 2, ACTOR), UnknownPoint),
    ],
)
async def test_bad_moves_and_importances_change_nothing(
    store: BriefingStore, call: object, error: type[Exception]
) -> None:
    point = (await store.topics.catalog()).topic("vietnam").points[0]  # type: ignore[union-attr]
    before, rev = await store.row_counts(), await revision(store)
    with pytest.raises(error):
        await call(store, point.id)  # type: ignore[operator]
    with pytest.raises(SameImportance):
        await store.points.set_importance(point.id, point.importance, ACTOR)
    assert await store.row_counts() == before
    assert await revision(store) == rev


async def test_retracted_points_cannot_be_moved(store: BriefingStore) -> None:
    point = (await store.topics.catalog()).topic("vietnam").points[0]  # type: ignore[union-attr]
    await store.points.remove(point.id, ACTOR)
    with pytest.raises(UnknownPoint):
        await store.points.move(point.id, "arms", ACTOR)
    with pytest.raises(UnknownPoint):
        await store.points.set_importance(point.id, 1, ACTOR)


async def test_undo_never_publishes_into_a_removed_topic(store: BriefingStore) -> None:
    vietnam = (await store.topics.catalog()).topic("vietnam")
    assert vietnam is not None
    first, second = vietnam.points[0], vietnam.points[1]
    await store.points.edit(first.id, "An edit made before the topic went away.", ACTOR)
    await store.points.move(second.id, "arms", ACTOR)
    await store.topics.remove_topic("vietnam", ACTOR, store.points.retract_topic_points)
    # Undo the move: the point stays where it is, since its old topic is gone.
    await store.points.undo(ACTOR)
    catalog = await store.topics.catalog()
    moved = catalog.point(second.id)
    assert moved is not None
    assert moved.topic_slug == "arms"
    # The edit cannot be undone: the topic's removal retracted the point since, and undoing
    # the edit would not bring it back. The point stays retracted.
    with pytest.raises(UndoConflict):
        await store.points.undo(ACTOR)
    assert (await store.topics.catalog()).point(first.id) is None


# The core, end to end


async def test_add_answers_at_once_and_shows_in_help_and_menu(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    out = await ask(core, message, "/topic add summit The summit itself")
    assert out == texts.TOPIC_ADDED.format(slug="summit", title="The summit itself")
    assert await ask(core, message, "/summit") == "THE SUMMIT ITSELF\n\n" + texts.TOPIC_EMPTY
    assert await ask(core, message, "summit", user=GUEST) == await ask(core, message, "/summit")
    assert "/summit The summit itself" in await ask(core, message, "/help", user=GUEST)
    assert "The summit itself: no points yet" in await ask(core, message, "/topics")
    _, topics = await store.topics.listing()
    assert ("summit", "The summit itself") in menu_entries(FIXED_COMMANDS, topics)
    out = await ask(core, message, "/add summit The first point on the summit itself.")
    assert out.startswith("Added point #")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/topic add search Search", texts.RESERVED_NAME.format(name="search")),
        ("/topic add commands Commands", texts.RESERVED_NAME.format(name="commands")),
        ("/topic add topic Topics", texts.RESERVED_NAME.format(name="topic")),
        ("/topic add pact Pact", texts.TOPIC_EXISTS.format(name="pact", holder="treaty")),
        ("/topic add arms Arms", texts.TOPIC_EXISTS.format(name="arms", holder="arms")),
        ("/topic alias arms brief", texts.RESERVED_NAME.format(name="brief")),
        ("/topic alias arms hanoi", texts.TOPIC_EXISTS.format(name="hanoi", holder="vietnam")),
        ("/topic rename arms help", texts.RESERVED_NAME.format(name="help")),
        # Words commands read as keywords: /approve all all, /subscribe weekdays were ambiguous.
        ("/topic add all Everything", texts.RESERVED_WORD.format(name="all")),
        ("/topic rename economy weekdays", texts.RESERVED_WORD.format(name="weekdays")),
        ("/topic alias arms full", texts.RESERVED_WORD.format(name="full")),
        ("/topic alias arms changes", texts.RESERVED_WORD.format(name="changes")),
        ("/topic add sunday Sunday", texts.RESERVED_WORD.format(name="sunday")),
        ("/topic add utc Universal time", texts.RESERVED_WORD.format(name="utc")),
        ("/topic add Summit Summit", texts.BAD_SLUG.format(value="Summit")),
        ("/topic add sümmit Summit", texts.BAD_SLUG.format(value="sümmit")),
        ("/topic add " + "s" * 40 + " Summit", texts.BAD_SLUG.format(value="s" * 40)),
        ("/topic add ../x Summit", texts.BAD_SLUG.format(value="../x")),
        ("/topic add / Summit", texts.BAD_SLUG.format(value="/")),
        ("/topic alias arms two words", texts.BAD_SLUG.format(value="two words")),
        ("/topic add summit", texts.USAGE.format(usage=texts.TOPIC_ADD_USAGE)),
        ("/topic rename arms", texts.USAGE.format(usage=texts.TOPIC_RENAME_USAGE)),
        ("/topic title arms", texts.USAGE.format(usage=texts.TOPIC_TITLE_USAGE)),
        ("/topic alias arms", texts.USAGE.format(usage=texts.TOPIC_ALIAS_USAGE)),
        ("/topic unalias arms", texts.USAGE.format(usage=texts.TOPIC_UNALIAS_USAGE)),
        ("/topic unalias arms pact", texts.UNKNOWN_ALIAS.format(slug="arms", alias="pact")),
        ("/topic remove", texts.USAGE.format(usage=texts.TOPIC_REMOVE_USAGE)),
        ("/topic remove arms now", texts.USAGE.format(usage=texts.TOPIC_REMOVE_USAGE)),
        ("/topic remove nosuch", texts.UNKNOWN_TOPIC.format(name="nosuch")),
        ("/topic title nosuch A title", texts.UNKNOWN_TOPIC.format(name="nosuch")),
        ("/topic title arms " + "t" * 121, texts.TITLE_TOO_LONG.format(limit=120)),
        ("/topic title arms \u200b\u200b", texts.TITLE_EMPTY),
        ("/move", texts.MOVE_USAGE),
        ("/move 12", texts.MOVE_USAGE),
        ("/move x12 arms", texts.BAD_POINT_ID.format(value="x12")),
        ("/move 999999 arms", texts.UNKNOWN_POINT.format(id=999999)),
        ("/move 1 nosuch", texts.UNKNOWN_TOPIC.format(name="nosuch")),
        ("/importance", texts.IMPORTANCE_USAGE),
        ("/importance 1", texts.IMPORTANCE_USAGE),
        ("/importance 1 2 3", texts.IMPORTANCE_USAGE),
        ("/importance 1 9", texts.BAD_IMPORTANCE.format(value="9")),
        ("/importance 1 ٣", texts.BAD_IMPORTANCE.format(value="٣")),
        ("/importance 1 high", texts.BAD_IMPORTANCE.format(value="high")),
        ("/importance #1 0", texts.BAD_IMPORTANCE.format(value="0")),
        ("/importance 999999 2", texts.UNKNOWN_POINT.format(id=999999)),
    ],
)
async def test_bad_topic_commands_explain_and_change_nothing(
    core: Core, message: MessageFactory, store: BriefingStore, text: str, expected: str
) -> None:
    before, rev = await store.row_counts(), await revision(store)
    assert await ask(core, message, text) == expected
    assert await store.row_counts() == before
    assert await revision(store) == rev


@pytest.mark.parametrize(
    "text", ["/topic", "/topic nonsense arms", "/TOPIC nonsense", "/topic addsummit Summit"]
)
async def test_topic_without_a_sub_command_shows_usage(
    core: Core, message: MessageFactory, text: str
) -> None:
    out = await ask(core, message, text)
    assert out.startswith(texts.TOPIC_USAGE_TITLE.upper())
    assert texts.TOPIC_REMOVE_USAGE in out
    assert texts.TOPIC_RENAME_USAGE in out


async def test_topic_add_accepts_the_sub_command_in_any_case(
    core: Core, message: MessageFactory
) -> None:
    out = await ask(core, message, "/topic ADD summit Summit")
    assert out == texts.TOPIC_ADDED.format(slug="summit", title="Summit")


async def test_rename_title_and_aliases_from_the_chat(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    treaty_before = await ask(core, message, "/treaty")
    out = await ask(core, message, "/topic rename treaty accord The accord")
    assert out == texts.TOPIC_RENAMED.format(old="treaty", slug="accord")
    assert await ask(core, message, "/treaty") == await ask(core, message, "/accord")
    assert (await ask(core, message, "/accord")).startswith("THE ACCORD")
    assert (
        treaty_before.split("\n", 1)[1] == (await ask(core, message, "/accord")).split("\n", 1)[1]
    )
    help_text = await ask(core, message, "/help")
    assert "/accord " in help_text
    assert "/treaty " not in help_text
    out = await ask(core, message, "/topic title accord The partnership accord")
    assert out == texts.TOPIC_RETITLED.format(slug="accord", title="The partnership accord")
    assert await ask(core, message, "/topic alias accord deal") == texts.TOPIC_ALIASED.format(
        alias="deal", slug="accord"
    )
    assert (await ask(core, message, "/deal")).startswith("THE PARTNERSHIP ACCORD")
    out = await ask(core, message, "/topic unalias accord treaty")
    assert out == texts.TOPIC_UNALIASED.format(alias="treaty", slug="accord")
    assert (await ask(core, message, "/treaty")).startswith("I don't know /treaty.")


async def test_remove_from_the_chat(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    count = len((await store.topics.catalog()).topic("vietnam").points)  # type: ignore[union-attr]
    assert "Putin was expected to meet To Lam" in await ask(core, message, "/search To Lam")
    out = await ask(core, message, "/topic remove vietnam")
    assert out == texts.counted(texts.TOPIC_NOT_EMPTY, count, slug="vietnam")
    assert (await store.topics.catalog()).topic("vietnam") is not None
    out = await ask(core, message, "/topic remove hanoi \u2014force")
    assert out == texts.counted(texts.TOPIC_REMOVED_FORCED, count, slug="vietnam")
    for name in ("/vietnam", "/hanoi"):
        assert (await ask(core, message, name)).startswith(f"I don't know {name}.")
    assert "/vietnam" not in await ask(core, message, "/help")
    assert "/vietnam" not in await ask(core, message, "/topics")
    assert "To Lam" not in await ask(core, message, "/search To Lam")
    _, topics = await store.topics.listing()
    assert "vietnam" not in {name for name, _ in menu_entries(FIXED_COMMANDS, topics)}
    assert "retract point" in await ask(core, message, "/audit")


async def topic_of(store: BriefingStore, point_id: int) -> str | None:
    point = (await store.topics.catalog()).point(point_id)
    return point.topic_slug if point else None


async def test_move_and_importance_from_the_chat_and_their_undo(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    point = (await store.topics.catalog()).topic("vietnam").points[-1]  # type: ignore[union-attr]
    out = await ask(core, message, f"/move #{point.id} Arms")
    assert out == texts.MOVE_DONE.format(id=point.id, old="vietnam", slug="arms")
    assert await topic_of(store, point.id) == "arms"  # /arms shows it (on its page)
    assert f"(#{point.id})" not in await ask(core, message, "/vietnam")
    assert await ask(core, message, f"/move {point.id} weapons") == texts.ALREADY_IN_TOPIC.format(
        id=point.id, slug="arms"
    )
    assert point.importance < 5
    out = await ask(core, message, f"/importance {point.id} 5")
    assert out == texts.IMPORTANCE_DONE.format(id=point.id, slug="arms", importance=5)
    assert f"(#{point.id})" in await ask(core, message, "/arms")  # now on the first page
    out = await ask(core, message, f"/importance {point.id} 5")
    assert out == texts.SAME_IMPORTANCE.format(id=point.id, importance=5)
    assert await ask(core, message, "/undo") == texts.UNDO_DONE.format(action="rerank", id=point.id)
    assert await ask(core, message, "/undo") == texts.UNDO_DONE.format(action="move", id=point.id)
    assert f"(#{point.id})" in await ask(core, message, "/vietnam")
    restored = (await store.topics.catalog()).point(point.id)
    assert restored is not None
    assert (restored.topic_slug, restored.importance) == ("vietnam", point.importance)


async def test_a_guest_is_refused_everything_and_nothing_changes(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    before, rev = await store.row_counts(), await revision(store)
    for text in (
        "/topic",
        "/topic add summit Summit",
        "/topic rename treaty accord",
        "/topic title treaty New title",
        "/topic alias treaty deal",
        "/topic unalias treaty pact",
        "/topic remove vietnam --force",
        "/move 1 arms",
        "/importance 1 5",
    ):
        out = await ask(core, message, text, user=GUEST)
        assert out == texts.NOT_ADMIN.format(name=text.split()[0].lstrip("/")), text
    assert await store.row_counts() == before
    assert await revision(store) == rev
    assert "/topic add|" not in await ask(core, message, "/help", user=GUEST)
    assert "/topic add|" in await ask(core, message, "/help")


@pytest.mark.parametrize("name", ["treaty\x00", "\x00", "trea ty", "-1", "treaty\n"])
async def test_names_no_topic_can_have_are_unknown_without_a_query(
    store: BriefingStore, name: str
) -> None:
    """PostgreSQL refuses a NUL byte in a query parameter; such names never reach it."""
    point = (await store.topics.catalog()).topic("arms").points[0]  # type: ignore[union-attr]
    with pytest.raises(UnknownTopic):
        await store.points.move(point.id, name, ACTOR)
    with pytest.raises(UnknownTopic):
        await store.topics.remove_topic(name, ACTOR)


async def test_reloading_the_curated_file_respects_renames_and_removals(
    store: BriefingStore,
) -> None:
    await store.topics.rename_topic("treaty", "accord", ACTOR, reserved=RESERVED)
    await store.topics.remove_topic("vietnam", ACTOR, store.points.retract_topic_points)
    before = await store.row_counts()
    report = await store.load_briefings(load_briefings())
    assert not report.changed
    assert await store.row_counts() == before
    catalog = await store.topics.catalog()
    assert catalog.topic("treaty") is catalog.topic("accord")
    assert catalog.topic("vietnam") is None
    # A newer file with a new point for the renamed topic adds it there, not to a new /treaty.
    data = load_briefings()
    new = PointData("treaty-new-point", "A point the curators added later on.", 3, ("iria",))
    topics = tuple(
        replace(t, points=(*t.points, new)) if t.slug == "treaty" else t for t in data.topics
    )
    report = await store.load_briefings(replace(data, topics=topics))
    assert (report.topics, report.points) == (0, 1)
    accord = (await store.topics.catalog()).topic("accord")
    assert accord is not None
    assert "A point the curators added later on." in {p.text for p in accord.points}
