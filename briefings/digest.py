"""What a digest contains: every topic (mode "full"), or what changed since a chat's last
digest (mode "changes"), most important first.

"Changed" means what readers see: a point is in a `changes` digest when it is new, or its
text or sources differ from what they were at the chat's last digest. A change taken back
since (an /undo, an edit written back, a removal undone) is not news, and neither is an
importance change or a move: readers already have the point's words and sources, and a move
only files them elsewhere (so a chat following some topics is not told of a point moved into
one of them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from briefings.models import FULL
from briefings.schedule import as_utc
from briefings.views import Catalog, PointView, TopicView


@dataclass(frozen=True)
class Digest:
    full: bool
    topics: tuple[tuple[TopicView, tuple[PointView, ...]], ...]
    # The newest change this digest could include; the next "changes" digest starts after it.
    content_until: dt.datetime | None

    @property
    def empty(self) -> bool:
        return not self.topics

    @property
    def point_count(self) -> int:
        return sum(len(points) for _, points in self.topics)


def _news(point: PointView, since: dt.datetime) -> bool:
    """Whether readers saw something else of the point at `since`, or nothing (not
    published then); its current fingerprint is its latest."""
    if not point.history:
        return True  # no record of it before now: it is new
    return point.fingerprint_at(since) != point.history[-1][1]


def compose(
    catalog: Catalog,
    topics: tuple[str, ...],
    mode: str,
    since: dt.datetime | None,
    until: dt.datetime | None = None,
) -> Digest:
    """`since` is the previous digest's cut-off (None: never delivered, so the digest is full).
    `until` pins the cut-off when a digest is resumed, so it is composed the same way again."""
    wanted = {t.slug for t in map(catalog.topic, topics) if t is not None}
    full = mode == FULL or since is None
    cutoff = as_utc(until) if until else None
    chosen = []
    newest: dt.datetime | None = None
    for topic in catalog.topics:
        # `topics`, not `wanted`: a chat that chose only topics since removed gets nothing,
        # not every topic.
        if topics and topic.slug not in wanted:
            continue
        points = []
        for point in topic.points:
            changed = as_utc(point.updated_at)
            if cutoff is not None and changed > cutoff:
                continue
            if newest is None or changed > newest:
                newest = changed
            if full or (since is not None and _news(point, as_utc(since))):
                points.append(point)
        if points:
            chosen.append((topic, tuple(points)))
    content_until = cutoff or newest or since
    return Digest(full, tuple(chosen), content_until)
