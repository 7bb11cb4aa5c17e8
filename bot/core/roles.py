"""Who may change things. Checked in the core, so every platform gets the same rules."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.messages import Incoming
from briefings.admins import AdminStore


class Roles:
    def __init__(self, admins: AdminStore, configured: Mapping[str, frozenset[str]]) -> None:
        self._admins = admins
        self._configured = configured

    def configured(self, platform: str) -> frozenset[str]:
        return self._configured.get(platform, frozenset())

    async def is_admin(self, incoming: Incoming) -> bool:
        platform, user = incoming.chat.platform, incoming.user_id
        if user in self.configured(platform):
            return True
        return await self._admins.is_admin(platform, user)
