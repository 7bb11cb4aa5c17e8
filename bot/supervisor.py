"""Starting each chat platform in the background, so one platform that cannot connect holds up
neither the others nor digests.

A start that fails for a reason that may pass (network down, the platform's API answering 5xx)
is tried again with a growing pause; a rejected token (`CredentialsRejected`) is final, and
says which setting, and so is a start that would clash with another replica (`StartRefused`).
Until the adapter has started, /healthz shows the runner's own state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.adapters.base import ChatAdapter, CredentialsRejected, StartRefused
from bot.health import RETRYING, STOPPED, PartHealth
from bot.problems import first_line

log = logging.getLogger(__name__)


class PlatformRunner:
    def __init__(
        self, adapter: ChatAdapter, *, first_wait: float = 1.0, max_wait: float = 60.0
    ) -> None:
        self.adapter = adapter
        self.first_wait = first_wait
        self.max_wait = max_wait
        self.started = False
        self.refused: str | None = None  # why the platform refused us, for good
        self.settled = asyncio.Event()  # started, or refused for good
        self._state = PartHealth.down(STOPPED, "starting")
        self._task: asyncio.Task[None] | None = None

    @property
    def platform(self) -> str:
        return self.adapter.platform

    def begin(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"start-{self.platform}")

    async def _run(self) -> None:
        wait = self.first_wait
        while True:
            try:
                await self.adapter.start()
            except (CredentialsRejected, StartRefused) as refused:
                self.refused = str(refused)
                self._state = PartHealth.down(STOPPED, self.refused)
                log.error("%s; %s stays stopped", refused, self.platform)
                self.settled.set()
                return
            except Exception as exc:  # whatever the SDK raised: the next try may work
                reason = first_line(exc)
                self._state = PartHealth.down(RETRYING, f"could not start: {reason}")
                log.warning(
                    "%s could not start (%s); trying again in %g s", self.platform, reason, wait
                )
                await asyncio.sleep(wait)
                wait = min(wait * 2, self.max_wait)
            else:
                self.started = True
                self.settled.set()
                return

    def health(self) -> PartHealth:
        return self.adapter.health() if self.started else self._state

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.started:
            self.started = False
            await self.adapter.stop()


async def all_refused(runners: list[PlatformRunner]) -> list[str]:
    """Returns the reasons once every platform has refused to start (a rejected token, another
    replica in the way); never returns while any platform is running or still trying."""
    for runner in runners:
        await runner.settled.wait()
    if all(runner.refused for runner in runners):
        return [runner.refused for runner in runners if runner.refused]
    await asyncio.Event().wait()  # some platform serves: wait for the caller's cancel
    return []
