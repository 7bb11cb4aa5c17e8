"""What this process does when another announces a change (briefings/changes.py).

Subscriptions: the digest scheduler follows the one named at once. The content revision: the
topic catalog is re-checked on the next read instead of up to `cache_ttl_seconds` later.
Admins need nothing: roles read the admins table on every check. Whenever listening
(re)starts, notices sent meanwhile were lost, so both re-read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from briefings.changes import REVISION, SUBSCRIPTION, ChangeListener
from briefings.topics import TopicStore

if TYPE_CHECKING:
    from bot.scheduler import DigestScheduler


def follow_changes(
    listener: ChangeListener,
    topics: TopicStore,
    scheduler: Callable[[], DigestScheduler | None],
) -> None:
    """`scheduler` is asked each time: digests start after the listener, or not at all."""

    async def subscription(ident: str) -> None:
        current = scheduler()
        if current is not None:  # one still starting takes it after its first read
            await current.noticed(ident)

    async def revision(_ident: str) -> None:
        topics.invalidate()

    async def listening_again() -> None:
        topics.invalidate()
        current = scheduler()
        if current is not None:
            await current.sync()

    listener.on(SUBSCRIPTION, subscription)
    listener.on(REVISION, revision)
    listener.on_connected(listening_again)
