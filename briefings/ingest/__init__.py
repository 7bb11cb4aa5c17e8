"""Article -> proposals: clean the page, split it into sentences, assign topics, fold repeats,
score. Pure functions over neutral dataclasses; no database, no chat. Heavy libraries
(trafilatura, syntok, scikit-learn, rapidfuzz) load on first use, not on import."""

from briefings.ingest.limits import (
    MAX_ARTICLE_CHARS,
    MAX_DOCUMENT_BYTES,
    MAX_PROPOSAL_CHARS,
    REJECTION_REASONS,
)
from briefings.ingest.pipeline import fingerprint, propose
from briefings.ingest.types import (
    ArticleInput,
    IngestResult,
    NewTopic,
    PendingDoc,
    PointDoc,
    ProposalDraft,
    TopicDoc,
)

__all__ = [
    "MAX_ARTICLE_CHARS",
    "MAX_DOCUMENT_BYTES",
    "MAX_PROPOSAL_CHARS",
    "REJECTION_REASONS",
    "ArticleInput",
    "IngestResult",
    "NewTopic",
    "PendingDoc",
    "PointDoc",
    "ProposalDraft",
    "TopicDoc",
    "fingerprint",
    "propose",
]
