"""The entry point: refusals, HTML, lazy imports, properties on arbitrary text, seed sanity."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.errors import (
    ArticleRejected,
    ArticleTooLong,
    BinaryDocument,
    BriefingError,
    DocumentTooLarge,
    EmptyArticle,
    NoStoryFound,
    NotEnglish,
)
from briefings.ingest import (
    MAX_ARTICLE_CHARS,
    MAX_DOCUMENT_BYTES,
    MAX_PROPOSAL_CHARS,
    REJECTION_REASONS,
    ArticleInput,
    TopicDoc,
    propose,
)
from briefings.ingest.words import fold, word_set

STORY = (
    "The city council approved the harbour expansion on Monday after a long debate. "
    "Mayor Anna Berg said the works would start in spring and last three years. "
    "Dock workers welcomed the plan but asked for safety guarantees from the council."
)

FRENCH = (
    "Le conseil municipal a approuvé lundi l'agrandissement du port après un long débat. La "
    "maire a déclaré que les travaux commenceraient au printemps et dureraient trois ans."
)
GERMAN = (
    "Der Stadtrat hat am Montag nach langer Debatte den Ausbau des Hafens beschlossen. Die "
    "Bürgermeisterin sagte, die Arbeiten würden im Frühjahr beginnen und drei Jahre dauern."
)
RUSSIAN = (
    "Городской совет в понедельник после долгих дебатов одобрил расширение порта. Мэр заявила, "
    "что работы начнутся весной и продлятся три года, а докеры попросили гарантий."
)
PERSIAN = (
    "شورای شهر روز دوشنبه پس از بحثی طولانی طرح گسترش بندر را تصویب کرد. شهردار گفت که کار "
    "در بهار آغاز می‌شود و سه سال طول می‌کشد و کارگران بندر خواستار تضمین ایمنی شدند."
)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", EmptyArticle),
        ("   \n\t  ", EmptyArticle),
        (b"", EmptyArticle),
        ("x" * (MAX_ARTICLE_CHARS + 1), ArticleTooLong),
        (b"a" * (MAX_DOCUMENT_BYTES + 1), DocumentTooLarge),
        (b"%PDF-1.7\x00\x01\x02binary", BinaryDocument),
        (b"\xff\xfe\xfa caf\xe9 \x81\x8d", BinaryDocument),
        ("Share\nAdvertisement\nSubscribe to our newsletter\n© 2024 Example", NoStoryFound),
        (FRENCH, NotEnglish),
        (GERMAN, NotEnglish),
        (RUSSIAN, NotEnglish),
        (PERSIAN, NotEnglish),
    ],
)
def test_refusals(body: str | bytes, error: type[ArticleRejected]) -> None:
    with pytest.raises(error) as caught:
        propose(ArticleInput(body), ())
    assert caught.value.reason in REJECTION_REASONS
    assert REJECTION_REASONS[caught.value.reason].endswith(".")


def test_bytes_in_a_declared_charset_are_read() -> None:
    body = STORY.replace("Mayor", "Maire Zoë").encode("latin-1")
    result = propose(ArticleInput(body, content_type="text/plain; charset=latin-1"), ())
    assert "Zoë" in result.cleaned_text


def test_html_goes_through_trafilatura_with_metadata(topics: tuple[TopicDoc, ...]) -> None:
    html = f"""<!doctype html><html><head><title>Harbour vote | Coast Gazette</title>
    <meta property="og:site_name" content="Coast Gazette">
    <meta property="article:published_time" content="2024-06-18"></head><body>
    <nav><a href="/">Home</a> <a href="/city">City</a></nav><article><h1>Harbour vote</h1>
    <p>{STORY}</p><h2>What comes next</h2>
    <p>The container harbour will open in 2026 after three years of construction works.</p>
    <blockquote class="twitter-tweet"><p>What a day for the port! pic.twitter.com/x1</p>
    &mdash; Port Fan (@portfan) June 18, 2024</blockquote>
    <p>The council will publish the harbour contracts next month, the mayor told reporters.</p>
    </article><footer>&copy; 2024 Coast Gazette. All rights reserved.</footer></body></html>"""
    result = propose(ArticleInput(html.encode(), content_type="text/html"), topics)
    assert result.outlet == "Coast Gazette"
    assert result.published is not None
    assert "What a day" not in result.cleaned_text
    assert "Home" not in result.cleaned_text
    opening = next(p for p in result.proposals if p.text.startswith("The container harbour"))
    assert opening.heading == "What comes next"
    assert opening.corroborates == 1


def test_importing_the_package_loads_no_heavy_library() -> None:
    heavy = ("sklearn", "trafilatura", "syntok", "rapidfuzz", "scipy", "numpy")
    code = f"import sys, briefings.ingest\nprint([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_fingerprint_ignores_case_quotes_and_spacing() -> None:
    first = propose(ArticleInput(STORY), ())
    again = propose(
        ArticleInput("  " + STORY.replace(" ", "  ").replace("The city", "THE CITY")), ()
    )
    assert first.fingerprint == again.fingerprint
    other = propose(ArticleInput(STORY.replace("Monday", "Tuesday")), ())
    assert other.fingerprint != first.fingerprint


sentence_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=400
)
english_words = st.lists(
    st.sampled_from(
        sorted(
            word_set(
                "the council said harbour mayor would and was that it he she this They “quoted” "
                "workers in 2026 on Monday. plan! cost? Mr. U.S. — (@someone) http://x.co/a"
            )
        )
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(sentence_text, english_words.map(" ".join)))
def test_arbitrary_text_only_ever_raises_briefing_errors(text: str) -> None:
    try:
        result = propose(ArticleInput(text), ())
    except BriefingError:
        return
    cleaned = fold(result.cleaned_text)
    for proposal in result.proposals:
        assert len(proposal.text) <= MAX_PROPOSAL_CHARS
        assert fold(proposal.text) in cleaned


@settings(max_examples=25, deadline=None)
@given(st.lists(english_words.map(" ".join), min_size=1, max_size=8))
def test_proposals_are_whole_sentences_of_the_cleaned_text(paragraphs: list[str]) -> None:
    try:
        result = propose(ArticleInput("\n\n".join(paragraphs)), ())
    except BriefingError:
        return
    cleaned = fold(result.cleaned_text)
    for proposal in result.proposals:
        assert len(proposal.text) <= MAX_PROPOSAL_CHARS
        assert fold(proposal.text) in cleaned
