"""`backup`: a consistent copy of a SQLite database while the bot keeps writing to it.

`VACUUM INTO` reads the database inside one read transaction, so under WAL it copies one
committed state while writers carry on, and it writes a compact, self-contained file (no -wal).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from briefings.backup.dump import sqlite_path
from briefings.backup.fileformat import BackupError, UsageError
from briefings.backup.schema import VERSION_TABLE, location
from briefings.db import BUSY_TIMEOUT_MS


@dataclass(frozen=True)
class CopyReport:
    source: Path
    revision: str | None
    size: int


def _vacuum_into(source: Path, target: Path) -> str | None:
    # A temporary name next to the target: VACUUM INTO will not overwrite a file, and the
    # target appears only once the copy is complete and checked.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, isolation_level=None)) as conn:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("VACUUM INTO ?", (str(temporary),))
        with closing(sqlite3.connect(temporary, isolation_level=None)) as copy:
            check = copy.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"The copy of {source} failed its integrity check: {check}.")
            tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master")}
            row = None
            if VERSION_TABLE in tables:
                row = copy.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        os.replace(temporary, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"Cannot copy {source} to {target}: {exc}.") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return str(row[0]) if row else None


def _copy(url: str, source: Path, target: Path) -> CopyReport:
    if not source.is_file():
        raise BackupError(f"There is no database at {location(url)}.")
    if target.resolve() == source.resolve():
        raise UsageError("The backup file must not be the database itself.")
    revision = _vacuum_into(source, target)
    return CopyReport(source, revision, target.stat().st_size)


async def copy_sqlite(url: str, target: Path) -> CopyReport:
    source = sqlite_path(url)
    if source is None:
        raise UsageError(
            f"`briefbot backup` copies SQLite database files, and the database is "
            f"{location(url)}; for PostgreSQL use pg_dump, or `briefbot export FILE`."
        )
    # In a thread: copying a large database takes a while, and the bot's loop has work to do.
    return await asyncio.to_thread(_copy, url, source, target)
