"""Engines and sessions from a database URL, SQLite tuning, and migrating to the newest schema."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

log = logging.getLogger(__name__)

# Shipped inside the package (see package-data in pyproject.toml), so an installed wheel migrates.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite+aiosqlite:///data/briefbot.db"
BUSY_TIMEOUT_MS = 5000

# Execution option naming how a SQLite transaction begins; writers take the lock up front so
# busy_timeout applies, instead of failing with "database is locked" on upgrade from a read.
SQLITE_BEGIN = "sqlite_begin"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste and pick the async driver for them."""
    if url.startswith("sqlite:///") or url == "sqlite://":
        return "sqlite+aiosqlite" + url[len("sqlite") :]
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def _sqlite_file(url: str) -> str | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def anchor_sqlite(url: str, base: Path) -> str:
    """The URL with a relative SQLite file path made absolute against `base`, so the same
    settings name the same file from any working directory. Other URLs are returned as given."""
    if not is_sqlite(url):
        return url
    database = _sqlite_file(url)
    if database is None:
        return url
    path = Path(database).expanduser()  # SQLite itself would take "~" literally
    if str(path) == database and path.is_absolute():
        return url
    parsed = make_url(url).set(database=str(base / path))  # base is ignored for absolute paths
    return parsed.render_as_string(hide_password=False)


def describe(url: str) -> str:
    """Where the data is, for people: the SQLite file, or the URL with its password hidden."""
    if is_sqlite(url):
        database = _sqlite_file(url)
        return f"SQLite file {database}" if database else "SQLite in memory"
    return make_url(url).render_as_string(hide_password=True)


def _ensure_sqlite_dir(url: str) -> None:
    database = _sqlite_file(url)
    if database:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so it can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


# Search indexes are dialect-specific and created by hand in the migrations, so autogenerate
# must not report them as missing from the models.
SEARCH_TABLE_PREFIX = "point_fts"
SEARCH_INDEXES = frozenset({"ix_key_points_search"})


def include_in_autogenerate(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalise_url(url)
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url, **kwargs)
        _install_sqlite_pragmas(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def dialect_insert(engine: AsyncEngine, entity: Any) -> Any:
    """An INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL spell them the
    same way), for writes that must be one atomic statement: claims, leases, events seen."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(entity)


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The same engine, with write transactions that take SQLite's write lock at BEGIN."""
    return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})


@asynccontextmanager
async def write_transaction(writer_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside one write transaction, on an engine made by `writer()`. Objects stay
    readable after the commit, so callers can build their views from them."""
    async with (
        AsyncSession(writer_engine, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


# What PostgreSQL answers a transaction that lost a race and may simply run again: another
# transaction has just inserted the same unique key (two replicas granting one admin), a
# deadlock, a serialization failure. SQLite's write lock serialises writers, so it never does.
RACE_STATES = frozenset({"23505", "40P01", "40001"})
RACE_ATTEMPTS = 3

P = ParamSpec("P")
R = TypeVar("R")


def lost_race(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RACE_STATES


def retry_lost_races(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Runs a method that is one whole write transaction again when it lost a race: the next
    run sees what the winner committed (the admin exists, so "already an admin") instead of
    the user getting "something went wrong". Only for methods with no effect outside their
    transaction."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, RACE_ATTEMPTS + 1):
            try:
                return await method(*args, **kwargs)
            except DBAPIError as error:
                if attempt == RACE_ATTEMPTS or not lost_race(error):
                    raise
                log.info("%s lost a race (%s); running it again", method.__qualname__, error.orig)
        raise AssertionError("unreachable")

    return run


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = alembic_config(DEFAULT_URL)
    return ScriptDirectory.from_config(config).get_current_head()


def _current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _upgrade(conn: Connection, url: str, target: str) -> None:
    from alembic import command

    config = alembic_config(url)
    config.attributes["connection"] = conn
    command.upgrade(config, target)


def _downgrade(conn: Connection, url: str, target: str) -> None:
    from alembic import command

    config = alembic_config(url)
    config.attributes["connection"] = conn
    command.downgrade(config, target)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current_revision)


async def migrate(engine: AsyncEngine, target: str = "head") -> bool:
    """Bring the schema to `target`; returns whether anything ran. Cheap when already there."""
    if target == "head" and await current_revision(engine) == head_revision():
        return False
    url = engine.url.render_as_string(hide_password=False)
    async with writer(engine).begin() as conn:
        await conn.run_sync(_upgrade, url, target)
    return True


# Any fixed 64-bit number, the same in every replica: the advisory lock migration and seeding
# run under ("briefbot" in ASCII).
SCHEMA_LOCK_KEY = 0x6272696566626F74


@asynccontextmanager
async def schema_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Held while a process migrates and seeds the database. On PostgreSQL it is a session
    advisory lock, so replicas starting together on an empty database take turns: the first
    migrates and seeds, the others then find both done. (SQLite's write lock already
    serialises this, and it has no advisory locks.) The lock goes with the session, so a
    process that dies while holding it frees it."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql(f"SELECT pg_advisory_lock({SCHEMA_LOCK_KEY})")
        await conn.commit()
        try:
            yield
        finally:
            await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({SCHEMA_LOCK_KEY})")
            await conn.commit()


async def downgrade(engine: AsyncEngine, target: str = "base") -> None:
    url = engine.url.render_as_string(hide_password=False)
    async with writer(engine).begin() as conn:
        await conn.run_sync(_downgrade, url, target)
