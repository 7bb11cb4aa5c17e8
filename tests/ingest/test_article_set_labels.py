"""Labels of the sets written blind (held out, blind, fresh, final, closing, last), each on its own.

Every label must name a sentence of the page (its opening words, found in page order in the
visible text), a curated topic and curated points; a story sentence's opening words must be
unique on the page, and no noise or heading label may also occur inside a story sentence (the
benchmark counts a proposal holding a noise prefix as noise). Each set is checked the same way;
a later set must also copy no run of words from any set written before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bench.ingest_eval import (
    BLIND,
    CLOSING,
    FINAL,
    FRESH,
    HELDOUT,
    LAST,
    SEEDS,
    UNTUNED,
    Article,
    Label,
    curated,
    load_articles,
)

LABELS = {"story", "noise", "heading"}
MIN_STORY = 12  # story sentences per article
STORY_WORDS = (450, 900)
COPIED_RUN = 8  # words in a row shared with an earlier article count as copied

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


@dataclass(frozen=True)
class ArticleSet:
    """A folder of five labelled articles, the folders written before it and its fold quota."""

    name: str
    folder: Path
    earlier: tuple[Path, ...]  # labelled folders it must not copy from (the seeds always count)
    min_pairs: int  # (sentence, point) labels over the whole set
    min_topics: int  # topics its story sentences cover

    @property
    def articles(self) -> list[Article]:
        return load_articles(self.folder)


SETS = (
    ArticleSet("heldout", HELDOUT, (UNTUNED,), min_pairs=20, min_topics=5),
    ArticleSet("blind", BLIND, (UNTUNED, HELDOUT), min_pairs=60, min_topics=6),
    ArticleSet("fresh", FRESH, (UNTUNED, HELDOUT, BLIND), min_pairs=60, min_topics=6),
    ArticleSet("final", FINAL, (UNTUNED, HELDOUT, BLIND, FRESH), min_pairs=60, min_topics=6),
    ArticleSet(
        "closing", CLOSING, (UNTUNED, HELDOUT, BLIND, FRESH, FINAL), min_pairs=60, min_topics=6
    ),
    ArticleSet(
        "last", LAST, (UNTUNED, HELDOUT, BLIND, FRESH, FINAL, CLOSING), min_pairs=60, min_topics=6
    ),
)
ARTICLES = [article for article_set in SETS for article in article_set.articles]


def _set_id(article_set: ArticleSet) -> str:
    return article_set.name


def _article_id(article: Article) -> str:
    return f"{article.path.parent.name}/{article.name}"


@pytest.mark.parametrize("article_set", SETS, ids=_set_id)
def test_every_article_has_labels_and_a_page(article_set: ArticleSet) -> None:
    articles = article_set.articles
    assert len(articles) == 5, f"expected five articles in {article_set.folder}"
    names = {p.name for p in article_set.folder.iterdir() if p.suffix in {".txt", ".html"}}
    assert names == {a.name for a in articles}
    assert sum(a.path.suffix == ".html" for a in articles) >= 2
    for article in articles:
        assert article.source is None, article.name


@pytest.mark.parametrize("article", ARTICLES, ids=_article_id)
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


@pytest.mark.parametrize("article", ARTICLES, ids=_article_id)
def test_prefixes_follow_the_page(article: Article) -> None:
    text, _ = located(article)
    story = [label.prefix for label in article.labels if label.label == "story"]
    assert len(story) >= MIN_STORY, article.name
    for prefix in story:
        assert text.lower().count(norm(prefix)) == 1, f"{article.name}: {prefix!r} not unique"


@pytest.mark.parametrize("article", ARTICLES, ids=_article_id)
def test_no_noise_prefix_inside_a_story_sentence(article: Article) -> None:
    story = [norm(stretch) for label, stretch in spans(article) if label.label == "story"]
    for label in article.labels:
        if label.label != "story":
            inside = [s for s in story if norm(label.prefix) in s]
            assert not inside, f"{article.name}: {label.prefix!r} occurs in {inside[0]!r}"


@pytest.mark.parametrize("article", ARTICLES, ids=_article_id)
def test_each_story_label_is_one_sentence(article: Article) -> None:
    """A story sentence left without a label would be scored as part of the one before it."""
    words = 0
    for label, stretch in spans(article):
        if label.label == "story":
            words += len(WORD.findall(stretch))
            assert not NEXT_SENTENCE.search(stretch), f"{article.name}: two sentences: {stretch!r}"
    low, high = STORY_WORDS
    assert low <= words <= high, (article.name, words)


@pytest.mark.parametrize("article_set", SETS, ids=_set_id)
def test_enough_points_to_measure_folds(article_set: ArticleSet) -> None:
    articles = article_set.articles
    pairs = sum(len(label.points) for a in articles for label in a.labels)
    assert pairs >= article_set.min_pairs, (article_set.name, pairs)
    topics = {label.topic for a in articles for label in a.labels if label.label == "story"}
    assert len(topics) >= article_set.min_topics, (article_set.name, sorted(map(str, topics)))


def _grams(text: str) -> set[tuple[str, ...]]:
    tokens = WORD.findall(norm(text))
    return {tuple(tokens[i : i + COPIED_RUN]) for i in range(len(tokens) - COPIED_RUN + 1)}


@pytest.mark.parametrize("article_set", SETS, ids=_set_id)
def test_articles_copy_no_earlier_article(article_set: ArticleSet) -> None:
    pages = [*SEEDS.glob("*.txt")]
    for folder in article_set.earlier:
        pages.extend(a.path for a in load_articles(folder))
    earlier: set[tuple[str, ...]] = set()
    for page in pages:
        earlier |= _grams(visible_text(page))
    for article in article_set.articles:
        copied = _grams(visible_text(article.path)) & earlier
        assert not copied, (article.name, sorted(" ".join(g) for g in copied)[:3])
