"""The ChatHealth adapters report to, kept in the database: a chat's status in the chats
table, and a moved chat's subscription following it."""

from __future__ import annotations

from briefings.chats import ChatStore
from briefings.models import ChatStatus
from briefings.subscriptions import SubscriptionStore


class StoredChatHealth:
    def __init__(self, chats: ChatStore, subscriptions: SubscriptionStore) -> None:
        self._chats = chats
        self._subscriptions = subscriptions

    async def mark_unreachable(
        self, platform: str, chat_id: str, status: ChatStatus, reason: str
    ) -> None:
        await self._chats.mark(platform, chat_id, status, reason)

    async def mark_reachable(self, platform: str, chat_id: str) -> None:
        await self._chats.mark(platform, chat_id, ChatStatus.ACTIVE)

    async def moved(self, platform: str, old_id: str, new_id: str) -> None:
        await self._subscriptions.follow_move(platform, old_id, new_id)
