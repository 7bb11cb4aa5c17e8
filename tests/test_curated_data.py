"""Checks on the curated briefing data: structure, citations, and that the points are our words."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).resolve().parents[1] / "briefings" / "data" / "putin_dprk_2024.yaml"
SEEDS_DIR = Path(__file__).resolve().parent / "fixtures" / "articles"

REQUIRED_TOPICS = (
    "visit",
    "treaty",
    "delegation",
    "arms",
    "economy",
    "reactions",
    "vietnam",
    "background",
)
MIN_POINTS_PER_TOPIC = 3
MAX_COPIED_RUN = 8  # a run of this many words shared with a seed counts as copied
MIN_TEXT, MAX_TEXT = 20, 350
MAX_DESCRIPTION = 80

COMMAND = re.compile(r"^[a-z]+$")
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SEED_NAME = re.compile(r"^[\w.-]+\.txt$")
WORD = re.compile(r"[\w']+")
MARKUP = re.compile(r"<[^>]+>|\*\*|__|`|^\s*[-*#>]\s", re.MULTILINE)
QUOTE_FOLDS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


# --------------------------------------------------------------------------- helpers


def load_data() -> dict[str, Any]:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert isinstance(raw, dict), "the briefing file must be a mapping"
    return raw


def sources_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    sources = data.get("sources")
    assert isinstance(sources, list), "'sources' must be a list"
    assert all(isinstance(s, dict) for s in sources), "each source must be a mapping"
    return sources


def topics_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    topics = data.get("topics")
    assert isinstance(topics, list), "'topics' must be a list"
    assert all(isinstance(t, dict) for t in topics), "each topic must be a mapping"
    return topics


def points_of(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every point with the slug of the topic it belongs to."""
    found: list[tuple[str, dict[str, Any]]] = []
    for topic in topics_of(data):
        points = topic.get("points")
        assert isinstance(points, list), f"topic {topic.get('slug')!r}: 'points' must be a list"
        for point in points:
            assert isinstance(point, dict), f"topic {topic.get('slug')!r}: a point is not a mapping"
            found.append((str(topic.get("slug")), point))
    return found


def words(text: str) -> list[str]:
    return WORD.findall(text.translate(QUOTE_FOLDS).lower())


