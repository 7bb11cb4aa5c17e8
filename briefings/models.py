"""SQLAlchemy 2 tables. Alembic's autogenerate compares the migrations against this metadata."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from briefings.actors import ACTOR_ID_LENGTH, ACTOR_LENGTH

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PUBLISHED = "published"
PROPOSED = "proposed"
RETRACTED = "retracted"
POINT_STATUSES = (PUBLISHED, PROPOSED, RETRACTED)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


point_sources = Table(
    "point_sources",
    Base.metadata,
    Column("point_id", ForeignKey("key_points.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete="RESTRICT"), primary_key=True),
)


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(200), default="")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    points: Mapped[list[KeyPoint]] = relationship(back_populates="topic")


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    outlet: Mapped[str] = mapped_column(String(120))
    headline: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    published: Mapped[dt.date | None] = mapped_column(Date)
    # An ingested article's cleaned text, hashed: the same article pasted twice is one source.
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    ingested_by: Mapped[str | None] = mapped_column(String(160))
    ingested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class KeyPoint(Base):
    __tablename__ = "key_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key of a curated point; seeding matches on it so reseeding never duplicates.
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(Text)
    importance: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default=PUBLISHED, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    created_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH), default="seed")
    updated_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH), default="seed")
    # What readers see of the point (text and sources; None while not published), as its
    # latest PointContent row records it: a change that leaves this alone records no row.
    fingerprint: Mapped[str | None] = mapped_column(String(64))

    topic: Mapped[Topic] = relationship(back_populates="points")
    sources: Mapped[list[Source]] = relationship(secondary=point_sources, order_by=Source.id)


class PointContent(Base):
    """From `since` on, what readers saw of a point had this fingerprint (None: not published).
    A `changes` digest compares a point's fingerprint now with the one at the chat's last
    digest, so a change taken back since (an /undo, an edit written back) is not news, and
    neither is a change readers do not see (importance, a move)."""

    __tablename__ = "point_contents"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(
        ForeignKey("key_points.id", ondelete="CASCADE"), index=True
    )
    since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    fingerprint: Mapped[str | None] = mapped_column(String(64))

    point: Mapped[KeyPoint] = relationship()


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Proposal(Base):
    """A statement drawn from an ingested article, waiting for an admin. Approving it publishes
    a new point, or (when it repeats a point) adds the article as that point's source."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in the review list: best first
    text: Mapped[str] = mapped_column(Text)
    # The text's hash, case, quotes and spacing aside (proposals.text_key): an article that is
    # mostly one ingested before is found by the statements they share.
    text_key: Mapped[str | None] = mapped_column(String(16), index=True)
    topic: Mapped[str | None] = mapped_column(String(32))  # an existing topic's slug
    alternatives: Mapped[list[str]] = mapped_column(default=list)
    new_topic_slug: Mapped[str | None] = mapped_column(String(32))
    new_topic_title: Mapped[str | None] = mapped_column(String(120))
    # The published point(s) it repeats: approving cites the article there instead.
    corroborates: Mapped[int | None] = mapped_column(
        ForeignKey("key_points.id", ondelete="SET NULL")
    )
    also_corroborates: Mapped[list[int]] = mapped_column(JSON, default=list)
    candidates: Mapped[list[int]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    importance: Mapped[int] = mapped_column(Integer, default=3)
    flags: Mapped[list[str]] = mapped_column(default=list)
    heading: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.PENDING, index=True)
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(160))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The point approving it published (None for a corroboration or while pending).
    point_id: Mapped[int | None] = mapped_column(ForeignKey("key_points.id", ondelete="SET NULL"))

    source: Mapped[Source] = relationship()


class Admin(Base):
    __tablename__ = "admins"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="admin")
    granted_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(ACTOR_LENGTH))  # for display; names change
    # "platform:user_id" (or a system name): who made the change, whatever they are called now.
    actor_id: Mapped[str] = mapped_column(String(ACTOR_ID_LENGTH), index=True)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()


class ChatStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # the bot was blocked or removed (Telegram)
    UNREACHABLE = "unreachable"  # the conversation is gone or closed to the bot
    MOVED = "moved"  # the platform gave the chat a new id (Telegram group -> supergroup)

    @property
    def reachable(self) -> bool:
        return self in (ChatStatus.ACTIVE, ChatStatus.MOVED)


class Chat(Base):
    """A chat the bot has had to remember something about, such as being blocked or moved."""

    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ChatStatus.ACTIVE.value)
    reason: Mapped[str] = mapped_column(String(200), default="")
    # Where a chat went when the platform moved it (a Telegram group becoming a supergroup).
    moved_to: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


CHANGES = "changes"
FULL = "full"
DIGEST_MODES = (CHANGES, FULL)


class Subscription(Base):
    """A chat's scheduled digest: when (local time, IANA zone, weekdays), what, and its state."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(16), default="private")
    thread_id: Mapped[str | None] = mapped_column(String(64))
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    # ISO weekdays as digits, Monday = 1: "1234567" is every day.
    days: Mapped[str] = mapped_column(String(7))
    topics: Mapped[list[str]] = mapped_column(default=list)  # empty: every topic
    mode: Mapped[str] = mapped_column(String(8), default=CHANGES)
    active: Mapped[bool] = mapped_column(default=True, index=True)
    pause_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the schedule last changed: slots before it are not owed after downtime.
    schedule_changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # Content cut-off of the last digest sent: "changes" digests show what changed after it.
    delivered_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class DeliveryState(StrEnum):
    """Where a ledger row stands. Only the claimant of a CLAIMED or SENDING row sends."""

    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    EMPTY = "empty"


class Delivery(Base):
    """The ledger: one row per (subscription, slot). Claiming the row is the right to send."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    slot: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), index=True)
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(200), default="")
    # Platform message ids, recorded after each message the platform confirmed.
    message_ids: Mapped[list[str]] = mapped_column(default=list)
    # Index of the message (in the digest's list) that left for the platform and is not yet
    # confirmed; cleared once it is. Left set only by a process that died mid-send.
    leaving: Mapped[int | None] = mapped_column(Integer)
    content_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StoreMeta(Base):
    """Small key/value facts about the store, such as the content revision readers cache against."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class SeenEvent(Base):
    """A platform event or update already taken by some replica (Slack event_id, Telegram
    update_id), kept for the platform's retry window so a redelivery is handled once."""

    __tablename__ = "seen_events"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class Lease(Base):
    """A right held by one process until `expires_at` unless renewed: leading digest delivery,
    polling a Telegram token. A holder that dies loses it when the lease runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(160), primary_key=True)
    holder: Mapped[str] = mapped_column(String(160))
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SendPacing(Base):
    """When the next message under a key (a token's overall budget, one chat) may leave: the
    budget replicas share on PostgreSQL (see the `briefbot_reserve` function in 0005)."""

    __tablename__ = "send_pacing"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    next_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
