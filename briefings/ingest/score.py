"""How much a proposal matters: central to the article, early in it, and informative (names,
numbers, quotations). The score orders the review list; importance 1-5 is a suggestion."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from briefings.ingest.split import NEEDS_CONTEXT, Sentence, Unit
from briefings.ingest.words import content_terms

CENTRALITY_WEIGHT = 0.4
INFORMATION_WEIGHT = 0.4
POSITION_WEIGHT = 0.2
NEEDS_CONTEXT_PENALTY = 0.85
IMPORTANCE_FLOORS = ((0.7, 5), (0.55, 4), (0.4, 3), (0.25, 2))
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_QUOTE = re.compile(r"[“\"][^”\"]{8,}[”\"]")
_NAME = re.compile(r"(?<=\s)[A-Z][\w'’.-]+")


def _centrality(units: Sequence[Unit], found: Sequence[Sentence]) -> list[float]:
    """Mean share of the article's sentences that use each of the proposal's terms."""
    spread: Counter[str] = Counter()
    for sentence in found:
        spread.update(set(content_terms(sentence.text)))
    raw: list[float] = []
    for unit in units:
        terms = set(content_terms(unit.text))
        raw.append(sum(spread[t] - 1 for t in terms) / (len(terms) * len(found)) if terms else 0.0)
    top = max(raw, default=0.0)
    return [r / top if top else 0.0 for r in raw]


def information(text: str) -> float:
    """0-1: distinct names (up to 4), numbers (up to 2) and a quotation."""
    names = len(set(_NAME.findall(text)))
    numbers = len(_NUMBER.findall(text))
    quoted = 1 if _QUOTE.search(text) else 0
    return (min(names, 4) / 4) * 0.55 + (min(numbers, 2) / 2) * 0.25 + quoted * 0.2


def importance(score: float) -> int:
    return next((level for floor, level in IMPORTANCE_FLOORS if score >= floor), 1)


def scores(units: Sequence[Unit], found: Sequence[Sentence]) -> list[float]:
    centrality = _centrality(units, found)
    total = max(len(found) - 1, 1)
    result: list[float] = []
    for unit, central in zip(units, centrality, strict=True):
        position = 1 - unit.first / total
        value = (
            CENTRALITY_WEIGHT * central
            + INFORMATION_WEIGHT * information(unit.text)
            + POSITION_WEIGHT * position
        )
        if NEEDS_CONTEXT in unit.flags:
            value *= NEEDS_CONTEXT_PENALTY
        result.append(round(value, 4))
    return result
