"""Send pacing shared by every replica: the next moment each key (a bot token's whole budget,
one chat) may send again, kept in PostgreSQL's `send_pacing` table.

A send reserves all of its keys at once through `briefbot_reserve` (migration 0005): under row
locks it takes the latest of their next moments, moves each key on by its spacing, and returns
how long to wait. That is a GCRA-style schedule with no burst: replicas together send at most
one message per spacing per key, whoever sends it. One statement, one round trip per message:
the pacer runs on the send path's own pool (briefings/send_path.py: autocommit, no pre-ping,
apart from the store's pool), which the ledger's in-flight marks share.

SQLite has no such function and cannot serve replicas anyway: it has no send path pool, so no
shared pacer, and the adapters keep their in-process windows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

RESERVE = text(
    "SELECT briefbot_reserve(CAST(:keys AS text[]), CAST(:spacings AS double precision[]))"
)
# After a 429 the platform named how long to wait: nobody sends to that key before then.
PUSH_BACK = text(
    "INSERT INTO send_pacing (key, next_at) "
    "VALUES (:key, clock_timestamp() + make_interval(secs => :seconds)) "
    "ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(send_pacing.next_at, EXCLUDED.next_at)"
)
PRUNE = text(
    "DELETE FROM send_pacing WHERE next_at < clock_timestamp() - make_interval(secs => :seconds)"
)
# A key idle this long has nothing left to say (its next moment is long past): one row per
# chat ever written to would otherwise pile up. bot/event_cleanup.py prunes them.
KEEP_SECONDS = 3600.0


class SharedPacer:
    def __init__(self, send_path: AsyncEngine, *, keep_seconds: float = KEEP_SECONDS) -> None:
        # `send_path_engine`'s pool: autocommit, so a reservation is one round trip and is
        # committed as it returns. Its owner (the App) disposes of it.
        self._engine = send_path
        self.keep_seconds = keep_seconds

    async def reserve(self, spacings: Mapping[str, float]) -> float:
        """Reserves the next send for every key at once; returns the seconds to wait first.
        Each key's spacing is the least time between two sends under it, in seconds."""
        if not spacings:
            return 0.0
        keys = sorted(spacings)  # the function locks rows in this order: no deadlocks
        async with self._engine.connect() as connection:
            waited = await connection.scalar(
                RESERVE, {"keys": keys, "spacings": [float(spacings[k]) for k in keys]}
            )
        return max(0.0, float(waited or 0.0))

    async def push_back(self, key: str, seconds: float) -> None:
        """No send under `key` before `seconds` from now (a 429's retry_after)."""
        async with self._engine.connect() as connection:
            await connection.execute(PUSH_BACK, {"key": key, "seconds": float(seconds)})

    async def prune(self) -> int:
        """Drops keys idle for over `keep_seconds`; returns how many. Housekeeping, kept off
        the send path: a reservation that also pruned would leave late."""
        async with self._engine.connect() as connection:
            result = await connection.execute(PRUNE, {"seconds": self.keep_seconds})
        return int(getattr(result, "rowcount", 0) or 0)
