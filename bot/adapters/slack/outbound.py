"""Posting to Slack: chat.postMessage, chat.postEphemeral and response_url, with bounded retries.

Every failure leaves here as a SendError. A channel the bot can no longer reach is marked
unreachable through the chat-health interface, so digest delivery pauses what it sends there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.base import ChatHealth, SendError, SendPacing, message_leaving
from bot.adapters.slack import limits
from bot.adapters.slack.inbound import PLATFORM
from bot.adapters.slack.render import SlackMessage
from bot.metrics import Metrics
from briefings.models import ChatStatus

log = logging.getLogger(__name__)

# The bot cannot post in this conversation any more: it is gone, archived, or the bot was
# removed. Later posts would fail the same way.
UNREACHABLE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive"})
TEMPORARY = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header (aiohttp's multidict or slack_sdk's dict of lists)."""
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


class BoundedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler sleeps for Retry-After; this one declines waits longer than
    `max_wait`, so a long pause surfaces as SendError(retry_after=...) for the caller to plan."""

    def __init__(self, max_retry_count: int, max_wait: float, metrics: Metrics | None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self.metrics = metrics  # every 429 passes here, retried or not

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        if self.metrics is not None:
            self.metrics.rate_limited(PLATFORM)
        wait = retry_after(response.headers)
        return wait is None or wait <= self.max_wait


class UpToJitter(Jitter):
    """Adds a random 0..`most` seconds (slack_sdk's RandomJitter always adds up to 1 s)."""

    def __init__(self, most: float) -> None:
        self.most = most

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * self.most


@dataclass(frozen=True)
class SlackRetryPolicy:
    rate_limit_retries: int = 2
    max_retry_after: float = 30.0  # longer pauses are the caller's to schedule
    server_error_retries: int = 2
    connection_retries: int = 2
    backoff_factor: float = 0.5  # seconds, doubled per attempt
    jitter: float = 1.0  # up to this many random seconds on top, so replicas spread out

    def handlers(self, metrics: Metrics | None = None) -> list[AsyncRetryHandler]:
        backoff = BackoffRetryIntervalCalculator(self.backoff_factor, UpToJitter(self.jitter))
        return [
            BoundedRateLimitRetryHandler(self.rate_limit_retries, self.max_retry_after, metrics),
            AsyncServerErrorRetryHandler(self.server_error_retries, backoff),
            AsyncConnectionErrorRetryHandler(self.connection_retries, backoff),
        ]


def send_error(exc: Exception) -> SendError:
    """The platform-neutral form of whatever slack_sdk or aiohttp raised."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        data = response.data if isinstance(response.data, dict) else {}
        error = str(data.get("error") or f"http_{response.status_code}")
        if response.status_code == 429 or error == "ratelimited":
            return SendError(error, permanent=False, retry_after=retry_after(response.headers))
        if response.status_code >= 500 or error in TEMPORARY:
            return SendError(error, permanent=False)
        return SendError(error, permanent=True)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        # The request may have reached Slack before the timeout: retrying could post twice.
        return SendError("timeout", permanent=False, maybe_delivered=True)
    if isinstance(exc, aiohttp.ClientError):
        return SendError(f"connection: {type(exc).__name__}", permanent=False)
    return SendError(f"unexpected: {type(exc).__name__}", permanent=False)


class ChannelPacer:
    """Slack takes about one message per second per channel and answers bursts with 429s.
    Each post reserves the channel's next free moment before it waits, so concurrent posts to
    one channel queue up in order while other channels are not held up at all. Given a
    `shared` pacer (replicas on PostgreSQL) the moment is reserved there, so replicas posting
    to one channel keep the pace together; when it cannot be reached, this process paces."""

    PRUNE_AT = 4096

    def __init__(
        self,
        interval: float = limits.CHANNEL_MESSAGE_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: SendPacing | None = None,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._shared = shared
        self._next: dict[str, float] = {}

    @staticmethod
    def key(channel: str) -> str:
        return f"slack:channel:{channel}"

    async def wait(self, channel: str) -> None:
        if self._shared is not None:
            try:
                wait = await self._shared.reserve({self.key(channel): self.interval})
            except Exception as exc:
                log.warning("shared pacing unavailable, pacing locally: %s", type(exc).__name__)
            else:
                if wait > 0:
                    await self._sleep(wait)
                return
        now = self._clock()
        if len(self._next) >= self.PRUNE_AT:
            self._next = {c: t for c, t in self._next.items() if t > now}
        at = max(now, self._next.get(channel, now))
        self._next[channel] = at + self.interval
        if at > now:
            await self._sleep(at - now)

    async def push_back(self, channel: str, seconds: float) -> None:
        """Slack answered 429 for this channel: every replica waits `seconds` before the next
        post there (this process already does, in slack_sdk's retry or the caller's)."""
        if self._shared is not None:
            with contextlib.suppress(Exception):
                await self._shared.push_back(self.key(channel), seconds)


class SlackOutbound:
    def __init__(
        self,
        client: AsyncWebClient,
        health: ChatHealth,
        retry: SlackRetryPolicy,
        pacer: ChannelPacer | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.client = client
        self._health = health
        self._retry = retry
        self._pacer = pacer or ChannelPacer()
        self._metrics = metrics or Metrics()

    async def post(self, channel: str, message: SlackMessage, thread_ts: str | None = None) -> str:
        """chat.postMessage, paced per channel; returns the message's ts."""
        await self._pacer.wait(channel)
        await message_leaving()
        try:
            response = await self.client.chat_postMessage(
                channel=channel, text=message.text, blocks=list(message.blocks), thread_ts=thread_ts
            )
        except Exception as exc:
            error = await self._failed(channel, exc)
            if error.retry_after:
                await self._pacer.push_back(channel, error.retry_after)
            raise error from exc
        self._metrics.sent(PLATFORM)
        return str(response.get("ts", ""))

    async def post_ephemeral(
        self, channel: str, user: str, message: SlackMessage, thread_ts: str | None = None
    ) -> str:
        try:
            response = await self.client.chat_postEphemeral(
                channel=channel,
                user=user,
                text=message.text,
                blocks=list(message.blocks),
                thread_ts=thread_ts,
            )
        except Exception as exc:
            raise await self._failed(channel, exc) from exc
        self._metrics.sent(PLATFORM)
        return str(response.get("message_ts", ""))

    async def respond(self, response_url: str, message: SlackMessage, response_type: str) -> None:
        """A post to an interaction's response_url: no token, no channel membership needed."""
        webhook = AsyncWebhookClient(
            response_url,
            session=self.client.session,  # the adapter's pooled session, when started
            retry_handlers=self._retry.handlers(self._metrics),
            logger=log,
        )
        body = {**message.payload(), "response_type": response_type, "replace_original": False}
        try:
            response = await webhook.send_dict(body)
        except Exception as exc:
            self._metrics.platform_error(PLATFORM, "send_failure")
            raise send_error(exc) from exc
        if response.status_code == 200:
            self._metrics.sent(PLATFORM)
        else:
            self._metrics.platform_error(PLATFORM, "send_failure")
            reason = (response.body or f"http_{response.status_code}").strip()[:100]
            raise SendError(
                reason,
                permanent=response.status_code < 500 and response.status_code != 429,
                retry_after=retry_after(response.headers),
            )

    async def _failed(self, channel: str, exc: Exception) -> SendError:
        error = send_error(exc)
        self._metrics.platform_error(PLATFORM, "send_failure")
        if error.permanent and error.reason in UNREACHABLE:
            try:
                await self._health.mark_unreachable(
                    PLATFORM, channel, ChatStatus.UNREACHABLE, error.reason
                )
            except Exception:
                log.exception("could not mark slack chat %s unreachable", channel)
            log.warning("slack chat %s is unreachable: %s", channel, error.reason)
        return error
