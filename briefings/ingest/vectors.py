"""One TF-IDF space per set of topics, built once and reused while the topics stay the same."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from briefings.ingest.gist import sentence_vectors
from briefings.ingest.meaning import Bag, bag
from briefings.ingest.types import TopicDoc
from briefings.ingest.words import content_terms, words

WORD_WEIGHT = 0.5
# A stem in this share of the points is one of the event's own words (assign.is_unrelated).
CORE_SHARE = 0.08
CORE_MIN_POINTS = 20
# A point's sentences and semicolon clauses, each compared on its own as well (fold.py).
_CLAUSE_BREAK = re.compile(r"(?<=[.;!?])\s+(?=\S)")
MIN_CLAUSE_WORDS = 4


def clauses(text: str) -> list[str]:
    """The sentences and semicolon clauses of a point that has more than one, each of at
    least MIN_CLAUSE_WORDS words; nothing for a point of one."""
    parts = [part for part in _CLAUSE_BREAK.split(text) if len(part.split()) >= MIN_CLAUSE_WORDS]
    return parts if len(parts) > 1 else []


def terms_and_pairs(text: str) -> list[str]:
    """Stemmed content words and adjacent pairs of them ('ballistic missil')."""
    terms = content_terms(text)
    return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


@dataclass(frozen=True, eq=False)
class TopicIndex:
    vectorizer: Any
    slugs: tuple[str, ...]
    # One row per topic: its title, description, aliases and every point, as one document.
    topic_rows: Any
    point_ids: tuple[int, ...]
    point_topic: tuple[int, ...]
    point_rows: Any
    # Character n-grams catch what stems miss: "defence"/"defense", "Kim Jong-un"/"Kim Jong Un".
    char_vectorizer: Any
    point_char_rows: Any
    # Every word the topics and points use: what the briefing already mentions.
    known_words: frozenset[str] = frozenset()
    # The event's own words: stems in CORE_SHARE of the points or more (at least two).
    core_terms: frozenset[str] = frozenset()
    # The points' words with vectors, for the match of meaning (meaning.py).
    point_bag: Bag = field(default_factory=lambda: bag(()))
    # Each point as one vector of the distilled sentence model (gist.py).
    point_gist: Any = None
    # The clauses of points of several (clauses()), compared like whole points; clause_owner
    # holds each one's point column.
    clause_owner: tuple[int, ...] = ()
    clause_rows: Any = None
    clause_char_rows: Any = None
    clause_bag: Bag = field(default_factory=lambda: bag(()))
    clause_gist: Any = None

    def vectors(self, texts: Sequence[str]) -> Any:
        return self.vectorizer.transform(list(texts))

    def char_vectors(self, texts: Sequence[str]) -> Any:
        return self.char_vectorizer.transform(list(texts))

    def point_similarities(self, texts: Sequence[str], words: Any, chars: Any = None) -> Any:
        """A dense (texts x points) array: word and character cosine, averaged. `chars`, the
        texts' char_vectors(), when the caller has them already."""
        if not self.point_ids:
            return (words @ self.topic_rows.T).toarray()[:, :0]
        chars = self.char_vectors(texts) if chars is None else chars
        return _closeness(words, chars, self.point_rows, self.point_char_rows)

    def clause_similarities(self, words: Any, chars: Any) -> Any:
        """A dense (texts x clauses) array, as point_similarities is for whole points; only
        for an index with clauses."""
        return _closeness(words, chars, self.clause_rows, self.clause_char_rows)


def _closeness(words: Any, chars: Any, word_rows: Any, char_rows: Any) -> Any:
    by_words = (words @ word_rows.T).toarray()
    by_chars = (chars @ char_rows.T).toarray()
    return WORD_WEIGHT * by_words + (1 - WORD_WEIGHT) * by_chars


def _topic_text(topic: TopicDoc) -> str:
    header = " ".join([topic.title, topic.description, *topic.aliases, topic.slug])
    return " ".join([header, *(p.text for p in topic.points)])


@lru_cache(maxsize=4)
def topic_index(topics: tuple[TopicDoc, ...]) -> TopicIndex | None:
    """None when there is nothing to compare with (no topics, or no words in them)."""
    if not topics:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: load on first use

    points = [(p, n) for n, t in enumerate(topics) for p in t.points]
    headers = [" ".join([t.title, t.description, *t.aliases, t.slug]) for t in topics]
    vectorizer = TfidfVectorizer(analyzer=terms_and_pairs, sublinear_tf=True)
    try:
        vectorizer.fit(headers + [p.text for p, _ in points])
    except ValueError:  # every document was empty of words
        return None
    texts = [p.text for p, _ in points]
    char_vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
    )
    char_vectorizer.fit(headers + texts)
    parts = [(part, column) for column, text in enumerate(texts) for part in clauses(text)]
    return TopicIndex(
        vectorizer=vectorizer,
        slugs=tuple(t.slug for t in topics),
        topic_rows=vectorizer.transform([_topic_text(t) for t in topics]),
        point_ids=tuple(p.id for p, _ in points),
        point_topic=tuple(n for _, n in points),
        point_rows=vectorizer.transform(texts),
        char_vectorizer=char_vectorizer,
        point_char_rows=char_vectorizer.transform(texts),
        known_words=frozenset(w for text in headers + texts for w in words(text)),
        core_terms=core_terms(texts),
        point_bag=bag(texts),
        point_gist=sentence_vectors(texts),
        **_clause_fields(parts, vectorizer, char_vectorizer),
    )


def core_terms(points: Sequence[str]) -> frozenset[str]:
    """The stems that CORE_SHARE of the points or more use, and at least two of them; none
    for a briefing of fewer than CORE_MIN_POINTS, whose words say little yet."""
    if len(points) < CORE_MIN_POINTS:
        return frozenset()
    counts = Counter(term for text in points for term in set(content_terms(text)))
    least = max(2.0, CORE_SHARE * len(points))
    return frozenset(term for term, count in counts.items() if count >= least)


def _clause_fields(parts: list[tuple[str, int]], vectorizer: Any, chars: Any) -> dict[str, Any]:
    if not parts:  # scikit-learn refuses to transform an empty list
        return {}
    texts = [part for part, _ in parts]
    return {
        "clause_owner": tuple(column for _, column in parts),
        "clause_rows": vectorizer.transform(texts),
        "clause_char_rows": chars.transform(texts),
        "clause_bag": bag(texts),
        "clause_gist": sentence_vectors(texts),
    }
