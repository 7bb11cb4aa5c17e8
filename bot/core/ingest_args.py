"""What an admin typed after /ingest: optional `outlet:`, `title:`, `date:` and `url:` lines,
then the article itself, or a link to it. And the ids /approve and /reject take."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core import texts
from bot.core.clip import clip
from briefings.proposals import MAX_HEADLINE, MAX_OUTLET, MAX_URL
from briefings.text_rules import clean_line

_META = re.compile(r"^\s*(?P<key>outlet|title|date|url)\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?://)?\S+$", re.IGNORECASE)
_ID = re.compile(r"^[#pP]?(?P<n>\d{1,12})$")
_RANGE = re.compile(r"^[pP]?(?P<a>\d{1,9})-[pP]?(?P<b>\d{1,9})$")
# A word in a topic's place that no id can be: "/approve 12 armz".
_TOPIC_LIKE = re.compile(r"^/?[^\W\d_][\w-]*$")
# The longest value each metadata line may give: its column's width in `sources`. Refused, not
# cut: a cut link is a broken link, and a cut name reads as a typo.
META_LIMITS = {"outlet": MAX_OUTLET, "title": MAX_HEADLINE, "url": MAX_URL}
MAX_IDS = 200
# The words /approve and /reject read as keywords rather than as a topic or an id.
KEYWORDS = frozenset({"all"})


class ArgsError(ValueError):
    """A sentence for the admin; nothing was changed."""


@dataclass(frozen=True)
class Meta:
    """An article's `outlet:`, `title:`, `date:` and `url:`, cleaned and checked."""

    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None  # where the article is from


@dataclass(frozen=True)
class IngestArgs:
    text: str  # the article pasted after the command (may be empty)
    link: str | None  # the article's address, to fetch, when the text is just a link
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None  # where the article is from, when the text was pasted


def first_given(given: Meta | IngestArgs, found: Meta) -> Meta:
    """`given`'s outlet, title, date and url, each where it has one, else `found`'s: what an
    admin gave (a caption, a command-line flag) wins over the article's own lines. Shared by
    /ingest of an uploaded file and `briefbot ingest`."""
    return Meta(
        outlet=given.outlet or found.outlet,
        title=given.title or found.title,
        published=given.published or found.published,
        url=given.url or found.url,
    )


def meta_value(key: str, raw: str) -> str | None:
    """One metadata value (outlet, title, date or url) as it will be stored: cleaned like any
    stored text, then refused (ArgsError) when it is longer than its column or, for a url, not
    an http(s) address. None when nothing is left. Shared by /ingest and `briefbot ingest`."""
    value = clean_line(raw)
    limit = META_LIMITS.get(key)
    if limit is not None and len(value) > limit:
        raise ArgsError(texts.INGEST_META_TOO_LONG.format(key=key, limit=limit))
    if key == "url" and value and not _LINK.match(value):
        raise ArgsError(texts.INGEST_BAD_URL.format(value=clip(value, 60)))
    return value or None


def read_meta(text: str) -> tuple[Meta, str]:
    """Metadata lines may come first or last, each `key: value` on a line of its own; the
    rest, stripped, is the article. Raises ArgsError for a bad value."""
    values: dict[str, str | None] = {}
    body: list[str] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        found = _META.match(line)
        at_edge = not any(body) or all(not rest.strip() for rest in lines[n + 1 :])
        key = found["key"].casefold() if found else ""
        if found and at_edge and key not in values:
            values[key] = meta_value(key, found["value"])
        else:
            body.append(line)
    date = values.get("date")
    meta = Meta(
        outlet=values.get("outlet"),
        title=values.get("title"),
        published=_date(date) if date else None,
        url=values.get("url"),
    )
    return meta, "\n".join(body).strip()


def parse_ingest_args(args: str) -> IngestArgs:
    """What followed /ingest: metadata lines (see read_meta) and the article, or a link to it."""
    meta, text = read_meta(args)
    link = None
    if len(text.split()) == 1:
        if _LINK.match(text):
            link, text = meta_value("url", text), ""
        elif _ANY_SCHEME.match(text) and "://" in text:
            raise ArgsError(texts.INGEST_BAD_SCHEME)
    return IngestArgs(
        text=text,
        link=link,
        outlet=meta.outlet,
        title=meta.title,
        published=meta.published,
        url=meta.url or link,
    )


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ArgsError(texts.INGEST_BAD_DATE.format(value=clip(value, 30))) from None


@dataclass(frozen=True)
class Chosen:
    ids: tuple[int, ...] | None  # None: every pending proposal
    topic: str | None  # /approve 12 arms: publish in this topic instead


def parse_choice(args: str, topic_names: set[str], *, allow_topic: bool) -> Chosen:
    """`all`, or ids (`12 13`, `p12,p13`, `12-15`), then (for /approve) a topic name."""
    words = [w for w in re.split(r"[\s,]+", args.strip()) if w]
    topic = None
    if allow_topic and words and words[-1].casefold().lstrip("/") in topic_names:
        topic = words.pop().casefold().lstrip("/")
    if not words:
        raise ArgsError(texts.CHOICE_USAGE)
    if len(words) == 1 and words[0].casefold() == "all":
        return Chosen(None, topic)
    last = words[-1]
    id_like = _ID.match(last) or _RANGE.match(last) or last.casefold() == "all"
    if allow_topic and topic is None and len(words) > 1 and not id_like and _TOPIC_LIKE.match(last):
        # "/approve all armz", "/approve 12 armz": the ids are fine, the topic is not.
        raise ArgsError(texts.CHOICE_NO_TOPIC.format(value=clip(last.lstrip("/"), 30)))
    if any(w.casefold() == "all" for w in words):
        raise ArgsError(texts.CHOICE_ALL_ALONE)
    ids: list[int] = []
    for word in words:
        if (single := _ID.match(word)) is not None:
            ids.append(int(single["n"]))
        elif (span := _RANGE.match(word)) is not None and int(span["a"]) <= int(span["b"]):
            ids.extend(range(int(span["a"]), int(span["b"]) + 1))
        else:
            raise ArgsError(texts.CHOICE_BAD_WORD.format(value=clip(word, 30)))
        if len(ids) > MAX_IDS:
            raise ArgsError(texts.CHOICE_TOO_MANY.format(limit=MAX_IDS))
    return Chosen(tuple(dict.fromkeys(ids)), topic)
