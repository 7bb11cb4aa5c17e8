"""Bolt's lazy listeners, run as tracked asyncio tasks.

Bolt's own runner fires `asyncio.ensure_future` and forgets the task: the loop keeps only a weak
reference (a task can vanish mid-flight) and shutdown cannot wait for answers still being
written. This runner keeps a reference until each task ends, so stop() can drain them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.lazy_listener.async_internals import to_runnable_function
from slack_bolt.lazy_listener.asyncio_runner import AsyncioLazyListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger(__name__)


class TrackedLazyRunner(AsyncioLazyListenerRunner):
    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, function: Callable[..., Awaitable[None]], request: AsyncBoltRequest) -> None:
        task = asyncio.create_task(
            to_runnable_function(internal_func=function, logger=self.logger, request=request)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float) -> None:
        """Waits for running answers to finish; cancels what is left after `grace` seconds."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            log.warning("cancelled %d slack answers still running at shutdown", len(late))
            await asyncio.gather(*late, return_exceptions=True)
