"""Alembic environment: runs on a connection handed over by briefings.db, or on DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from briefings.db import DEFAULT_URL, create_engine, include_in_autogenerate
from briefings.models import Base

target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_in_autogenerate,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(_configure_and_run)
        await conn.commit()
    await engine.dispose()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    if context.is_offline_mode():
        raise SystemExit("Offline migrations are not supported; run `briefbot migrate`.")
    url = os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    asyncio.run(_run_with_url(url or DEFAULT_URL))


run()
