"""Replicas: events already handled, leases (who leads, who polls), shared send pacing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)

# PostgreSQL only: reserves the next send time for every key at once (the token's overall
# budget and the chat's), in one round trip and under row locks, so replicas together keep
# the spacing. Callers pass keys in sorted order, which keeps lock order fixed (no deadlock).
# Returns the seconds to wait before sending.
RESERVE_FUNCTION = """
CREATE OR REPLACE FUNCTION briefbot_reserve(keys text[], spacings double precision[])
RETURNS double precision AS $$
DECLARE
  now_ts timestamptz := clock_timestamp();
  at_ts timestamptz := clock_timestamp();
  next_ts timestamptz;
  i integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
    INSERT INTO send_pacing (key, next_at) VALUES (keys[i], now_ts)
      ON CONFLICT (key) DO NOTHING;
    SELECT next_at INTO next_ts FROM send_pacing WHERE key = keys[i] FOR UPDATE;
    IF next_ts > at_ts THEN
      at_ts := next_ts;
    END IF;
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
    UPDATE send_pacing SET next_at = at_ts + make_interval(secs => spacings[i])
      WHERE key = keys[i];
  END LOOP;
  RETURN extract(epoch FROM at_ts - now_ts);
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "seen_events",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("seen_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_seen_events"),
    )
    op.create_index("ix_seen_events_seen_at", "seen_events", ["seen_at"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("holder", sa.String(160), nullable=False),
        sa.Column("acquired_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    op.create_table(
        "send_pacing",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("next_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_send_pacing"),
    )
    op.create_index("ix_send_pacing_next_at", "send_pacing", ["next_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(RESERVE_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS briefbot_reserve(text[], double precision[])")
    op.drop_index("ix_send_pacing_next_at", table_name="send_pacing")
    op.drop_table("send_pacing")
    op.drop_table("leases")
    op.drop_index("ix_seen_events_seen_at", table_name="seen_events")
    op.drop_table("seen_events")
