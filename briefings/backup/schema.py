"""Which tables hold data at a schema revision, and moving a database between revisions
inside the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from briefings.backup.fileformat import BackupError
from briefings.db import SEARCH_TABLE_PREFIX, alembic_config, normalise_url
from briefings.models import PUBLISHED, Base, KeyPoint
from briefings.search import index_for

VERSION_TABLE = "alembic_version"
# What running replicas coordinate with (events already handled, who leads, when the next
# message may leave): live state, not data. A restored lease or pacing time would be wrong.
RUNTIME_TABLES = frozenset({"seen_events", "leases", "send_pacing"})


def location(url: str) -> str:
    """The database URL as it may be printed: the password hidden."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def is_data_table(name: str) -> bool:
    """Alembic's bookkeeping, replicas' runtime state and the search index are not data: the
    index is rebuilt from the points after import."""
    return (
        name != VERSION_TABLE
        and name not in RUNTIME_TABLES
        and not name.startswith(SEARCH_TABLE_PREFIX)
    )


def known_revisions(url: str) -> list[str]:
    """The schema revisions this code can migrate to, newest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    return [revision.revision for revision in script.walk_revisions()]


def _current(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


async def current_revision(conn: AsyncConnection) -> str | None:
    return await conn.run_sync(_current)


def _reflect(conn: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(conn, only=lambda name, _meta: is_data_table(name))
    return list(metadata.sorted_tables)


async def data_tables(conn: AsyncConnection, revision: str, head: str) -> list[Table]:
    """The data tables in dependency order. At the newest revision they are the models' own
    tables; at an older one they are read from the database, which must be at `revision`."""
    if revision == head:
        return [table for table in Base.metadata.sorted_tables if is_data_table(table.name)]
    return await conn.run_sync(_reflect)


async def row_counts(conn: AsyncConnection, tables: list[Table]) -> dict[str, int]:
    return {
        table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
        for table in tables
    }


def _move(conn: Connection, url: str, target: str, down: bool) -> None:
    from alembic import command

    config = alembic_config(url)
    config.attributes["connection"] = conn
    (command.downgrade if down else command.upgrade)(config, target)


async def move_to(
    conn: AsyncConnection, url: str, known: list[str], current: str | None, target: str
) -> None:
    """Upgrades or downgrades the schema to `target` in the connection's transaction."""
    if current == target:
        return
    # `known` is newest first, so a larger index is an older revision.
    down = current is not None and known.index(target) > known.index(current)
    await conn.run_sync(_move, url, target, down)


async def unindex_points(conn: AsyncConnection) -> None:
    """Takes every point out of the search index before the points themselves are deleted."""
    index = index_for(conn.dialect.name)
    for point_id in (await conn.scalars(select(KeyPoint.id))).all():
        await index.unindex(conn, point_id)


async def rebuild_search(conn: AsyncConnection) -> None:
    """The search table (FTS5 on SQLite, `point_fts` on PostgreSQL) is filled by the store, not
    by triggers, so imported published points are added to it here."""
    rows = await conn.execute(
        select(KeyPoint.id, KeyPoint.text).where(KeyPoint.status == PUBLISHED).order_by(KeyPoint.id)
    )
    await index_for(conn.dialect.name).index_many(conn, [(r.id, r.text) for r in rows])


async def reset_sequences(conn: AsyncConnection, tables: list[Table]) -> None:
    """PostgreSQL hands out ids from a sequence that explicit ids did not advance; point each
    one past the largest id, so the next row the bot adds does not collide."""
    if conn.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    quote = conn.dialect.identifier_preparer
    for table in tables:
        keys: list[Any] = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            continue
        name, column = quote.format_table(table), quote.quote(keys[0].name)
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE(MAX({column}), 0) + 1, false) FROM {name}"
            ),
            {"table": name, "column": keys[0].name},
        )


def reason(exc: BaseException) -> str:
    """The driver's own first line, without the exception class asyncpg puts in front."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    first = lines[0] if lines else type(original).__name__
    return re.sub(r"^<class '[^']+'>: ", "", first).rstrip(".")


@asynccontextmanager
async def database_errors(url: str) -> AsyncIterator[None]:
    """Turns a database that cannot be reached or used into one sentence."""
    try:
        yield
    except (DBAPIError, OSError) as exc:
        raise BackupError(f"Cannot use the database at {location(url)}: {reason(exc)}.") from exc
