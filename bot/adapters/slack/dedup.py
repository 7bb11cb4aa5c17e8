"""Slack retries an event it thinks failed (X-Slack-Retry-Num) and bolt does not deduplicate, so
each event_id is processed once here, whichever replica each delivery reaches.

The shared event log (a unique key in the database) decides; an in-process bounded TTL set in
front of it answers a burst of retries to the same process without asking the database again.
Slash commands and button clicks are not retried by Slack (a missed acknowledgement shows the
person an error instead) and carry no event_id, so they pass through.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.adapters.base import EventLog
from bot.adapters.slack import limits
from bot.metrics import Metrics


class TtlSet:
    """Remembers keys for `ttl` seconds, at most `capacity` of them (oldest forgotten first)."""

    def __init__(
        self,
        ttl: float = limits.EVENT_RETRY_WINDOW_SECONDS,
        capacity: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def add(self, key: str) -> bool:
        """True when the key is new (and now remembered), False when it was seen recently."""
        now = self._clock()
        self._expire(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True

    def discard(self, key: str) -> None:
        self._seen.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._seen:
            key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self._ttl:
                return
            del self._seen[key]

    def __len__(self) -> int:
        return len(self._seen)


class EventDeduplication(AsyncMiddleware):
    """A global bolt middleware; it runs after signature verification, so a forged retry can
    not make us forget a real event. Duplicates are acknowledged (200) and dropped. Without an
    event log (one process alone) the in-process set decides."""

    def __init__(
        self,
        events: EventLog | None = None,
        seen: TtlSet | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.events = events
        self.seen = seen or TtlSet()
        self._metrics = metrics

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # bolt passes it by this name
    ) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not await self.first_time(event_id):
            if self._metrics is not None:
                self._metrics.platform_event("slack", "duplicate_event")
            return BoltResponse(status=200, body="")
        return await next()

    async def first_time(self, event_id: str) -> bool:
        # Remembered here before the database answers, so a retry arriving meanwhile waits
        # for nothing: the first delivery handles the event or learns another replica did.
        if not self.seen.add(event_id):
            return False
        if self.events is None:
            return True
        try:
            return await self.events.first_time(event_key(event_id))
        except BaseException:
            # Undecided (the database failed): bolt answers 500, and Slack's next retry must
            # be able to ask again.
            self.seen.discard(event_id)
            raise


def event_key(event_id: str) -> str:
    return f"slack:event:{event_id}"
