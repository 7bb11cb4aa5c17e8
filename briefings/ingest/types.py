"""The neutral, frozen shapes at the seam between ingestion and its callers (store, chat core)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class PointDoc:
    """A published key point, as ingestion needs to see it."""

    id: int
    text: str


@dataclass(frozen=True)
class TopicDoc:
    slug: str
    title: str
    description: str
    aliases: tuple[str, ...]
    points: tuple[PointDoc, ...]


@dataclass(frozen=True)
class PendingDoc:
    """A proposal already waiting for review, so a later ingest can recognise it."""

    id: int
    text: str
    topic: str


@dataclass(frozen=True)
class ArticleInput:
    body: str | bytes
    content_type: str | None = None
    filename: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True)
class NewTopic:
    slug: str
    title: str


@dataclass(frozen=True)
class ProposalDraft:
    """One or two whole sentences of the article, with where they fit.

    `corroborates` is the id of a published point the text repeats (the article then becomes
    one of its sources instead of adding a point); `repeats_pending` is the id of a pending
    proposal it repeats. `candidates` are the three closest published points, best first.
    `topic` is None exactly when `new_topic` is set. `also_corroborates` lists other
    candidates that pass the same similarity bar (the article can cite them too)."""

    text: str
    topic: str | None
    topic_alternatives: tuple[str, ...]
    new_topic: NewTopic | None
    corroborates: int | None
    candidates: tuple[int, ...]
    score: float
    importance: int
    flags: tuple[str, ...]
    heading: str | None
    repeats_pending: int | None = None
    # Further candidates just as close: a sentence reporting two facts corroborates both.
    also_corroborates: tuple[int, ...] = ()


@dataclass(frozen=True)
class IngestResult:
    title: str | None
    outlet: str | None
    published: dt.date | None
    url: str | None
    cleaned_text: str
    fingerprint: str
    proposals: tuple[ProposalDraft, ...]
    # Story sentences longer than a proposal may be: shown to the admin, never cut.
    too_long: tuple[str, ...] = ()
    # The article is about something else than every topic: its proposals share one new topic.
    unrelated: bool = False
