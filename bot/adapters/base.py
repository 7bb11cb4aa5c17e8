"""What every chat adapter offers the composition root."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.core.messages import ChatRef, Reply


class ChatAdapter(Protocol):
    platform: str

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this adapter needs on the bot's one web server (webhooks); may be empty."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        """Posts a reply to a chat outside any conversation (digests); returns message ids."""
        ...
