"""What a handler receives: the message, its arguments, and the services it may use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.commands import Command
from bot.core.digests import DigestControls
from bot.core.fetching import UrlFetcher
from bot.core.messages import Incoming
from bot.core.roles import Roles
from briefings.store import BriefingStore
from briefings.views import Catalog


@dataclass(frozen=True)
class Context:
    incoming: Incoming
    name: str  # the command as typed, lower-cased (an alias stays an alias)
    args: str
    store: BriefingStore
    catalog: Catalog
    roles: Roles
    bot_name: str
    event_title: str
    commands: tuple[Command, ...]  # every fixed command, for help
    # Names a topic cannot take: every fixed command name and alias (hidden ones too), the
    # words commands read as keywords (all, weekdays, full) and words an adapter reads itself.
    reserved_names: frozenset[str]
    digests: DigestControls | None = None
    fetch_url: UrlFetcher | None = None  # None: links cannot be fetched here
