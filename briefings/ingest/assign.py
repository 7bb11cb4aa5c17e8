"""Which existing topic a proposal belongs to, by lexical similarity, or a new topic when none fits.

The query is the proposal's own text plus, with less weight, the sentences around it and the
heading it sits under. A topic's score mixes how close the query is to the topic as a whole
(title, description, aliases and all points) with how close the proposal is to the topic's
nearest points."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefings.ingest.split import Sentence, Unit
from briefings.ingest.types import NewTopic
from briefings.ingest.vectors import TopicIndex
from briefings.ingest.words import STOPWORDS, words

CONTEXT_WEIGHT = 0.5
HEADING_WEIGHT = 0.6
WHOLE_TOPIC_WEIGHT = 0.5
# Below this score no existing topic fits and a new one is suggested.
NEW_TOPIC_BELOW = 0.08
MAX_SLUG = 20


@dataclass(frozen=True)
class TopicChoice:
    topic: str | None
    alternatives: tuple[str, ...]
    score: float
    new_topic: NewTopic | None


def _query_rows(
    units: Sequence[Unit], found: Sequence[Sentence], index: TopicIndex, own: Any
) -> Any:
    def neighbours(unit: Unit) -> str:
        before = found[unit.first - 1].text if unit.first > 0 else ""
        after = found[unit.last + 1].text if unit.last + 1 < len(found) else ""
        return f"{before} {after}"

    context = index.vectors([neighbours(u) for u in units])
    headings = index.vectors([u.heading or "" for u in units])
    return _normalised(own + CONTEXT_WEIGHT * context + HEADING_WEIGHT * headings)


def _normalised(rows: Any) -> Any:
    from sklearn.preprocessing import normalize

    return normalize(rows)


def topic_scores(
    units: Sequence[Unit], found: Sequence[Sentence], index: TopicIndex, own: Any, point_sims: Any
) -> Any:
    """A (units x topics) array of scores."""
    import numpy as np

    whole = (_query_rows(units, found, index, own) @ index.topic_rows.T).toarray()
    nearest = np.zeros_like(whole)
    owners = np.asarray(index.point_topic)
    for topic in range(len(index.slugs)):
        columns = point_sims[:, owners == topic]
        if columns.shape[1]:
            nearest[:, topic] = columns.max(axis=1)
    return WHOLE_TOPIC_WEIGHT * whole + (1 - WHOLE_TOPIC_WEIGHT) * nearest


def choose(
    units: Sequence[Unit], scores: Any, index: TopicIndex | None, taken: set[str]
) -> list[TopicChoice]:
    choices: list[TopicChoice] = []
    for row, unit in enumerate(units):
        if index is None:
            choices.append(TopicChoice(None, (), 0.0, suggest_topic(unit, taken)))
            continue
        ranked = sorted(range(len(index.slugs)), key=lambda t: -float(scores[row, t]))
        best = float(scores[row, ranked[0]])
        shown = tuple(index.slugs[t] for t in ranked[:2])
        if best < NEW_TOPIC_BELOW:
            choices.append(TopicChoice(None, shown, best, suggest_topic(unit, taken)))
        else:
            choices.append(TopicChoice(shown[0], shown[1:], best, None))
    return choices


_SLUG_CHARS = re.compile(r"[^a-z]")


def suggest_topic(unit: Unit, taken: set[str]) -> NewTopic:
    """A command-like slug and a title: from the heading when there is one, else the first
    name-like word of the proposal."""
    if unit.heading:
        title = unit.heading
        candidates = [w for w in words(unit.heading) if w not in STOPWORDS]
    else:
        names = [w for w in unit.text.split()[1:] if w[:1].isupper()]
        candidates = [w.casefold() for w in names] + [
            w for w in words(unit.text) if w not in STOPWORDS and len(w) > 3
        ]
        title = ""
    slug = next(
        (s for w in candidates if (s := _SLUG_CHARS.sub("", w)[:MAX_SLUG]) and s not in taken),
        "newtopic",
    )
    return NewTopic(slug=slug, title=title or slug.capitalize())
