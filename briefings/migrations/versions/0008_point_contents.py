"""What readers saw of each point, and since when: `changes` digests compare a point's text and
sources with what they were at a chat's last digest, instead of its last update time (which an
/undo, an importance change or a move also moves).

Each existing point gets one row, from its last update on, so the first digest after the
upgrade lists what the last update time would have listed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fingerprint(text: str, source_keys: list[str]) -> str:
    # A copy of briefings.points.fingerprint as it was when this migration was written: a
    # migration must not change when the code does.
    cited = "\x1f".join(sorted(source_keys))
    return hashlib.sha256(f"{text}\x00{cited}".encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "point_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["key_points.id"],
            name=op.f("fk_point_contents_point_id_key_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_contents")),
    )
    op.create_index(op.f("ix_point_contents_point_id"), "point_contents", ["point_id"])
    op.add_column("key_points", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    _backfill()


def _backfill() -> None:
    conn = op.get_bind()
    cited: dict[int, list[str]] = {}
    links = sa.text(
        "SELECT ps.point_id, s.key FROM point_sources ps JOIN sources s ON s.id = ps.source_id"
    )
    for point_id, key in conn.execute(links):
        cited.setdefault(point_id, []).append(key)
    points = conn.execute(sa.text("SELECT id, text, status, updated_at FROM key_points")).all()
    rows = []
    for point_id, text, status, updated_at in points:
        published = status == "published"
        fingerprint = _fingerprint(text, cited.get(point_id, [])) if published else None
        rows.append({"point_id": point_id, "since": updated_at, "fingerprint": fingerprint})
    if not rows:
        return
    conn.execute(
        sa.text("UPDATE key_points SET fingerprint = :fingerprint WHERE id = :point_id"), rows
    )
    conn.execute(
        sa.text(
            "INSERT INTO point_contents (point_id, since, fingerprint) "
            "VALUES (:point_id, :since, :fingerprint)"
        ),
        rows,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_point_contents_point_id"), table_name="point_contents")
    op.drop_table("point_contents")
    # ALTER TABLE ... DROP COLUMN in place (SQLite has it since 3.35), not a batch copy: a
    # copy drops the old key_points, which on SQLite deletes point_sources' rows through
    # their ON DELETE CASCADE and clears proposals.point_id through its SET NULL.
    op.drop_column("key_points", "fingerprint")
