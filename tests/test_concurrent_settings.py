"""Two bot processes changing the same setting at once, on SQLite and PostgreSQL: the one that
loses the race on PostgreSQL (a unique key the other has just inserted) runs again and answers
as if it had come second, instead of "something went wrong"."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from briefings.models import Admin, Subscription
from briefings.store import BriefingStore
from tests.test_concurrent_edits import run_together

pytestmark = pytest.mark.postgresql


async def test_two_admins_granting_one_user_at_once(
    store: BriefingStore, database_url: str
) -> None:
    tallies = await run_together(
        database_url, ("grant", 0, 1, "1", "One"), ("grant", 0, 1, "2", "Two")
    )
    assert sum(t.get("granted", 0) for t in tallies) == 1
    assert sum(t.get("already", 0) for t in tallies) == 1
    async with AsyncSession(store.engine) as session:
        rows = (await session.scalars(select(Admin).where(Admin.user_id == "55"))).all()
    assert len(rows) == 1


async def test_two_admins_subscribing_one_chat_at_once(
    store: BriefingStore, database_url: str
) -> None:
    tallies = await run_together(
        database_url, ("subscribe", 0, 7, "1", "One"), ("subscribe", 0, 9, "2", "Two")
    )
    assert sum(t.get("subscribed", 0) for t in tallies) == 2
    async with AsyncSession(store.engine) as session:
        rows = (await session.scalars(select(Subscription))).all()
    assert len(rows) == 1
    assert rows[0].hour in (7, 9)  # the later of the two, whichever that was
