"""Knowing whether long polling still works.

python-telegram-bot retries getUpdates after network errors by itself, but after one 401 (the
token was revoked) it ends its polling loop for good while the process, and `Updater.running`,
carry on as if nothing happened; its error callback never sees that error. So the adapter
watches the answers to getUpdates where they arrive, in the HTTP request object PTB lets an
application supply: each answer says whether polling works (200), is being retried (any other
failure) or has stopped (401/404: Telegram rejected the token).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from telegram.request import HTTPXRequest

from bot.health import POLLING, RETRYING, STOPPED, PartHealth

log = logging.getLogger(__name__)

TOKEN_REJECTED = "Telegram rejected the token (TELEGRAM_BOT_TOKEN)"
# PTB turns these answers to getUpdates into InvalidToken and stops polling.
_FINAL = (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND)


class PollingHealth:
    """What the latest getUpdates said, as /healthz shows it."""

    def __init__(self) -> None:
        self.state = PartHealth(POLLING)

    def answered(self, status: int) -> None:
        if status == HTTPStatus.OK:
            if not self.state.ok and self.state.state == RETRYING:
                log.info("Telegram: polling again")
            self.state = PartHealth(POLLING)
        elif status in _FINAL:
            if self.state.state != STOPPED:
                log.error("%s: polling stopped; set a valid token and restart", TOKEN_REJECTED)
            self.state = PartHealth.down(STOPPED, TOKEN_REJECTED)
        elif status == HTTPStatus.CONFLICT:
            self.state = PartHealth.down(
                RETRYING, "getUpdates answered 409: another process polls with this token"
            )
        else:
            self.state = PartHealth.down(RETRYING, f"getUpdates answered HTTP {status}")

    def failed(self, error: Exception) -> None:
        self.state = PartHealth.down(RETRYING, f"getUpdates failed: {type(error).__name__}")


class ObservedRequest(HTTPXRequest):
    """PTB's own HTTP request for getUpdates, reporting each answer to a PollingHealth."""

    def __init__(self, health: PollingHealth, **options: Any) -> None:
        super().__init__(**options)
        self.health = health

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except Exception as error:  # PTB's NetworkError or TimedOut; cancellation passes by
            self.health.failed(error)
            raise
        self.health.answered(status)
        return status, payload
