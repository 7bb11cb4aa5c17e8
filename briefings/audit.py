"""The audit trail: who did what to which row, with the row before and after. This module is
the only writer of the audit_log table; every store that changes something records it here, in
the same transaction as the change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
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


UNDO = "undo"  # an entry reverting another: entity "audit", entity_id the reverted entry


def _undos() -> Select[int | None]:
    return select(AuditEntry.entity_id).where(
        AuditEntry.action == UNDO, AuditEntry.entity == "audit"
    )


async def latest_change(
    session: AsyncSession, actor_id: str, entity: str, actions: Sequence[str]
) -> AuditEntry | None:
    """The actor's latest change among `actions` to an `entity` row that is not undone yet."""
    return await session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == actor_id,
            AuditEntry.entity == entity,
            AuditEntry.action.in_(actions),
            AuditEntry.id.not_in(_undos().where(AuditEntry.actor_id == actor_id)),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


async def is_undone(session: AsyncSession, entry_id: int) -> bool:
    found = await session.scalar(_undos().where(AuditEntry.entity_id == entry_id).limit(1))
    return found is not None


async def later_entries(
    session: AsyncSession,
    after_id: int,
    entity: str,
    actions: Sequence[str],
    entity_id: int | None = None,
) -> list[AuditEntry]:
    """The entries among `actions` on `entity` rows (the row `entity_id`, when given) made
    after the entry `after_id`, oldest first."""
    query = select(AuditEntry).where(
        AuditEntry.entity == entity, AuditEntry.action.in_(actions), AuditEntry.id > after_id
    )
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list((await session.scalars(query.order_by(AuditEntry.id))).all())


async def undone_among(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Which of the entries `ids` have been undone."""
    if not ids:
        return set()
    return {i for i in await session.scalars(_undos().where(AuditEntry.entity_id.in_(ids))) if i}


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
