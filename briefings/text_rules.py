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


def _clean(raw: str) -> str:
    """Drop control and format characters (bidi overrides, zero-width ones) and fold white
    space; newlines and tabs pass the filter only to be folded into spaces."""
    kept = "".join(
        ch for ch in raw if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"} or ch in "\n\t"
    )
    return _SPACES.sub(" ", kept).strip()


def clean_point_text(raw: str) -> str:
    """Cleaned as `_clean` does, then the length checked. Raises InvalidText; returns the text
    to store."""
    text = _clean(raw)
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
    title = _clean(raw)
    if not title:
        raise InvalidTitle("empty")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidTitle("too_long", MAX_TITLE_LENGTH)
    return title
