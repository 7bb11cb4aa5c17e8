"""What a key point's text may be. Shared by admin commands and the briefings loader."""

from __future__ import annotations

import re
import unicodedata

from briefings.errors import InvalidText

MIN_POINT_LENGTH = 10
MAX_POINT_LENGTH = 600

_SPACES = re.compile(r"\s+")


def clean_point_text(raw: str) -> str:
    """Fold white space, drop control and format characters (bidi overrides, zero-width ones),
    and check the length. Raises InvalidText; returns the text to store."""
    kept = "".join(
        ch for ch in raw if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"} or ch in "\n\t"
    )
    text = _SPACES.sub(" ", kept).strip()
    if not text:
        raise InvalidText("empty")
    if len(text) < MIN_POINT_LENGTH:
        raise InvalidText("too_short", MIN_POINT_LENGTH)
    if len(text) > MAX_POINT_LENGTH:
        raise InvalidText("too_long", MAX_POINT_LENGTH)
    return text
