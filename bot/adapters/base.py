"""What every chat adapter offers the composition root."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.core.messages import ChatRef, Reply


class SendError(Exception):
    """A platform refused or failed a send. Adapters translate their SDK's errors into this, so
    callers (digest delivery) decide what to do without knowing the platform."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        migrated_to: str | None = None,
        maybe_delivered: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        # The chat cannot be reached again (blocked, kicked, not found, archived).
        self.permanent = permanent
        self.retry_after = retry_after
        # The platform moved the chat (Telegram group -> supergroup); send there instead.
        self.migrated_to = migrated_to
        # A timeout after the request left: the message may have been posted.
        self.maybe_delivered = maybe_delivered


class ChatAdapter(Protocol):
    platform: str

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this adapter needs on the bot's one web server (webhooks); may be empty."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        """Posts a reply to a chat outside any conversation (digests); returns message ids.
        Raises SendError once the adapter's own bounded retries are spent."""
        ...
