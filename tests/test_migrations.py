"""Migrations: upgrade from empty, downgrade to base, and the models match the migrations."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from briefings.db import (
    create_engine,
    current_revision,
    downgrade,
    head_revision,
    include_in_autogenerate,
    migrate,
)
from briefings.models import Base

pytestmark = pytest.mark.postgresql


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_upgrade_downgrade_and_models_match(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) is None
        assert await migrate(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            tables = await conn.run_sync(_tables)
        assert set(Base.metadata.tables) <= tables
        assert not await migrate(engine), "a second migrate must be a no-op"

        await downgrade(engine, "base")
        assert await current_revision(engine) is None
        async with engine.connect() as conn:
            left = await conn.run_sync(_tables)
        assert left <= {"alembic_version"}

        assert await migrate(engine)  # and back up again
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
