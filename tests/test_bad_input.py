"""Hostile, huge, empty and unicode input to every command: a short helpful reply, never a
crash, and a guest never changes the database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import texts
from bot.core.core import FIXED_COMMANDS, Core
from bot.render.plain import render
from briefings.store import BriefingStore
from tests.conftest import GUEST, MessageFactory

NASTY_ARGUMENTS = [
    "",
    "   \t  ",
    "x" * 10_000,
    "\x00\x01\x02\x1b[31mred\x1b[0m\x7f",
    "\u202eoverride\u202c \u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "🚀🔥💥 " * 50,
    "<b>bold</b> <script>alert(1)</script> &amp; <a href='x'>link</a> *bold* _it_ `code`",
    "'; DROP TABLE key_points; -- \" OR 1=1",
    'NEAR(a b) AND "x* OR -y ^z col:w',
    "12 <i>13</i>",
    "\n\n\n",
    "𝕿𝖗𝖊𝖆𝖙𝖞 ﷽ Z̷̢͈a̴l̶g̵o̸",
]
COMMAND_NAMES = sorted({c.name for c in FIXED_COMMANDS} | {"treaty", "reactions", "nosuch"})
MAX_REPLY_CHARS = 20_000


def check_replies(rendered: list[str]) -> None:
    assert rendered, "every message gets a reply"
    for text in rendered:
        assert text.strip()
        assert "Traceback" not in text
        assert len(text) < MAX_REPLY_CHARS
    assert texts.INTERNAL_ERROR not in rendered


@pytest.mark.parametrize("name", COMMAND_NAMES)
async def test_every_command_with_nasty_arguments(
    core: Core, message: MessageFactory, store: BriefingStore, name: str
) -> None:
    before = await store.row_counts()
    for argument in NASTY_ARGUMENTS:
        for text in (f"/{name} {argument}", f"/{name}{argument}"):
            guest = [render(r) for r in await core.handle(message(text, GUEST))]
            check_replies(guest)
            assert await store.row_counts() == before, f"guest changed data with {text[:60]!r}"
    for argument in NASTY_ARGUMENTS:
        check_replies([render(r) for r in await core.handle(message(f"/{name} {argument}"))])


# Admin commands whose next word is a name, an id or a number: whatever hostile thing lands
# there, an admin gets a short answer and nothing changes (titles are left out: any printable
# text is a fine title).
ADMIN_PREFIXES = [
    "topic add",
    "topic rename treaty",
    "topic title",
    "topic alias treaty",
    "topic unalias treaty",
    "topic remove",
    "topic remove treaty",
    "move",
    "move 1",
    "importance",
    "importance 1",
]


@pytest.mark.parametrize("prefix", ADMIN_PREFIXES)
async def test_admin_names_ids_and_numbers_refuse_nasty_arguments(
    core: Core, message: MessageFactory, store: BriefingStore, prefix: str
) -> None:
    before = await store.row_counts()
    for argument in NASTY_ARGUMENTS:
        for text in (f"/{prefix} {argument}", f"/{prefix}{argument}"):
            check_replies([render(r) for r in await core.handle(message(text))])
            assert await store.row_counts() == before, f"admin changed data with {text[:60]!r}"


@pytest.mark.parametrize("text", ["", " ", "/", "//", "/ treaty", "@", "/@bot", "/" + "a" * 40])
async def test_degenerate_messages(core: Core, message: MessageFactory, text: str) -> None:
    check_replies([render(r) for r in await core.handle(message(text, GUEST))])


command_text = st.builds(
    lambda prefix, name, sep, args: f"{prefix}{name}{sep}{args}",
    st.sampled_from(["/", "", " /", "/" * 2]),
    st.one_of(st.sampled_from(COMMAND_NAMES), st.text(max_size=12)),
    st.sampled_from([" ", "", "\n", "@SomeBot ", "\t"]),
    st.text(max_size=300),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(command_text, st.text(max_size=200)))
async def test_random_guest_input_never_crashes_or_writes(
    core: Core, message: MessageFactory, store: BriefingStore, text: str
) -> None:
    before = await store.row_counts()
    check_replies([render(r) for r in await core.handle(message(text, GUEST))])
    assert await store.row_counts() == before


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=command_text)
async def test_random_admin_input_never_crashes(
    core: Core, message: MessageFactory, text: str
) -> None:
    check_replies([render(r) for r in await core.handle(message(text))])