def ngrams(tokens: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def copied_runs(text: str, seed_grams: set[tuple[str, ...]]) -> list[str]:
    """The runs of MAX_COPIED_RUN words in text that also occur in a seed."""
    return [" ".join(g) for g in sorted(ngrams(words(text), MAX_COPIED_RUN) & seed_grams)]


def require_seeds() -> list[Path]:
    # The seeds ship with the repository, so a missing one is a failure, never a skip.
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    assert seeds, f"no seed articles in {SEEDS_DIR}"
    return seeds


def seed_ngrams() -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for seed in require_seeds():
        grams |= ngrams(words(seed.read_text(encoding="utf-8")), MAX_COPIED_RUN)
    return grams


# --------------------------------------------------------------------------- structure


def test_event_block() -> None:
    event = load_data().get("event")
    assert isinstance(event, dict), "'event' must be a mapping"
    assert event.get("slug") == "putin-dprk-2024"
    for field in ("title", "summary"):
        value = event.get(field)
        assert isinstance(value, str), f"event {field} must be text"
        assert value.strip(), f"event {field} must not be empty"


def test_sources_are_well_formed() -> None:
    sources = sources_of(load_data())
    assert sources, "there must be at least one source"
    keys = [s.get("key") for s in sources]
    assert len(keys) == len(set(keys)), f"duplicate source keys: {keys}"
    for source in sources:
        key = source.get("key")
        assert isinstance(key, str), f"source key must be text: {source!r}"
        assert KEY.match(key), f"bad source key {key!r}"
        for field in ("outlet", "headline"):
            value = source.get(field)
            assert isinstance(value, str), f"{key}: {field} must be text"
            assert value.strip(), f"{key}: {field} must not be empty"
        assert "url" in source, f"{key}: 'url' must be present (null when unknown)"
        assert source["url"] is None or isinstance(source["url"], str), f"{key}: bad url"
        assert "published" in source, f"{key}: 'published' must be present (null when unknown)"
        published = source["published"]
        assert published is None or isinstance(published, dt.date), f"{key}: bad date"
        seed = source.get("seed")
        assert isinstance(seed, str), f"{key}: seed must be text"
        assert SEED_NAME.match(seed), f"{key}: bad seed file name {seed!r}"


def test_topics_are_well_formed() -> None:
    topics = topics_of(load_data())
    names: list[str] = []
    for topic in topics:
        slug = topic.get("slug")
        assert isinstance(slug, str), f"topic slug must be text: {topic!r}"
        assert COMMAND.match(slug), f"bad topic slug {slug!r}"
        for field in ("title", "description"):
            value = topic.get(field)
            assert isinstance(value, str), f"{slug}: {field} must be text"
            assert value.strip(), f"{slug}: {field} must not be empty"
        assert len(topic["description"]) <= MAX_DESCRIPTION, f"{slug}: description too long"
        aliases = topic.get("aliases", [])
        assert isinstance(aliases, list), f"{slug}: aliases must be a list"
        for alias in aliases:
            assert isinstance(alias, str), f"{slug}: alias must be text: {alias!r}"
            assert COMMAND.match(alias), f"{slug}: bad alias {alias!r}"
        names.extend([slug, *aliases])
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"command names used more than once: {duplicates}"


def test_required_topics_exist_with_enough_points() -> None:
    topics = {str(t.get("slug")): t for t in topics_of(load_data())}
    for slug in REQUIRED_TOPICS:
        assert slug in topics, f"required topic {slug!r} is missing"
        points = topics[slug].get("points")
        assert isinstance(points, list), f"{slug}: 'points' must be a list"
        assert len(points) >= MIN_POINTS_PER_TOPIC, f"{slug}: fewer than {MIN_POINTS_PER_TOPIC}"
    order = [s for s in topics if s in REQUIRED_TOPICS]
    assert order == list(REQUIRED_TOPICS), f"required topics out of order: {order}"


def test_points_are_well_formed() -> None:
    points = points_of(load_data())
    assert points, "there must be at least one point"
    keys = [p.get("key") for _, p in points]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not duplicates, f"duplicate point keys: {duplicates}"
    for slug, point in points:
        key = point.get("key")
        assert isinstance(key, str), f"{slug}: point key must be text: {point!r}"
        assert KEY.match(key), f"{slug}: bad point key {key!r}"
        importance = point.get("importance")
        assert isinstance(importance, int), f"{key}: importance must be an integer"
        assert not isinstance(importance, bool), f"{key}: importance must be an integer"
        assert 1 <= importance <= 5, f"{key}: importance {importance} not in 1..5"
        text = point.get("text")
        assert isinstance(text, str), f"{key}: text must be text"
        assert MIN_TEXT <= len(text) <= MAX_TEXT, f"{key}: text length {len(text)}"
        assert text == text.strip(), f"{key}: text has surrounding white space"
        assert not MARKUP.search(text), f"{key}: text must be plain (no markdown or HTML)"


def test_citations_resolve_and_every_source_is_used() -> None:
    data = load_data()
    source_keys = {str(s.get("key")) for s in sources_of(data)}
    cited: set[str] = set()
    for _, point in points_of(data):
        key = point.get("key")
        sources = point.get("sources")
        assert isinstance(sources, list), f"{key}: sources must be a list"
        assert sources, f"{key}: a point must cite at least one source"
        assert all(isinstance(s, str) for s in sources), f"{key}: source keys must be text"
        assert len(sources) == len(set(sources)), f"{key}: a source is cited twice"
        unknown = sorted(set(sources) - source_keys)
        assert not unknown, f"{key}: cites unknown sources {unknown}"
        cited.update(sources)
    unused = sorted(source_keys - cited)
    assert not unused, f"sources never cited: {unused}"


# --------------------------------------------------------------------------- against the seeds


def test_seed_fields_name_existing_files() -> None:
    available = {p.name for p in require_seeds()}
    for source in sources_of(load_data()):
        seed = source.get("seed")
        assert seed in available, f"{source.get('key')}: seed file {seed!r} not found"


def test_key_points_are_ours() -> None:
    grams = seed_ngrams()
    copied: dict[str, list[str]] = {}
    for _, point in points_of(load_data()):
        runs = copied_runs(str(point.get("text", "")), grams)
        if runs:
            copied[str(point.get("key"))] = runs
    assert not copied, f"points reuse {MAX_COPIED_RUN}+ consecutive words from a seed: {copied}"


def test_event_summary_is_ours() -> None:
    grams = seed_ngrams()
    event = load_data().get("event") or {}
    runs = copied_runs(str(event.get("summary", "")), grams)
    assert not runs, f"event summary reuses words from a seed: {runs}"


def test_copy_check_catches_a_copied_sentence() -> None:
    """The guard above must be able to fail: a sentence lifted from a seed is flagged."""
    seeds = require_seeds()
    lifted = ""
    for seed in seeds:
        tokens = words(seed.read_text(encoding="utf-8"))
        if len(tokens) >= MAX_COPIED_RUN + 4:
            lifted = " ".join(tokens[2 : 2 + MAX_COPIED_RUN + 2]).capitalize() + "."
            break
    assert lifted, "no seed long enough to lift a sentence from"
    assert copied_runs(lifted, seed_ngrams())
    # Curly quotes and case differences must not hide a copy.
    disguised = lifted.upper().replace("'", "\u2019")
    assert copied_runs(disguised, seed_ngrams())
    # A different wording of the same length passes.
    assert not copied_runs("Zebra quartz " * (MAX_COPIED_RUN // 2 + 1), seed_ngrams())
