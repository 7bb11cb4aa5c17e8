"""How the core asks for an article behind a link, without knowing how it is fetched: the
composition root hands in a fetcher that enforces the bot's rules (schemes, private addresses,
size and time limits) and raises FetchFailed with a sentence for the admin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FetchedDocument:
    url: str  # after redirects
    body: bytes
    content_type: str | None
    filename: str | None


class FetchFailed(Exception):
    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


UrlFetcher = Callable[[str], Awaitable[FetchedDocument]]
