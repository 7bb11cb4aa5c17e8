"""A cheap English check: share of Latin letters and of common English function words."""

from __future__ import annotations

from briefings.ingest.words import word_set, words

# The commonest English function words; in French, German or Spanish prose only a handful
# ("a", "in", "on") turn up, and in Cyrillic or Persian script none do.
_FUNCTION_WORDS = word_set(
    """the of and to a in is that for it on was with as be by at from this have are not
    has but or an his they which were their been its said will would there who had he she
    we after over about than more also into when could what all after while can them"""
)
MIN_WORDS_TO_JUDGE = 20
MIN_LATIN_SHARE = 0.6
MIN_FUNCTION_SHARE = 0.14


def looks_english(text: str) -> bool:
    """True unless there is enough text to judge and it clearly is not English."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    tokens = words(text)
    if len(tokens) < MIN_WORDS_TO_JUDGE:
        return True
    if latin / len(letters) < MIN_LATIN_SHARE:
        return False
    latin_tokens = [t for t in tokens if t.isascii()]
    if len(latin_tokens) < MIN_WORDS_TO_JUDGE:
        return True
    function = sum(1 for t in latin_tokens if t in _FUNCTION_WORDS)
    return function / len(latin_tokens) >= MIN_FUNCTION_SHARE
