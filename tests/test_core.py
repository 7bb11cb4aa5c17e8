"""The handler core, driven with neutral messages and read through the plain-text renderer."""

from __future__ import annotations

import pytest

from bot.core import texts
from bot.core.commands import Command, parse
from bot.core.core import Core, default_registry
from bot.core.messages import Reply
from bot.core.roles import Roles
from bot.render.plain import render
from briefings.store import BriefingStore
from tests.conftest import CONSOLE_ADMINS, GUEST, MessageFactory

pytestmark = pytest.mark.postgresql


async def ask(core: Core, message: MessageFactory, text: str, user: str = "operator") -> str:
    replies = await core.handle(message(text, user))
    assert replies, f"no reply to {text!r}"
    return "\n\n".join(render(r) for r in replies)


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/treaty", "treaty", ""),
        ("/Treaty", "treaty", ""),
        ("/treaty@SomeBot extra words", "treaty", "extra words"),
        ("   /search    missiles  now ", "search", "missiles  now"),
        ("/search\nmissiles", "search", "missiles"),
        ("treaty", "treaty", ""),
    ],
)
def test_parse(text: str, name: str, args: str) -> None:
    parsed = parse(text)
    assert parsed is not None
    assert (parsed.name, parsed.args) == (name, args)


async def whole_topic(core: Core, message: MessageFactory, slug: str) -> str:
    """Every page of a topic, as someone pressing More until the end would read it."""
    pages, command = [], f"/{slug}"
    while command:
        [reply] = await core.handle(message(command))
        pages.append(render(reply))
        command = next((b.command for b in reply.buttons if b.command.startswith(f"/{slug} ")), "")
    return "\n\n".join(pages)


def test_parse_empty() -> None:
    assert parse("   ") is None


