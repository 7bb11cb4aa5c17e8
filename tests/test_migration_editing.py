"""Migration 0003 on a database that already has data: audit entries get their actor's id
from the actor strings written so far, and widening the name columns keeps every row (and, on
SQLite, every point's sources, which a table copy would otherwise cascade away)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from briefings.actors import Actor
from briefings.db import create_engine, downgrade, migrate
from briefings.store import BriefingStore

pytestmark = pytest.mark.postgresql

LONG_NAME = "telegram:5 (" + "N" * 140 + ")"  # fits after 0003, not before
OLD_ACTORS = {
    "telegram:42 (Ann Example)": "telegram:42",
    "slack:U024BE7LH (ann.example)": "slack:U024BE7LH",
    "cli:operator (operator)": "cli:operator",
    "seed": "seed",
}


async def _fill_0002(engine: object) -> None:
    async with engine.begin() as conn:  # type: ignore[attr-defined]
        await conn.execute(
            text(
                "INSERT INTO topics (id, slug, title, description, aliases, position, created_at)"
                " VALUES (1, 'treaty', 'Treaty', '', '[]', 0, '2024-06-19')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO sources (id, key, outlet, headline) VALUES"
                " (1, 'a', 'Outlet A', 'Headline A'), (2, 'b', 'Outlet B', 'Headline B')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO key_points (id, topic_id, text, importance, status, version,"
                " created_at, updated_at, created_by, updated_by) VALUES"
                " (1, 1, 'A point written before the upgrade.', 3, 'published', 2,"
                " '2024-06-19', '2024-06-19', 'seed', 'telegram:42 (Ann Example)')"
            )
        )
        await conn.execute(
            text("INSERT INTO point_sources (point_id, source_id) VALUES (1, 1), (1, 2)")
        )
        for actor in OLD_ACTORS:
            await conn.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id)"
                    " VALUES ('2024-06-19', :actor, 'subscribe', 'subscription', 1)"
                ),
                {"actor": actor},
            )
        await conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after)"
                " VALUES ('2024-06-19', 'telegram:42 (Ann Example)', 'edit', 'point', 1,"
                " :before, :after)"
            ),
            {
                "before": '{"text": "The text before Ann edited it.", "status": "published"}',
                "after": '{"text": "A point written before the upgrade.", "version": 2}',
            },
        )


async def test_0003_backfills_actor_ids_and_keeps_point_sources(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0002")
        await _fill_0002(engine)
        await migrate(engine)
        async with engine.connect() as conn:
            ids = dict((await conn.execute(text("SELECT actor, actor_id FROM audit_log"))).all())
            text_after = (await conn.execute(text("SELECT text FROM key_points"))).scalar()
            links = (await conn.execute(text("SELECT count(*) FROM point_sources"))).scalar()
        assert ids == OLD_ACTORS
        assert links == 2

        # Ann's change from before the upgrade is hers to undo after it, under a new name.
        store = BriefingStore(engine, cache_ttl=0.0)
        undone = await store.points.undo(Actor.user("telegram", "42", "Ann Renamed"))
        assert (undone.action, undone.entity_id) == ("edit", 1)
        assert text_after == "A point written before the upgrade."
        assert (await store.topics.catalog()).point(1).text.startswith("The text before Ann")  # type: ignore[union-attr]

        async with engine.begin() as conn:
            await conn.execute(text("UPDATE key_points SET created_by = :n"), {"n": LONG_NAME})
        await downgrade(engine, "0002")
        async with engine.connect() as conn:
            links = (await conn.execute(text("SELECT count(*) FROM point_sources"))).scalar()
            name = (await conn.execute(text("SELECT created_by FROM key_points"))).scalar()
        assert links == 2
        assert name == LONG_NAME[:120]
    finally:
        await engine.dispose()
