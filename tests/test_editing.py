"""Editing that stays correct as more people edit: who "you" are for /undo, undo refused when
someone changed the point since, long display names, and text that keeps its joiners."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import texts
from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming
from bot.render.plain import render
from briefings.actors import ACTOR_LENGTH, Actor
from briefings.errors import UndoConflict
from briefings.models import RETRACTED, AuditEntry, KeyPoint
from briefings.store import BriefingStore
from tests.conftest import OPERATOR, MessageFactory

pytestmark = pytest.mark.postgresql

# ZWNJ and ZWJ are spelling, not noise: each of these words changes without them.
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", ZWNJ after the prefix
DEVANAGARI = "\u0930\u094d\u200d\u092f"  # the eyelash ra conjunct of Marathi, made with ZWJ
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one family emoji, three people joined


async def ask(core: Core, message: MessageFactory, text: str) -> str:
    return "\n\n".join(render(r) for r in await core.handle(message(text)))


async def say(core: Core, text: str, name: str, user: str = OPERATOR) -> str:
    """A console admin (`user`) whose display name is `name` this time."""
    incoming = Incoming(ChatRef("console", "local"), user, name, text)
    return "\n\n".join(render(r) for r in await core.handle(incoming))


async def first_point(store: BriefingStore, topic: str) -> int:
    found = (await store.topics.catalog()).topic(topic)
    assert found is not None
    return found.points[0].id


async def stored(store: BriefingStore, point_id: int) -> KeyPoint:
    async with AsyncSession(store.engine) as session:
        return await session.get_one(KeyPoint, point_id)


# ----- who "you" are: platform and user id, not the name ------------------------------------


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("Ann Example", "Ann Renamed"),  # a Telegram rename between /edit and /undo
        ("ann.example", "U024BE7LH"),  # Slack: user_name in a slash command, the id in a DM
    ],
)
async def test_undo_finds_your_change_under_a_new_name(
    core: Core, store: BriefingStore, first: str, then: str
) -> None:
    point_id = await first_point(store, "treaty")
    original = (await stored(store, point_id)).text
    await say(core, f"/edit {point_id} A new text written under the first name.", first)
    out = await say(core, "/undo", then)
    assert out == texts.UNDO_DONE.format(action="edit", id=point_id)
    assert (await stored(store, point_id)).text == original
    log = await store.audit.recent(2)
    assert [e.actor for e in log] == [
        f"console:{OPERATOR} ({then})",
        f"console:{OPERATOR} ({first})",
    ]


async def test_someone_else_with_your_name_cannot_undo_your_change(
    core: Core, store: BriefingStore
) -> None:
    point_id = await first_point(store, "treaty")
    await say(core, f"/edit {point_id} Edited by the operator, named Sam.", "Sam")
    await say(core, "/grant 777", "Sam")
    before = await store.row_counts()
    assert await say(core, "/undo", "Sam", user="777") == texts.NOTHING_TO_UNDO
    assert await store.row_counts() == before


# ----- undo refused when the point changed since ---------------------------------------------


async def test_undo_refused_after_someone_else_edited(core: Core, store: BriefingStore) -> None:
    point_id = await first_point(store, "arms")
    await say(core, "/grant 777", "X")
    await say(core, f"/edit {point_id} The first admin's edit of this point.", "X")
    await say(core, f"/edit {point_id} The second admin's edit, made later.", "Y", user="777")
    before = await store.row_counts()

    out = await say(core, "/undo", "X")
    assert out == texts.UNDO_CONFLICT.format(id=point_id, who="console:777 (Y)", action="edit")
    assert out.startswith(f"#{point_id} was changed by console:777 (Y) after your edit;")
    assert await store.row_counts() == before
    point = await stored(store, point_id)
    assert (point.text, point.version) == ("The second admin's edit, made later.", 3)

    # Once Y undoes their edit, nothing of theirs stands in the way: X's undo goes through.
    assert await say(core, "/undo", "Y", user="777") == texts.UNDO_DONE.format(
        action="edit", id=point_id
    )
    assert await say(core, "/undo", "X") == texts.UNDO_DONE.format(action="edit", id=point_id)
    assert (await stored(store, point_id)).version == 5


async def test_undo_refused_after_someone_else_removed(core: Core, store: BriefingStore) -> None:
    point_id = await first_point(store, "economy")
    await say(core, "/grant 777", "X")
    await say(core, f"/edit {point_id} An edit that somebody then retracts.", "X")
    await say(core, f"/remove {point_id}", "Y", user="777")
    before = await store.row_counts()
    out = await say(core, "/undo", "X")
    assert out == texts.UNDO_CONFLICT.format(id=point_id, who="console:777 (Y)", action="edit")
    assert await store.row_counts() == before
    assert (await stored(store, point_id)).status == RETRACTED
    assert (await store.topics.catalog()).point(point_id) is None


async def test_your_own_later_changes_undo_one_by_one(store: BriefingStore) -> None:
    ann = Actor.user("telegram", "7", "Ann")
    point_id = await first_point(store, "visit")
    original = (await stored(store, point_id)).text
    for n in range(3):
        await store.points.edit(point_id, f"Ann's edit number {n} of this point.", ann)
    await store.points.remove(point_id, ann)
    for _ in range(4):
        await store.points.undo(ann)
    point = await stored(store, point_id)
    assert (point.text, point.status, point.version) == (original, "published", 9)


async def test_undo_refused_after_a_change_the_trail_does_not_name(store: BriefingStore) -> None:
    """A writer that changes a point without a per-point audit entry still counts: the version
    moved, and the point names who moved it."""
    ann = Actor.user("telegram", "7", "Ann")
    point_id = await first_point(store, "vietnam")
    await store.points.edit(point_id, "Ann's edit, before someone else's change.", ann)
    async with AsyncSession(store.engine) as session, session.begin():
        point = await session.get_one(KeyPoint, point_id)
        point.version += 1
        point.updated_by = "telegram:8 (Bo)"
    with pytest.raises(UndoConflict) as refused:
        await store.points.undo(ann)
    assert refused.value.changed_by == "telegram:8 (Bo)"


# ----- long display names ----------------------------------------------------------------------

TELEGRAM_LONGEST = "F" * 63 + "é " + "L" * 64  # first and last name at Telegram's 64 each


async def test_a_long_name_can_add_edit_remove_undo_and_grant(
    core: Core, store: BriefingStore
) -> None:
    name = TELEGRAM_LONGEST
    assert len(name) == 129
    out = await say(core, "/add treaty A point added by an admin with a long name.", name)
    assert out.startswith("Added point #"), out
    point_id = int(out.split("#")[1].split()[0])
    assert "is now version 2" in await say(core, f"/edit {point_id} Edited by the long name.", name)
    assert (await say(core, f"/remove {point_id}", name)).startswith("Removed point")
    assert await say(core, "/undo", name) == texts.UNDO_DONE.format(action="remove", id=point_id)
    assert await say(core, "/grant 778", name) == texts.GRANTED.format(
        user="778", platform="console"
    )
    point = await stored(store, point_id)
    assert point.created_by == point.updated_by == f"console:{OPERATOR} ({name})"
    assert f"console:{OPERATOR} ({name}) undo audit" in await say(core, "/audit", name)


async def test_an_absurdly_long_name_is_clipped_to_fit(core: Core, store: BriefingStore) -> None:
    name = "N" * 5000
    out = await say(core, "/add treaty A point added by an admin with a huge name.", name)
    assert out.startswith("Added point #"), out
    point = await stored(store, int(out.split("#")[1].split()[0]))
    assert len(point.created_by) == ACTOR_LENGTH
    assert point.created_by.startswith(f"console:{OPERATOR} (NNN")
    assert point.created_by.endswith("N…)")
    async with AsyncSession(store.engine) as session:
        entry = await session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None
    assert (entry.actor, entry.actor_id) == (point.created_by, f"console:{OPERATOR}")


@pytest.mark.parametrize("word", [PERSIAN, DEVANAGARI, FAMILY])
async def test_add_and_edit_keep_joiners_and_drop_hidden_characters(
    core: Core, message: MessageFactory, store: BriefingStore, word: str
) -> None:
    out = await ask(core, message, f"/add treaty The word {word} stays\u200b whole \u202ehere.")
    point_id = int(out.split("#")[1].split()[0])
    added = (await store.topics.catalog()).point(point_id)
    assert added is not None
    assert added.text == f"The word {word} stays whole here."

    edit = f"/edit {point_id} \u2066Edited:\u2069 {word} {word}\ufeff, still whole."
    await ask(core, message, edit)
    edited = (await store.topics.catalog()).point(point_id)
    assert edited is not None
    assert edited.text == f"Edited: {word} {word}, still whole."
