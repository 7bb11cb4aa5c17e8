"""How close two texts are in meaning, word by word, through word vectors the package ships.

Shared words miss a repeat told in other words ("the pact" for "the treaty", "weapons" for
"arms"). Each content word of one text is matched with the closest word of the other (cosine
of their GloVe vectors, `briefings/data/word_vectors.npz`, built by
`scripts/build_word_vectors.py`), both ways, and the two averages are combined as an F-score;
rare words weigh more than common ones. Words the vectors lack (most names) count for nothing
here: the TF-IDF similarity beside this one matches them exactly."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefings.ingest.words import STOPWORDS, words

DATA = Path(__file__).resolve().parents[1] / "data" / "word_vectors.npz"
# Word-pair cosines computed at once, at most (float32: 16 MB), whatever the article's length
# and the briefing's size.
MAX_BLOCK = 4_000_000


@dataclass(frozen=True, eq=False)
class WordVectors:
    rank: dict[str, int]  # most frequent first
    vectors: Any  # (words x dimensions) float32, unit length


@dataclass(frozen=True, eq=False)
class Bag:
    """The content words of several texts, stacked: rows `starts[i]` up to the next start
    belong to text i, whose `sizes[i]` may be 0."""

    vectors: Any
    weights: Any
    starts: Any
    sizes: Any


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    import numpy as np

    with np.load(DATA) as data:
        vocabulary = str(data["words"]).split("\n")
        vectors = data["vectors"].astype(np.float32)
    return WordVectors({word: n for n, word in enumerate(vocabulary)}, vectors)


def bag(texts: Sequence[str]) -> Bag:
    import numpy as np

    table = word_vectors()
    rows: list[int] = []
    weights: list[float] = []
    starts: list[int] = []
    sizes: list[int] = []
    for text in texts:
        starts.append(len(rows))
        found = dict.fromkeys(
            table.rank[w]
            for w in words(text)
            if len(w) > 2 and w not in STOPWORDS and w in table.rank
        )
        rows.extend(found)
        # A word's weight grows with its rarity: the log of its frequency rank.
        weights.extend(math.log(rank + 2) for rank in found)
        sizes.append(len(found))
    return Bag(
        table.vectors[rows] if rows else np.zeros((0, table.vectors.shape[1]), np.float32),
        np.asarray(weights, dtype=np.float32),
        np.asarray(starts, dtype=np.intp),
        np.asarray(sizes, dtype=np.intp),
    )


def match(texts: Bag, points: Bag) -> Any:
    """A dense (texts x points) array of word-matching F-scores in [0, 1]; 0 where either
    text has no word with a vector. Texts are taken a few at a time, so that a long article
    against a large briefing never holds more than MAX_BLOCK word-pair cosines at once."""
    import numpy as np

    result = np.zeros((len(texts.starts), len(points.starts)), dtype=np.float64)
    have_point = points.sizes > 0
    point_words = int(points.sizes.sum())
    if not point_words:
        return result
    per_block = max(1, MAX_BLOCK // point_words)  # text words per block
    first = 0
    while first < len(texts.starts):
        last, words_taken = first, 0
        while last < len(texts.starts) and (
            last == first or words_taken + int(texts.sizes[last]) <= per_block
        ):
            words_taken += int(texts.sizes[last])
            last += 1
        _match_block(texts, first, last, points, have_point, result)
        first = last
    return result


def _match_block(
    texts: Bag, first: int, last: int, points: Bag, have_point: Any, result: Any
) -> None:
    """Fills result[first:last] for the texts first..last-1."""
    import numpy as np

    sizes = texts.sizes[first:last]
    have_text = sizes > 0
    if not have_text.any():
        return
    low = int(texts.starts[first])
    high = low + int(sizes.sum())
    vectors, weights = texts.vectors[low:high], texts.weights[low:high]
    cosines = vectors @ points.vectors.T  # (text words x point words)
    text_starts = texts.starts[first:last][have_text] - low
    point_starts = points.starts[have_point]
    # For each word of a text, its best match in each point; weighted mean per text.
    best_in_point = np.maximum.reduceat(cosines, point_starts, axis=1)
    precision = np.add.reduceat(best_in_point * weights[:, None], text_starts, axis=0)
    precision /= np.add.reduceat(weights, text_starts)[:, None]
    # For each word of a point, its best match in each text; weighted mean per point.
    best_in_text = np.maximum.reduceat(cosines, text_starts, axis=0)
    recall = np.add.reduceat(best_in_text * points.weights[None, :], point_starts, axis=1)
    recall /= np.add.reduceat(points.weights, point_starts)[None, :]
    precision, recall = np.clip(precision, 0, 1), np.clip(recall, 0, 1)
    total = precision + recall
    f_score = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
    rows = np.arange(first, last)[have_text]
    result[np.ix_(rows, np.flatnonzero(have_point))] = f_score
