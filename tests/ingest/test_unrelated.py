"""An article about something else than the briefing (a football report handed to the wrong
bot, a council budget) is not forced into the nearest topics: its proposals share one new
topic, and the review list says why. Against the curated briefing, since how well a sentence
fits depends on the topics' vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.ingest_eval import store_without
from bot.core.core import Core
from bot.core.roles import Roles
from briefings.ingest import ArticleInput, IngestResult, TopicDoc, propose
from briefings.ingest.assign import article_topic
from briefings.ingest.split import Unit
from briefings.store import BriefingStore
from tests.conftest import CONSOLE_ADMINS
from tests.test_ingest_chat import ask

FOOTBALL = (
    "Harbour City beat Riverside 3-1 on Saturday to move to the top of the league for the first"
    " time this season.\n\nThe home side fell behind early when their goalkeeper misjudged a"
    " cross, but levelled before half-time with a header from the captain.\n\nTwo late goals,"
    " one of them a penalty, settled it in front of a crowd of 31,000.\n\nRiverside, beaten"
    " three times in a row now, travel to the champions next weekend."
)
BUDGET = (
    "The city council approved next year's budget on Tuesday after a six-hour debate, raising"
    " local taxes by 4.5 per cent.\n\nMost of the extra money goes to road repairs, school"
    " buildings and a new bus route to the northern suburbs.\n\nOpposition councillors said the"
    " rise would hurt families already facing higher energy bills.\n\nThe mayor said the council"
    " had no choice after years of smaller grants from the national government."
)
PHONE = (
    "The company showed its new smartphone on Wednesday, with a larger battery, a brighter"
    " screen and a camera said to work better in low light.\n\nPrices start at 799 dollars and"
    " the phone goes on sale in thirty countries next Friday.\n\nAnalysts called the update"
    " modest and said sales depend on whether buyers will replace phones bought during the"
    " pandemic.\n\nShares rose 2 per cent after the launch event."
)
STORM = (
    "A powerful storm brought floods and power cuts to coastal towns overnight, with winds of"
    " up to 120 kilometres an hour.\n\nRescuers pulled dozens of people from cars caught by"
    " rising water, and several schools stayed closed on Monday.\n\nForecasters expect more"
    " heavy rain later in the week and told people near rivers to ready sandbags.\n\nAbout"
    " 40,000 homes still had no electricity by the afternoon, the grid operator said."
)
ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture(scope="module")
def briefing() -> tuple[TopicDoc, ...]:
    return tuple(store_without(None).topics)


@pytest.mark.parametrize("text", [FOOTBALL, BUDGET, PHONE, STORM])
def test_an_article_about_something_else_is_one_new_topic(
    text: str, briefing: tuple[TopicDoc, ...]
) -> None:
    result = propose(ArticleInput(body=text), briefing)
    assert result.unrelated
    assert {p.topic for p in result.proposals} == {None}
    suggested = {p.new_topic.slug for p in result.proposals if p.new_topic}
    assert len(suggested) == 1, suggested
    assert all(p.topic_alternatives for p in result.proposals)  # the nearest topics are shown


def test_the_new_topic_is_named_by_the_word_used_most() -> None:
    units = [Unit(text, 0, 0, None) for text in BUDGET.split("\n\n")]
    assert article_topic(units, set()).slug == "council"
    assert article_topic(units, {"council"}).slug != "council"  # taken: the next word


def _event_pages() -> list[Path]:
    """The labelled articles and the pages written for the metadata check."""
    return sorted(
        path
        for folder in (ARTICLES, ARTICLES.parent / "pages")
        for path in folder.rglob("*")
        if path.suffix in {".txt", ".html"} and "labels" not in path.parts
    )


def test_no_article_about_the_event_is_taken_for_another_subject(
    briefing: tuple[TopicDoc, ...],
) -> None:
    pages = _event_pages()
    assert len(pages) >= 48
    for page in pages:
        result: IngestResult = propose(
            ArticleInput(body=page.read_bytes(), filename=page.name), briefing
        )
        assert not result.unrelated, page.name


async def test_the_review_list_says_why(store: BriefingStore) -> None:
    core = Core(store, Roles(store.admins, CONSOLE_ADMINS), event_title="test")
    out = await ask(core, f"/ingest {BUDGET}")
    assert "shares next to nothing with the briefing's topics" in out, out
    assert "new topic, /council" in out
    approved = await ask(core, "/approve all")
    assert "/council" in approved


def test_a_young_briefing_has_no_words_of_its_own_yet(topics: tuple[TopicDoc, ...]) -> None:
    """Four points say too little about what the event's words are: nothing is unrelated."""
    assert not propose(ArticleInput(body=FOOTBALL), topics).unrelated
