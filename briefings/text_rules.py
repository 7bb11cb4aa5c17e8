"""What a key point's text and a topic's names and title may be. Shared by admin commands and
the briefings loader."""

from __future__ import annotations

import re
import unicodedata

from briefings.errors import BadSlug, InvalidText, InvalidTitle

MIN_POINT_LENGTH = 10
MAX_POINT_LENGTH = 600
MAX_TITLE_LENGTH = 120  # topics.title is String(120)

# A topic's slug and its aliases are commands (/treaty): short enough for Telegram's menu and
# Slack, and nothing that needs escaping or case-folding on any platform.
SLUG = re.compile(r"^[a-z][a-z0-9]{0,31}$")

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


def clean_line(raw: str) -> str:
    """Fold white space, drop control characters and the format characters that hide or
    reorder text (ZWNJ and ZWJ stay: they are spelling). For every text a person typed that
    is stored: PostgreSQL refuses a NUL in a text column, and hidden controls mislead readers."""
    kept = "".join(ch for ch in raw if _kept(ch))
    return _SPACES.sub(" ", kept).strip()


def clean_point_text(raw: str) -> str:
    """Cleaned as `clean_line` does, then the length checked. Raises InvalidText; returns the text
    to store."""
    text = clean_line(raw)
    if not text:
        raise InvalidText("empty")
    if len(text) < MIN_POINT_LENGTH:
        raise InvalidText("too_short", MIN_POINT_LENGTH)
    if len(text) > MAX_POINT_LENGTH:
        raise InvalidText("too_long", MAX_POINT_LENGTH)
    return text


def check_slug(raw: str) -> str:
    """A new slug or alias as typed (a leading slash is fine); BadSlug unless it is 1-32
    lowercase letters and digits starting with a letter."""
    name = raw.removeprefix("/")
    # fullmatch: `$` alone would let a trailing newline through.
    if not SLUG.fullmatch(name):
        raise BadSlug(raw)
    return name


def clean_title(raw: str) -> str:
    """A topic's title, cleaned like point text. Raises InvalidTitle."""
    title = clean_line(raw)
    if not title:
        raise InvalidTitle("empty")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidTitle("too_long", MAX_TITLE_LENGTH)
    return title
