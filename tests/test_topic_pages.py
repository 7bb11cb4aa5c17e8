"""A topic with hundreds of points answers a page at a time: the most important points first,
a More button for the next page, page numbers as arguments, short answers to bad ones."""

from __future__ import annotations

import pytest

from bot.core import texts
from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming, Reply
from bot.core.roles import Roles
from bot.render.plain import render
from briefings.loader import BriefingData, PointData, SourceData, TopicData
from briefings.store import BriefingStore
from tests.conftest import CONSOLE_ADMINS, GUEST

MANY = 300  # points of 250 characters: ten a page, thirty pages
LONG = 20  # points of 550 characters: the page is full after five


def text_of(label: str, n: int, length: int) -> str:
    start = f"{label} point {n:03d} says something worth knowing"
    return (start + " and more" * 80)[: length - 1] + "."


def bulk(label: str, count: int, length: int) -> TopicData:
    # Importance falls with n, so the most important first is simply n = 0, 1, 2...
    points = tuple(
        PointData(f"{label}-{n}", text_of(label, n, length), 5 - n * 5 // count, ("src",))
        for n in range(count)
    )
    return TopicData(label, f"The {label} topic", f"All about {label}.", (f"{label}s",), points)


@pytest.fixture
async def core(empty_store: BriefingStore) -> Core:
    data = BriefingData(
        "pages",
        "Pages",
        (SourceData("src", "Outlet", "Headline", None, None),),
        (bulk("arms", MANY, 250), bulk("long", LONG, 550), bulk("short", 4, 100)),
    )
    await empty_store.load_briefings(data)
    return Core(empty_store, Roles(empty_store.admins, CONSOLE_ADMINS))


async def ask(core: Core, text: str) -> list[Reply]:
    return await core.handle(Incoming(ChatRef("console", "local"), GUEST, GUEST, text))


async def one(core: Core, text: str) -> Reply:
    replies = await ask(core, text)
    assert len(replies) == 1, f"{text} answered with {len(replies)} messages"
    return replies[0]


def shown(reply: Reply, label: str = "arms") -> list[int]:
    """The numbers of the points a reply shows, in order."""
    return [int(i.text.split()[2]) for s in reply.sections for i in s.items if label in i.text]


async def test_first_page_shows_the_ten_most_important_and_a_more_button(core: Core) -> None:
    reply = await one(core, "/arms")
    assert shown(reply) == list(range(10))
    assert reply.title == "The arms topic"
    assert reply.body == ("All about arms.",)
    assert reply.footer is not None
    assert reply.footer.startswith("Points 1-10 of 300, most important first")
    assert reply.buttons[0].command == "/arms 2"
    assert reply.buttons[0].label == texts.TOPIC_MORE.format(page=2, pages=30)
    assert len(render(reply)) < 4096  # one Telegram message
    assert render(await one(core, "/arms 1")) == render(reply)
    assert render(await one(core, "/armss")) == render(reply)  # an alias pages the same


async def test_second_page_continues_where_the_first_stopped(core: Core) -> None:
    reply = await one(core, "/arms 2")
    assert shown(reply) == list(range(10, 20))
    assert reply.title == texts.TOPIC_PAGE_TITLE.format(title="The arms topic", page=2, pages=30)
    assert reply.body == ()
    assert reply.footer is not None
    assert reply.footer.startswith("Points 11-20 of 300")
    assert reply.buttons[0].command == "/arms 3"


async def test_last_page_says_so_and_has_no_more_button(core: Core) -> None:
    reply = await one(core, "/arms 30")
    assert shown(reply) == list(range(290, 300))
    assert reply.footer is not None
    assert reply.footer.startswith("Points 291-300 of 300: the last page")
    assert all(not b.command.startswith("/arms") for b in reply.buttons)


async def test_pressing_more_visits_every_point_once(core: Core) -> None:
    seen: list[int] = []
    command: str | None = "/arms"
    while command is not None:
        reply = await one(core, command)
        seen.extend(shown(reply))
        more = [b.command for b in reply.buttons if b.command.startswith("/arms ")]
        command = more[0] if more else None
    assert seen == list(range(MANY))


async def test_long_points_make_shorter_pages(core: Core) -> None:
    reply = await one(core, "/long")
    assert shown(reply, "long") == list(range(5))
    assert sum(len(i.text) for s in reply.sections for i in s.items) <= 3000
    assert reply.footer is not None
    assert reply.footer.startswith("Points 1-5 of 20")
    assert reply.buttons[0].command == "/long 2"
    last = await one(core, "/long 4")
    assert shown(last, "long") == list(range(15, 20))


async def test_a_short_topic_is_one_page_as_before(core: Core) -> None:
    reply = await one(core, "/short")
    assert shown(reply, "short") == list(range(4))
    assert reply.footer is not None
    assert reply.footer.startswith("4 points · updated")
    assert all(not b.command.startswith("/short") for b in reply.buttons)


ARMS_HINT = " /arms has 30 pages: /arms 2 shows the second."
SHORT_HINT = " /short fits on one page: send /short to read it."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/arms 31", "There is no page 31 of /arms." + ARMS_HINT),
        ("/arms 0", "There is no page 0 of /arms." + ARMS_HINT),
        ("/arms 99999999999", "99999999999 is not a page number." + ARMS_HINT),
        ("/arms two", "two is not a page number." + ARMS_HINT),
        ("/arms -1", "-1 is not a page number." + ARMS_HINT),
        ("/arms ٢", "٢ is not a page number." + ARMS_HINT),
        ("/arms 2 3", "2 3 is not a page number." + ARMS_HINT),
        ("/short 2", "There is no page 2 of /short." + SHORT_HINT),
        ("/short x" + "y" * 500, "xyyyyyyyyyyyyyyyyyy… is not a page number." + SHORT_HINT),
    ],
)
async def test_bad_page_numbers_get_a_short_answer(
    core: Core, empty_store: BriefingStore, text: str, expected: str
) -> None:
    before = await empty_store.row_counts()
    replies = await ask(core, text)
    assert [(r.tone, render(r)) for r in replies] == [("error", expected)]
    assert await empty_store.row_counts() == before
