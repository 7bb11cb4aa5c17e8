"""The audit trail: who did what to which row, with the row before and after. This module is
the only writer of the audit_log table; every store that changes something records it here, in
the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from briefings.actors import Actor
from briefings.models import AuditEntry
from briefings.views import AuditView


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor.display,
        actor_id=actor.id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def audit_view(entry: AuditEntry, entity_id: int | None = None) -> AuditView:
    return AuditView(
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id if entity_id is None else entity_id,
        entry.before,
        entry.after,
    )


class AuditLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def recent(self, limit: int = 10) -> list[AuditView]:
        async with AsyncSession(self._engine) as session:
            rows = await session.scalars(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            )
            return [audit_view(a) for a in rows]
