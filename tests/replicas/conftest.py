"""Fixtures for the replica tests: real `briefbot run` processes on one PostgreSQL database
(they skip without TEST_DATABASE_URL: SQLite is one machine's file, not something replicas
share), behind a round-robin proxy, talking to the fake Bot API and the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.replicas.fleet import Fleet, fleet
from tests.slack.fake_web_api import FakeSlack
from tests.telegram.fake_bot_api import FakeBotApiApart, apart


@pytest.fixture
async def replicas(tmp_path: Path, pg_url: str) -> AsyncIterator[Fleet]:
    """An empty fleet on an empty database; every replica left running is killed after."""
    async with fleet(tmp_path, pg_url) as group:
        yield group


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApiApart]:
    """The fake Bot API with Telegram's limits, strict, in a process of its own: shared with
    this test process's event loop, which late in a long run can stall, it stamped several
    arrivals at once and answered 429s that Telegram would not send."""
    async with apart() as server:
        yield server


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.close()
