"""Every limit of ingestion in one place, and a plain sentence for each way an article is refused.

The chat layer words its own replies; these sentences are a default it may show as they are."""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_ARTICLE_CHARS = 200_000
MAX_PROPOSAL_CHARS = 300

REJECTION_REASONS: dict[str, str] = {
    "empty": "The article is empty.",
    "no_story": "Nothing that reads like a news story was left once the page clutter was gone.",
    "too_long": f"The article is longer than {MAX_ARTICLE_CHARS:,} characters.",
    "too_large": f"The document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
    "binary": "The document is not text (it looks like a binary file or an unknown encoding).",
    "not_english": "The article does not appear to be in English, the only language supported.",
}
