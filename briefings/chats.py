"""ChatStore: what the bot had to remember about a chat (blocked, unreachable, moved). This
module is the only writer of the chats table; adapters report through the bot's chat-health
interface, and digest delivery reads the status before sending."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings.db import retry_lost_races, write_transaction, writer
from briefings.models import Chat, ChatStatus, utcnow

MAX_REASON = 200


async def _row(session: AsyncSession, platform: str, chat_id: str) -> Chat:
    chat = await session.scalar(
        select(Chat).where(Chat.platform == platform, Chat.chat_id == chat_id)
    )
    if chat is None:
        chat = Chat(platform=platform, chat_id=chat_id, status=ChatStatus.ACTIVE, reason="")
        session.add(chat)
        await session.flush()
    return chat


async def set_status(
    session: AsyncSession, platform: str, chat_id: str, status: ChatStatus, reason: str = ""
) -> None:
    """Within the caller's transaction (subscribing marks a chat reachable again)."""
    chat = await _row(session, platform, chat_id)
    chat.status, chat.reason, chat.updated_at = status, reason[:MAX_REASON], utcnow()


async def record_move(session: AsyncSession, platform: str, old_id: str, new_id: str) -> None:
    """Within the caller's transaction: the old id points to the new one, which is active."""
    old = await _row(session, platform, old_id)
    old.status, old.reason, old.moved_to = ChatStatus.MOVED, f"moved to {new_id}", new_id
    old.updated_at = utcnow()
    await set_status(session, platform, new_id, ChatStatus.ACTIVE)


class ChatStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    async def status(self, platform: str, chat_id: str) -> tuple[ChatStatus, str]:
        """(status, reason) of a chat; (active, "") for chats never marked."""
        async with AsyncSession(self._engine) as session:
            chat = await session.scalar(
                select(Chat).where(Chat.platform == platform, Chat.chat_id == chat_id)
            )
            return (ChatStatus(chat.status), chat.reason) if chat else (ChatStatus.ACTIVE, "")

    @retry_lost_races
    async def mark(self, platform: str, chat_id: str, status: ChatStatus, reason: str = "") -> None:
        """Records that a chat is unreachable (blocked, kicked, archived...) or active again."""
        async with write_transaction(self._writer) as session:
            await set_status(session, platform, chat_id, status, reason)
