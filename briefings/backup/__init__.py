"""Backups: `export` and `import` of every data table as JSON (any database to any other), and
`backup`, a consistent copy of a live SQLite file. The file format is in `fileformat`."""

from briefings.backup.dump import ExportReport, export_database
from briefings.backup.fileformat import TIME_FIELD, BackupError, UsageError
from briefings.backup.load import ImportReport, import_database
from briefings.backup.snapshot import CopyReport, copy_sqlite

__all__ = [
    "TIME_FIELD",
    "BackupError",
    "CopyReport",
    "ExportReport",
    "ImportReport",
    "UsageError",
    "copy_sqlite",
    "export_database",
    "import_database",
]
