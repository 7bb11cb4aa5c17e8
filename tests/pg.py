"""PostgreSQL for tests: an empty public schema per test, when TEST_DATABASE_URL is set, and
shared pacers as replicas have them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from briefings.db import create_engine
from briefings.pacing import SharedPacer
from briefings.send_path import send_path_engine


async def _reset(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()


def reset_postgres(url: str) -> None:
    asyncio.run(_reset(url))


@asynccontextmanager
async def replica_pacers(engine: AsyncEngine, count: int = 2) -> AsyncIterator[list[SharedPacer]]:
    """Shared pacers as `count` replicas have them, each on a send path pool of its own, on
    the migrated PostgreSQL database `engine` opens."""
    paths = [send_path_engine(engine) for _ in range(count)]
    try:
        yield [SharedPacer(path) for path in paths if path is not None]
    finally:
        for path in paths:
            if path is not None:
                await path.dispose()
