"""What an admin typed after /ingest: optional `outlet:`, `title:`, `date:` and `url:` lines,
then the article itself, or a link to it. And the ids /approve and /reject take."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core import texts
from bot.core.clip import clip

_META = re.compile(r"^\s*(?P<key>outlet|title|date|url)\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?://)?\S+$", re.IGNORECASE)
_ID = re.compile(r"^[#pP]?(?P<n>\d{1,12})$")
_RANGE = re.compile(r"^[pP]?(?P<a>\d{1,9})-[pP]?(?P<b>\d{1,9})$")
# A word in a topic's place that no id can be: "/approve 12 armz".
_TOPIC_LIKE = re.compile(r"^/?[^\W\d_][\w-]*$")
MAX_META = 300
MAX_IDS = 200


class ArgsError(ValueError):
    """A sentence for the admin; nothing was changed."""


@dataclass(frozen=True)
class IngestArgs:
    text: str  # the article pasted after the command (may be empty)
    link: str | None  # the article's address, to fetch, when the text is just a link
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None  # where the article is from, when the text was pasted


def parse_ingest_args(args: str) -> IngestArgs:
    """Metadata lines may come first or last, each `key: value` on a line of its own."""
    meta: dict[str, str] = {}
    body: list[str] = []
    lines = args.splitlines()
    for n, line in enumerate(lines):
        found = _META.match(line)
        at_edge = not any(body) or all(not rest.strip() for rest in lines[n + 1 :])
        if found and at_edge and found["key"].casefold() not in meta:
            value = found["value"]
            if len(value) > MAX_META:
                raise ArgsError(texts.INGEST_META_TOO_LONG.format(key=found["key"], limit=MAX_META))
            meta[found["key"].casefold()] = value
        else:
            body.append(line)
    text = "\n".join(body).strip()
    published = _date(meta["date"]) if meta.get("date") else None
    link = None
    if len(text.split()) == 1:
        if _LINK.match(text):
            link, text = text, ""
        elif _ANY_SCHEME.match(text) and "://" in text:
            raise ArgsError(texts.INGEST_BAD_SCHEME)
    url = meta.get("url") or None
    if url is not None and not _LINK.match(url):
        raise ArgsError(texts.INGEST_BAD_URL.format(value=clip(url, 60)))
    return IngestArgs(
        text=text,
        link=link,
        outlet=meta.get("outlet") or None,
        title=meta.get("title") or None,
        published=published,
        url=url or link,
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
