"""Each proposal keeps a hash of its text, so that an article that is mostly one ingested
before (a wire story's update, the same report in another outlet) is found by the statements
they share, and proposes only what is new, cited to that source.

Existing proposals get their hash here, so articles ingested before the upgrade are found too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from briefings.proposals import text_key

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    op.add_column("proposals", sa.Column("text_key", sa.String(length=16), nullable=True))
    op.create_index("ix_proposals_text_key", "proposals", ["text_key"])
    proposals = sa.table(
        "proposals",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("text_key", sa.String),
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(proposals.c.id, proposals.c.text)
            .where(proposals.c.id > last)
            .order_by(proposals.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            proposals.update()
            .where(proposals.c.id == sa.bindparam("row_id"))
            .values(text_key=sa.bindparam("key")),
            [{"row_id": row.id, "key": text_key(row.text)} for row in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_proposals_text_key", table_name="proposals")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("text_key")
