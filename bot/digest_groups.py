"""Which subscriptions this process schedules, grouped by identical schedule.

Most chats share a few times of day, so the scheduler keeps one APScheduler job per distinct
schedule instead of one per subscription (100,000 jobs cost seconds to add and megabytes to
keep). This book says which subscriptions a group fires and when a group appears or empties;
it also remembers every subscription id it has seen, with its chat, so a deleted row can be
unscheduled without reading the table again.
"""

from __future__ import annotations

from collections.abc import Iterable

from briefings.schedule import Schedule
from briefings.timetable import TimetableRow

Chat = tuple[str, str]  # (platform, chat id)
# Ids are compared with the table's a range at a time (see `DigestScheduler._reconcile_ids`).
ID_RANGE = 1024
# (how many ids, the sum of their offsets in the range, the sum of the offsets' squares): a
# row deleted and another added in the same range change the sums even when not the count.
RangeSums = tuple[int, int, int]


class DigestGroups:
    def __init__(self, platforms: Iterable[str]) -> None:
        self.platforms = frozenset(platforms)
        self._chats: dict[int, Chat] = {}  # every subscription seen, scheduled here or not
        self._by_chat: dict[Chat, int] = {}
        self._top_id = 0
        self._ranges: dict[int, set[int]] = {}  # id // ID_RANGE -> the ids seen in that range
        self._sums: dict[int, RangeSums] = {}  # id // ID_RANGE -> its RangeSums, kept current
        self._scheduled: dict[int, Schedule] = {}
        self._groups: dict[Schedule, set[int]] = {}

    def apply(self, row: TimetableRow) -> tuple[Schedule | None, Schedule | None]:
        """Follows one row as read from the table. Returns (the group that emptied, the group
        that appeared), each None when there was none, for the caller to drop or add its job."""
        chat = (row.platform, row.chat_id)
        before = self._chats.get(row.id)
        if before != chat:
            # A chat moved (a Telegram group became a supergroup), or SQLite reused an id.
            if before is not None and self._by_chat.get(before) == row.id:
                del self._by_chat[before]
            if before is None:
                self._ranges.setdefault(row.id // ID_RANGE, set()).add(row.id)
                self._add_to_sums(row.id, 1)
            self._chats[row.id] = chat
            self._by_chat[chat] = row.id
            self._top_id = max(self._top_id, row.id)
        wanted = row.schedule if row.active and row.platform in self.platforms else None
        return self._place(row.id, wanted)

    def forget(self, subscription_id: int) -> Schedule | None:
        """The row was deleted. Returns the group that emptied, if one did."""
        chat = self._chats.pop(subscription_id, None)
        if chat is not None:
            if self._by_chat.get(chat) == subscription_id:
                del self._by_chat[chat]
            in_range = self._ranges[subscription_id // ID_RANGE]
            in_range.discard(subscription_id)
            if not in_range:
                del self._ranges[subscription_id // ID_RANGE]
            self._add_to_sums(subscription_id, -1)
        if subscription_id == self._top_id:
            self._top_id = max(self._chats, default=0)
        return self._place(subscription_id, None)[0]

    def _place(
        self, subscription_id: int, wanted: Schedule | None
    ) -> tuple[Schedule | None, Schedule | None]:
        current = self._scheduled.get(subscription_id)
        if current == wanted:
            return None, None
        emptied = created = None
        if current is not None:
            members = self._groups[current]
            members.discard(subscription_id)
            del self._scheduled[subscription_id]
            if not members:
                del self._groups[current]
                emptied = current
        if wanted is not None:
            if wanted not in self._groups:
                self._groups[wanted] = set()
                created = wanted
            self._groups[wanted].add(subscription_id)
            self._scheduled[subscription_id] = wanted
        return emptied, created

    def subscription_for(self, platform: str, chat_id: str) -> int | None:
        return self._by_chat.get((platform, chat_id))

    def schedule_of(self, subscription_id: int) -> Schedule | None:
        return self._scheduled.get(subscription_id)

    def members(self, schedule: Schedule) -> list[int]:
        return sorted(self._groups.get(schedule, ()))

    def _add_to_sums(self, subscription_id: int, sign: int) -> None:
        number, offset = divmod(subscription_id, ID_RANGE)
        count, total, squares = self._sums.get(number, (0, 0, 0))
        sums = (count + sign, total + sign * offset, squares + sign * offset * offset)
        if sums[0]:
            self._sums[number] = sums
        else:
            del self._sums[number]

    def range_sums(self) -> dict[int, RangeSums]:
        """Per range of ID_RANGE ids holding some: (count, sum and sum of squares of the ids'
        offsets in the range), to compare with `Timetable.range_sums`."""
        return dict(self._sums)

    def ids_in_range(self, number: int) -> set[int]:
        return set(self._ranges.get(number, ()))

    @property
    def census(self) -> tuple[int, int]:
        """(subscriptions seen, highest id): compared with the table's own to notice rows
        another process added or deleted."""
        return len(self._chats), self._top_id

    @property
    def scheduled(self) -> int:
        return len(self._scheduled)

    @property
    def group_count(self) -> int:
        return len(self._groups)
