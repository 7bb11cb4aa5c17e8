"""Turning key points into Reply sections whose citations share one numbered source list."""

from __future__ import annotations

import datetime as dt

from bot.core.messages import Item, SourceRef
from briefings.schedule import as_utc
from briefings.views import PointView, SourceView


class Citations:
    """Numbers sources in the order a reply first cites them."""

    def __init__(self) -> None:
        self._numbers: dict[int, int] = {}
        self._refs: list[SourceRef] = []

    def cite(self, sources: tuple[SourceView, ...]) -> tuple[int, ...]:
        numbers = []
        for source in sources:
            if source.id not in self._numbers:
                self._refs.append(SourceRef(source.outlet, source.headline, source.published))
                self._numbers[source.id] = len(self._refs)
            numbers.append(self._numbers[source.id])
        return tuple(numbers)

    @property
    def refs(self) -> tuple[SourceRef, ...]:
        return tuple(self._refs)


def point_item(point: PointView, citations: Citations, tag: str | None = None) -> Item:
    return Item(text=point.text, cites=citations.cite(point.sources), tag=tag, ref=f"#{point.id}")


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "never"
    return as_utc(moment).strftime("%d %b %Y %H:%M UTC")
