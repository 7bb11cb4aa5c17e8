"""Which proposals repeat what a published point or a pending proposal already says.

Points are written in our own words, so the comparison is TF-IDF cosine over stemmed words and
word pairs (it measured better than character-level fuzzy ratios on paraphrases). Pending
proposals are article sentences, so a near-verbatim fuzzy match finds them even when their
words are unknown to the topics' vocabulary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefings.ingest.split import Unit
from briefings.ingest.types import PendingDoc
from briefings.ingest.vectors import TopicIndex
from briefings.ingest.words import fold

CANDIDATES = 3
# Cosine to the nearest point at or above which a proposal corroborates it.
FOLD_AT = 0.27
# A second or third candidate this close is corroborated as well.
ALSO_FOLD_AT = 0.27
# Fuzzy token ratio (0-100) at or above which a proposal repeats a pending one.
PENDING_AT = 85.0


@dataclass(frozen=True)
class FoldChoice:
    corroborates: int | None
    candidates: tuple[int, ...]
    similarity: float
    repeats_pending: int | None
    also: tuple[int, ...] = ()


def fold_onto_points(point_sims: Any, index: TopicIndex | None, rows: int) -> list[FoldChoice]:
    import numpy as np

    if index is None or not index.point_ids:
        return [FoldChoice(None, (), 0.0, None) for _ in range(rows)]
    choices: list[FoldChoice] = []
    for row in range(rows):
        similarities = point_sims[row]
        best = np.argsort(-similarities, kind="stable")[:CANDIDATES]
        candidates = tuple(index.point_ids[i] for i in best)
        top = float(similarities[best[0]])
        corroborates = candidates[0] if top >= FOLD_AT else None
        also = tuple(
            index.point_ids[i]
            for i in best[1:]
            if corroborates is not None and float(similarities[i]) >= ALSO_FOLD_AT
        )
        choices.append(FoldChoice(corroborates, candidates, top, None, also))
    return choices


def fold_onto_pending(units: Sequence[Unit], pending: Sequence[PendingDoc]) -> list[int | None]:
    """For each unit, the pending proposal it repeats, if any."""
    if not pending:
        return [None] * len(units)
    from rapidfuzz import fuzz, process

    choices = [fold(p.text) for p in pending]
    found: list[int | None] = []
    for unit in units:
        match = process.extractOne(
            fold(unit.text), choices, scorer=fuzz.token_set_ratio, score_cutoff=PENDING_AT
        )
        found.append(pending[match[2]].id if match else None)
    return found
