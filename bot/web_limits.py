"""Reading a webhook's body with a cap, before anything parses or verifies it.

A route that calls `request.body()` holds whatever a client sends, however large. Every webhook
route reads through `capped_body` instead: a declared Content-Length over the cap is refused
before a byte is read, and a body without one (chunked) is refused as soon as the running total
passes the cap, so memory stays bounded by the cap whatever arrives.
"""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

# Telegram updates and Slack payloads are a few kilobytes; a megabyte is generous for both.
MAX_WEBHOOK_BYTES = 1_000_000


class BodyRefused(Exception):
    """The body was not read whole; `response` says why to the client."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.response: Response = PlainTextResponse(reason, status_code=status)


def declared_too_large(request: Request, limit: int = MAX_WEBHOOK_BYTES) -> bool:
    """The client announced more than `limit` bytes (free to check: nothing is read)."""
    length = request.headers.get("content-length", "")
    return length.isdigit() and int(length) > limit


async def capped_body(request: Request, limit: int = MAX_WEBHOOK_BYTES) -> bytes:
    """The whole body, or BodyRefused: 413 when it is (or would be) over `limit` bytes, 400
    when the Content-Length is not a number or the client went away mid-body."""
    length = request.headers.get("content-length")
    if length is not None and not length.strip().isdigit():
        raise BodyRefused(400, "bad content-length")
    if declared_too_large(request, limit):
        raise BodyRefused(413, "too large")
    received = bytearray()
    try:
        async for chunk in request.stream():
            received += chunk
            if len(received) > limit:
                raise BodyRefused(413, "too large")
    except ClientDisconnect:
        raise BodyRefused(400, "incomplete body") from None
    return bytes(received)
