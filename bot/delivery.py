"""Digest delivery: claim the slot in the ledger, compose, send through the chat's adapter,
record every confirmed message, and decide what a failure means.

Due deliveries go through a queue served by a bounded set of workers, so thousands of digests
due at the same minute never become thousands of tasks, and one slow chat holds up one worker
only. Pacing within each platform's limits is the adapters' job.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from enum import StrEnum

from bot.adapters.base import ABOUT_TO_SEND, ChatAdapter, ChatHealth, SendError
from bot.core import texts
from bot.core.digest_reply import digest_replies
from bot.core.messages import ChatRef, Reply
from bot.leaving import LeavingMark
from bot.metrics import Metrics
from bot.observe import record_delivery
from briefings.digest import compose
from briefings.ledger import DeliveryLedger, DeliveryView
from briefings.models import ChatStatus, DeliveryState, utcnow
from briefings.store import BriefingStore
from briefings.subscriptions import SubscriptionStore, SubscriptionView

log = logging.getLogger(__name__)

UNCONFIRMED = "?"  # a message that timed out after leaving: maybe posted, never resent


class Outcome(StrEnum):
    """What one call to deliver a slot did."""

    SENT = "sent"
    EMPTY = "empty"  # nothing new for a "changes" digest: recorded, nothing posted
    TAKEN = "taken"  # another process (or worker) claimed the slot first
    SKIPPED = "skipped"  # missed the grace period
    INACTIVE = "inactive"  # the subscription is paused or gone
    NO_ADAPTER = "no-adapter"  # this process does not serve the chat's platform
    PAUSED = "paused"  # the chat is unreachable: the subscription was paused
    RETRY = "retry"  # a send failed for now: the ledger holds the next attempt
    FAILED = "failed"  # gave up after the last attempt


def worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DigestDelivery:
    def __init__(
        self,
        store: BriefingStore,
        health: ChatHealth,
        subscriptions: SubscriptionStore,
        ledger: DeliveryLedger,
        adapters: Mapping[str, ChatAdapter],
        admins: Mapping[str, frozenset[str]],
        event_title: str,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        grace: dt.timedelta = dt.timedelta(minutes=60),
        lease: dt.timedelta = dt.timedelta(minutes=10),
        workers: int = 32,
        max_attempts: int = 5,
        backoff: dt.timedelta = dt.timedelta(seconds=30),
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.health = health
        self.subscriptions = subscriptions
        self.ledger = ledger
        self.adapters = adapters
        self.admins = admins
        self.event_title = event_title
        self.clock = clock
        self.grace = grace
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.metrics = metrics or Metrics()
        self._worker_count = workers
        self._queue: asyncio.Queue[tuple[int, dt.datetime]] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []

    # ----- the queue -------------------------------------------------------------------------

    async def start(self) -> None:
        self._workers = [
            asyncio.create_task(self._work(), name=f"digest-worker-{i}")
            for i in range(self._worker_count)
        ]

    async def stop(self, drain_seconds: float = 5.0) -> None:
        """Finishes what is queued (for at most `drain_seconds`), then stops the workers. What
        is left is not lost: the next start's catch-up delivers it within the grace period."""
        if self._workers and drain_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), drain_seconds)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []

    def submit(self, subscription_id: int, slot: dt.datetime) -> None:
        self._queue.put_nowait((subscription_id, slot))

    async def drain(self) -> None:
        """Waits until every submitted delivery has been handled (tests, benchmarks)."""
        await self._queue.join()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def _work(self) -> None:
        while True:
            subscription_id, slot = await self._queue.get()
            try:
                await self.deliver(subscription_id, slot)
            except Exception:
                log.exception("digest delivery failed for subscription %s", subscription_id)
            finally:
                self._queue.task_done()

    # ----- one delivery ----------------------------------------------------------------------

    async def deliver(self, subscription_id: int, slot: dt.datetime) -> Outcome:
        """Delivers one slot at most once across every process; returns what happened."""
        started = time.perf_counter()
        sub = await self.subscriptions.by_id(subscription_id)
        outcome = await self._deliver(sub, slot)
        self._record(outcome, sub, slot, started)
        return outcome

    async def _deliver(self, sub: SubscriptionView | None, slot: dt.datetime) -> Outcome:
        if sub is None or not sub.active:
            return Outcome.INACTIVE
        if sub.platform not in self.adapters:
            return Outcome.NO_ADAPTER
        now = self.clock()
        if now - slot > self.grace:
            await self.ledger.record_skipped(sub.id, [slot], now, "missed the grace period")
            return Outcome.SKIPPED
        status, reason = await self.store.chats.status(sub.platform, sub.chat_id)
        if not status.reachable:
            # An adapter found the chat unreachable while answering a command.
            await self._pause(sub, f"{status}: {reason}" if reason else status)
            return Outcome.PAUSED
        delivery_id = await self.ledger.claim(sub.id, slot, now)
        if delivery_id is None:
            return Outcome.TAKEN
        view = await self.ledger.get(delivery_id)
        assert view is not None
        return await self._send(sub, view)

    async def sweep(self) -> list[Outcome]:
        """Takes over retries that are due and claims whose owner died; sends what is left."""
        return await self.resume(await self.ledger.take_over(self.clock(), self.lease))

    async def resume(self, views: list[DeliveryView]) -> list[Outcome]:
        """Sends what is left of deliveries this process has taken over (`DeliveryLedger.
        take_over`, `take_over_open`): only the messages the ledger does not show confirmed."""
        outcomes = []
        for view in views:
            sub = await self.subscriptions.by_id(view.subscription_id)
            if sub is None or not sub.active or sub.platform not in self.adapters:
                await self.ledger.fail(view.id, self.clock(), "subscription gone or paused")
                continue
            started = time.perf_counter()
            outcome = await self._send(sub, view)
            self._record(outcome, sub, view.slot, started)
            outcomes.append(outcome)
        return outcomes

    def _record(
        self, outcome: Outcome, sub: SubscriptionView | None, slot: dt.datetime, started: float
    ) -> None:
        chat = f"{sub.platform}:{sub.chat_id}" if sub is not None else "?"
        # Another process's slot, a paused subscription: routine, and frequent with replicas.
        routine = outcome in (Outcome.TAKEN, Outcome.INACTIVE, Outcome.NO_ADAPTER)
        record_delivery(
            self.metrics, outcome, chat, slot, self.clock(), started,
            sent=outcome is Outcome.SENT, routine=routine,
        )  # fmt: skip

    async def _send(self, sub: SubscriptionView, view: DeliveryView) -> Outcome:
        catalog = await self.store.topics.catalog()
        digest = compose(catalog, sub.topics, sub.mode, sub.delivered_until, view.content_until)
        now = self.clock()
        if digest.empty:
            await self.ledger.finish(view.id, DeliveryState.EMPTY, now, "nothing new")
            return Outcome.EMPTY
        if view.content_until is None and digest.content_until is not None:
            await self.ledger.start_sending(view.id, digest.content_until)
        adapter = self.adapters[sub.platform]
        replies = digest_replies(
            digest, sub.schedule.timezone, self.event_title, view.slot, adapter.message_budget
        )
        chat = ChatRef(sub.platform, sub.chat_id, sub.chat_kind, sub.thread_id)  # type: ignore[arg-type]
        for index in range(len(view.message_ids), len(replies)):
            if view.leaving == index:
                # The process that had this delivery died while this message was in the air:
                # it may well be posted. Never twice: count it as maybe posted and go on.
                log.warning("digest message %d to %s may have been posted: not resent",
                            index + 1, chat.chat_id)  # fmt: skip
                await self.ledger.record_sent_message(view.id, [UNCONFIRMED])
                continue
            try:
                ids = await self._send_marked(adapter, chat, replies[index], view.id, index)
            except SendError as error:
                if error.maybe_delivered:
                    ids = [UNCONFIRMED]
                else:
                    return await self._failed(sub, view, error)
            except Exception as error:
                log.exception("unexpected error sending a digest to %s", chat.chat_id)
                return await self._failed(
                    sub, view, SendError(type(error).__name__, permanent=False)
                )
            await self.ledger.record_sent_message(view.id, [",".join(ids)])
        await self.ledger.finish(view.id, DeliveryState.SENT, self.clock())
        return Outcome.SENT

    async def _send_marked(
        self, adapter: ChatAdapter, chat: ChatRef, reply: Reply, delivery_id: int, index: int
    ) -> list[str]:
        """Sends one digest message, marking it in the ledger as it leaves (see
        `message_leaving`), not before: a message still waiting for its pacing slot when the
        process dies was never posted, and is sent by whoever takes over. The mark holds the
        message for a short while at most (bot/leaving.py), and has ended before the
        platform's answer is recorded."""
        mark = LeavingMark(
            lambda: self.ledger.mark_leaving(delivery_id, index),
            f"digest message {index + 1} to {chat.platform}:{chat.chat_id}",
        )
        token = ABOUT_TO_SEND.set(mark.leaving)
        try:
            return await self._send_one(adapter, chat, reply)
        finally:
            ABOUT_TO_SEND.reset(token)
            await mark.settled()

    async def _send_one(self, adapter: ChatAdapter, chat: ChatRef, reply: Reply) -> list[str]:
        try:
            return await adapter.send(chat, reply)
        except SendError as error:
            if error.migrated_to is None:
                raise
            # The group became a supergroup: remember the move (the subscription follows it)
            # and send this message to the new id.
            await self.health.moved(chat.platform, chat.chat_id, error.migrated_to)
            moved = ChatRef(chat.platform, error.migrated_to, chat.kind, chat.thread_id)
            return await adapter.send(moved, reply)

    async def _failed(self, sub: SubscriptionView, view: DeliveryView, error: SendError) -> Outcome:
        now = self.clock()
        if error.permanent:
            await self.ledger.fail(view.id, now, error.reason)
            await self.health.mark_unreachable(
                sub.platform, sub.chat_id, ChatStatus.UNREACHABLE, error.reason
            )
            await self._pause(sub, error.reason)
            return Outcome.PAUSED
        if view.attempts >= self.max_attempts:
            await self.ledger.fail(
                view.id, now, f"gave up after {view.attempts} attempts: {error.reason}"
            )
            return Outcome.FAILED
        wait = max(
            self.backoff * 2 ** (view.attempts - 1), dt.timedelta(seconds=error.retry_after or 0)
        )
        await self.ledger.retry_later(view.id, error.reason, now + wait)
        return Outcome.RETRY

    async def _pause(self, sub: SubscriptionView, reason: str) -> None:
        """Pauses the subscription; only the call that actually pauses it tells the admins."""
        if await self.subscriptions.pause(sub.id, reason):
            self.metrics.subscription_paused()
            await self._tell_admins(sub, reason)

    async def _tell_admins(self, sub: SubscriptionView, reason: str) -> None:
        adapter = self.adapters.get(sub.platform)
        if adapter is None:
            return
        notice = Reply.text(
            texts.ADMIN_PAUSED_NOTICE.format(platform=sub.platform, chat=sub.chat_id, reason=reason)
        )
        for admin in sorted(self.admins.get(sub.platform, frozenset())):
            try:
                await adapter.send(ChatRef(sub.platform, admin, "private"), notice)
            except Exception:
                log.warning("could not tell admin %s that a subscription paused", admin)
