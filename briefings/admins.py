"""AdminStore: admins granted in chat, per platform. This module is the only writer of the
admins table. Admins named in configuration are the bot's business, not stored here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings import audit, changes
from briefings.actors import Actor
from briefings.db import retry_lost_races, write_transaction, writer
from briefings.models import Admin


class AdminStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    async def is_admin(self, platform: str, user_id: str) -> bool:
        async with AsyncSession(self._engine) as session:
            found = await session.scalar(
                select(Admin.id).where(Admin.platform == platform, Admin.user_id == user_id)
            )
            return found is not None

    async def all(self) -> list[tuple[str, str, str]]:
        """(platform, user id, granted by) for every granted admin."""
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(select(Admin).order_by(Admin.platform, Admin.user_id))
            return [(a.platform, a.user_id, a.granted_by) for a in rows]

    @retry_lost_races
    async def grant(self, platform: str, user_id: str, actor: Actor) -> bool:
        """False when the user already was an admin."""
        async with write_transaction(self._writer) as session:
            if await self._find(session, platform, user_id) is not None:
                return False
            admin = Admin(platform=platform, user_id=user_id, granted_by=actor.display)
            session.add(admin)
            await session.flush()
            after = {"platform": platform, "user_id": user_id}
            audit.record(session, actor, "grant", "admin", admin.id, None, after)
            await changes.announce(session, changes.ADMIN, admin.id)
            return True

    async def revoke(self, platform: str, user_id: str, actor: Actor) -> bool:
        """False when the user was not an admin granted in chat."""
        async with write_transaction(self._writer) as session:
            admin = await self._find(session, platform, user_id)
            if admin is None:
                return False
            before = {"platform": platform, "user_id": user_id}
            audit.record(session, actor, "revoke", "admin", admin.id, before, None)
            await session.delete(admin)
            await changes.announce(session, changes.ADMIN, -admin.id)
            return True

    async def _find(self, session: AsyncSession, platform: str, user_id: str) -> Admin | None:
        return await session.scalar(
            select(Admin).where(Admin.platform == platform, Admin.user_id == user_id)
        )
