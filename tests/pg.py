"""PostgreSQL for tests: an empty public schema per test, when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio

from briefings.db import create_engine


async def _reset(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()


def reset_postgres(url: str) -> None:
    asyncio.run(_reset(url))
