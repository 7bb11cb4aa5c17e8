"""Fixtures for the replica tests: real `briefbot run` processes on one PostgreSQL database
(they skip without TEST_DATABASE_URL: SQLite is one machine's file, not something replicas
share), behind a round-robin proxy, talking to the fake Bot API and the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.replicas.fleet import Fleet, fleet
from tests.slack.fake_web_api import FakeSlack
from tests.telegram.fake_bot_api import FakeBotApi, FloodLimits


@pytest.fixture
async def replicas(tmp_path: Path, pg_url: str) -> AsyncIterator[Fleet]:
    """An empty fleet on an empty database; every replica left running is killed after."""
    async with fleet(tmp_path, pg_url) as group:
        yield group


# Telegram's limits, forgiving 15% of a period instead of 5%. The fake shares this test
# process's event loop, which after a thousand tests in one process can stall mid-fan-out and
# stamp several arrivals at once (a 429 that Telegram would not send: in one of several full
# runs, alone never). What these tests guard against is replicas that together send twice
# the rate (each pacing alone, or both delivering): that is caught by any tolerance below 50%.
# The limiter's exact spacing is tested against the strict fake in tests/telegram/.
REPLICA_LIMITS = FloodLimits(tolerance=0.15)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(limits=REPLICA_LIMITS) as server:
        yield server


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.close()
