"""The distilled sentence model: its shipped table, its tokenizer, and what its vectors say."""

from __future__ import annotations

import numpy as np
import pytest

from briefings.ingest.gist import (
    FIRST_PIECE,
    basic_words,
    piece_table,
    pieces,
    sentence_vectors,
    word_pieces,
)

# Pieces as all-MiniLM-L6-v2's own tokenizer (the `tokenizers` library reading the model's
# tokenizer.json) cuts these texts; gist.py was checked against it on every line of the
# article fixtures and seeds (4,232 lines, no difference).
REFERENCE = {
    "Pyongyang's treaty": [1052, 14001, 6292, 5654, 1005, 1055, 5036],
    "Kim Jong Un, 40, embraced Putin.": [5035, 18528, 4895, 1010, 2871, 1010, 14218, 22072, 1012],
    "Café naïve 北京": [7668, 15743, 1781, 1755],
    "Ёж 1,500 km²": [1185, 29743, 1015, 1010, 3156, 3186],
}


def test_the_shipped_table_loads_one_row_per_piece() -> None:
    table = piece_table()
    assert len(table.ids) == 30_522
    assert table.vectors.shape == (30_522, 256)
    assert table.vectors.dtype == np.int8
    assert table.scales.shape == (30_522,)
    assert table.rows([5036]).dtype == np.float32
    assert not table.rows(range(FIRST_PIECE)).any()  # special and unused pieces say nothing
    assert table.ids["[UNK]"] == 100
    assert table.ids["treaty"] >= FIRST_PIECE


@pytest.mark.parametrize(("text", "expected"), sorted(REFERENCE.items()))
def test_texts_are_cut_into_the_pieces_the_models_tokenizer_gives(
    text: str, expected: list[int]
) -> None:
    assert pieces(text) == expected


def test_basic_words_lower_case_strip_accents_and_split_punctuation() -> None:
    expected = ["kim", "jong", "-", "un", "'", "s", "cafe", "!"]
    assert basic_words("Kim Jong-un's CAFÉ\u200b!") == expected
    assert basic_words("北京") == ["北", "京"]
    assert basic_words("") == []


def test_a_word_with_no_pieces_or_too_long_is_unknown() -> None:
    unknown = piece_table().ids["[UNK]"]
    assert word_pieces("a" * 101) == (unknown,)
    assert word_pieces("\U0001f600") == (unknown,)
    assert len(word_pieces("ratification")) >= 1


def test_a_restatement_is_closer_than_a_sentence_on_something_else() -> None:
    vectors = sentence_vectors(
        [
            "Russia and North Korea signed a pact to defend each other if attacked.",
            "Moscow and Pyongyang agreed on a mutual defence treaty.",
            "The orchestra played a cheerful waltz in the town square.",
            "",
            "\U0001f600",
        ]
    )
    assert vectors.shape == (5, 256)
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > unrelated + 0.2
    # Nothing the table knows: a row of zeros, close to nothing.
    assert not vectors[3].any()
    assert not vectors[4].any()
