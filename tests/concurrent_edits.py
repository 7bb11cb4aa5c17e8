"""A helper process for tests/test_concurrent_edits.py and test_concurrent_approvals.py: edits
one point, undoes one person's changes, removes a topic with its points, grants an admin,
subscribes a chat, approves or rejects the pending proposals, or records a copy of an ingested
article, against a shared database. It
says "ready" once connected, starts when a line arrives on stdin (so two processes start
together), and prints what happened as JSON, with when it started and finished its work."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections import Counter

from briefings.actors import Actor
from briefings.db import create_engine
from briefings.errors import NothingToUndo, UndoConflict, UnknownPoint
from briefings.ingest.types import IngestResult
from briefings.schedule import Schedule
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore


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
    elif job in ("grant", "subscribe", "remove-topic"):
        await change_settings(store, job, point_id, count, actor, outcome)
    elif job == "record-copy":
        await record_copy(store, actor, name, outcome)
    for n in range(count if job in ("edit", "undo") else 0):
        if job == "edit":
            try:
                await store.points.edit(point_id, f"Edit {n} by {name}, made concurrently.", actor)
                outcome["edited"] += 1
            except UnknownPoint:
                outcome["gone"] += 1
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


async def change_settings(
    store: BriefingStore, job: str, point_id: int, count: int, actor: Actor, outcome: Counter[str]
) -> None:
    """grant: makes telegram user 55 an admin. subscribe: subscribes telegram chat -100 at
    `count` o'clock. remove-topic: waits `count` ms, then removes the topic of `point_id` with
    its points (/topic remove <slug> --force)."""
    if job == "grant":
        outcome["granted" if await store.admins.grant("telegram", "55", actor) else "already"] += 1
    elif job == "subscribe":
        request = SubscriptionRequest(
            "telegram", "-100", "group", None, Schedule(count, 0, "UTC"), (), "full"
        )
        await SubscriptionStore(store.engine).subscribe(request, actor)
        outcome["subscribed"] += 1
    else:
        point = (await store.topics.catalog()).point(point_id)
        assert point is not None
        await asyncio.sleep(count / 1000)
        removed = await store.topics.remove_topic(
            point.topic_slug, actor, store.points.retract_topic_points
        )
        outcome["retracted"] += removed.retracted


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


async def record_copy(store: BriefingStore, actor: Actor, name: str, outcome: Counter[str]) -> None:
    """record-copy: records a copy of the first article test_concurrent_approvals records,
    under a text of its own (its fingerprint is `name`'s), with one statement more."""
    from tests.test_concurrent_approvals import NEW_POINTS_PER_ARTICLE, draft

    drafts = [
        draft(f"Article 0 reports new fact number {k} about the visit.", ("treaty", "arms")[k % 2])
        for k in range(NEW_POINTS_PER_ARTICLE)
    ]
    drafts.append(draft("Article 0, updated, adds a late reaction from Seoul."))
    fingerprint = hashlib.sha256(name.encode()).hexdigest()
    result = IngestResult(
        f"Reprint by {name}", name, None, None, "text", fingerprint, tuple(drafts)
    )
    recorded = await store.proposals.record(result, actor)
    outcome["already" if recorded.already else "added"] += len(recorded.proposals) or 1
    outcome["copied"] += recorded.copied


if __name__ == "__main__":
    url, job, point_id, count, user, name = sys.argv[1:]
    asyncio.run(run(url, job, int(point_id), int(count), user, name))
