"""Backups from the command line: `briefbot export`, `import` and `backup`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings

COMMANDS = ("export", "import", "backup")

EXPORT_HELP = """Writes every table (topics, points with their versions and audit log, sources,
admins, chats, subscriptions, the delivery ledger) to FILE as JSON, from one consistent snapshot,
while the bot may keep running. The search index is not written: import rebuilds it. The same
database gives the same bytes except the header's "exported_at"."""

IMPORT_HELP = """Loads a file written by `briefbot export` into the database DATABASE_URL
names, SQLite or PostgreSQL, whichever kind the file came from. A new database is created and
migrated first; the curated briefings are not loaded into it. A file from an older schema is
migrated after loading; one from a newer briefbot is refused. Everything happens in one
transaction: a file that does not fit changes nothing. The database must be empty, unless
--replace is given."""

BACKUP_HELP = """Copies the SQLite database to FILE with VACUUM INTO: one consistent state, even
while the bot writes. For PostgreSQL use pg_dump, or `briefbot export FILE`."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export", help="write the whole database to a JSON file", description=EXPORT_HELP
    )
    export.add_argument("file", type=Path, metavar="FILE", help="where to write (replaced whole)")
    load = sub.add_parser(
        "import",
        help="load an export into an empty database (or --replace its data)",
        description=IMPORT_HELP,
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a file from `briefbot export`")
    load.add_argument(
        "--replace",
        action="store_true",
        help="delete everything the database holds, then import, in one transaction; stop the "
        "bot first or restart it after, as running bots keep what they cached",
    )
    backup = sub.add_parser(
        "backup", help="copy the SQLite database while the bot runs", description=BACKUP_HELP
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="where to write the copy")


def _print_counts(counts: dict[str, int]) -> None:
    width = max(map(len, counts), default=0)
    for name, count in sorted(counts.items()):
        print(f"  {name:<{width}}  {count:>7,}")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from briefings.backup import BackupError, copy_sqlite, export_database, import_database

    url = settings.database_url
    try:
        if args.command == "export":
            exported = await export_database(url, args.file)
            total = sum(exported.counts.values())
            print(
                f"Exported {total:,} rows from {exported.location} "
                f"(schema revision {exported.revision}) to {args.file}:"
            )
            _print_counts(exported.counts)
        elif args.command == "import":
            imported = await import_database(url, args.file, replace=args.replace)
            total = sum(imported.counts.values())
            migrated = (
                f", then migrated to {imported.revision}"
                if imported.file_revision != imported.revision
                else ""
            )
            replaced = f", replacing {imported.replaced:,} rows" if imported.replaced else ""
            print(
                f"Imported {total:,} rows from {args.file} (schema revision "
                f"{imported.file_revision}{migrated}) into {imported.location}{replaced}:"
            )
            _print_counts(imported.counts)
        elif args.command == "backup":
            copied = await copy_sqlite(url, args.file)
            print(
                f"Copied {copied.source} to {args.file} ({copied.size:,} bytes, "
                f"schema revision {copied.revision or 'none'})."
            )
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
    return 0
