"""Immutable read models handed out by the store; callers never see ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceView:
    id: int
    key: str
    outlet: str
    headline: str
    url: str | None
    published: dt.date | None


@dataclass(frozen=True)
class PointView:
    id: int
    topic_slug: str
    text: str
    importance: int
    status: str
    version: int
    updated_at: dt.datetime
    updated_by: str
    sources: tuple[SourceView, ...]
    # (since, fingerprint) of what readers saw of the point, oldest first (fingerprint None:
    # not published then); what a `changes` digest compares. Filled in the catalog only.
    history: tuple[tuple[dt.datetime, str | None], ...] = field(
        default=(), repr=False, compare=False
    )

    @property
    def corroborated(self) -> bool:
        return len(self.sources) > 1

    def fingerprint_at(self, moment: dt.datetime) -> str | None:
        """What readers saw of the point at `moment` (UTC): None if it was not published."""
        seen = None
        for since, fingerprint in self.history:
            if since > moment:
                break
            seen = fingerprint
        return seen


@dataclass(frozen=True)
class TopicView:
    id: int
    slug: str
    title: str
    description: str
    aliases: tuple[str, ...]
    position: int
    points: tuple[PointView, ...]

    @property
    def updated_at(self) -> dt.datetime | None:
        return max((p.updated_at for p in self.points), default=None)


@dataclass(frozen=True)
class Catalog:
    """Everything published, as of one content revision: what readers are served from."""

    revision: int
    topics: tuple[TopicView, ...]
    sources: tuple[SourceView, ...]
    _by_name: dict[str, TopicView] = field(default_factory=dict, repr=False, compare=False)
    _points: dict[int, PointView] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for topic in self.topics:
            self._by_name[topic.slug] = topic
            for alias in topic.aliases:
                self._by_name.setdefault(alias, topic)
            for point in topic.points:
                self._points[point.id] = point

    def topic(self, name: str) -> TopicView | None:
        return self._by_name.get(name.casefold())

    def point(self, point_id: int) -> PointView | None:
        return self._points.get(point_id)

    @property
    def topic_names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def point_count(self) -> int:
        return len(self._points)

    def digest(self) -> list[tuple[TopicView, list[PointView]]]:
        """Every topic with its points, most important first (points are kept in that order)."""
        return [(t, list(t.points)) for t in self.topics if t.points]


@dataclass(frozen=True)
class SearchHit:
    point: PointView
    topic: TopicView


@dataclass(frozen=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
