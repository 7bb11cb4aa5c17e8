"""How python-telegram-bot runs updates: many chats at once, each chat in order.

PTB handles one update at a time unless `concurrent_updates` is set, and then runs them in any
order. This processor runs different chats concurrently and keeps one chat's updates in order
(replies come in the order they were asked for). A chat that floods the bot may queue only a
few updates; beyond that its updates are dropped, so it can never fill the shared slots and
hold up everyone else.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics

log = logging.getLogger(__name__)


def chat_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class ChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 256,
        max_waiting_per_chat: int = 8,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.max_waiting_per_chat = max_waiting_per_chat
        self._metrics = metrics or Metrics()
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: Counter[int] = Counter()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        if self._queued[key] >= self.max_waiting_per_chat:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never awaited: close it so Python does not warn
            self._metrics.platform_error("telegram", "update_dropped")
            log.warning("telegram chat %s sends faster than it can be answered; dropped", key)
            return
        self._queued[key] += 1
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:  # nobody else holds or waits for this chat's lock
                del self._queued[key]
                del self._locks[key]
