"""Subscriptions to scheduled digests and the delivery ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("chat_kind", sa.String(16), nullable=False),
        sa.Column("thread_id", sa.String(64), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("days", sa.String(7), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("pause_reason", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("schedule_changed_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("delivered_until", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_subscriptions_platform")),
    )
    op.create_index(op.f("ix_subscriptions_active"), "subscriptions", ["active"])
    op.create_index(op.f("ix_subscriptions_updated_at"), "subscriptions", ["updated_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("slot", TZ, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(80), nullable=False),
        sa.Column("claimed_at", TZ, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("content_until", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_deliveries_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("subscription_id", "slot", name=op.f("uq_deliveries_subscription_id")),
    )
    op.create_index(op.f("ix_deliveries_state"), "deliveries", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_state"), table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_subscriptions_updated_at"), table_name="subscriptions")
    op.drop_index(op.f("ix_subscriptions_active"), table_name="subscriptions")
    op.drop_table("subscriptions")
