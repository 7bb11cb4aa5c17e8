"""Reading `/subscribe [HH:MM] [Area/City] [days] [topics] [full|changes]`, in any order."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.core import texts
from bot.core.clip import clip
from briefings.models import CHANGES, DIGEST_MODES
from briefings.schedule import DAY_NAMES, EVERY_DAY, Schedule, find_zone, zone_names
from briefings.views import Catalog

DEFAULT_HOUR, DEFAULT_MINUTE = 8, 0
MAX_WORDS = 20
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_GROUPS = {
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "every": EVERY_DAY,
    "all-days": EVERY_DAY,
    "weekdays": "12345",
    "workdays": "12345",
    "weekends": "67",
    "weekend": "67",
}


class SubscribeArgsError(ValueError):
    """The reply text says what was wrong and what is accepted."""


@dataclass(frozen=True)
class SubscribeArgs:
    schedule: Schedule
    topics: tuple[str, ...]
    mode: str


def _day_number(word: str) -> int | None:
    for number, (short, full) in enumerate(zip(DAY_NAMES, _FULL_DAYS, strict=True), start=1):
        if word in (short, full, full[:4]):
            return number
    return None


def parse_days(word: str) -> str | None:
    """'weekdays', 'mon,wed,fri', 'mon-fri', 'sat' -> ISO weekday digits; None if not days."""
    if word in _DAY_GROUPS:
        return _DAY_GROUPS[word]
    chosen: set[int] = set()
    for part in filter(None, word.split(",")):
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day_number(first), _day_number(last)
            if start is None or end is None:
                return None
            span = range(start, end + 1) if start <= end else [*range(start, 8), *range(1, end + 1)]
            chosen.update(span)
        else:
            number = _day_number(part)
            if number is None:
                return None
            chosen.add(number)
    return "".join(str(d) for d in sorted(chosen)) or None


def parse_time(word: str) -> tuple[int, int] | None:
    match = _TIME.match(word)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _suggest(word: str, catalog: Catalog) -> list[str]:
    pool = [*catalog.topic_names, *_DAY_GROUPS, *DAY_NAMES, *_FULL_DAYS, *DIGEST_MODES]
    close = difflib.get_close_matches(word, pool, n=2, cutoff=0.7)
    city = [z for z in zone_names() if z.casefold().rsplit("/", 1)[-1] == word.replace(" ", "_")]
    return [*city[:2], *close]


def _looks_like_time(word: str) -> bool:
    return bool(re.match(r"^\d", word))


def parse_subscribe_args(args: str, catalog: Catalog, default_zone: str) -> SubscribeArgs:
    words = args.split()
    if len(words) > MAX_WORDS:
        raise SubscribeArgsError(texts.SUBSCRIBE_HELP.format(zone=default_zone))
    time: tuple[int, int] | None = None
    zone_name: str | None = None
    days: str | None = None
    mode: str | None = None
    topics: list[str] = []
    for raw in words:
        word = raw.casefold().strip(",;")
        shown = clip(raw, 40)
        if (at := parse_time(word)) is not None:
            if time is not None:
                raise SubscribeArgsError(texts.SUBSCRIBE_TWICE.format(what="time"))
            time = at
        elif _looks_like_time(word):
            raise SubscribeArgsError(texts.SUBSCRIBE_BAD_TIME.format(value=shown))
        elif word in DIGEST_MODES:
            mode = word
        elif "/" in word or word in {"utc", "gmt"}:
            found = find_zone(word)
            if found is None:
                close = difflib.get_close_matches(word, [z.casefold() for z in zone_names()], n=2)
                message = texts.SUBSCRIBE_BAD_ZONE.format(value=shown)
                if close:
                    names = [find_zone(c) or c for c in close]
                    message += " " + texts.DID_YOU_MEAN.format(suggestions=" or ".join(names))
                raise SubscribeArgsError(message)
            if zone_name is not None and zone_name != found:
                raise SubscribeArgsError(texts.SUBSCRIBE_TWICE.format(what="time zone"))
            zone_name = found
        elif (chosen := parse_days(word)) is not None:
            days = "".join(sorted(set((days or "") + chosen)))
        elif word == "all":
            topics = []
        elif (topic := catalog.topic(word)) is not None:
            if topic.slug not in topics:
                topics.append(topic.slug)
        else:
            message = texts.SUBSCRIBE_BAD_WORD.format(value=shown)
            close = _suggest(word, catalog)
            if close:
                message += " " + texts.DID_YOU_MEAN.format(suggestions=" or ".join(close))
            raise SubscribeArgsError(message)
    hour, minute = time or (DEFAULT_HOUR, DEFAULT_MINUTE)
    schedule = Schedule(hour, minute, zone_name or default_zone, days or EVERY_DAY)
    return SubscribeArgs(schedule, tuple(topics), mode or CHANGES)
