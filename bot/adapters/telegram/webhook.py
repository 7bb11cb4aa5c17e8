"""Webhook mode: Telegram POSTs each update to a route on the bot's own web server, with the
secret given to setWebhook in a header. Requests without it are refused before any parsing, and
the body is read with a cap (`bot.web_limits`) whether or not it declares its length."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.adapters.telegram.limits import WEBHOOK_SECRET_CHARS
from bot.web_limits import BodyRefused, capped_body, declared_too_large

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(rf"^[A-Za-z0-9_-]{{1,{WEBHOOK_SECRET_CHARS}}}$")

# Takes one decoded update; False when the bot is not running (Telegram will retry).
Accept = Callable[[dict[str, Any]], Awaitable[bool]]


class BadUpdate(ValueError):
    """The body is JSON but not an update."""


def valid_secret(secret: str) -> bool:
    return bool(_SECRET.match(secret))


def new_secret() -> str:
    """For a webhook configured without a secret: the route is never left open."""
    return secrets.token_urlsafe(32)


def webhook_route(secret: str, accept: Accept) -> Route:
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        if declared_too_large(request):
            return PlainTextResponse("too large", status_code=413)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await capped_body(request)
        except BodyRefused as refused:
            return refused.response
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise BadUpdate("not an object")
            if not await accept(data):
                return PlainTextResponse("not running", status_code=503)
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("bad update", status_code=400)
        return Response(status_code=200)

    return Route(WEBHOOK_PATH, receive, methods=["POST"])
