"""Which existing topic a proposal belongs to, or a new topic when none fits.

The query is the proposal's own text plus, with less weight, the sentences around it and the
heading it sits under. A topic's score mixes how close the query is to the topic as a whole
(title, description, aliases and all points, by TF-IDF) with how close the proposal is to the
topic's nearest points, there by shared words and by the match of meaning (meaning.py).
Articles run in sections, so a proposal also leans towards what the proposals around it are
about (most those nearest) and, less, towards what the whole article is about:
"The two leaders then held talks on trade" is about the Hanoi stop when the sentences around it
are."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefings.ingest.fold import unknown_names
from briefings.ingest.split import Sentence, Unit
from briefings.ingest.types import NewTopic
from briefings.ingest.vectors import TopicIndex
from briefings.ingest.words import STOPWORDS, content_terms, stem, words

CONTEXT_WEIGHT = 0.5
HEADING_WEIGHT = 0.6
WHOLE_TOPIC_WEIGHT = 0.7
# Below this score no existing topic fits and a new one is suggested.
NEW_TOPIC_BELOW = 0.08
# A new topic needs a sentence with enough words of its own to say what the new subject is, or
# one that names something the briefing does not know. A shorter one that fits nothing ("On
# paper, that is true.") is a remark in the flow of the sentences around it, and goes where
# they point.
NEW_TOPIC_MIN_WORDS = 6
# How many sentences on a proposal that fits no topic may be from the one before it and still
# continue its story (and share its suggested new topic).
STORY_GAP = 2
MAX_SLUG = 20
# How much the surrounding proposals' topics count beside a proposal's own score, and how
# fast that pull fades with distance (per proposal); the whole article's topics count less.
NEIGHBOURHOOD_WEIGHT = 1.0
NEIGHBOURHOOD_DECAY = 0.7
ARTICLE_WEIGHT = 0.5
# A section heading between two proposals counts as one proposal more of distance: a section is
# a writer's own mark that the subject changes ("Seoul weighs its options" after "Beijing keeps
# its distance"), so the proposals across it pull less than those beside it, but still pull (a
# new section often goes on with the story). No new constant: one more step of
# NEIGHBOURHOOD_DECAY. Articles without headings are unchanged. Over the labelled sets, first
# choice right +1 (untuned), +1 (closing), +3 (last), -1 (blind) proposals, none elsewhere;
# within the two shown +2 (held out), +1 (closing), +1 (last), none lower.
SECTION_BREAK_STEPS = 1
# An article is about something else when fewer than this share of its proposals use any of
# the event's own words (vectors.py: the terms in 8% of the points or more, "putin",
# "pyongyang", "treaty", "sanction"). A football report, a council budget, a phone launch, a
# storm and a rare orchid came to 0-20%; every labelled article about the event, the seeds, the
# seven sets and the ten pages written for the metadata check, to 59% or more. Its proposals
# then share one new topic instead of being forced into the nearest ones. (How well each
# proposal fits by TF-IDF did not separate the two: 0.08-0.10 against 0.11 and up, since
# within the briefing its own words are the commonest and weigh least.)
UNRELATED_BELOW = 0.35
# How much the match of meaning (meaning.py) counts in a proposal's closeness to a topic's
# nearest points; the rest is shared words. Over the four labelled article sets: first choice
# right 75.2% -> 76.6%, within the two shown 88.8% -> 90.7%.
MEANING_IN_TOPICS = 0.6


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
    # Not re-normalised: a proposal with no words of its own in the topics' vocabulary must not
    # borrow a full-strength topic from its neighbours.
    total = 1 + CONTEXT_WEIGHT + HEADING_WEIGHT
    return (own + CONTEXT_WEIGHT * context + HEADING_WEIGHT * headings) / total


def with_meaning(by_words: Any, by_meaning: Any) -> Any:
    """Closeness to each point for choosing topics: shared words and the match of meaning."""
    return (1 - MEANING_IN_TOPICS) * by_words + MEANING_IN_TOPICS * by_meaning


def topic_scores(
    units: Sequence[Unit],
    found: Sequence[Sentence],
    index: TopicIndex,
    own: Any,
    point_sims: Any,
    with_context: bool = True,
) -> Any:
    """A (units x topics) array of scores; without context, the proposal's own evidence."""
    import numpy as np

    query = _query_rows(units, found, index, own) if with_context else own
    whole = (query @ index.topic_rows.T).toarray()
    nearest = np.zeros_like(whole)
    owners = np.asarray(index.point_topic)
    for topic in range(len(index.slugs)):
        columns = point_sims[:, owners == topic]
        if columns.shape[1]:
            nearest[:, topic] = columns.max(axis=1)
    return WHOLE_TOPIC_WEIGHT * whole + (1 - WHOLE_TOPIC_WEIGHT) * nearest


