"""The in-flight mark of one digest message, bounded so that it never holds the message.

Digest delivery hands `LeavingMark.leaving` to the adapter (`ABOUT_TO_SEND`), which awaits it
once the message's paced moment has come. It starts the ledger's write and waits for it at
most BOUND_SECONDS: normally the mark is written well within that (about a millisecond on the
send path's own pool), and the message leaves marked. When the write is slow or fails, the
message leaves anyway, at most BOUND_SECONDS late: a paced message held longer would bunch up
with the ones after it, which the platform answers with 429s. The price is small: should this
process die while that one message is in the air, unmarked, whoever takes the delivery over
sends it again (as before marks existed), at most that one message, since the next one is not
sent before this one's answer is recorded. Late marks come in bursts; `LateMarks` turns a
burst into one warning a minute that counts the others.

A write that missed the bound is not cancelled (cancelling a statement halfway can cost the
connection): it goes on in the background, and `settled()` waits for it before delivery
records the platform's answer. A mark landing after that answer would undo it: left on a
delivery set to retry, it would count the refused message as maybe posted, and it would
never be sent. The write itself ends within the send path's statement timeout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.problems import first_line

log = logging.getLogger(__name__)

# Telegram's limiter spaces messages 5% wider than the token's 30/s: any 31 in a row take
# 1.05 s where Telegram counts 1 s. Those 50 ms of slack are for all that makes a message late
# (the event loop, the network; the tests' fake Bot API forgives 50 ms more); the mark may take
# 20 of them. Written on the send path's own pool it takes about a millisecond.
BOUND_SECONDS = 0.02
# Late marks come in bursts (the first seconds of a large fan-out, on SQLite most of all, where
# marks share the store's one writer): one warning per this many seconds says so, with the
# count of those it stood for, instead of a line per message.
LATE_SUMMARY_SECONDS = 60.0


class LateMarks:
    """The warnings for marks that missed their bound: the first of a burst, then one per
    LATE_SUMMARY_SECONDS counting the others; each message still gets a DEBUG line."""

    def __init__(
        self, window: float = LATE_SUMMARY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._clock = clock
        self._warned_at: float | None = None
        self._since = 0  # late marks since the last warning, not warned about

    def report(self, what: str, bound: float) -> None:
        now = self._clock()
        if self._warned_at is not None and now - self._warned_at < self._window:
            self._since += 1
            log.debug("%s leaves unmarked: its in-flight mark took over %.0f ms", what, bound * 1e3)
            return
        others = (
            f"; {self._since} more left unmarked in the {self._window:.0f} s before"
            if self._since
            else ""
        )
        log.warning(
            "%s leaves unmarked: its in-flight mark took over %.0f ms%s",
            what,
            bound * 1000,
            others,
        )
        self._warned_at, self._since = now, 0


LATE_MARKS = LateMarks()


class LeavingMark:
    def __init__(
        self,
        write: Callable[[], Awaitable[None]],
        what: str,
        bound: float = BOUND_SECONDS,
        late: LateMarks = LATE_MARKS,
    ) -> None:
        self._write = write
        self._what = what  # the message, for the logs
        self._bound = bound
        self._late = late
        self._task: asyncio.Task[None] | None = None

    async def leaving(self) -> None:
        """The adapter's hook: the message leaves now. Returns once the mark is written, or
        after `bound` seconds at most."""
        self._task = asyncio.create_task(self._written(time.perf_counter()))
        done, _ = await asyncio.wait({self._task}, timeout=self._bound)
        if not done:
            self._late.report(self._what, self._bound)

    async def settled(self) -> None:
        """Waits until the mark's write has ended (written or failed), if it was started."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _written(self, started: float) -> None:
        try:
            await self._write()
        except Exception as exc:
            log.warning(
                "%s: its in-flight mark failed after %.0f ms (%s); a replica taking this "
                "delivery over would send it again",
                self._what,
                (time.perf_counter() - started) * 1000,
                first_line(exc),
            )
