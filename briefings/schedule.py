"""When digests are due: a local time of day, an IANA zone and a set of weekdays.

Slots are UTC instants. A local time that does not exist on a given day (the hour skipped when
clocks go forward) is delivered at the same wall-clock offset after the jump, and a local time
that happens twice (clocks going back) is delivered once, at its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

EVERY_DAY = "1234567"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything this project stores is UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# In the zone database but no place anyone lives: "Factory" is tzdata's placeholder, and
# "localtime" (with posixrules and the posix/ and right/ copies) is the host's own files, which
# differ from one server to the next.
_NOT_PLACES = frozenset({"factory", "localtime", "posixrules"})
_HOST_COPIES = ("posix/", "right/")


def _a_place(folded: str) -> bool:
    return folded not in _NOT_PLACES and not folded.startswith(_HOST_COPIES)


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    zones = {name.casefold(): name for name in available_timezones()}
    return {folded: name for folded, name in zones.items() if _a_place(folded)}


def find_zone(name: str) -> str | None:
    """The canonical IANA name for `name`, matched case-insensitively, or None."""
    folded = name.strip().casefold()
    if folded in {"utc", "gmt", "z"}:
        return "UTC"
    return _zones_by_folded_name().get(folded)


def zone_names() -> list[str]:
    return sorted(_zones_by_folded_name().values())


@functools.cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@dataclass(frozen=True)
class Schedule:
    hour: int
    minute: int
    timezone: str
    days: str = EVERY_DAY

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError("time of day out of range")
        if not self.days or any(d not in EVERY_DAY for d in self.days):
            raise ValueError("days must be ISO weekday digits")
        zone(self.timezone)

    def slot_on(self, day: dt.date) -> dt.datetime | None:
        """The UTC instant of this schedule's slot on a local calendar day, if it has one."""
        if str(day.isoweekday()) not in self.days:
            return None
        local = dt.datetime.combine(
            day, dt.time(self.hour, self.minute), tzinfo=zone(self.timezone)
        )
        return local.astimezone(dt.UTC)

    def slots(self, after: dt.datetime, until: dt.datetime) -> Iterator[dt.datetime]:
        """Every slot in (after, until], oldest first."""
        after, until = as_utc(after), as_utc(until)
        tz = zone(self.timezone)
        day = after.astimezone(tz).date() - dt.timedelta(days=1)
        last = until.astimezone(tz).date() + dt.timedelta(days=1)
        while day <= last:
            slot = self.slot_on(day)
            if slot is not None and after < slot <= until:
                yield slot
            day += dt.timedelta(days=1)

    def next_slot(self, after: dt.datetime) -> dt.datetime:
        """The first slot strictly after `after`."""
        after = as_utc(after)
        for slot in self.slots(after, after + dt.timedelta(days=9)):
            return slot
        raise AssertionError("a schedule with at least one weekday has a slot every week")

    def latest_slot(self, at: dt.datetime) -> dt.datetime | None:
        """The most recent slot at or before `at` (within the past week)."""
        found = None
        for slot in self.slots(as_utc(at) - dt.timedelta(days=8), at):
            found = slot
        return found


def describe_days(days: str) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == "12345":
        return "weekdays"
    if days == "67":
        return "weekends"
    return ", ".join(DAY_NAMES[int(d) - 1].capitalize() for d in days)
