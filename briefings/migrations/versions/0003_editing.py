"""Editing by more people: audit entries know who made them by platform and user id, and the
columns that store a person's display name fit a long Telegram name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR_ID = sa.String(96)
# What the bot wrote as the actor so far: "platform:user_id (display name)". Anything else
# (such as "seed") was written by the bot or an operator and is its own id.
_WRITTEN_ACTOR = re.compile(r"(?P<id>[^\s:()]+:\S+) \(")
# Columns holding a display name, widened from 120 characters to 160.
NARROW, WIDE = 120, 160
_NAME_COLUMNS = {"key_points": ("created_by", "updated_by"), "admins": ("granted_by",)}


def _actor_id(actor: str) -> str:
    match = _WRITTEN_ACTOR.match(actor)
    return (match["id"] if match else actor)[:96]


def _backfill_actor_ids() -> None:
    conn = op.get_bind()
    audit = sa.table("audit_log", sa.column("actor", sa.String()), sa.column("actor_id", ACTOR_ID))
    # One update per distinct actor: a long trail has few people in it.
    for actor in conn.scalars(sa.select(audit.c.actor).distinct()).all():
        conn.execute(audit.update().where(audit.c.actor == actor).values(actor_id=_actor_id(actor)))


def _resize(table: str, old: int, new: int) -> None:
    with op.batch_alter_table(table) as batch:
        for column in _NAME_COLUMNS[table]:
            batch.alter_column(
                column, existing_type=sa.String(old), type_=sa.String(new), existing_nullable=False
            )


def _resize_key_points(old: int, new: int) -> None:
    """On SQLite the batch copies key_points and drops the old table, and dropping it deletes
    the rows of point_sources through their ON DELETE CASCADE (the migration runs inside a
    transaction, where foreign keys cannot be switched off): keep them and put them back."""
    conn = op.get_bind()
    links = sa.table("point_sources", sa.column("point_id"), sa.column("source_id"))
    kept = [{"point_id": p, "source_id": s} for p, s in conn.execute(sa.select(links)).all()]
    _resize("key_points", old, new)
    if conn.scalar(sa.select(sa.func.count()).select_from(links)) != len(kept):
        conn.execute(links.delete())
        if kept:
            conn.execute(links.insert(), kept)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("actor_id", ACTOR_ID, nullable=True))
    _backfill_actor_ids()
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("actor_id", existing_type=ACTOR_ID, nullable=False)
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor_id"])
    _resize_key_points(NARROW, WIDE)
    _resize("admins", NARROW, WIDE)


def downgrade() -> None:
    # Names longer than the old columns are cut to fit, as PostgreSQL would refuse them.
    for table, columns in _NAME_COLUMNS.items():
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = substr({column}, 1, {NARROW}) "
                f"WHERE length({column}) > {NARROW}"
            )
    _resize("admins", WIDE, NARROW)
    _resize_key_points(WIDE, NARROW)
    op.drop_index(op.f("ix_audit_log_actor_id"), table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("actor_id")
