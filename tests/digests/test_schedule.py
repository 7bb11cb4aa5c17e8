"""Slots in several zones, across daylight-saving changes, on chosen weekdays."""

from __future__ import annotations

import datetime as dt

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.scheduler import SlotTrigger
from briefings.schedule import Schedule, describe_days, find_zone

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_kyiv_morning_moves_in_utc_across_the_spring_change() -> None:
    s = Schedule(8, 0, "Europe/Kyiv")
    # Clocks go forward on 31 March 2024: 08:00 is 06:00 UTC before, 05:00 UTC after.
    assert list(s.slots(utc(2024, 3, 29), utc(2024, 4, 2))) == [
        utc(2024, 3, 29, 6),
        utc(2024, 3, 30, 6),
        utc(2024, 3, 31, 5),
        utc(2024, 4, 1, 5),
    ]


def test_seoul_has_no_dst() -> None:
    s = Schedule(18, 0, "Asia/Seoul", "135")
    assert list(s.slots(utc(2024, 6, 16), utc(2024, 6, 23))) == [
        utc(2024, 6, 17, 9),
        utc(2024, 6, 19, 9),
        utc(2024, 6, 21, 9),
    ]


def test_a_skipped_local_time_is_delivered_once_after_the_jump() -> None:
    s = Schedule(2, 30, "America/New_York")  # 02:30 does not exist on 10 March 2024
    slots = list(s.slots(utc(2024, 3, 9), utc(2024, 3, 12)))
    assert len(slots) == 3
    assert slots[1] == utc(2024, 3, 10, 7, 30)  # 03:30 EDT


def test_a_repeated_local_time_is_delivered_once() -> None:
    s = Schedule(1, 30, "America/New_York")  # 01:30 happens twice on 3 November 2024
    slots = list(s.slots(utc(2024, 11, 2), utc(2024, 11, 5)))
    assert slots == [utc(2024, 11, 2, 5, 30), utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)]


def test_weekdays_only() -> None:
    s = Schedule(7, 30, "UTC", "12345")
    slots = list(s.slots(utc(2024, 6, 15), utc(2024, 6, 23)))  # Sat 15 .. Sun 23
    assert [x.isoweekday() for x in slots] == [1, 2, 3, 4, 5]


def test_next_and_latest() -> None:
    s = Schedule(8, 0, "UTC")
    assert s.next_slot(utc(2024, 6, 18, 8)) == utc(2024, 6, 19, 8)
    assert s.next_slot(utc(2024, 6, 18, 7, 59)) == utc(2024, 6, 18, 8)
    assert s.latest_slot(utc(2024, 6, 18, 8)) == utc(2024, 6, 18, 8)
    assert s.latest_slot(utc(2024, 6, 18, 7, 59)) == utc(2024, 6, 17, 8)


@pytest.mark.parametrize("zone", ["Europe/Kyiv", "Asia/Seoul", "America/New_York", "UTC"])
def test_slot_trigger_agrees_with_apschedulers_cron_over_a_year(zone: str) -> None:
    ours = SlotTrigger(Schedule(8, 15, zone, "1357"))
    cron = CronTrigger(day_of_week="mon,wed,fri,sun", hour=8, minute=15, timezone=zone)
    now = utc(2024, 1, 1)
    a = b = None
    for _ in range(210):  # APScheduler's scheduler passes the last fire time as "now" too
        a = ours.get_next_fire_time(a, now)
        b = cron.get_next_fire_time(b, now)
        assert a == b.astimezone(UTC)
        now = a


def test_zone_lookup_and_day_names() -> None:
    assert find_zone("europe/kyiv") == "Europe/Kyiv"
    assert find_zone("ASIA/SEOUL") == "Asia/Seoul"
    assert find_zone("utc") == "UTC"
    assert find_zone("Mars/Olympus") is None
    assert describe_days("12345") == "weekdays"
    assert describe_days("135") == "Mon, Wed, Fri"


@pytest.mark.parametrize(
    ("hour", "minute", "days"), [(24, 0, "1"), (8, 60, "1"), (8, 0, ""), (8, 0, "8")]
)
def test_bad_schedules_are_refused(hour: int, minute: int, days: str) -> None:
    with pytest.raises(ValueError, match="range|days"):
        Schedule(hour, minute, "UTC", days)
