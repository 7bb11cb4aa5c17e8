"""Leadership: one replica at a time does what only one may do, by holding a lease.

The loop takes or renews the lease every `renew_every` seconds (a third of the lease). The
replica that gets it leads (`Role.lead`); the one that loses it, or cannot tell, follows
(`Role.follow`). Leading is self-fencing: a renewal at T holds the lease until T + ttl, and this
process stops leading at T + ttl - `margin` on its own clock whatever the database says or fails
to say, so a replica that takes the expired lease never overlaps with it. A renewal that hangs
is cut short at that moment too. A dead leader (SIGKILL) is replaced once its lease runs out, at
most `ttl` + `renew_every` after its last renewal; a clean stop releases the lease, and the next
replica takes it at its next attempt.

`Role.lead` and `Role.follow` run inside the loop and must return quickly (well within the
margin): start and stop work, don't do it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Protocol

from bot.health import PartHealth
from briefings.leases import LeaseStore

log = logging.getLogger(__name__)

LEADER = "leader"
FOLLOWER = "follower"


class Role(Protocol):
    async def lead(self) -> None:
        """This process has just become leader: start the work."""

    async def follow(self, drain_seconds: float) -> None:
        """This process no longer leads: stop the work, letting it finish for at most
        `drain_seconds` (0 when the lease may be about to run out)."""


class Leadership:
    def __init__(
        self,
        leases: LeaseStore,
        holder: str,
        role: Role,
        *,
        name: str,
        ttl: float = 15.0,
        renew_every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.leases = leases
        self.holder = holder
        self.role = role
        self.name = name
        self.ttl = ttl
        self.renew_every = renew_every if renew_every is not None else ttl / 3
        # Stopping takes milliseconds (cancelling tasks); half a renewal interval leaves room
        # for that and for the clocks of two replicas disagreeing a little.
        self.margin = self.renew_every / 2
        self._clock = clock
        self._fence_at = 0.0  # when leading: stop by then unless renewed
        self.leading = False
        self.last_error = ""
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Tries once at once (the first replica up leads without waiting), then keeps trying
        in the background."""
        await self.step()
        self._task = asyncio.create_task(self._run(), name=f"lease-{self.name}")

    async def stop(self, drain_seconds: float = 5.0) -> None:
        """A clean stop: the work ends first, then the lease is released so that another
        replica leads at its next attempt instead of waiting for expiry."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.leading:
            remaining = max(0.0, self._fence_at - self._clock())
            await self._step_down("this process is stopping", min(drain_seconds, remaining))
            try:
                await self.leases.release(self.name, self.holder)
            except Exception as exc:  # the lease then expires by itself
                log.warning("could not release the %s lease: %s", self.name, type(exc).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._pause())
            await self.step()

    def _pause(self) -> float:
        if not self.leading:
            return self.renew_every
        return max(0.0, min(self.renew_every, self._fence_at - self._clock()))

    async def step(self) -> None:
        """One attempt to take or renew the lease, and what follows from its answer."""
        now = self._clock()
        if self.leading and now >= self._fence_at:
            await self._step_down("the lease could not be renewed in time", 0.0)
        limit = self._fence_at - now if self.leading else self.renew_every
        held: bool | None
        try:
            held = await asyncio.wait_for(
                self.leases.acquire(self.name, self.holder, dt.timedelta(seconds=self.ttl)),
                max(limit, 0.001),
            )
        except Exception as exc:  # unreachable database, timeout: we cannot tell
            held = None
            self.last_error = type(exc).__name__ or "timeout"
            log.warning("could not renew the %s lease: %s", self.name, self.last_error)
        if held:
            self.last_error = ""
            self._fence_at = now + self.ttl - self.margin  # `now` was read before asking
            if not self.leading:
                self.leading = True
                log.info("leading %s as %s", self.name, self.holder)
                await self.role.lead()
        elif held is False and self.leading:
            await self._step_down("another replica holds the lease", 0.0)
        elif self.leading and self._clock() >= self._fence_at:
            await self._step_down("the lease could not be renewed in time", 0.0)

    async def _step_down(self, why: str, drain_seconds: float) -> None:
        self.leading = False
        log.warning("no longer leading %s: %s", self.name, why)
        await self.role.follow(drain_seconds)

    def health(self) -> PartHealth:
        """Both states are healthy: a follower is a replica ready to take over."""
        detail = {"lease": self.name, "holder": self.holder}
        if self.last_error:
            detail["last_error"] = self.last_error
        return PartHealth(LEADER if self.leading else FOLLOWER, detail=detail)
