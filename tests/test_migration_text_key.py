"""Migration 0009 on a database that already has proposals: each gets its text's key, so that
a copy of an article ingested before the upgrade is still found."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from briefings.db import create_engine, downgrade, migrate
from briefings.proposals import text_key

pytestmark = pytest.mark.postgresql

TEXTS = [
    "Russia's lower house voted on Thursday to ratify the treaty.",
    "The Kremlin said it welcomed the vote.",
]


async def test_0009_gives_existing_proposals_their_text_key(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0008")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO sources (id, key, outlet, headline) VALUES (1, 'a', 'A', 'H')")
            )
            for n, statement in enumerate(TEXTS):
                await conn.execute(
                    text(
                        "INSERT INTO proposals (source_id, position, text, alternatives,"
                        " also_corroborates, candidates, score, importance, flags, status,"
                        " created_by, created_at) VALUES (1, :n, :text, '[]', '[]', '[]', 0, 3,"
                        " '[]', 'pending', 'cli:operator', '2024-06-19')"
                    ),
                    {"n": n, "text": statement},
                )
        await migrate(engine)
        async with engine.connect() as conn:
            keys = (await conn.execute(text("SELECT text, text_key FROM proposals"))).all()
        assert dict(keys) == {statement: text_key(statement) for statement in TEXTS}
        # Case, quotes and spacing aside: the same sentence copied elsewhere has the same key.
        assert text_key("the KREMLIN said  it welcomed the vote.") == text_key(TEXTS[1])
        await downgrade(engine, "0008")
        async with engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM proposals"))).scalar()
        assert count == len(TEXTS)
    finally:
        await engine.dispose()
