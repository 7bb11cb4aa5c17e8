"""Scoring the ingestion pipeline against the hand-written sentence labels.

Leave-one-article-out for the seeds: the store is the curated one as it would be without the
article (points only that article cites are gone; points other sources cite stay). The untuned
articles, which no point cites, run against the whole curated store."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefings.ingest import ArticleInput, IngestResult, PointDoc, ProposalDraft, TopicDoc
from briefings.ingest.words import fold

ROOT = Path(__file__).resolve().parents[1]
DATA_FILE = ROOT / "briefings" / "data" / "putin_dprk_2024.yaml"
SEEDS = ROOT / "tests" / "fixtures" / "articles"
UNTUNED = SEEDS / "untuned"
HELDOUT = SEEDS / "heldout"
BLIND = SEEDS / "blind"
FRESH = SEEDS / "fresh"
FINAL = SEEDS / "final"
CLOSING = SEEDS / "closing"
LAST = SEEDS / "last"


@dataclass(frozen=True)
class Label:
    prefix: str
    label: str
    topic: str | None
    points: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    name: str
    path: Path
    source: str | None
    labels: tuple[Label, ...]

    def read(self) -> ArticleInput:
        html = self.path.suffix == ".html"
        return ArticleInput(
            self.path.read_bytes(), content_type="text/html" if html else "text/plain"
        )


@dataclass(frozen=True)
class Store:
    topics: tuple[TopicDoc, ...]
    key_of: dict[int, str]

    @property
    def keys(self) -> set[str]:
        return set(self.key_of.values())


def curated() -> dict[str, Any]:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def store_without(source: str | None) -> Store:
    """The curated store as it would be had `source` never been ingested."""
    topics: list[TopicDoc] = []
    key_of: dict[int, str] = {}
    point_id = 0
    for topic in curated()["topics"]:
        points: list[PointDoc] = []
        for point in topic["points"]:
            point_id += 1  # ids stay those of the full store
            if [s for s in point["sources"] if s != source]:
                points.append(PointDoc(point_id, " ".join(point["text"].split())))
                key_of[point_id] = point["key"]
        topics.append(
            TopicDoc(
                topic["slug"],
                topic["title"],
                topic.get("description", ""),
                tuple(topic.get("aliases", [])),
                tuple(points),
            )
        )
    return Store(tuple(topics), key_of)


def load_articles(folder: Path) -> list[Article]:
    articles: list[Article] = []
    for label_file in sorted((folder / "labels").glob("*.yaml")):
        raw = yaml.safe_load(label_file.read_text(encoding="utf-8"))
        labels = tuple(
            Label(str(e["s"]), e["label"], e.get("topic"), tuple(e.get("points") or ()))
            for e in raw["sentences"]
        )
        articles.append(Article(raw["article"], folder / raw["article"], raw["source"], labels))
    return articles


def seed_pairs(source: str) -> set[str]:
    """The curated points that cite `source`: the (point, article) pairs to reproduce."""
    return {p["key"] for t in curated()["topics"] for p in t["points"] if source in p["sources"]}


@dataclass
class Tally:
    proposals: int = 0
    noise: int = 0
    unmatched: int = 0
    longest: int = 0
    story: int = 0
    kept: int = 0
    too_long: int = 0
    topic_total: int = 0
    topic_first: int = 0
    topic_two: int = 0
    folds: int = 0
    folds_right: int = 0
    extra_folds: int = 0
    extra_folds_right: int = 0
    foldable: int = 0
    recalled: int = 0
    in_candidates: int = 0
    pairs: int = 0
    pairs_reproduced: int = 0
    needs_context: int = 0
    lost: list[str] = field(default_factory=list)
    noisy: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if isinstance(value, list):
                getattr(self, name).extend(value)
            elif name == "longest":
                self.longest = max(self.longest, value)
            else:
                setattr(self, name, getattr(self, name) + value)


# Labels give a sentence's opening words without its quotation marks, as the label test
# locates them on the page: 'Putin called it a truly breakthrough document' opens
# 'Putin called it "a truly breakthrough document" and ...'.
_QUOTE_MARKS = re.compile("[\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb]")


def flat(text: str) -> str:
    """Case-, quote- and space-insensitive, for finding a label's opening words in a text."""
    return " ".join(_QUOTE_MARKS.sub("", fold(text)).split())


def opens_within(prefix: str, text: str) -> bool:
    return flat(prefix) in flat(text)


def _contains(proposal: ProposalDraft, label: Label) -> bool:
    return opens_within(label.prefix, proposal.text)


def score_article(
    article: Article, result: IngestResult, store: Store, pairs: Iterable[str]
) -> Tally:
    tally = Tally(proposals=len(result.proposals))
    in_store = store.keys
    for proposal in result.proposals:
        tally.longest = max(tally.longest, len(proposal.text))
        tally.needs_context += "needs-context" in proposal.flags
        found = [label for label in article.labels if _contains(proposal, label)]
        story = [label for label in found if label.label == "story"]
        if not found:
            tally.unmatched += 1
            tally.noisy.append(proposal.text)
        elif any(label.label == "noise" for label in found):
            tally.noise += 1
            tally.noisy.append(proposal.text)
        if story and story[0].topic:
            tally.topic_total += 1
            tally.topic_first += proposal.topic == story[0].topic
            shown = {proposal.topic, *proposal.topic_alternatives[:1]}
            tally.topic_two += story[0].topic in shown
        supported = {key for label in story for key in label.points}
        if proposal.corroborates is not None:
            tally.folds += 1
            tally.folds_right += store.key_of[proposal.corroborates] in supported
        tally.extra_folds += len(proposal.also_corroborates)
        tally.extra_folds_right += sum(
            store.key_of[p] in supported for p in proposal.also_corroborates
        )
    for label in article.labels:
        if label.label != "story":
            continue
        tally.story += 1
        holders = [p for p in result.proposals if _contains(p, label)]
        if holders:
            tally.kept += 1
        elif any(opens_within(label.prefix, text) for text in result.too_long):
            tally.too_long += 1
            tally.lost.append(f"(too long) {label.prefix}")
        else:
            tally.lost.append(label.prefix)
        stored = set(label.points) & in_store
        if stored:
            tally.foldable += 1
            tally.recalled += any(store.key_of.get(p.corroborates or -1) in stored for p in holders)
            tally.in_candidates += any(
                store.key_of[c] in stored for p in holders for c in p.candidates
            )
    for key in pairs:
        tally.pairs += 1
        tally.pairs_reproduced += _reproduced(key, article, result, store)
    return tally


def _reproduced(key: str, article: Article, result: IngestResult, store: Store) -> bool:
    if key in store.keys:
        return any(
            store.key_of.get(point) == key
            for p in result.proposals
            for point in (p.corroborates, *p.also_corroborates)
            if point is not None
        )
    supporting = [label for label in article.labels if key in label.points]
    return any(
        p.corroborates is None and any(_contains(p, label) for label in supporting)
        for p in result.proposals
    )