def neighbourhood(own_scores: Any, headings: Sequence[str | None] = ()) -> Any:
    """A (units x topics) array: for each proposal, what the others are about, weighted by
    closeness, plus what the whole article is about. Centred per row, so it only reorders.
    `headings`, one per proposal when given, puts those under another heading a step further
    away (SECTION_BREAK_STEPS)."""
    import numpy as np

    rows = np.asarray(own_scores)
    count = rows.shape[0]
    if count < 2:
        return np.zeros_like(rows)
    distance = np.abs(np.arange(count)[:, None] - np.arange(count)[None, :])
    if len(headings) == count:
        # None and "" alike: no heading.
        _, section = np.unique([h or "" for h in headings], return_inverse=True)
        distance = distance + SECTION_BREAK_STEPS * (section[:, None] != section[None, :])
    kernel = NEIGHBOURHOOD_DECAY**distance
    np.fill_diagonal(kernel, 0.0)  # a proposal's own score is counted already
    around = kernel @ rows / kernel.sum(axis=1, keepdims=True)
    pull = around + ARTICLE_WEIGHT * rows.mean(axis=0)[None, :]
    return pull - pull.mean(axis=1, keepdims=True)


def is_unrelated(units: Sequence[Unit], index: TopicIndex) -> bool:
    """Whether so few of the proposals use the event's own words (UNRELATED_BELOW) that the
    article is about something else."""
    if not units or not index.core_terms:
        return False
    using = sum(1 for unit in units if index.core_terms & set(content_terms(unit.text)))
    return using / len(units) < UNRELATED_BELOW


def article_topic(units: Sequence[Unit], taken: set[str]) -> NewTopic:
    """One new topic for an article about something else, named by the word its proposals
    use most (in the most proposals, two at least; the earliest on a tie): /orchid, /council;
    else as its first proposal's would be (suggest_topic)."""
    counts = Counter(term for unit in units for term in dict.fromkeys(content_terms(unit.text)))
    surface: dict[str, str] = {}
    for unit in units:
        for word in words(unit.text):
            surface.setdefault(stem(word), word)
    for term, count in counts.most_common():
        if count < 2:  # no word runs through it: named as a single proposal's topic is
            break
        if named := _named_by({term}, surface.get(term, term), taken):
            return named
    return suggest_topic(units[0], taken)


def choose(
    units: Sequence[Unit],
    scores: Any,
    own_scores: Any,
    index: TopicIndex | None,
    taken: set[str],
    article: NewTopic | None = None,
) -> list[TopicChoice]:
    """Rank topics with context; decide that none fits on the proposal's own words, so that
    a sentence about something else does not inherit its neighbours' topic. `article`, for an
    article about something else (is_unrelated), is the one new topic all its proposals get."""
    choices: list[TopicChoice] = []
    story: list[int] = []  # the rows of the latest proposals that suggest one new topic
    for row, unit in enumerate(units):
        if index is None:
            ranked_names: tuple[str, ...] = ()
            best = 0.0
        else:
            ranked = sorted(range(len(index.slugs)), key=lambda t: -float(scores[row, t]))
            best = float(scores[row, ranked[0]])
            ranked_names = tuple(index.slugs[t] for t in ranked[:2])
            if article is not None:
                choices.append(TopicChoice(None, ranked_names, best, article))
                continue
            fits = float(own_scores[row].max()) >= NEW_TOPIC_BELOW
            if fits or not _says_enough(unit.text, index):
                choices.append(TopicChoice(ranked_names[0], ranked_names[1:], best, None))
                continue
        before = units[story[-1]] if story else None
        shared = _story_words(unit, before)
        if before is None or not shared:
            story = [row]
            choices.append(TopicChoice(None, ranked_names, best, suggest_topic(unit, taken)))
            continue
        # It goes on with the story before it: one topic for the story, not one per
        # sentence, named by a word they share unless a heading names it.
        story.append(row)
        new = choices[story[0]].new_topic
        if unit.heading is None:
            new = _named_by(shared, before.text, taken) or new
        choices.append(TopicChoice(None, ranked_names, best, new))
        for earlier in story:
            choices[earlier] = dataclasses.replace(choices[earlier], new_topic=new)
    return choices


def _story_words(unit: Unit, before: Unit | None) -> set[str]:
    """The stemmed words `unit` shares with `before`, when it goes on with the same story:
    under the same heading, at most STORY_GAP sentences on. Empty otherwise."""
    if before is None or unit.heading != before.heading or unit.first - before.last > STORY_GAP:
        return set()
    return set(content_terms(unit.text)) & set(content_terms(before.text))


def _named_by(shared: set[str], text: str, taken: set[str]) -> NewTopic | None:
    """A topic named by the first word of `text` among the `shared` stems (/orchid for "a rare
    orchid species was found" and "the orchids were counted"), or None when each is taken."""
    for word in words(text):
        slug = _slug(word)
        if stem(word) in shared and len(slug) > 3 and slug not in taken:
            return NewTopic(slug=slug, title=slug.capitalize())
    return None


def _says_enough(text: str, index: TopicIndex) -> bool:
    content = {w for w in words(text) if len(w) > 2 and w not in STOPWORDS}
    return len(content) >= NEW_TOPIC_MIN_WORDS or bool(unknown_names(text, index.known_words))


_SLUG_CHARS = re.compile(r"[^a-z]")


def _slug(word: str) -> str:
    """A word as a command-like topic name: its letters a-z, at most MAX_SLUG of them."""
    return _SLUG_CHARS.sub("", word)[:MAX_SLUG]


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
        (s for w in candidates if (s := _slug(w)) and s not in taken),
        "newtopic",
    )
    return NewTopic(slug=slug, title=title or slug.capitalize())
