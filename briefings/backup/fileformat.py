"""The export file: its header, one JSON value per column type, and a deterministic layout.

Values by column type: integers and floats as JSON numbers, strings as strings, booleans as
true/false, dates as "YYYY-MM-DD", datetimes as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ" (SQLite hands
back naive datetimes; every datetime the bot writes is UTC, so naive ones are read as UTC), JSON
columns as the JSON value itself, SQL NULL as null. A column of any other type stops export and
import with a sentence naming it, so a migration adding such a column fails loudly in the tests.

Layout: keys sorted, two-space indentation, one table row per line (sorted keys inside it too).
The same database content always gives the same bytes; only the header's `exported_at` varies.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String

FORMAT = "briefbot-export"
FORMAT_VERSION = 1
TIME_FIELD = "exported_at"

Row = dict[str, Any]


class BackupError(Exception):
    """A problem the operator can fix, told in one sentence; nothing was changed."""

    exit_status = 1


class UsageError(BackupError):
    """The command does not apply to this configuration (exit status 2, like a usage error)."""

    exit_status = 2


def _kind(column: Column[Any]) -> str:
    # JSON first: some dialects' JSON types also derive from String-like bases.
    for kind, types in (
        ("json", JSON),
        ("bool", Boolean),
        ("datetime", DateTime),
        ("date", Date),
        ("int", Integer),
        ("float", Float),
        ("str", String),
    ):
        if isinstance(column.type, types):
            return kind
    raise BackupError(
        f"Column {column.table.name}.{column.name} has type {column.type}, which the export "
        "format does not cover yet; teach briefings/backup/fileformat.py to write it."
    )


def check_columns(columns: list[Column[Any]]) -> None:
    for column in columns:
        _kind(column)


def utc_text(value: dt.datetime) -> str:
    utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = _kind(column)
    if kind == "datetime":
        return utc_text(value)
    if kind == "date":
        return value.isoformat()
    if kind == "float":
        return float(value)
    return value


_EXPECTED = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "datetime": 'a UTC time such as "2024-06-19T08:30:00.000000Z"',
    "date": 'a date such as "2024-06-19"',
}


def decode(column: Column[Any], value: Any, where: str) -> Any:
    """The Python value for `column`, or a BackupError naming `where` (file, table and row)."""
    kind = _kind(column)
    if value is None:
        if column.nullable:
            return None
        raise BackupError(f"{where}: column {column.name} must not be null.")
    try:
        if kind == "json":
            return value
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if (kind == "str" and isinstance(value, str)) or (
            kind == "bool" and isinstance(value, bool)
        ):
            return value
        if kind == "datetime" and isinstance(value, str):
            parsed = dt.datetime.fromisoformat(value)
            return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed
        if kind == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise BackupError(f"{where}: column {column.name} should be {_EXPECTED[kind]}, not {shown}.")


@dataclass(frozen=True)
class Header:
    schema_revision: str
    bot_version: str
    exported_at: dt.datetime

    def fields(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_revision": self.schema_revision,
            "bot_version": self.bot_version,
            TIME_FIELD: utc_text(self.exported_at),
        }


def _one_line(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def render(header: Header, tables: dict[str, list[Row]]) -> str:
    """The file's text: valid JSON, laid out by hand so each row is one line."""
    lines = ["{"]
    for key, value in sorted(header.fields().items()):
        lines.append(f"  {_one_line(key)}: {_one_line(value)},")
    lines.append('  "tables": {')
    names = sorted(tables)
    for i, name in enumerate(names):
        comma = "," if i < len(names) - 1 else ""
        rows = tables[name]
        if not rows:
            lines.append(f"    {_one_line(name)}: []{comma}")
            continue
        lines.append(f"    {_one_line(name)}: [")
        lines.extend(
            f"      {_one_line(row)}{',' if j < len(rows) - 1 else ''}"
            for j, row in enumerate(rows)
        )
        lines.append(f"    ]{comma}")
    lines.extend(["  }", "}"])
    return "\n".join(lines) + "\n"
