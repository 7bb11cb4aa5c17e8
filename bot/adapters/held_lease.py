"""One lease an adapter holds while it runs: taken at start, renewed in the background, given
back on a clean stop, and reported when lost.

A lease lasts `ttl` and is renewed every `renew_every` (a third of it), so a missed renewal or
two (a slow database) does not lose it, while a replica that died frees it within `ttl`. When a
renewal finds someone else holds it, or renewals keep failing past `ttl` (by then another
replica may have taken it), the adapter is told once, through `on_lost`, and renewing stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable

from bot.adapters.base import Leases
from bot.problems import first_line
from briefings.leases import LeaseView

log = logging.getLogger(__name__)

TTL = dt.timedelta(seconds=15)
RENEW_EVERY = 5.0  # seconds

OnLost = Callable[[str], Awaitable[None]]


def shown_holder(holder: str) -> str:
    """The "host:pid" of a holder named "host:pid:random" (bot.delivery.worker_name)."""
    return holder.rsplit(":", 1)[0] if holder.count(":") >= 2 else holder


class HeldLease:
    def __init__(
        self,
        leases: Leases,
        name: str,
        holder: str,
        on_lost: OnLost,
        *,
        ttl: dt.timedelta = TTL,
        renew_every: float = RENEW_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._leases = leases
        self._holder = holder
        self._on_lost = on_lost
        self._ttl = ttl
        self._renew_every = renew_every
        self._clock = clock
        self._renewed_at = 0.0
        self._held = False
        self._losing = False  # on_lost is running
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        return self._held

    async def take(self) -> LeaseView | None:
        """Takes the lease and starts renewing it; returns None then. When another replica
        holds it, returns who does (and takes nothing)."""
        for _ in range(2):  # the holder may let go between our two questions: ask again
            if await self._leases.acquire(self.name, self._holder, self._ttl):
                self._held = True
                self._renewed_at = self._clock()
                self._task = asyncio.create_task(self._keep(), name=f"lease-{self.name}")
                return None
            other = await self._leases.current(self.name)
            if other is not None:
                return other
        raise RuntimeError(f"lease {self.name} is neither free nor held")  # pragma: no cover

    async def renew_once(self) -> bool:
        """One renewal; False (after telling the adapter) once the lease is lost. The
        background task calls it every `renew_every` seconds."""
        if not self._held:
            return False
        try:
            renewed = await self._leases.renew(self.name, self._holder, self._ttl)
        except Exception as exc:  # the database's errors: it may be back at the next try
            if self._clock() - self._renewed_at < self._ttl.total_seconds():
                log.warning("could not renew lease %s: %s", self.name, first_line(exc))
                return True
            reason = f"could not renew lease {self.name} for {self._ttl.total_seconds():g} s"
        else:
            if renewed:
                self._renewed_at = self._clock()
                return True
            other = await self._leases.current(self.name)
            by = f" by {shown_holder(other.holder)}" if other else ""
            reason = f"lease {self.name} was taken over{by}"
        self._held = False
        log.error("%s", reason)
        self._losing = True
        try:
            await self._on_lost(reason)
        finally:
            self._losing = False
        return False

    async def _keep(self) -> None:
        renewing = True
        while renewing:
            await asyncio.sleep(self._renew_every)
            renewing = await self.renew_once()

    async def stop_renewing(self) -> None:
        """Ends the background renewal; the lease stays ours until released or expired. A loss
        being handled (the adapter stopping its intake) is let finish first."""
        task, self._task = self._task, None
        if task is not None:
            if not self._losing:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def release(self) -> None:
        """Gives the lease back, so the next replica need not wait out the ttl."""
        await self.stop_renewing()
        if self._held:
            self._held = False
            await self._leases.release(self.name, self._holder)
