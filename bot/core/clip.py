"""Cutting text to a length, the one way every reply, menu and manifest does it."""

from __future__ import annotations

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else its start and an ellipsis, `limit` long."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS
