"""Splitting a long list of points into pages, so one topic command never floods a chat."""

from __future__ import annotations

from collections.abc import Sequence

from briefings.views import PointView

PAGE_POINTS = 10
# Point text on one page; about one message on every platform, with its sources under it.
PAGE_CHARS = 3000


def split_pages(
    points: Sequence[PointView], max_points: int = PAGE_POINTS, max_chars: int = PAGE_CHARS
) -> list[Sequence[PointView]]:
    """Consecutive pages in the points' own order (most important first): at most `max_points`
    points and `max_chars` characters of text each, and never an empty page."""
    pages: list[Sequence[PointView]] = []
    start, chars = 0, 0
    for n, point in enumerate(points):
        full = n - start >= max_points or chars + len(point.text) > max_chars
        if n > start and full:
            pages.append(points[start:n])
            start, chars = n, 0
        chars += len(point.text)
    if start < len(points):
        pages.append(points[start:])
    return pages
