"""Pacing for Bot API requests that post to a chat.

python-telegram-bot's AIORateLimiter nests 20/minute per group inside 30/s overall, but leaves
private chats unpaced and pauses every request while any one chat is in a `retry_after`. This
limiter keeps all three of Telegram's limits (30 messages/s per token, 20/minute per group or
channel, about 1/s per private chat) with sliding windows, and a `retry_after` pauses only the
chat it came from. Retrying is left to the sender, which knows what may be retried.

Replicas share one token's limits, so on PostgreSQL the limiter is given a `SendPacing`: each
message reserves its moment under two keys, the token's (1/30 s apart) and the chat's (3 s in a
group or channel, 1 s in a private chat), each stretched by the same margin; every replica's
sends, command replies and the leader's digests alike, then keep that spacing together. The
process's own windows are kept as well, so messages that wake late together after a stall
still leave spaced. Should the database not answer, the own windows alone pace the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.base import SendPacing, message_leaving
from bot.adapters.telegram.limits import (
    GROUP_MESSAGES_PER_MINUTE,
    MESSAGES_PER_SECOND,
    PRIVATE_MESSAGES_PER_SECOND,
)

# PTB 22 warns on every RetryAfter (even while building one) that `retry_after` will become a
# timedelta, unless the program opts in to that now. We read it either way, so opt in.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
# Windows of chats idle for a whole period are dropped once this many are kept.
PRUNE_AT = 1024


@dataclass(frozen=True)
class TelegramLimits:
    """How many messages per period; a count of 0 turns that limit off (local benchmarks)."""

    overall: int = MESSAGES_PER_SECOND
    overall_period: float = 1.0
    group: int = GROUP_MESSAGES_PER_MINUTE
    group_period: float = 60.0
    private: int = PRIVATE_MESSAGES_PER_SECOND
    private_period: float = 1.0
    # Telegram counts messages as they arrive, this limiter as they leave; network jitter can
    # bunch them up on the way. Each period is stretched by this share to leave room for that.
    margin: float = 0.05

    @classmethod
    def off(cls) -> TelegramLimits:
        return cls(overall=0, group=0, private=0)

    def spacing(self, count: int, period: float) -> float | None:
        """Least seconds between two messages under one limit, margin included; None: off."""
        return period / count * (1 + self.margin) if count else None


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds to wait, whether PTB hands `retry_after` over as a timedelta or a number."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value if isinstance(value, int | float) else value.total_seconds()


class Window:
    """At most `limit` events in any `period` seconds."""

    __slots__ = ("limit", "period", "times")

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.period - now

    def record(self, now: float) -> None:
        self.times.append(now)

    def idle(self, now: float) -> bool:
        return not self.times or self.times[-1] <= now - self.period


def is_group(chat_id: object) -> bool:
    """Groups, supergroups and channels have negative ids or @usernames; users positive ids."""
    if isinstance(chat_id, int):
        return chat_id < 0
    text = str(chat_id)
    return not text.isdigit()


class ChatRateLimiter(BaseRateLimiter[None]):
    def __init__(
        self,
        limits: TelegramLimits | None = None,
        max_in_flight: int = 16,
        clock: Callable[[], float] = time.monotonic,
        pacer: SendPacing | None = None,
        bot_id: str = "",
    ) -> None:
        self.limits = limits or TelegramLimits()
        lim = self.limits
        self._pacer = pacer if lim.overall or lim.group or lim.private else None
        self._prefix = f"telegram:{bot_id}:"  # the token's bot id: replicas share its limits
        # Requests wait here rather than in httpx's connection pool, whose bookkeeping costs
        # grow with every request queued in it.
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._clock = clock
        self._overall = (
            Window(self.limits.overall, self.limits.overall_period * (1 + self.limits.margin))
            if self.limits.overall
            else None
        )
        self._chats: dict[str, Window] = {}
        self._paused_until: dict[str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> JSONResult:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getMe, answerCallbackQuery, setMyCommands: not messages
            async with self._in_flight:
                return await callback(*args, **kwargs)
        key, group = str(chat_id), is_group(chat_id)
        shared: SendPacing | None = None
        if self._pacer is not None:
            wait = await self._reserve(self._pacer, key, group)
            if wait is not None:
                shared = self._pacer
                # The moment is ours; it was reserved before waiting, so waiting holds no slot.
                if wait > 0:
                    await asyncio.sleep(wait)
        # This process's own windows, on top of a reserved moment too: messages that wake up
        # late together (the event loop stalled) would otherwise leave in a bunch, and the
        # ones reserved after them on time; a stall may delay messages, never bunch them.
        while True:
            # Wait for the windows without holding a connection slot, so a chat waiting for
            # its turn does not hold up the others; then check again once a slot is held and
            # send at once, so a slot counted is a message that leaves now. A late arrival
            # would bunch up with the next ones and break the window on Telegram's side.
            delay = self._delay(key, group)
            if delay > 0:
                await asyncio.sleep(delay)
            async with self._in_flight:
                if self._delay(key, group) > 0:
                    continue  # others took the room while this one waited for a slot
                self._record(key, group)
                return await self._leave(key, callback, args, kwargs, shared=shared)

    def _shared_spacings(self, key: str, group: bool) -> dict[str, float]:
        lim = self.limits
        chat = (lim.group, lim.group_period) if group else (lim.private, lim.private_period)
        spacings = {
            self._prefix + "all": lim.spacing(lim.overall, lim.overall_period),
            self._prefix + "chat:" + key: lim.spacing(*chat),
        }
        return {k: v for k, v in spacings.items() if v is not None}

    async def _reserve(self, pacer: SendPacing, key: str, group: bool) -> float | None:
        """Seconds to wait for the moment reserved for this message; None when the shared
        pacing cannot be reached (the local windows pace it then)."""
        try:
            return await pacer.reserve(self._shared_spacings(key, group))
        except Exception as exc:
            log.warning("shared send pacing unavailable, pacing locally: %s", type(exc).__name__)
            return None

    async def _leave(
        self,
        key: str,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        *,
        shared: SendPacing | None,
    ) -> JSONResult:
        """Sends now, its moment taken and an in-flight slot held. A retry_after pauses this
        chat here and, when paced through `shared`, for every replica."""
        await message_leaving()
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            self._paused_until[key] = self._clock() + seconds
            if shared is not None:
                with contextlib.suppress(Exception):  # the retry_after still reaches the sender
                    await shared.push_back(self._prefix + "chat:" + key, seconds)
            raise

    def _windows(self, key: str, group: bool) -> list[Window]:
        # Looked up on every pass: a window pruned while a task slept is not reused.
        return [w for w in (self._overall, self._chat_window(key, group)) if w is not None]

    def _delay(self, key: str, group: bool) -> float:
        now = self._clock()
        waits = [w.wait(now) for w in self._windows(key, group)]
        return max([self._paused_until.get(key, 0.0) - now, *waits])

    def _record(self, key: str, group: bool) -> None:
        # Called right after _delay returned 0, with no await in between: nobody slips in.
        now = self._clock()
        for window in self._windows(key, group):
            window.record(now)
        self._paused_until.pop(key, None)

    def _chat_window(self, key: str, group: bool) -> Window | None:
        limit, period = (
            (self.limits.group, self.limits.group_period)
            if group
            else (self.limits.private, self.limits.private_period)
        )
        if not limit:
            return None
        window = self._chats.get(key)
        if window is None:
            if len(self._chats) >= PRUNE_AT:
                self._prune()
            window = self._chats[key] = Window(limit, period * (1 + self.limits.margin))
        return window

    def _prune(self) -> None:
        now = self._clock()
        for key in [k for k, w in self._chats.items() if w.idle(now)]:
            del self._chats[key]
        for key in [k for k, until in self._paused_until.items() if until <= now]:
            del self._paused_until[key]
