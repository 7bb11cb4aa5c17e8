"""Posting rendered messages to Telegram.

Retries what may be retried (flood waits, network errors, 5xx), follows a group that became a
supergroup, stops writing to chats that blocked or removed the bot, and turns everything else
into SendError. The rate limiter underneath paces each request; this module decides what a
failure means.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.adapters.base import ChatHealth, SendError
from bot.adapters.telegram.rate_limiter import retry_after_seconds
from bot.adapters.telegram.render import KeyButton, TelegramMessage
from bot.core.messages import ChatRef
from bot.metrics import Metrics
from briefings.models import ChatStatus

log = logging.getLogger(__name__)

PLATFORM = "telegram"
# BadRequest descriptions that mean the chat itself is gone, not that the message was wrong.
CHAT_GONE = ("chat not found", "group chat was deactivated", "bot was kicked")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True)
class TelegramRetryPolicy:
    attempts: int = 4  # tries per message, counting the first
    backoff: float = 0.5  # pause after the first failure; doubles after each one
    max_backoff: float = 8.0
    # A longer flood wait fails the send rather than holding a conversation for minutes.
    max_retry_after: float = 60.0

    def pause(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


@functools.lru_cache(maxsize=256)
def keyboard_markup(rows: tuple[tuple[KeyButton, ...], ...]) -> InlineKeyboardMarkup | None:
    """Cached: the same topic keyboards go out again and again, and PTB objects are frozen."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(key.label, callback_data=key.data) for key in row] for row in rows]
    )


def api_chat_id(chat_id: str) -> int | str:
    """Numeric ids go to the API as numbers; a channel's @username stays text."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def surely_unsent(exc: TimedOut) -> bool:
    """A timeout while connecting or waiting for a pooled connection happened before the
    request left; any other timeout may come after Telegram posted the message."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


class TelegramOutbound:
    def __init__(
        self,
        bot: Bot,
        health: ChatHealth,
        policy: TelegramRetryPolicy | None = None,
        metrics: Metrics | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._health = health
        self.policy = policy or TelegramRetryPolicy()
        self._metrics = metrics or Metrics()
        self._sleep = sleep
        self._blocked: set[str] = set()
        self._moved: dict[str, str] = {}

    def current_id(self, chat_id: str) -> str:
        return self._moved.get(chat_id, chat_id)

    async def deliver(self, chat: ChatRef, messages: Sequence[TelegramMessage]) -> list[str]:
        """Posts the messages in order; returns their ids. Raises SendError."""
        if self.current_id(chat.chat_id) in self._blocked:
            raise SendError(f"chat {chat.chat_id} blocked or removed the bot", permanent=True)
        thread = int(chat.thread_id) if chat.thread_id and chat.thread_id.isdigit() else None
        return [str(await self._post(chat.chat_id, thread, message)) for message in messages]

    async def seen(self, chat_id: str, *, recorded: bool = False) -> None:
        """A chat that writes to the bot can be written to again. With `recorded` (Telegram
        said the bot is back) a block recorded by an earlier process is cleared as well."""
        if chat_id in self._blocked or recorded:
            self._blocked.discard(chat_id)
            await self._remember(self._health.mark_reachable(PLATFORM, chat_id))

    async def moved(self, old_id: str, new_id: str) -> None:
        if self._moved.get(old_id) == new_id:
            return
        for earlier, target in list(self._moved.items()):
            if target == old_id:  # a chat that moved twice: follow it all the way
                self._moved[earlier] = new_id
        self._moved[old_id] = new_id
        self._metrics.platform_event(PLATFORM, "chat_migrated")
        log.info("telegram chat %s moved to %s", old_id, new_id)
        await self._remember(self._health.moved(PLATFORM, old_id, new_id))

    async def gone(self, chat_id: str, reason: str) -> None:
        """Stops writing to a chat that blocked or removed the bot, and records why."""
        self._blocked.add(chat_id)
        self._metrics.platform_event(PLATFORM, "chat_blocked")
        log.info("telegram chat %s is unreachable: %s", chat_id, reason)
        await self._remember(
            self._health.mark_unreachable(PLATFORM, chat_id, ChatStatus.BLOCKED, reason)
        )

    async def _post(self, original_id: str, thread: int | None, message: TelegramMessage) -> int:
        attempt, followed_move = 0, False
        while True:
            attempt += 1
            chat_id = self.current_id(original_id)
            try:
                sent = await self._bot.send_message(
                    chat_id=api_chat_id(chat_id),
                    text=message.html,
                    parse_mode=ParseMode.HTML,
                    message_thread_id=thread,
                    reply_markup=keyboard_markup(message.keyboard),
                    link_preview_options=NO_PREVIEW,
                )
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if attempt >= self.policy.attempts or wait > self.policy.max_retry_after:
                    raise self._failed(original_id, exc, retry_after=wait) from exc
                self._metrics.rate_limited(PLATFORM)
                await self._sleep(wait)
            except ChatMigrated as exc:
                if followed_move:
                    raise self._failed(original_id, exc) from exc
                followed_move, attempt = True, attempt - 1  # the move costs no attempt
                await self.moved(chat_id, str(exc.new_chat_id))
            except Forbidden as exc:
                await self.gone(chat_id, exc.message)
                raise self._failed(original_id, exc, permanent=True) from exc
            except BadRequest as exc:  # before NetworkError, its base class
                permanent = any(text in exc.message.lower() for text in CHAT_GONE)
                if permanent:
                    await self.gone(chat_id, exc.message)
                raise self._failed(original_id, exc, permanent=permanent) from exc
            except TimedOut as exc:  # before NetworkError, its base class
                if not surely_unsent(exc):
                    # Retrying could post the message twice.
                    raise self._failed(original_id, exc, maybe_delivered=True) from exc
                await self._retry_or_fail(original_id, exc, attempt)
            except NetworkError as exc:  # connection errors and 5xx
                await self._retry_or_fail(original_id, exc, attempt)
            except TelegramError as exc:  # InvalidToken, Conflict: nothing a retry fixes
                raise self._failed(original_id, exc) from exc
            else:
                self._metrics.sent(PLATFORM)
                return sent.message_id

    async def _retry_or_fail(self, chat_id: str, exc: TelegramError, attempt: int) -> None:
        if attempt >= self.policy.attempts:
            raise self._failed(chat_id, exc) from exc
        self._metrics.platform_error(PLATFORM, "send_retry")
        log.debug("telegram send to %s failed (%s); retrying", chat_id, exc.message)
        await self._sleep(self.policy.pause(attempt))

    def _failed(
        self,
        original_id: str,
        exc: TelegramError,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        maybe_delivered: bool = False,
    ) -> SendError:
        chat_id = self.current_id(original_id)
        self._metrics.platform_error(PLATFORM, "send_failure")
        log.warning("telegram send to %s failed: %s: %s", chat_id, type(exc).__name__, exc.message)
        return SendError(
            f"{type(exc).__name__}: {exc.message}",
            permanent=permanent,
            retry_after=retry_after,
            migrated_to=chat_id if chat_id != original_id else None,
            maybe_delivered=maybe_delivered,
        )

    async def _remember(self, write: Awaitable[None]) -> None:
        """Records a chat's state; a database hiccup must not turn into a send failure."""
        try:
            await write
        except Exception:
            log.exception("could not record the state of a telegram chat")
