"""Character clean-up and the word tokens every later step compares texts with."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bidi embeddings, overrides and isolates can hide or reorder text; zero-width spaces and the
# BOM split words invisibly. ZWNJ (U+200C) and ZWJ (U+200D) stay: Persian, Devanagari and
# emoji sequences need them.
_INVISIBLE = "\u200b\ufeff\u2060\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = dict.fromkeys(map(ord, _INVISIBLE), None)
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\x0b\x0c"), " ")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
_LINE_SPACES = re.compile(r"[ ]{2,}")
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # category Cc, less the line break
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def word_set(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


STOPWORDS = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say according one two new also us may might must shall"""
)


def normalise(raw: str) -> str:
    """NFC, one kind of line break and space, no invisible or control characters."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_DROP).translate(_SPACE_LIKE)
    text = _CONTROLS.sub("", text)
    return "\n".join(_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def fold(text: str) -> str:
    """The form texts are compared in: case, curly quotes and white space do not matter."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def words(text: str) -> list[str]:
    return _WORD.findall(text.translate(_QUOTES).casefold())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough for 'missiles'/'missile' and 'supplying'/'supplied'
    to meet, without a stemmer's data files."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, replacement in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    return word.removesuffix("e") if len(word) > 4 else word


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning: no stopwords, no one- or two-letter tokens."""
    return [stem(w) for w in words(text) if len(w) > 2 and w not in STOPWORDS]
