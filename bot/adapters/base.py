"""The contracts between the composition root, the chat adapters and what adapters may touch.

Adapters get narrow interfaces, not the briefings store: `ChatHealth` to report chats they can
no longer reach (or that moved), `TopicDirectory` to build command menus from the topics,
`SendPacing` to share send times with other replicas, `EventLog` to handle a redelivered
event once across replicas, and `Leases` for what only one replica may do at a time (poll a
Telegram token) and to see what the others do (serve its webhook).
`ChatAdapter` is the base class every adapter extends; its lifecycle defaults do nothing and its
health is "connected" unless it says otherwise.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ClassVar, Protocol

from starlette.routing import BaseRoute

from bot.core.messages import ChatRef, Reply
from bot.health import CONNECTED, PartHealth
from briefings.leases import LeaseView
from briefings.models import ChatStatus
from briefings.views import TopicView

# Set by digest delivery around one send. An adapter awaits `message_leaving()` right before a
# message goes out to the platform (after any pacing wait), so the ledger can tell a message
# that may have been posted from one that never left when a replica dies mid-send.
ABOUT_TO_SEND: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "about_to_send", default=None
)


async def message_leaving() -> None:
    """Tells the sender, if it asked (`ABOUT_TO_SEND`), that its message leaves now; once."""
    hook = ABOUT_TO_SEND.get()
    if hook is not None:
        ABOUT_TO_SEND.set(None)
        await hook()


class SendError(Exception):
    """A platform refused or failed a send. Adapters translate their SDK's errors into this, so
    callers (digest delivery) decide what to do without knowing the platform."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        migrated_to: str | None = None,
        maybe_delivered: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        # The chat cannot be reached again (blocked, kicked, not found, archived).
        self.permanent = permanent
        self.retry_after = retry_after
        # The platform moved the chat (Telegram group -> supergroup); send there instead.
        self.migrated_to = migrated_to
        # A timeout after the request left: the message may have been posted.
        self.maybe_delivered = maybe_delivered


class CredentialsRejected(RuntimeError):
    """The platform refused the configured token or secret: starting again will not help. The
    message names the setting and never quotes its value."""


class StartRefused(RuntimeError):
    """Starting would clash with another replica (it already polls this Telegram bot, say):
    final like a rejected token, until that replica stops. The message is one sentence saying
    who holds what and which setting lets several replicas run."""


class EventLog(Protocol):
    """Events taken by any replica, so that a platform's redelivery is handled once."""

    async def first_time(self, key: str) -> bool:
        """True for the first replica to record `key`; False for every later try."""
        ...


class Leases(Protocol):
    """Named rights held by one replica at a time until they expire (see briefings.leases)."""

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta) -> bool: ...

    async def renew(self, name: str, holder: str, ttl: dt.timedelta) -> bool: ...

    async def release(self, name: str, holder: str) -> None: ...

    async def current(self, name: str) -> LeaseView | None: ...

    async def live(self, prefix: str) -> list[LeaseView]:
        """Unexpired leases whose names start with `prefix`, oldest first."""
        ...


@dataclass(frozen=True)
class Replicas:
    """What an adapter needs to run beside other replicas of the bot on one database."""

    events: EventLog
    leases: Leases
    holder: str  # this process in leases: "host:pid:random"


class ChatHealth(Protocol):
    """What adapters report about chats; digest delivery reads it before sending."""

    async def mark_unreachable(
        self, platform: str, chat_id: str, status: ChatStatus, reason: str
    ) -> None: ...

    async def mark_reachable(self, platform: str, chat_id: str) -> None: ...

    async def moved(self, platform: str, old_id: str, new_id: str) -> None: ...


class SendPacing(Protocol):
    """Send times shared by every replica (`briefings.pacing.SharedPacer` on PostgreSQL), so
    that together they stay within a platform's rate limits. Keys are the adapter's own."""

    async def reserve(self, spacings: Mapping[str, float]) -> float:
        """Reserves the next send under every key (key -> least seconds between two sends);
        returns the seconds to wait before sending."""
        ...

    async def push_back(self, key: str, seconds: float) -> None:
        """No send under `key` for `seconds` (the platform asked to wait)."""
        ...


class TopicDirectory(Protocol):
    async def listing(self) -> tuple[int, tuple[TopicView, ...]]:
        """(content revision, topics): what command menus are built from."""
        ...


class ChatAdapter(ABC):
    platform: ClassVar[str]
    # Characters of point text one digest message may carry, so that it rarely needs
    # splitting by the renderer; None packs a whole digest into one message.
    message_budget: ClassVar[int | None] = None
    # How long the platform may deliver an event again (retries, redeliveries): the shared
    # event log keeps keys this long.
    redelivery_window: ClassVar[dt.timedelta] = dt.timedelta(0)

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this adapter needs on the bot's one web server (webhooks)."""
        return []

    async def start(self) -> None:
        """Connects to the platform; raises when it cannot."""
        return

    async def stop(self) -> None:
        """Stops taking new work and finishes what was acknowledged."""
        return

    def health(self) -> PartHealth:
        """How the connection to the platform is, for /healthz; adapters that can lose it say
        so (retrying, stopped) with the reason."""
        return PartHealth(CONNECTED)

    @abstractmethod
    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        """Posts a reply to a chat outside any conversation (digests); returns message ids.
        Raises SendError once the adapter's own bounded retries are spent."""
