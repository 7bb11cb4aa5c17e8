"""The match of meaning: word vectors the package ships, and how texts are scored with them."""

from __future__ import annotations

import numpy as np
import pytest

from briefings.ingest import meaning
from briefings.ingest.fold import Closeness, blend, fold_onto_points
from briefings.ingest.meaning import bag, match, word_vectors
from briefings.ingest.types import PointDoc, TopicDoc
from briefings.ingest.vectors import topic_index


def test_the_shipped_vectors_load_with_unit_length() -> None:
    table = word_vectors()
    assert len(table.rank) == 50_000
    assert table.vectors.shape == (50_000, 50)
    assert table.vectors.dtype == np.float32
    lengths = np.linalg.norm(table.vectors, axis=1)
    assert np.allclose(lengths, 1.0, atol=1e-2)
    # Most frequent first: the rank is what a word's weight grows with.
    assert table.rank["the"] < table.rank["treaty"] < table.rank["ratification"]


def test_words_told_otherwise_are_closer_than_unrelated_ones() -> None:
    texts = bag(["The two countries signed a defence pact.", "Weapons flowed across the border."])
    points = bag(
        [
            "Both nations concluded a military treaty.",
            "Arms shipments crossed the frontier.",
            "The orchestra played a cheerful waltz.",
        ]
    )
    scores = match(texts, points)
    assert scores.shape == (2, 3)
    assert scores[0, 0] > scores[0, 2] + 0.2
    assert scores[1, 1] > scores[1, 2] + 0.2
    assert scores[0, 0] > scores[0, 1]
    assert ((scores >= 0) & (scores <= 1)).all()


def test_texts_without_known_words_score_nothing() -> None:
    texts = bag(["", "Xqzv Blorptang!", "The treaty was signed."])
    points = bag(["Zzyzx qwrt.", "A treaty was signed by both."])
    scores = match(texts, points)
    assert scores.shape == (3, 2)
    assert (scores[:2] == 0).all()
    assert scores[2, 0] == 0
    assert scores[2, 1] > 0.5
    assert match(bag([]), points).shape == (0, 2)
    assert match(texts, bag([])).shape == (3, 0)


def test_the_same_text_matches_itself_fully() -> None:
    text = "Russia and North Korea pledged mutual military assistance."
    assert np.isclose(match(bag([text]), bag([text]))[0, 0], 1.0, atol=1e-3)


def test_a_near_match_of_meaning_tips_a_fold_that_shared_words_alone_would_not() -> None:
    topics = (
        TopicDoc(
            "arms",
            "Arms",
            "Weapons deliveries",
            (),
            (
                PointDoc(1, "North Korea is accused of sending artillery shells to Russia."),
                PointDoc(2, "The orchestra gave a concert in the capital."),
            ),
        ),
    )
    index = topic_index(topics)
    assert index is not None
    by_words = np.array([[0.25, 0.05]])  # below the 0.27 shared words once needed
    strong, weak = np.array([[0.9, 0.1]]), np.array([[0.2, 0.1]])
    close, far = np.array([[0.8, 0.1]]), np.array([[0.3, 0.1]])  # whole sentences (gist.py)

    def folds(meaning: np.ndarray, gist: np.ndarray) -> tuple[int | None, int]:
        closeness = Closeness(by_words, blend(by_words, meaning, gist))
        (choice,) = fold_onto_points(closeness, index, ["x"])
        return choice.corroborates, choice.candidates[0]

    assert folds(strong, close) == (1, 1)
    assert folds(weak, far) == (None, 1)
    # Either match can tip it: a sentence that says the same as a whole, in other words.
    middling = np.array([[0.6, 0.1]])
    assert folds(middling, np.array([[0.9, 0.1]])) == (1, 1)
    assert folds(middling, far) == (None, 1)


def test_a_few_texts_at_a_time_give_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = bag(
        [
            "The two countries signed a defence pact.",
            "",
            "Weapons flowed across the border at night, officials said.",
            "Xqzv.",
            "Tourists will fly between the capitals once a week.",
        ]
    )
    points = bag(["A treaty was signed.", "Zzyzx.", "Arms crossed the frontier.", "Direct flights"])
    whole = match(texts, points)
    monkeypatch.setattr(meaning, "MAX_BLOCK", 1)  # one text per block
    assert np.allclose(match(texts, points), whole)
    monkeypatch.setattr(meaning, "MAX_BLOCK", 20)  # a few
    assert np.allclose(match(texts, points), whole)
