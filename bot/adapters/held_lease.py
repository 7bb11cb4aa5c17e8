"""One lease an adapter holds while it runs: taken at start, renewed in the background, given
back on a clean stop, and reported when lost.

A lease lasts `ttl` and is renewed every `renew_every` (a third of it), so a missed renewal or
two (a slow database) does not lose it, while a replica that died frees it within `ttl`. When a
renewal finds someone else holds it, or renewals keep failing past `ttl` (by then another
replica may have taken it), the adapter is told once, through `on_lost`, and renewing stops.

A lease only its holder ever takes (its name holds the holder's: a marker saying "this replica
serves a Telegram webhook") cannot be taken over, so renewals failing past `ttl` do not lose
it: the database being away a while must not stop every replica. Renewing goes on, and the
first renewal after such a lapse asks `after_lapse` whether the replica may go on, since
meanwhile others could not see it; a reason to stop is handled like a loss.
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
# After a lapse: None to go on, or why the replica must stop (passed to on_lost).
AfterLapse = Callable[[], Awaitable[str | None]]


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
        after_lapse: AfterLapse | None = None,
    ) -> None:
        self.name = name
        self._leases = leases
        self._holder = holder
        self._on_lost = on_lost
        self._ttl = ttl
        self._renew_every = renew_every
        self._clock = clock
        self._after_lapse = after_lapse  # set for a lease only this holder takes
        self._lapsed = False  # renewals failed past ttl: others may have seen it expired
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
        ttl = self._ttl.total_seconds()
        try:
            renewed = await self._leases.renew(self.name, self._holder, self._ttl)
        except Exception as exc:  # the database's errors: it may be back at the next try
            lapsed = self._clock() - self._renewed_at >= ttl
            if lapsed and self._after_lapse is None:
                reason = f"could not renew lease {self.name} for {ttl:g} s"
            else:
                if lapsed and not self._lapsed:
                    log.error("lease %s lapsed, still trying: %s", self.name, first_line(exc))
                else:
                    log.warning("could not renew lease %s: %s", self.name, first_line(exc))
                self._lapsed = self._lapsed or lapsed
                return True
        else:
            if renewed:
                why = await self._renewed()
                if why is None:
                    return True
                reason = why
            else:
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

    async def _renewed(self) -> str | None:
        """After a successful renewal: None to go on, or why to stop (`after_lapse` found the
        replica must not go on; it has given the lease back then)."""
        lapsed = self._lapsed or self._clock() - self._renewed_at >= self._ttl.total_seconds()
        self._renewed_at = self._clock()
        if not lapsed or self._after_lapse is None:
            return None
        try:
            why = await self._after_lapse()
        except Exception as exc:  # asked again after the next renewal
            log.warning("lease %s: could not check after a lapse: %s", self.name, first_line(exc))
            self._lapsed = True
            return None
        self._lapsed = False
        if why is None:
            log.info("lease %s renewed after a lapse", self.name)
            return None
        with contextlib.suppress(Exception):  # else it runs out within ttl
            await self._leases.release(self.name, self._holder)
        return why

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
