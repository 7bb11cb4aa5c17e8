"""Reading `/subscribe [HH:MM] [Area/City] [days] [topics] [full|changes]`, in any order."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

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


# Every word /subscribe reads as a keyword before it looks for a topic: no topic may be named
# so, or `/subscribe weekdays` would mean two things. (Bare zone names such as Japan are read
# after topics, so a topic may take one.)
KEYWORDS = frozenset(
    {
        *_DAY_GROUPS,
        *DAY_NAMES,
        *_FULL_DAYS,
        *(day[:4] for day in _FULL_DAYS),
        *DIGEST_MODES,
        "all",
        "utc",
        "gmt",
    }
)


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


def _refusal(message: str, word: str, suggestions: list[str]) -> SubscribeArgsError:
    """`message`, and what the word may have meant: never the word itself, which was just
    refused ("I don't understand Factory. Did you mean Factory?")."""
    others = [s for s in dict.fromkeys(suggestions) if s.casefold() != word.casefold()]
    if others:
        message += " " + texts.DID_YOU_MEAN.format(suggestions=" or ".join(others))
    return SubscribeArgsError(message)


def _looks_like_time(word: str) -> bool:
    return bool(re.match(r"^\d", word))


@dataclass
class _Reading:
    """The words read so far, and the first word that set each choice: a later word that
    contradicts it ("full changes", "daily weekdays", "treaty all") is refused, not resolved
    silently one way or the other."""

    catalog: Catalog
    time: tuple[int, int] | None = None
    zone: str | None = None
    mode: str | None = None
    mode_word: str = ""
    days: str | None = None
    days_word: str = ""
    days_grouped: bool = False  # a group such as weekdays: it names its days exactly
    topics: list[str] = field(default_factory=list)
    topic_word: str = ""
    all_word: str = ""

    def take(self, raw: str) -> None:
        word = raw.casefold().strip(",;")
        shown = clip(raw, 40)
        if (at := parse_time(word)) is not None:
            if self.time is not None:
                raise SubscribeArgsError(texts.SUBSCRIBE_TWICE.format(what="time"))
            self.time = at
        elif _looks_like_time(word):
            raise SubscribeArgsError(texts.SUBSCRIBE_BAD_TIME.format(value=shown))
        elif word in DIGEST_MODES:
            self._mode(word, shown)
        elif "/" in word or word in {"utc", "gmt"}:
            found = find_zone(word)
            if found is None:
                close = difflib.get_close_matches(word, [z.casefold() for z in zone_names()], n=2)
                names = [find_zone(c) or c for c in close]
                raise _refusal(texts.SUBSCRIBE_BAD_ZONE.format(value=shown), raw, names)
            self._zone(found)
        elif (chosen := parse_days(word)) is not None:
            self._days(chosen, word in _DAY_GROUPS, shown)
        elif word == "all":
            self._all(shown)
        elif (topic := self.catalog.topic(word)) is not None:
            self._topic(topic.slug, shown)
        elif (found := find_zone(word)) is not None:
            # After topics: Area/City always names a zone, a bare word (Japan) a topic first.
            self._zone(found)
        else:
            suggestions = _suggest(word, self.catalog)
            raise _refusal(texts.SUBSCRIBE_BAD_WORD.format(value=shown), raw, suggestions)

    def _mode(self, mode: str, shown: str) -> None:
        if self.mode is not None and self.mode != mode:
            raise _conflict(self.mode_word, shown)
        self.mode, self.mode_word = mode, self.mode_word or shown

    def _zone(self, found: str) -> None:
        if self.zone is not None and self.zone != found:
            raise SubscribeArgsError(texts.SUBSCRIBE_TWICE.format(what="time zone"))
        self.zone = found

    def _days(self, chosen: str, grouped: bool, shown: str) -> None:
        """Lists add up (mon wed, fri); a group with anything naming other days conflicts."""
        if self.days is None:
            self.days, self.days_word, self.days_grouped = chosen, shown, grouped
        elif (grouped or self.days_grouped) and chosen != self.days:
            raise _conflict(self.days_word, shown)
        else:
            self.days = "".join(sorted(set(self.days + chosen)))

    def _all(self, shown: str) -> None:
        if self.topics:
            raise _conflict(self.topic_word, shown)
        self.all_word = shown

    def _topic(self, slug: str, shown: str) -> None:
        if self.all_word:
            raise _conflict(self.all_word, shown)
        if slug not in self.topics:
            self.topics.append(slug)
        self.topic_word = self.topic_word or shown


def _conflict(first: str, second: str) -> SubscribeArgsError:
    return SubscribeArgsError(texts.SUBSCRIBE_CONFLICT.format(first=first, second=second))


def parse_subscribe_args(args: str, catalog: Catalog, default_zone: str) -> SubscribeArgs:
    words = args.split()
    if len(words) > MAX_WORDS:
        raise SubscribeArgsError(texts.SUBSCRIBE_HELP.format(zone=default_zone))
    reading = _Reading(catalog)
    for raw in words:
        reading.take(raw)
    hour, minute = reading.time or (DEFAULT_HOUR, DEFAULT_MINUTE)
    schedule = Schedule(hour, minute, reading.zone or default_zone, reading.days or EVERY_DAY)
    return SubscribeArgs(schedule, tuple(reading.topics), reading.mode or CHANGES)
