"""What the bot does with each kind of Telegram update, registered on python-telegram-bot's
Application: messages and channel posts meant for the bot, button presses, chats that moved,
and the bot being added to, removed from or blocked in a chat."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    filters,
)

from bot.adapters.base import SendError
from bot.adapters.telegram.inbound import Me, addressed, membership, pressed
from bot.adapters.telegram.menu import CommandMenu
from bot.adapters.telegram.outbound import TelegramOutbound
from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming, Reply
from bot.metrics import Metrics

log = logging.getLogger(__name__)

Context = CallbackContext[Any, Any, Any, Any]
Send = Callable[[ChatRef, Reply], Awaitable[list[str]]]


class TelegramListeners:
    def __init__(
        self,
        core: Core,
        sender: TelegramOutbound,
        menu: CommandMenu,
        send: Send,
        metrics: Metrics,
    ) -> None:
        self._core = core
        self._sender = sender
        self._menu = menu
        self._send = send
        self._metrics = metrics
        self.me: Me | None = None  # known once getMe has answered

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        application.add_handler(
            MessageHandler(
                # Text, and files whose caption may be a command (/ingest with an article).
                (filters.TEXT | filters.Document.ALL)
                & (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST),
                self.on_message,
            )
        )
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or self.me is None:
            return
        found = addressed(message, self.me)
        if found is None:
            return
        if not found.explicit and not (found.command and await self._core.resolve(found.command)):
            return  # an unaddressed command in a group may be another bot's
        await self.converse(found.incoming)

    async def on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        with contextlib.suppress(TelegramError):  # a stale query must not stop the command
            await query.answer()
        incoming = pressed(query)
        if incoming is not None:
            await self.converse(incoming)

    async def on_migrate(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await self._sender.moved(str(message.chat.id), str(message.migrate_to_chat_id))
        elif message.migrate_from_chat_id:
            await self._sender.moved(str(message.migrate_from_chat_id), str(message.chat.id))

    async def on_membership(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat_id, reachable = membership(change)
        if reachable:
            await self._sender.seen(chat_id, recorded=True)
        else:
            await self._sender.gone(chat_id, f"bot status: {change.new_chat_member.status}")

    async def converse(self, incoming: Incoming) -> None:
        """Runs one message through the core and posts the answer where it came from."""
        await self._sender.seen(incoming.chat.chat_id)
        for reply in await self._core.handle(incoming):
            try:
                await self._send(incoming.chat, reply)
            except SendError:
                break  # the sender logged it; the rest of this answer would fail the same way
        await self._menu.refresh()

    async def on_error(self, update: object, context: Context) -> None:
        self._metrics.platform_error("telegram", "update_failed")
        log.error("telegram update failed", exc_info=context.error)
