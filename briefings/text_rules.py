"""What a key point's text may be. Shared by admin commands and the briefings loader."""

from __future__ import annotations

import re
import unicodedata

from briefings.errors import InvalidText

MIN_POINT_LENGTH = 10
MAX_POINT_LENGTH = 600

_SPACES = re.compile(r"\s+")

# Format characters that only hide or reorder text: bidi embeddings, overrides and isolates
# (which can make a point read backwards) and zero-width spaces. Every other format character
# stays: ZWNJ (U+200C) and ZWJ (U+200D) are spelling in Persian, Devanagari conjuncts and emoji
# sequences, and bidi marks or emoji tags are part of the text they sit in.
_HIDDEN = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
    "\u200b\ufeff\u2060"  # zero width space, zero width no-break space, word joiner
)
_NEVER_TEXT = frozenset({"Cc", "Cs", "Co"})  # controls, lone surrogates, private use


def _kept(ch: str) -> bool:
    if ch in "\n\t":
        return True
    return ch not in _HIDDEN and unicodedata.category(ch) not in _NEVER_TEXT


def clean_point_text(raw: str) -> str:
    """Fold white space, drop control characters and the format characters that hide or
    reorder text, and check the length. Raises InvalidText; returns the text to store."""
    kept = "".join(ch for ch in raw if _kept(ch))
    text = _SPACES.sub(" ", kept).strip()
    if not text:
        raise InvalidText("empty")
    if len(text) < MIN_POINT_LENGTH:
        raise InvalidText("too_short", MIN_POINT_LENGTH)
    if len(text) > MAX_POINT_LENGTH:
        raise InvalidText("too_long", MAX_POINT_LENGTH)
    return text
