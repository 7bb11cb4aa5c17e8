"""`briefbot export`, `import` and `backup` as an operator runs them, and a live SQLite copy
taken while points are being added."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from sqlalchemy import func, insert, select, text

from briefings.actors import Actor
from briefings.backup import copy_sqlite
from briefings.db import create_engine, current_revision, head_revision, migrate
from briefings.loader import load_briefings
from briefings.models import AuditEntry, StoreMeta
from briefings.store import BriefingStore
from briefings.topics import REVISION_KEY
from tests.test_cli import briefbot

UNREACHABLE_PG = "postgresql://backup:s3cret@127.0.0.1:1/nowhere"


def test_export_import_replace_and_backup(tmp_path: Path) -> None:
    assert briefbot(["seed"], tmp_path).returncode == 0
    exported = briefbot(["export", "all.json"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith(f"Exported 318 rows from sqlite+aiosqlite:///{tmp_path}")
    assert re.search(r"^  key_points +80$", exported.stdout, re.MULTILINE)

    other = {"DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"}
    imported = briefbot(["import", "all.json"], tmp_path, env=other)
    assert imported.returncode == 0, imported.stderr
    revision = head_revision()
    assert imported.stdout.startswith(
        f"Imported 318 rows from all.json (schema revision {revision})"
    )

    again = briefbot(["import", "all.json"], tmp_path, env=other)
    assert again.returncode == 1
    assert again.stderr.endswith(
        "pass --replace to delete what it holds in the same transaction.\n"
    )
    assert again.stderr.count("\n") == 1
    replaced = briefbot(["import", "--replace", "all.json"], tmp_path, env=other)
    assert replaced.returncode == 0, replaced.stderr
    assert ", replacing 318 rows:" in replaced.stdout

    copied = briefbot(["backup", "copy.db"], tmp_path, env=other)
    assert copied.returncode == 0, copied.stderr
    assert f"schema revision {revision}" in copied.stdout
    assert (tmp_path / "copy.db").stat().st_size > 0


def test_errors_are_one_sentence_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"format": "briefbot-export", ', encoding="utf-8")
    cases = [
        (["import", "broken.json"], {}, 1, "broken.json is not valid JSON: Expecting"),
        (["import", "missing.json"], {}, 1, "There is no file missing.json."),
        (["export", "out.json"], {}, 1, "There is no database at sqlite+aiosqlite:///"),
        (["backup", "x.db"], {"DATABASE_URL": UNREACHABLE_PG}, 2, "for PostgreSQL use pg_dump"),
        (["export", "x.json"], {"DATABASE_URL": UNREACHABLE_PG}, 1, "Cannot use the database"),
        (["import"], {}, 2, "the following arguments are required: FILE"),
    ]
    for args, env, status, message in cases:
        done = briefbot(args, tmp_path, env=env)
        assert (done.returncode, done.stdout) == (status, ""), (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert "s3cret" not in done.stderr
    assert not (tmp_path / "bot.db").exists()  # a failed export did not create a database
    assert (
        "backup:***@127.0.0.1:1/nowhere"
        in briefbot(["export", "x.json"], tmp_path, env={"DATABASE_URL": UNREACHABLE_PG}).stderr
    )


def test_help_explains_each_command(tmp_path: Path) -> None:
    listing = briefbot(["--help"], tmp_path).stdout
    for command in ("export", "import", "backup"):
        assert command in listing
    assert "--replace" in briefbot(["import", "--help"], tmp_path).stdout
    assert "pg_dump" in briefbot(["backup", "--help"], tmp_path).stdout


async def test_backup_copies_one_consistent_state_while_points_are_added(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    engine = create_engine(url)
    await migrate(engine)
    store = BriefingStore(engine, cache_ttl=0.0)
    await store.load_briefings(load_briefings())
    # Enough rows that the copy takes long enough for writes to land while it runs.
    async with engine.begin() as conn:
        rows = [
            {
                "actor": "bulk",
                "actor_id": "bulk",
                "action": "note",
                "entity": "x",
                "after": {"n": i},
            }
            for i in range(40_000)
        ]
        await conn.execute(insert(AuditEntry), rows)
    written, started, stop = [0], asyncio.Event(), asyncio.Event()

    async def add_points() -> None:
        while not stop.is_set():
            await store.points.add(
                "treaty", f"Point {written[0]} added during the backup.", Actor.system("t")
            )
            written[0] += 1
            if written[0] == 5:
                started.set()

    task = asyncio.create_task(add_points())
    await started.wait()
    before = written[0]
    report = await copy_sqlite(url, tmp_path / "copy.db")
    during = written[0] - before
    stop.set()
    await task
    await store.close()
    assert during > 0, "no point was added while the copy ran"

    copy = BriefingStore(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}"))
    try:
        assert report.revision == head_revision() == await current_revision(copy.engine)
        in_copy = (await copy.row_counts())["key_points"] - 80
        assert before <= in_copy <= written[0]
        async with copy.engine.connect() as conn:
            adds = await conn.scalar(
                select(func.count()).where(AuditEntry.action == "add", AuditEntry.actor == "t")
            )
            revision = await conn.scalar(
                select(StoreMeta.value).where(StoreMeta.key == REVISION_KEY)
            )
            indexed = await conn.scalar(text("SELECT count(*) FROM point_fts"))
        # Each add_point is one transaction; a torn copy would disagree on these counts.
        assert (adds, revision, indexed) == (in_copy, 1 + in_copy, 80 + in_copy)
        assert (await copy.topics.search("during the backup")).hits
    finally:
        await copy.close()
