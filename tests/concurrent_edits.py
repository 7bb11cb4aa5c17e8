"""A helper process for tests/test_concurrent_edits.py: edits one point or undoes one person's
changes, `count` times, against a shared database. It says "ready" once connected, starts when
a line arrives on stdin (so two processes start together), and prints what happened as JSON,
with when it started and finished its work."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

from briefings.actors import Actor
from briefings.db import create_engine
from briefings.errors import NothingToUndo, UndoConflict
from briefings.store import BriefingStore


async def run(url: str, job: str, point_id: int, count: int, user: str, name: str) -> None:
    store = BriefingStore(create_engine(url), cache_ttl=0.0)
    actor = Actor.user("telegram", user, name)
    async with store.engine.connect():
        pass  # the first connection is the slow part; make it before the start signal
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    started = time.time()
    outcome: Counter[str] = Counter()
    for n in range(count):
        if job == "edit":
            await store.points.edit(point_id, f"Edit {n} by {name}, made concurrently.", actor)
            outcome["edited"] += 1
            continue
        try:
            await store.points.undo(actor)
            outcome["undone"] += 1
        except NothingToUndo:
            outcome["nothing"] += 1
        except UndoConflict:
            outcome["refused"] += 1
    finished = time.time()
    await store.close()
    print(json.dumps({**outcome, "started": started, "finished": finished}), flush=True)


if __name__ == "__main__":
    url, job, point_id, count, user, name = sys.argv[1:]
    asyncio.run(run(url, job, int(point_id), int(count), user, name))
