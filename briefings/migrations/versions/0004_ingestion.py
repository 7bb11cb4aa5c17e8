"""Article ingestion: sources remember the article they came from; proposals await review.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index: a batch (copy and rebuild) of `sources` would drop
    # a table that points reference, which SQLite's foreign keys refuse on a live database.
    op.add_column("sources", sa.Column("fingerprint", sa.String(64), nullable=True))
    op.add_column("sources", sa.Column("ingested_by", sa.String(160), nullable=True))
    op.add_column("sources", sa.Column("ingested_at", TZ, nullable=True))
    op.create_index("ix_sources_fingerprint", "sources", ["fingerprint"], unique=True)
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(32), nullable=True),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("new_topic_slug", sa.String(32), nullable=True),
        sa.Column("new_topic_title", sa.String(120), nullable=True),
        sa.Column("corroborates", sa.Integer(), nullable=True),
        sa.Column("also_corroborates", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("heading", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_by", sa.String(160), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name="fk_proposals_source_id_sources",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corroborates"],
            ["key_points.id"],
            name="fk_proposals_corroborates_key_points",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["key_points.id"],
            name="fk_proposals_point_id_key_points",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_proposals"),
    )
    op.create_index("ix_proposals_source_id", "proposals", ["source_id"])
    op.create_index("ix_proposals_status", "proposals", ["status"])


def downgrade() -> None:
    op.drop_index("ix_proposals_status", table_name="proposals")
    op.drop_index("ix_proposals_source_id", table_name="proposals")
    op.drop_table("proposals")
    op.drop_index("ix_sources_fingerprint", table_name="sources")
    op.drop_column("sources", "ingested_at")
    op.drop_column("sources", "ingested_by")
    op.drop_column("sources", "fingerprint")
