"""`export`: every data table of a database, in one consistent snapshot, to a JSON file."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import Table, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from briefings.backup.fileformat import BackupError, Header, Row, check_columns, encode, render
from briefings.backup.schema import (
    current_revision,
    data_tables,
    database_errors,
    known_revisions,
    location,
)
from briefings.db import create_engine, is_sqlite, normalise_url
from briefings.models import utcnow


@dataclass(frozen=True)
class ExportReport:
    location: str
    revision: str
    counts: dict[str, int]


def bot_version() -> str:
    try:
        return version("briefbot")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for PostgreSQL and in-memory databases."""
    if not is_sqlite(url):
        return None
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


async def _rows(conn: AsyncConnection, table: Table) -> list[Row]:
    columns = list(table.columns)
    check_columns(columns)
    order = list(table.primary_key.columns) or columns
    result = await conn.execute(select(table).order_by(*order))
    return [{c.name: encode(c, row._mapping[c]) for c in columns} for row in result]


async def read_tables(url: str) -> tuple[str, dict[str, list[Row]]]:
    """The schema revision and every data table's rows, read in one transaction."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise BackupError(f"There is no database at {location(url)}.")
    engine = create_engine(url)
    # One transaction is one snapshot on SQLite (WAL); PostgreSQL needs REPEATABLE READ for it.
    reading = (
        engine if is_sqlite(url) else engine.execution_options(isolation_level="REPEATABLE READ")
    )
    try:
        async with database_errors(url), reading.connect() as conn:
            revision = await current_revision(conn)
            if revision is None:
                raise BackupError(f"The database at {location(url)} has no briefbot tables.")
            known = known_revisions(url)
            if revision not in known:
                raise BackupError(
                    f"The database at {location(url)} is at schema revision {revision}, newer "
                    "than this briefbot knows; export it with the briefbot that migrated it."
                )
            tables = await data_tables(conn, revision, known[0])
            return revision, {t.name: await _rows(conn, t) for t in tables}
    finally:
        await engine.dispose()


def write_atomically(path: Path, content: str) -> None:
    """Readers of `path` see the old file or the whole new one, never half of it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BackupError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


async def export_database(
    url: str, path: Path, clock: Callable[[], dt.datetime] = utcnow
) -> ExportReport:
    revision, tables = await read_tables(url)
    write_atomically(path, render(Header(revision, bot_version(), clock()), tables))
    return ExportReport(location(url), revision, {name: len(rows) for name, rows in tables.items()})
