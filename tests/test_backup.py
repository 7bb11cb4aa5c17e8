"""Export and import: export -> import into an empty database of the other kind -> export gives
the same file apart from the header's time; a file that does not fit changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.config import Settings
from briefings.actors import Actor
from briefings.backup import TIME_FIELD, BackupError, export_database, import_database
from briefings.backup.schema import is_data_table
from briefings.db import create_engine, head_revision, migrate
from briefings.ingest.types import IngestResult, ProposalDraft
from briefings.ledger import DeliveryLedger
from briefings.loader import load_briefings
from briefings.models import Base, ChatStatus, DeliveryState
from briefings.schedule import Schedule
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionRequest, SubscriptionStore
from tests.pg import reset_postgres

pytestmark = pytest.mark.postgresql

PG = os.environ.get("TEST_DATABASE_URL")
PAIRS = ["sqlite>sqlite"] + (["sqlite>postgresql", "postgresql>sqlite"] if PG else [])
ADDED = "Ünïcödé check: the envoy’s “zebrafinch” remark was added by an admin."
SLOT = dt.datetime(2024, 6, 20, 4, 30, tzinfo=dt.UTC)

ANN = Actor.user("telegram", "7", "Ann")
OPERATOR_ACTOR = Actor.user("console", "operator", "operator")


def url_for(kind: str, path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{path}"
    assert PG
    reset_postgres(PG)
    return PG


@pytest.fixture(params=PAIRS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    source, target = str(request.param).split(">")
    return url_for(source, tmp_path / "source.db"), url_for(target, tmp_path / "target.db")


async def open_store(url: str, revision: str = "head") -> BriefingStore:
    engine = create_engine(url)
    await migrate(engine, revision)
    return BriefingStore(engine, cache_ttl=0.0)


async def populate(url: str) -> None:
    """Every table gets rows: points with history, admins, chats, a subscription, a delivery."""
    store = await open_store(url)
    try:
        await store.load_briefings(load_briefings())
        added = await store.points.add("treaty", ADDED, ANN, 4, ["iria", "order-report"])
        await store.points.edit(added.id, ADDED + " Edited.", ANN)
        await store.points.remove(1, ANN)
        await store.points.remove(2, OPERATOR_ACTOR)
        await store.points.undo(OPERATOR_ACTOR)
        await store.admins.grant("telegram", "7", OPERATOR_ACTOR)
        subs = SubscriptionStore(store.engine)
        await subs.follow_move("telegram", "-100", "-100200")
        await store.chats.mark("slack", "C1", ChatStatus.BLOCKED, "kicked from the channel")
        drafts = tuple(
            ProposalDraft(text, "treaty", ("arms",), None, None, (3,), 0.5, 3, (), None)
            for text in ("A wire adds a statement.", "A second proposed statement for review.")
        )
        result = IngestResult(
            "Wire story",
            "Test Wire",
            dt.date(2024, 7, 11),
            "https://news.example/a",
            "text",
            "f" * 64,
            drafts,
        )
        ingested = await store.proposals.record(result, OPERATOR_ACTOR)
        await store.proposals.approve([ingested.proposals[0].id], OPERATOR_ACTOR)
        schedule = Schedule(7, 30, "Europe/Kyiv", "12345")
        request = SubscriptionRequest(
            "telegram", "@news", "channel", "3", schedule, ("treaty",), "full"
        )
        sub = await subs.subscribe(request, OPERATOR_ACTOR)
        ledger = DeliveryLedger(store.engine, "worker-1")
        delivery = await ledger.claim(sub.id, SLOT, SLOT)
        assert delivery is not None
        await ledger.start_sending(delivery, SLOT)
        await ledger.record_sent_message(delivery, ["101", "102"])
        await ledger.finish(delivery, DeliveryState.SENT, SLOT + dt.timedelta(seconds=3))
    finally:
        await store.close()


def without_time(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(f'  "{TIME_FIELD}": ')]
    assert len(kept) == len(lines) - 1
    return kept


async def test_export_import_export_gives_the_same_file(
    pair: tuple[str, str], tmp_path: Path
) -> None:
    source, target = pair
    await populate(source)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    exported = await export_database(source, first)
    assert set(exported.counts) == {t for t in Base.metadata.tables if is_data_table(t)}
    assert all(exported.counts.values()), exported.counts  # every table was exercised
    imported = await import_database(target, first)
    assert imported.counts == exported.counts
    assert imported.replaced == 0
    await export_database(target, second)
    assert without_time(first) == without_time(second)

    store = BriefingStore(create_engine(target), cache_ttl=0.0)
    try:
        hits = (await store.topics.search("zebrafinch")).hits
        assert [h.point.text for h in hits] == [ADDED + " Edited."]
        assert (await store.topics.search("Pyongyang")).hits
        catalog = await store.topics.catalog()
        assert catalog.point(1) is None
        assert catalog.point(2) is not None
        new = await store.points.add("treaty", "A point added after the import gets a new id.", ANN)
        assert new.id == exported.counts["key_points"] + 1
    finally:
        await store.close()


async def test_import_does_not_seed_and_the_bot_does_not_reseed(tmp_path: Path) -> None:
    source, target = url_for("sqlite", tmp_path / "a.db"), url_for("sqlite", tmp_path / "b.db")
    curated = load_briefings()
    store = await open_store(source)
    await store.load_briefings(dataclasses.replace(curated, topics=curated.topics[:1]))
    await store.close()
    await export_database(source, tmp_path / "one-topic.json")
    await import_database(target, tmp_path / "one-topic.json")
    app = await build_app(Settings(database_url=target, seed_on_start=True))
    try:
        assert [t.slug for t in (await app.store.topics.catalog()).topics] == ["visit"]
    finally:
        await app.close()


async def test_a_file_from_an_older_schema_is_migrated(database_url: str, tmp_path: Path) -> None:
    old_url = url_for("sqlite", tmp_path / "old.db")
    old = await open_store(old_url, "0001")
    # Rows written as schema 0001 had them: today's models have columns 0001 lacks.
    async with old.engine.begin() as conn:
        for statement in OLD_ROWS:
            await conn.exec_driver_sql(statement)
    await old.close()
    first, second = tmp_path / "old.json", tmp_path / "new.json"
    await export_database(old_url, first)
    report = await import_database(database_url, first)
    assert (report.file_revision, report.revision) == ("0001", head_revision())
    await export_database(database_url, second)
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    assert "subscriptions" not in before["tables"]
    assert after["schema_revision"] == head_revision()
    assert after["tables"]["subscriptions"] == []
    for table, rows in before["tables"].items():  # the old rows, with any new columns added
        new_rows = after["tables"][table]
        assert [{k: r[k] for k in old} for r, old in zip(new_rows, rows, strict=True)] == rows
    # Replacing takes the emptied database down to the file's revision and up again.
    await import_database(database_url, first, replace=True)
    await export_database(database_url, tmp_path / "again.json")
    assert without_time(tmp_path / "again.json") == without_time(second)
    store = await open_store(database_url)
    try:
        assert (await store.topics.search("missiles")).hits
    finally:
        await store.close()


OLD_ROWS = (
    "INSERT INTO topics (id, slug, title, description, aliases, position, created_at) "
    "VALUES (1, 'arms', 'Arms', 'Weapons', '[]', 0, '2024-06-19 08:00:00')",
    "INSERT INTO sources (id, key, outlet, headline, url, published) "
    "VALUES (1, 'wire', 'A wire', 'A story', NULL, '2024-06-19')",
    "INSERT INTO key_points (id, key, topic_id, text, importance, status, version, created_at, "
    "updated_at, created_by, updated_by) VALUES (1, 'arms-1', 1, 'Shells and missiles were "
    "reportedly shipped north.', 3, 'published', 1, '2024-06-19 08:00:00', "
    "'2024-06-19 08:00:00', 'seed', 'seed')",
    "INSERT INTO point_sources (point_id, source_id) VALUES (1, 1)",
    "INSERT INTO store_meta (key, value) VALUES ('revision', 1)",
)


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


async def test_newer_schema_revision_is_refused(tmp_path: Path) -> None:
    source = url_for("sqlite", tmp_path / "a.db")
    await populate(source)
    await export_database(source, tmp_path / "a.json")
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    newer = _write(tmp_path / "newer.json", {**document, "schema_revision": "0099"})
    target = tmp_path / "b.db"
    with pytest.raises(BackupError, match=r"schema revision 0099, which this briefbot does not"):
        await import_database(url_for("sqlite", target), newer)
    assert not target.exists()


def _break(document: dict[str, Any], how: str) -> None:
    tables = document["tables"]
    if how == "missing table":
        del tables["admins"]
    elif how == "wrong type":
        tables["key_points"][3]["importance"] = "high"
    elif how == "null":
        tables["topics"][0]["title"] = None
    elif how == "foreign key":
        tables["point_sources"].append({"point_id": 9999, "source_id": 1})
    elif how == "duplicate":
        tables["sources"].append(dict(tables["sources"][0]))


BREAKAGES = {
    "bad json": "is not valid JSON: Expecting property name enclosed in double quotes at line",
    "missing table": f"lacks table admins, which schema revision {head_revision()} has.",
    "wrong type": "table key_points, row 4: column importance should be an integer, not",
    "null": "table topics, row 1: column title must not be null.",
    "foreign key": "table point_sources: the database refused the rows:",
    "duplicate": "table sources: the database refused the rows:",
}


@pytest.mark.parametrize("how", list(BREAKAGES))
async def test_a_broken_file_changes_nothing(
    how: str, database_url: str, store: BriefingStore, tmp_path: Path
) -> None:
    await export_database(database_url, tmp_path / "good.json")
    text = (tmp_path / "good.json").read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    if how == "bad json":
        broken.write_text(text.replace('"tables": {', '"tables": {{', 1), encoding="utf-8")
    else:
        document = json.loads(text)
        _break(document, how)
        _write(broken, document)
    before = await store.row_counts()
    with pytest.raises(BackupError) as raised:
        await import_database(database_url, broken, replace=True)
    message = str(raised.value)
    assert BREAKAGES[how] in message
    assert "\n" not in message
    assert message.endswith(".")
    assert await store.row_counts() == before
    assert (await store.topics.search("missiles")).hits  # the search index was not emptied either


async def test_a_database_with_data_is_replaced_only_when_asked(
    database_url: str, store: BriefingStore, tmp_path: Path
) -> None:
    small = url_for("sqlite", tmp_path / "small.db")
    curated = load_briefings()
    other = await open_store(small)
    await other.load_briefings(dataclasses.replace(curated, topics=curated.topics[:1]))
    await other.close()
    await export_database(small, tmp_path / "small.json")
    before = await store.row_counts()
    with pytest.raises(BackupError, match="already holds .* rows; import only into an empty"):
        await import_database(database_url, tmp_path / "small.json")
    assert await store.row_counts() == before

    report = await import_database(database_url, tmp_path / "small.json", replace=True)
    assert report.replaced == sum(before.values())
    await export_database(database_url, tmp_path / "after.json")
    assert without_time(tmp_path / "small.json") == without_time(tmp_path / "after.json")
    assert not (await store.topics.search("missiles")).hits  # /arms points left the search index
    assert (await store.topics.search("Pyongyang")).hits
    new = await store.points.add("visit", "A point added after replacing everything.", ANN)
    assert new.id == report.counts["key_points"] + 1
