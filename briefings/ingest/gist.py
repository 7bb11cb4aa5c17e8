"""What a sentence says as one vector, from a static model distilled from all-MiniLM-L6-v2.

The word-by-word match of meaning (meaning.py) pairs words one at a time; a model trained on
paraphrases sees which words carry a sentence. Running the transformer itself costs about 4 ms
a sentence on a two-core machine, so the package ships a table distilled from it
(`briefings/data/sentence_vectors.npz`, built by `scripts/build_sentence_vectors.py`): one
vector per word piece of its vocabulary, and a sentence's vector is the normalised sum of its
pieces' vectors. The text is cut into pieces as the model's own tokenizer does (BERT's
WordPiece, lower-cased, accents stripped), written out here so that no tokenizer library is
needed."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "sentence_vectors.npz"
# Ids below this are the model's special and unused pieces; they carry no meaning here.
FIRST_PIECE = 999
UNKNOWN = "[UNK]"
# BERT's WordPiece gives up on longer words.
MAX_WORD = 100


@dataclass(frozen=True, eq=False)
class PieceTable:
    ids: dict[str, int]
    # (pieces x dimensions) int8 and one scale per piece: a piece's vector, already weighted,
    # is vectors[i] * scales[i]. Kept as stored, a quarter of the memory of float32.
    vectors: Any
    scales: Any

    def rows(self, ids: Sequence[int]) -> Any:
        import numpy as np

        return self.vectors[ids].astype(np.float32) * self.scales[ids, None]


@lru_cache(maxsize=1)
def piece_table() -> PieceTable:
    import numpy as np

    with np.load(DATA) as data:
        pieces = str(data["pieces"]).split("\n")
        vectors, scales = data["vectors"], data["scales"].astype(np.float32)
    return PieceTable({piece: n for n, piece in enumerate(pieces)}, vectors, scales)


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


# BERT's tokenizer makes each CJK ideograph a word of its own.
_CJK = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def _stands_alone(char: str) -> bool:
    code = ord(char)
    return _is_punctuation(char) or any(low <= code <= high for low, high in _CJK)


class _CharRule(dict[int, str]):
    """What basic_words does with each character, worked out once per character and then
    applied by str.translate (a per-character loop in Python was a third of ingestion's
    time): dropped, set apart by spaces, turned into a space, or kept."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        control = category.startswith("C") and not char.isspace()
        if category == "Mn" or char == "\ufffd" or control:
            rule = ""
        elif _stands_alone(char):
            rule = f" {char} "
        else:
            rule = " " if char.isspace() else char
        self[code] = rule
        return rule


_CHAR_RULE = _CharRule()


def basic_words(text: str) -> list[str]:
    """Lower-cased, accents stripped, split at white space and around each punctuation mark
    and ideograph, as BERT's basic tokenizer does."""
    return unicodedata.normalize("NFD", text.lower()).translate(_CHAR_RULE).split()


@lru_cache(maxsize=65_536)
def word_pieces(word: str) -> tuple[int, ...]:
    """The ids of a word's pieces, longest first match, or the unknown piece for all of it."""
    ids = piece_table().ids
    if len(word) > MAX_WORD:
        return (ids[UNKNOWN],)
    found: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        piece = None
        while start < end:
            candidate = word[start:end] if start == 0 else "##" + word[start:end]
            if candidate in ids:
                piece = ids[candidate]
                break
            end -= 1
        if piece is None:
            return (ids[UNKNOWN],)
        found.append(piece)
        start = end
    return tuple(found)


def pieces(text: str) -> list[int]:
    return [i for word in basic_words(text) for i in word_pieces(word)]


def sentence_vectors(texts: Sequence[str]) -> Any:
    """A (texts x dimensions) array of unit vectors; a row of zeros for a text with no piece
    the table knows."""
    import numpy as np

    table = piece_table()
    result = np.zeros((len(texts), table.vectors.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        ids = [i for i in pieces(text) if i >= FIRST_PIECE]
        if ids:
            total = table.rows(ids).sum(axis=0)
            norm = float(np.linalg.norm(total))
            if norm > 0:
                result[row] = total / norm
    return result
