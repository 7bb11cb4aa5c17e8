"""Events already taken: the memory replicas share so that a platform's redelivery (a Slack
retry, a Telegram webhook update sent again) is handled once, whichever replica it reaches.

Taking a key is one INSERT that does nothing on a conflict, so two replicas racing for the
same key cannot both win: the database's unique key decides, and the row count says who did.
Keys are kept for the platform's retry window and then forgotten (`forget_older_than`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from briefings.db import dialect_insert, write_transaction, writer
from briefings.models import SeenEvent, utcnow

KEY_LENGTH = 160  # SeenEvent.key


class SeenEvents:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._clock = clock

    def _insert(self) -> Any:
        return dialect_insert(self._engine, SeenEvent)

    async def first_time(self, key: str) -> bool:
        """Records `key`; True when no replica had recorded it before (handle the event),
        False when one had (a redelivery: acknowledge it and do nothing)."""
        if len(key) > KEY_LENGTH:
            raise ValueError(f"event key longer than {KEY_LENGTH} characters")
        statement = (
            self._insert()
            .values(key=key, seen_at=self._clock())
            .on_conflict_do_nothing(index_elements=[SeenEvent.key])
        )
        async with write_transaction(self._writer) as session:
            result = await session.execute(statement)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def forget_older_than(self, cutoff: dt.datetime) -> int:
        """Deletes keys recorded before `cutoff`; returns how many. The platforms have stopped
        redelivering those events, so the keys only take space."""
        async with write_transaction(self._writer) as session:
            result = await session.execute(delete(SeenEvent).where(SeenEvent.seen_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]
