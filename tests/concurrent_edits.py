"""A helper process for tests/test_concurrent_edits.py and test_concurrent_approvals.py: edits
one point, undoes one person's changes, or approves or rejects the pending proposals, against a
shared database. It says "ready" once connected, starts when a line arrives on stdin (so two
processes start together), and prints what happened as JSON, with when it started and finished
its work."""

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
    if job.startswith(("approve", "reject")):
        await decide(store, job, actor, outcome)
    for n in range(count if job in ("edit", "undo") else 0):
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


async def decide(store: BriefingStore, job: str, actor: Actor, outcome: Counter[str]) -> None:
    """approve-all: one /approve all. approve-each, approve-each-reversed and reject-each: one
    /approve <id> (or /reject <id>) per pending proposal, in id order or the reverse."""
    if job == "approve-all":
        decisions = [await store.proposals.approve(None, actor)]
    else:
        ids = sorted(p.id for p in await store.proposals.pending())
        if job.endswith("reversed"):
            ids.reverse()
        act = store.proposals.reject if job == "reject-each" else store.proposals.approve
        decisions = [await act([i], actor) for i in ids]
    for decision in decisions:
        outcome["published"] += len(decision.published)
        outcome["corroborated"] += len(decision.corroborated)
        outcome["rejected"] += len(decision.rejected)
        outcome["skipped"] += len(decision.skipped)
        outcome["topics_created"] += len(decision.topics_created)


if __name__ == "__main__":
    url, job, point_id, count, user, name = sys.argv[1:]
    asyncio.run(run(url, job, int(point_id), int(count), user, name))
