"""Shared fixtures: a migrated, seeded store on a temporary SQLite file (or PostgreSQL when
TEST_DATABASE_URL names one), a core, and message factories."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming
from bot.core.roles import Roles
from briefings.db import create_engine, migrate
from briefings.loader import load_briefings
from briefings.store import BriefingStore
from tests.pg import reset_postgres

OPERATOR = "operator"
GUEST = "guest"
CONSOLE_ADMINS = {"console": frozenset({OPERATOR})}

MessageFactory = Callable[..., Incoming]


def database_urls(node: pytest.Item | pytest.Function | None = None) -> list[str]:
    """SQLite always. PostgreSQL too when TEST_DATABASE_URL names one and the test is marked
    `postgresql` (what depends on the database engine: the store, migrations, locking,
    delivery, search), or for every test when TEST_EVERY_DATABASE=1. Handler and chat tests
    drive the same store code, so running all of them twice mostly doubled CI's time."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return ["sqlite"]
    marked = node is not None and node.get_closest_marker("postgresql") is not None
    if marked or os.environ.get("TEST_EVERY_DATABASE") == "1":
        return ["sqlite", "postgresql"]
    return ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", database_urls(metafunc.definition), indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or PostgreSQL (see `database_urls`)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'briefbot.db'}"
    url = os.environ["TEST_DATABASE_URL"]
    reset_postgres(url)
    return url


@pytest.fixture
def pg_url() -> str:
    """PostgreSQL alone, emptied, for what SQLite cannot do (change notices, shared pacing,
    replicas); skips without TEST_DATABASE_URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    reset_postgres(url)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh, migrated database, for tests below the store."""
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def empty_store(database_url: str) -> AsyncIterator[BriefingStore]:
    engine = create_engine(database_url)
    await migrate(engine)
    store = BriefingStore(engine, cache_ttl=0.0)
    yield store
    await store.close()


@pytest.fixture
async def store(empty_store: BriefingStore) -> BriefingStore:
    await empty_store.load_briefings(load_briefings())
    return empty_store


@pytest.fixture
def core(store: BriefingStore) -> Core:
    return Core(store, Roles(store.admins, CONSOLE_ADMINS), event_title="the test event")


@pytest.fixture
def message() -> MessageFactory:
    def make(text: str, user: str = OPERATOR, platform: str = "console") -> Incoming:
        return Incoming(ChatRef(platform, "local"), user, user, text)

    return make
