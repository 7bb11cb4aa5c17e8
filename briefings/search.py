"""Full-text search over published key points: FTS5 on SQLite, tsvector on PostgreSQL.

User text never reaches the engine as query syntax. It is cut into words, and each word is
passed as a quoted string (FTS5) or through plainto_tsquery (PostgreSQL), so quotes, `*`,
`AND`, `NEAR(` and SQL fragments are searched for as ordinary words.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
BULK_ROWS = 1000  # points added at once beyond which PostgreSQL's statistics are refreshed
_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: str) -> list[str]:
    """The searchable words of a user's query, deduplicated, in order; may be empty."""
    words: list[str] = []
    for word in _WORD.findall(query.casefold()):
        word = word.strip("_")
        if word and len(word) <= MAX_WORD_LENGTH and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


class SearchIndex(Protocol):
    async def index(self, conn: AsyncConnection, point_id: int, body: str) -> None: ...

    async def index_many(self, conn: AsyncConnection, rows: list[tuple[int, str]]) -> None: ...

    async def unindex(self, conn: AsyncConnection, point_id: int) -> None: ...

    async def search(
        self, conn: AsyncConnection, words: list[str], limit: int, match_all: bool
    ) -> list[int]: ...


class SqliteFtsIndex:
    """An FTS5 table of published points, rowid = point id, kept in step by the store."""

    async def index(self, conn: AsyncConnection, point_id: int, body: str) -> None:
        await self.unindex(conn, point_id)
        await conn.execute(
            text("INSERT INTO point_fts(rowid, text) VALUES (:id, :body)"),
            {"id": point_id, "body": body},
        )

    async def index_many(self, conn: AsyncConnection, rows: list[tuple[int, str]]) -> None:
        """For freshly inserted points, which cannot be in the index yet."""
        if rows:
            await conn.execute(
                text("INSERT INTO point_fts(rowid, text) VALUES (:id, :body)"),
                [{"id": point_id, "body": body} for point_id, body in rows],
            )

    async def unindex(self, conn: AsyncConnection, point_id: int) -> None:
        await conn.execute(text("DELETE FROM point_fts WHERE rowid = :id"), {"id": point_id})

    async def search(
        self, conn: AsyncConnection, words: list[str], limit: int, match_all: bool
    ) -> list[int]:
        joiner = " AND " if match_all else " OR "
        match = joiner.join('"' + w.replace('"', '""') + '"' for w in words)
        rows = await conn.execute(
            text("SELECT rowid FROM point_fts WHERE point_fts MATCH :q ORDER BY rank LIMIT :n"),
            {"q": match, "n": limit},
        )
        return [row[0] for row in rows]


class PostgresIndex:
    """A stored tsvector column the database generates from key_points.text, with a GIN index
    (migration 0006); nothing to keep in step by hand. Ranking reads the stored vector, not
    `to_tsvector(text)` per matching row, which cost over a second for a common word."""

    async def index(self, conn: AsyncConnection, point_id: int, body: str) -> None:
        return None

    async def index_many(self, conn: AsyncConnection, rows: list[tuple[int, str]]) -> None:
        # The index follows by itself, but the planner's statistics do not: right after a bulk
        # load they still describe an empty table, and the plan they give scans every point
        # (60 ms instead of 1 for a word nobody used, over 100,000 points). Autovacuum would
        # catch up later; refresh them now.
        if len(rows) >= BULK_ROWS:
            await conn.exec_driver_sql("ANALYZE key_points")

    async def unindex(self, conn: AsyncConnection, point_id: int) -> None:
        return None

    async def search(
        self, conn: AsyncConnection, words: list[str], limit: int, match_all: bool
    ) -> list[int]:
        query = " ".join(words)
        tsquery = "plainto_tsquery('english', :q)"
        if not match_all:
            # Turn the AND of plainto_tsquery into an OR without parsing user text as syntax.
            tsquery = f"replace({tsquery}::text, '&', '|')::tsquery"
        rows = await conn.execute(
            text(
                "SELECT id FROM key_points "
                f"WHERE status = 'published' AND search_vector @@ {tsquery} "
                f"ORDER BY ts_rank(search_vector, {tsquery}) DESC, id "
                "LIMIT :n"
            ),
            {"q": query, "n": limit},
        )
        return [row[0] for row in rows]


def index_for(dialect: str) -> SearchIndex:
    return SqliteFtsIndex() if dialect == "sqlite" else PostgresIndex()
