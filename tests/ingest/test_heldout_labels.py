"""The held-out articles' labels against their raw pages, without running the pipeline.

Every label must name a sentence of the page (its opening words, found in page order in the
visible text), a curated topic and curated points; a story sentence's opening words must be
unique on the page, and no noise or heading label may also occur inside a story sentence (the
benchmark counts a proposal holding a noise prefix as noise)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bench.ingest_eval import HELDOUT, SEEDS, UNTUNED, Article, Label, curated, load_articles

LABELS = {"story", "noise", "heading"}
MIN_STORY = 12  # story sentences per article
MIN_PAIRS = 20  # (sentence, point) labels over the whole set
STORY_WORDS = (450, 900)
COPIED_RUN = 8  # words in a row shared with a seed or untuned article count as copied

QUOTES = re.compile("[\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb]")
SPACE = re.compile(r"\s+")
WORD = re.compile(r"\w+")
# Punctuation that ends a sentence, followed by the start of another one.
NEXT_SENTENCE = re.compile(r"[.!?][\"'\u2019\u201d)]*\s+[\"'\u2018\u201c(]*[A-Z0-9]")

BLOCK = {
    "address", "article", "aside", "blockquote", "br", "button", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "label", "li", "main", "nav", "ol", "p", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
HIDDEN = {"head", "script", "style", "template"}


class _Visible(HTMLParser):
    """The text a reader sees: no head, scripts or styles; block elements break lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix != ".html":
        return raw
    parser = _Visible()
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts)


def flat(text: str) -> str:
    """Quote- and whitespace-insensitive, as the benchmark compares prefixes."""
    return SPACE.sub(" ", QUOTES.sub("", text)).strip()


def norm(text: str) -> str:
    """Also case-insensitive; lower() keeps the length, so positions hold in flat() text."""
    return flat(text).lower()


def located(article: Article) -> tuple[str, list[int]]:
    """The article's flattened visible text and where each label starts, in page order."""
    text = flat(visible_text(article.path))
    folded = text.lower()
    assert len(folded) == len(text), article.name
    starts: list[int] = []
    at = 0
    for label in article.labels:
        found = folded.find(norm(label.prefix), at)
        assert found >= 0, (
            f"{article.name}: {label.prefix!r} not found after {text[at : at + 60]!r}"
        )
        starts.append(found)
        at = found + 1
    return text, starts


def spans(article: Article) -> list[tuple[Label, str]]:
    """Each label with its stretch of visible text: from its start to the next label's."""
    text, starts = located(article)
    ends = [*starts[1:], len(text)]
    pairs = zip(article.labels, starts, ends, strict=True)
    return [(label, text[start:end].strip()) for label, start, end in pairs]


ARTICLES = load_articles(HELDOUT)


def test_every_article_has_labels_and_a_page() -> None:
    assert len(ARTICLES) == 5, f"expected five held-out articles in {HELDOUT}"
    names = {p.name for p in HELDOUT.iterdir() if p.suffix in {".txt", ".html"}}
    assert names == {a.name for a in ARTICLES}
    assert sum(a.path.suffix == ".html" for a in ARTICLES) >= 2
    for article in ARTICLES:
        assert article.source is None, article.name


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.name)
def test_labels_are_well_formed(article: Article) -> None:
    slugs = {t["slug"] for t in curated()["topics"]}
    keys = {p["key"] for t in curated()["topics"] for p in t["points"]}
    for label in article.labels:
        assert label.label in LABELS, (article.name, label.prefix)
        assert label.prefix.strip(), article.name
        if label.label == "story":
            assert label.topic in slugs, (article.name, label.prefix, label.topic)
            unknown = set(label.points) - keys
            assert not unknown, (article.name, label.prefix, unknown)
            assert len(set(label.points)) == len(label.points), (article.name, label.prefix)
        else:
            assert label.topic is None, (article.name, label.prefix)
            assert not label.points, (article.name, label.prefix)


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.name)
def test_prefixes_follow_the_page(article: Article) -> None:
    text, _ = located(article)
    story = [label.prefix for label in article.labels if label.label == "story"]
    assert len(story) >= MIN_STORY, article.name
    for prefix in story:
        assert text.lower().count(norm(prefix)) == 1, f"{article.name}: {prefix!r} not unique"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.name)
def test_no_noise_prefix_inside_a_story_sentence(article: Article) -> None:
    story = [norm(stretch) for label, stretch in spans(article) if label.label == "story"]
    for label in article.labels:
        if label.label != "story":
            inside = [s for s in story if norm(label.prefix) in s]
            assert not inside, f"{article.name}: {label.prefix!r} occurs in {inside[0]!r}"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.name)
def test_each_story_label_is_one_sentence(article: Article) -> None:
    """A story sentence left without a label would be scored as part of the one before it."""
    words = 0
    for label, stretch in spans(article):
        if label.label == "story":
            words += len(WORD.findall(stretch))
            assert not NEXT_SENTENCE.search(stretch), f"{article.name}: two sentences: {stretch!r}"
    low, high = STORY_WORDS
    assert low <= words <= high, (article.name, words)


def test_enough_points_to_measure_folds() -> None:
    pairs = sum(len(label.points) for a in ARTICLES for label in a.labels)
    assert pairs >= MIN_PAIRS
    topics = {label.topic for a in ARTICLES for label in a.labels if label.label == "story"}
    assert len(topics) >= 5


def test_articles_copy_no_earlier_article() -> None:
    def grams(text: str) -> set[tuple[str, ...]]:
        tokens = WORD.findall(norm(text))
        return {tuple(tokens[i : i + COPIED_RUN]) for i in range(len(tokens) - COPIED_RUN + 1)}

    earlier: set[tuple[str, ...]] = set()  # the seeds and the untuned articles
    for page in [*SEEDS.glob("*.txt"), *(a.path for a in load_articles(UNTUNED))]:
        earlier |= grams(visible_text(page))
    for article in ARTICLES:
        copied = grams(visible_text(article.path)) & earlier
        assert not copied, (article.name, sorted(" ".join(g) for g in copied)[:3])