async def test_topic_command_shows_points_with_sources(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    out = await ask(core, message, "/treaty")
    treaty = (await store.topics.catalog()).topic("treaty")
    assert treaty is not None
    assert out.startswith(treaty.title.upper())
    for point in treaty.points:
        assert point.text in out
        assert f"(#{point.id})" in out
    assert "Sources:\n[1] " in out
    assert "/reactions" in out  # buttons to other topics


@pytest.mark.parametrize("text", ["/TREATY", "/treaty@BriefBot", "  /treaty  ", "treaty"])
async def test_topic_command_variants(core: Core, message: MessageFactory, text: str) -> None:
    assert await ask(core, message, text) == await ask(core, message, "/treaty")


async def test_aliases_reach_topics(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    catalog = await store.topics.catalog()
    for topic in catalog.topics:
        for alias in topic.aliases:
            assert await ask(core, message, f"/{alias}") == await ask(
                core, message, f"/{topic.slug}"
            )


async def test_help_lists_topics_and_hides_admin_commands_from_guests(
    core: Core, message: MessageFactory
) -> None:
    admin_help = await ask(core, message, "/help")
    guest_help = await ask(core, message, "/help", user=GUEST)
    for name in ("/treaty", "/reactions", "/digest", "/search", "/sources", "/topics"):
        assert name in guest_help
    assert texts.HELP_ADMIN_HEADING in admin_help
    assert "/add" in admin_help
    assert texts.HELP_ADMIN_HEADING not in guest_help
    assert "/add" not in guest_help


async def test_start_introduces_the_event(core: Core, message: MessageFactory) -> None:
    out = await ask(core, message, "/start")
    assert "the test event" in out
    assert "/digest" in out


async def test_topics_lists_counts(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    out = await ask(core, message, "/topics")
    catalog = await store.topics.catalog()
    for topic in catalog.topics:
        assert f"/{topic.slug} {topic.title}: {len(topic.points)} points" in out


async def test_digest_has_every_topic_most_important_first(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    out = await ask(core, message, "/digest")
    catalog = await store.topics.catalog()
    for topic in catalog.topics:
        assert f"{topic.title} (/{topic.slug})" in out
        assert topic.points[0].text in out


async def test_search_shows_topic_and_sources(core: Core, message: MessageFactory) -> None:
    out = await ask(core, message, "/search missiles")
    assert out.startswith("SEARCH: MISSILES")
    assert "• /arms " in out
    assert "[1]" in out
    assert "Sources:" in out


async def test_search_without_words(core: Core, message: MessageFactory) -> None:
    assert await ask(core, message, "/search") == texts.SEARCH_USAGE
    assert await ask(core, message, "/search !!! ???") == texts.SEARCH_NO_WORDS


async def test_search_with_no_hits(core: Core, message: MessageFactory) -> None:
    out = await ask(core, message, "/search xylophone")
    assert out == texts.SEARCH_NONE.format(query="xylophone")


async def test_sources_lists_every_source(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    out = await ask(core, message, "/sources")
    for source in (await store.topics.catalog()).sources:
        assert source.outlet in out
        assert source.key in out
    assert "cited by" in out


async def test_unknown_command_suggests(core: Core, message: MessageFactory) -> None:
    out = await ask(core, message, "/tretay")
    assert "I don't know /tretay." in out
    assert "/treaty" in out
    assert "/help" in out


async def test_plain_chatter_gets_a_hint(core: Core, message: MessageFactory) -> None:
    assert await ask(core, message, "hello there") == texts.NOT_A_COMMAND


async def test_guest_cannot_change_anything(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    before = await store.row_counts()
    for text in (
        "/add treaty A guest tries to add a point.",
        "/edit 1 Guest edit attempt.",
        "/remove 1",
        "/undo",
        "/grant 5",
        "/revoke operator",
        "/audit",
        "/admins",
    ):
        out = await ask(core, message, text, user=GUEST)
        name = text.split()[0].lstrip("/")
        assert out == texts.NOT_ADMIN.format(name=name)
    assert await store.row_counts() == before


async def test_admin_add_edit_remove_undo_audit(
    core: Core, message: MessageFactory, store: BriefingStore
) -> None:
    out = await ask(
        core, message, "/add treaty The treaty enters force on ratification. sources: iria"
    )
    point_id = int(out.split("#")[1].split()[0])
    assert f"(#{point_id})" in await whole_topic(core, message, "treaty")
    point = (await store.topics.catalog()).point(point_id)
    assert point is not None
    assert [s.key for s in point.sources] == ["iria"]

    out = await ask(core, message, f"/edit {point_id} The treaty takes effect once ratified.")
    assert out == texts.EDIT_DONE.format(id=point_id, slug="treaty", version=2)
    assert "takes effect once ratified" in await whole_topic(core, message, "treaty")

    out = await ask(core, message, f"/remove #{point_id}")
    assert out.startswith(f"Removed point #{point_id}")
    assert f"(#{point_id})" not in await whole_topic(core, message, "treaty")

    assert await ask(core, message, "/undo") == texts.UNDO_DONE.format(action="remove", id=point_id)
    assert f"(#{point_id})" in await whole_topic(core, message, "treaty")

    audit = await ask(core, message, "/audit")
    assert "console:operator (operator) add point" in audit
    assert "edit point" in audit
    assert "remove point" in audit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/add", texts.ADD_USAGE),
        ("/add treaty", texts.ADD_USAGE),
        ("/add nosuchtopic Some valid text here.", texts.UNKNOWN_TOPIC.format(name="nosuchtopic")),
        ("/add treaty tiny", texts.TEXT_TOO_SHORT.format(limit=10)),
        (
            "/add treaty A fine point with a bad source. sources: nope",
            texts.UNKNOWN_SOURCES.format(keys="nope"),
        ),
        ("/edit", texts.EDIT_USAGE),
        ("/edit 12", texts.EDIT_USAGE),
        ("/edit abc Some new text here.", texts.BAD_POINT_ID.format(value="abc")),
        ("/edit 99999 Some new text here.", texts.UNKNOWN_POINT.format(id=99999)),
        ("/remove", texts.REMOVE_USAGE),
        ("/remove -5", texts.BAD_POINT_ID.format(value="-5")),
        ("/remove 99999999999999999999", texts.BAD_POINT_ID.format(value="99999999999999999999")),
        ("/remove ١٢", texts.BAD_POINT_ID.format(value="١٢")),
        ("/undo", texts.NOTHING_TO_UNDO),
        ("/grant", texts.GRANT_USAGE),
        ("/grant <script>", texts.BAD_USER_ID.format(value="<script>")),
    ],
)
async def test_bad_admin_arguments_explain_and_change_nothing(
    core: Core, message: MessageFactory, store: BriefingStore, text: str, expected: str
) -> None:
    before = await store.row_counts()
    assert await ask(core, message, text) == expected
    assert await store.row_counts() == before


async def test_granted_admin_gets_rights(core: Core, message: MessageFactory) -> None:
    assert (await ask(core, message, "/grant 777")) == texts.GRANTED.format(
        user="777", platform="console"
    )
    out = await ask(core, message, "/add arms A point added by a newly granted admin.", user="777")
    assert out.startswith("Added point #")
    await ask(core, message, "/revoke 777")
    out = await ask(core, message, "/remove 1", user="777")
    assert out == texts.NOT_ADMIN.format(name="remove")


async def test_a_crashing_handler_gives_a_short_apology(
    store: BriefingStore, message: MessageFactory
) -> None:
    async def boom(_: object) -> list[Reply]:
        raise RuntimeError("secret internals")

    registry = default_registry([Command("boom", "Always fails", boom)])
    core = Core(store, Roles(store.admins, CONSOLE_ADMINS), registry=registry)
    out = await ask(core, message, "/boom")
    assert out == texts.INTERNAL_ERROR
    assert "secret" not in out
    assert "Traceback" not in out
