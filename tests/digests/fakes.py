"""A recording chat adapter with scripted failures, and a clock tests move by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.adapters.base import ChatAdapter, SendError, message_leaving
from bot.core.messages import ChatRef, Reply
from bot.render.plain import render


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Sent:
    chat_id: str
    text: str
    message_id: str


@dataclass
class RecordingAdapter(ChatAdapter):
    platform: str = "telegram"
    sent: list[Sent] = field(default_factory=list)
    # chat id -> errors to raise, one per send, before sending succeeds again
    failures: dict[str, list[SendError]] = field(default_factory=dict)
    # raise this after the given number of successful sends (simulates a crash mid-digest)
    crash_after: int | None = None
    # Dies once this many messages are posted, with the next one posted but not yet answered.
    crash_in_flight_after: int | None = None
    # Telegram's: the digests these tests check are packed as they would be there.
    message_budget: int | None = 2800

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        queued = self.failures.get(chat.chat_id)
        if queued:
            raise queued.pop(0)
        if self.crash_after is not None and len(self.sent) >= self.crash_after:
            raise Crash()
        await message_leaving()  # as real adapters do, once paced
        message_id = str(len(self.sent) + 1)
        self.sent.append(Sent(chat.chat_id, render(reply), message_id))
        if self.crash_in_flight_after is not None and len(self.sent) > self.crash_in_flight_after:
            raise Crash()  # the platform has it; this process died before hearing so
        return [message_id]

    def to(self, chat_id: str) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


class Crash(BaseException):
    """Not an Exception: nothing in the delivery code catches it, like a process dying."""
