"""`import`: an export file into an empty database (or, with `replace`, instead of what it holds),
all in one transaction: a file that does not fit changes nothing.

A file from an older schema revision is loaded into the tables of that revision and then
migrated, so the migrations' own data changes apply to it; a newer one is refused.
The curated briefings are never loaded here: the imported topics are what the bot serves, and
the bot seeds on start only a database without topics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from briefings.backup.fileformat import FORMAT, FORMAT_VERSION, BackupError, Row, decode
from briefings.backup.schema import (
    current_revision,
    data_tables,
    database_errors,
    known_revisions,
    location,
    move_to,
    reason,
    rebuild_search,
    reset_sequences,
    row_counts,
    unindex_points,
)
from briefings.db import create_engine, writer
from briefings.models import Base


@dataclass(frozen=True)
class Document:
    path: Path
    revision: str
    bot_version: str
    tables: dict[str, list[Any]]


@dataclass(frozen=True)
class ImportReport:
    location: str
    file_revision: str
    revision: str
    counts: dict[str, int]
    replaced: int  # rows that were in the database before


def read_document(path: Path) -> Document:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"There is no file {path}.") from exc
    except UnicodeDecodeError as exc:
        raise BackupError(f"{path} is not a briefbot export: it is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f'{path} is not a briefbot export: it lacks "format": "{FORMAT}".')
    version = data.get("format_version")
    if not isinstance(version, int) or version != FORMAT_VERSION:
        raise BackupError(
            f"{path} is in export format version {version}, and this briefbot reads version "
            f"{FORMAT_VERSION} only."
        )
    revision, tables = data.get("schema_revision"), data.get("tables")
    if not isinstance(revision, str) or not isinstance(tables, dict):
        raise BackupError(
            f'{path} is not a briefbot export: it lacks "schema_revision" or "tables".'
        )
    for name, rows in tables.items():
        if not isinstance(rows, list):
            raise BackupError(f"{path}, table {name}: the rows should be a list.")
    return Document(path, revision, str(data.get("bot_version", "unknown")), tables)


def decode_rows(document: Document, table: Table) -> list[Row]:
    columns = {column.name: column for column in table.columns}
    decoded = []
    for number, row in enumerate(document.tables[table.name], start=1):
        where = f"{document.path}, table {table.name}, row {number}"
        if not isinstance(row, dict):
            raise BackupError(f"{where}: the row should be an object.")
        extra = sorted(set(row) - set(columns))
        if extra:
            raise BackupError(
                f"{where}: column {extra[0]} is not in {table.name} at schema revision "
                f"{document.revision}."
            )
        missing = sorted(set(columns) - set(row))
        if missing:
            raise BackupError(f"{where}: column {missing[0]} is missing.")
        decoded.append({c.key: decode(c, row[name], where) for name, c in columns.items()})
    return decoded


async def _make_room(conn: AsyncConnection, url: str, known: list[str], replace: bool) -> int:
    """Checks the database is empty, or empties it when replacing; returns the rows deleted."""
    current = await current_revision(conn)
    if current is None:
        return 0
    if current not in known:
        raise BackupError(
            f"The database at {location(url)} is at schema revision {current}, newer than "
            "this briefbot knows."
        )
    tables = await data_tables(conn, current, known[0])
    held = sum((await row_counts(conn, tables)).values())
    if held and not replace:
        raise BackupError(
            f"The database at {location(url)} already holds {held} rows; import only into an "
            "empty database, or pass --replace to delete what it holds in the same transaction."
        )
    if held:
        await unindex_points(conn)
        for table in reversed(tables):
            await conn.execute(table.delete())
    return held


async def _insert(conn: AsyncConnection, document: Document, tables: list[Table]) -> dict[str, int]:
    names = {table.name for table in tables}
    missing, extra = sorted(names - set(document.tables)), sorted(set(document.tables) - names)
    if missing:
        raise BackupError(
            f"{document.path} lacks table {missing[0]}, which schema revision "
            f"{document.revision} has."
        )
    if extra:
        raise BackupError(
            f"{document.path} has a table {extra[0]}, which schema revision "
            f"{document.revision} does not have."
        )
    counts = {}
    for table in tables:
        rows = decode_rows(document, table)
        counts[table.name] = len(rows)
        if not rows:
            continue
        try:
            await conn.execute(table.insert(), rows)
        except DBAPIError as exc:
            raise BackupError(
                f"{document.path}, table {table.name}: the database refused the rows: "
                f"{reason(exc)}."
            ) from exc
    return counts


async def import_database(url: str, path: Path, replace: bool = False) -> ImportReport:
    document = read_document(path)
    known = known_revisions(url)
    if document.revision not in known:
        raise BackupError(
            f"{path} is at schema revision {document.revision}, which this briefbot does not "
            f"know (its newest is {known[0]}); import it with briefbot {document.bot_version} "
            "or newer."
        )
    engine = create_engine(url)
    try:
        async with database_errors(url), writer(engine).begin() as conn:
            replaced = await _make_room(conn, url, known, replace)
            current = await current_revision(conn)
            await move_to(conn, url, known, current, document.revision)
            tables = await data_tables(conn, document.revision, known[0])
            counts = await _insert(conn, document, tables)
            await move_to(conn, url, known, document.revision, known[0])
            await rebuild_search(conn)
            await reset_sequences(conn, list(Base.metadata.sorted_tables))
    finally:
        await engine.dispose()
    return ImportReport(location(url), document.revision, known[0], counts, replaced)
