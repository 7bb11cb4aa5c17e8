"""Read a curated briefings file (YAML) into plain data, checking it as it goes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefings.errors import InvalidBriefingData, InvalidText
from briefings.text_rules import SLUG, clean_point_text

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA_DIR / "putin_dprk_2024.yaml"

_SLUG = SLUG  # the same rule as topics added from the chat
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass(frozen=True)
class SourceData:
    key: str
    outlet: str
    headline: str
    url: str | None
    published: dt.date | None


@dataclass(frozen=True)
class PointData:
    key: str
    text: str
    importance: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class TopicData:
    slug: str
    title: str
    description: str
    aliases: tuple[str, ...]
    points: tuple[PointData, ...]


@dataclass(frozen=True)
class BriefingData:
    event_slug: str
    event_title: str
    sources: tuple[SourceData, ...]
    topics: tuple[TopicData, ...]


def _field(obj: dict[str, Any], name: str, where: str, kind: type = str) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind):
        raise InvalidBriefingData(f"{where}: '{name}' must be a {kind.__name__}")
    return value


def _source(raw: Any, where: str) -> SourceData:
    if not isinstance(raw, dict):
        raise InvalidBriefingData(f"{where}: expected a mapping")
    key = _field(raw, "key", where)
    if not _KEY.match(key):
        raise InvalidBriefingData(f"{where}: bad source key {key!r}")
    published = raw.get("published")
    if published is not None and not isinstance(published, dt.date):
        raise InvalidBriefingData(f"{where}: 'published' must be a date or null")
    url = raw.get("url")
    if url is not None and not isinstance(url, str):
        raise InvalidBriefingData(f"{where}: 'url' must be text or null")
    return SourceData(
        key, _field(raw, "outlet", where), _field(raw, "headline", where), url, published
    )


def _point(raw: Any, where: str, source_keys: set[str]) -> PointData:
    if not isinstance(raw, dict):
        raise InvalidBriefingData(f"{where}: expected a mapping")
    key = _field(raw, "key", where)
    if not _KEY.match(key):
        raise InvalidBriefingData(f"{where}: bad point key {key!r}")
    importance = _field(raw, "importance", where, int)
    if not 1 <= importance <= 5:
        raise InvalidBriefingData(f"{where}: importance must be 1 to 5")
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources:
        raise InvalidBriefingData(f"{where}: a point cites at least one source")
    missing = [s for s in sources if s not in source_keys]
    if missing:
        raise InvalidBriefingData(f"{where}: unknown sources {missing}")
    try:
        text = clean_point_text(_field(raw, "text", where))
    except InvalidText as exc:
        raise InvalidBriefingData(f"{where}: text is {exc.reason}") from exc
    return PointData(key, text, importance, tuple(sources))


def _topic(raw: Any, where: str, source_keys: set[str]) -> TopicData:
    if not isinstance(raw, dict):
        raise InvalidBriefingData(f"{where}: expected a mapping")
    slug = _field(raw, "slug", where)
    aliases = raw.get("aliases") or []
    for name in [slug, *aliases]:
        if not isinstance(name, str) or not _SLUG.match(name):
            raise InvalidBriefingData(f"{where}: bad command name {name!r}")
    points = raw.get("points") or []
    return TopicData(
        slug=slug,
        title=_field(raw, "title", where),
        description=str(raw.get("description") or ""),
        aliases=tuple(aliases),
        points=tuple(_point(p, f"{where}.points[{i}]", source_keys) for i, p in enumerate(points)),
    )


def parse_briefings(raw: Any) -> BriefingData:
    if not isinstance(raw, dict):
        raise InvalidBriefingData("the file must be a mapping with event, sources and topics")
    event = raw.get("event") or {}
    sources = tuple(_source(s, f"sources[{i}]") for i, s in enumerate(raw.get("sources") or []))
    keys = {s.key for s in sources}
    topics = tuple(_topic(t, f"topics[{i}]", keys) for i, t in enumerate(raw.get("topics") or []))
    names = [n for t in topics for n in (t.slug, *t.aliases)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidBriefingData(f"command names used twice: {duplicates}")
    point_keys = [p.key for t in topics for p in t.points]
    if len(point_keys) != len(set(point_keys)):
        raise InvalidBriefingData("point keys must be unique")
    return BriefingData(
        event_slug=str(event.get("slug") or ""),
        event_title=str(event.get("title") or ""),
        sources=sources,
        topics=topics,
    )


def load_briefings(path: Path = DEFAULT_FILE) -> BriefingData:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidBriefingData(f"cannot read {path}: {exc}") from exc
    return parse_briefings(raw)
