"""The platforms' side of the wire: Telegram delivering webhook updates and Slack delivering
signed events, each retrying the way the platform does when an answer is not 200 (sooner than
the real ones, to keep tests short). The retry is what makes a replica that stops mid-stream
lose nothing: the update goes again, through the proxy, to a replica that is up."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import aiohttp

from bot.adapters.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.slack.factories import JSON, SIGNING_SECRET, event_body, signature_headers

CONNECTION_FAILED = 0  # the status reported when no HTTP answer came at all


async def _post(url: str, body: str, headers: dict[str, str]) -> int:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=body.encode(), headers=headers) as response,
        ):
            return response.status
    except aiohttp.ClientError:
        return CONNECTION_FAILED


class Redelivery:
    """Posts until answered 200, as both platforms retry a delivery that failed."""

    def __init__(self, attempts: int = 100, pause: float = 0.1) -> None:
        self.attempts = attempts
        self.pause = pause

    async def until_ok(self, url: str, body: str, headers: dict[str, str]) -> list[int]:
        statuses = []
        for _ in range(self.attempts):
            statuses.append(await _post(url, body, headers))
            if statuses[-1] == 200:
                return statuses
            await asyncio.sleep(self.pause)
        raise AssertionError(f"never accepted by {url}: {statuses}")


class TelegramWebhook:
    """Numbers updates (update_id) and POSTs them with the webhook's secret token."""

    def __init__(self, base_url: str, secret: str, redelivery: Redelivery | None = None) -> None:
        self.base_url = base_url  # the proxy, as setWebhook was told; or one replica
        self.secret = secret
        self.redelivery = redelivery or Redelivery()
        self._ids = itertools.count(1)

    def numbered(self, update: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(self._ids), **update}

    def _headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", SECRET_HEADER: self.secret}

    async def post(self, update: dict[str, Any], base_url: str | None = None) -> int:
        """One attempt with an update as it is (numbered already, for a redelivery)."""
        url = (base_url or self.base_url) + WEBHOOK_PATH
        return await _post(url, json.dumps(update), self._headers())

    async def deliver(self, update: dict[str, Any], base_url: str | None = None) -> list[int]:
        """Numbers the update and delivers it until accepted; the statuses of the attempts."""
        url = (base_url or self.base_url) + WEBHOOK_PATH
        body = json.dumps(self.numbered(update))
        return await self.redelivery.until_ok(url, body, self._headers())


class SlackEvents:
    """Signed Events API requests, with Slack's retry headers when a delivery is repeated."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET) -> None:
        self.base_url = base_url
        self.secret = secret

    async def post(
        self,
        event: dict[str, Any],
        event_id: str,
        *,
        base_url: str | None = None,
        retry_num: int | None = None,
    ) -> int:
        body = json.dumps(event_body(event, event_id))
        headers = {"Content-Type": JSON, **signature_headers(body, self.secret)}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await _post(f"{base_url or self.base_url}/slack/events", body, headers)
