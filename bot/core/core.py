"""The platform-neutral core: one message in, a list of neutral replies out."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.core import ingest_args, subscribe_args, texts
from bot.core.clip import clip
from bot.core.commands import MAX_INPUT_LENGTH, Command, Registry, parse, suggest, valid_name
from bot.core.context import Context
from bot.core.digests import DigestControls
from bot.core.fetching import UrlFetcher
from bot.core.handlers import (
    admin,
    general,
    ingest,
    review,
    search,
    subscriptions,
    topic_admin,
    topics,
)
from bot.core.messages import Incoming, Reply
from bot.core.roles import Roles
from briefings import errors
from briefings.store import BriefingStore
from briefings.views import Catalog

log = logging.getLogger(__name__)

FIXED_COMMANDS: tuple[Command, ...] = (
    *general.COMMANDS,
    *topics.COMMANDS,
    *search.COMMANDS,
    *subscriptions.COMMANDS,
    *admin.COMMANDS,
    *ingest.COMMANDS,
    *review.COMMANDS,
    *topic_admin.COMMANDS,
)


# Words commands read as keywords in their arguments (/approve all, /subscribe weekdays full): a
# topic named so would make those commands ambiguous, so no topic may take one.
ARGUMENT_WORDS = ingest_args.KEYWORDS | subscribe_args.KEYWORDS


def default_registry(extra: Iterable[Command] = ()) -> Registry:
    registry = Registry()
    registry.extend(FIXED_COMMANDS)
    registry.extend(extra)
    return registry


def explain(error: errors.BriefingError) -> str:
    """The user-facing sentence for a domain error."""
    if isinstance(error, errors.UnknownTopic):
        return texts.UNKNOWN_TOPIC.format(name=error.name[:32])
    if isinstance(error, errors.UnknownPoint):
        return texts.UNKNOWN_POINT.format(id=error.point_id)
    if isinstance(error, errors.UnknownSource):
        return texts.UNKNOWN_SOURCES.format(keys=", ".join(k[:32] for k in error.keys[:5]))
    if isinstance(error, errors.UnknownProposal):
        return texts.UNKNOWN_PROPOSAL.format(id=error.proposal_id)
    if isinstance(error, errors.NothingToUndo):
        return texts.NOTHING_TO_UNDO
    if isinstance(error, errors.UndoConflict):
        return texts.UNDO_CONFLICT.format(
            id=error.point_id, who=error.changed_by, action=error.action
        )
    if isinstance(error, errors.InvalidText):
        return {
            "too_short": texts.TEXT_TOO_SHORT,
            "too_long": texts.TEXT_TOO_LONG,
        }.get(error.reason, texts.TEXT_EMPTY).format(limit=error.limit)
    return _explain_topic_admin(error)


def _explain_topic_admin(error: errors.BriefingError) -> str:
    """explain(), continued: the errors of /topic, /move and /importance."""
    if isinstance(error, errors.BadSlug):
        return texts.BAD_SLUG.format(value=clip(error.value, 40))
    if isinstance(error, errors.InvalidTitle):
        too_long = error.reason == "too_long"
        return (texts.TITLE_TOO_LONG if too_long else texts.TITLE_EMPTY).format(limit=error.limit)
    if isinstance(error, errors.ReservedName):
        word = error.name in ARGUMENT_WORDS
        return (texts.RESERVED_WORD if word else texts.RESERVED_NAME).format(name=error.name)
    if isinstance(error, errors.TopicExists):
        return texts.TOPIC_EXISTS.format(name=error.name, holder=error.holder)
    if isinstance(error, errors.UnknownAlias):
        return texts.UNKNOWN_ALIAS.format(slug=error.slug, alias=clip(error.alias, 40))
    if isinstance(error, errors.TopicNotEmpty):
        return texts.counted(texts.TOPIC_NOT_EMPTY, slug=error.slug, count=error.count)
    if isinstance(error, errors.BadImportance):
        return texts.BAD_IMPORTANCE.format(value=clip(error.value, 20))
    if isinstance(error, errors.AlreadyInTopic):
        return texts.ALREADY_IN_TOPIC.format(id=error.point_id, slug=error.slug)
    if isinstance(error, errors.SameImportance):
        return texts.SAME_IMPORTANCE.format(id=error.point_id, importance=error.importance)
    return texts.INTERNAL_ERROR


class Core:
    def __init__(
        self,
        store: BriefingStore,
        roles: Roles,
        bot_name: str = "Briefing bot",
        event_title: str = "",
        registry: Registry | None = None,
        digests: DigestControls | None = None,
        fetch_url: UrlFetcher | None = None,
        reserved: Iterable[str] = (),
    ) -> None:
        """`reserved`: words an adapter reads before the core sees them (the console's quit),
        which a topic therefore cannot be named, on any platform: it shares the database."""
        self.store = store
        self.roles = roles
        self.bot_name = bot_name
        self.event_title = event_title
        self.registry = registry or default_registry()
        self._commands = tuple(self.registry.listed())  # for help; built once, not per message
        # Longer messages are refused before they are even parsed.
        self._longest_input = max(c.max_input for c in self.registry.commands())
        self.reserved_names = frozenset({*self.registry.names(), *ARGUMENT_WORDS, *reserved})
        self.digests = digests
        self.fetch_url = fetch_url

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Never raises: every failure becomes a short reply, and the store stays unchanged."""
        try:
            return await self._handle(incoming)
        except errors.BriefingError as exc:
            return [Reply.text(explain(exc), tone="error")]
        except Exception:
            log.exception("command failed: %r", incoming.text[:80])
            return [Reply.text(texts.INTERNAL_ERROR, tone="error")]

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        if len(incoming.text) > self._longest_input:
            return [_too_long(incoming, MAX_INPUT_LENGTH)]
        parsed = parse(incoming.text)
        if parsed is None:
            return [Reply.text(texts.EMPTY_MESSAGE)]
        if not valid_name(parsed.name):
            if parsed.slashed:
                return [Reply.text(texts.BAD_COMMAND_NAME, tone="error")]
            return [Reply.text(texts.NOT_A_COMMAND)]
        catalog = await self.store.topics.catalog()
        command = self._resolve(parsed.name, catalog)
        if command is None:
            if len(incoming.text) > MAX_INPUT_LENGTH:
                return [_too_long(incoming, MAX_INPUT_LENGTH)]
            if not parsed.slashed:
                return [Reply.text(texts.NOT_A_COMMAND)]
            return [self._unknown(parsed.name, catalog.topic_names)]
        if len(incoming.text) > command.max_input:
            return [_too_long(incoming, command.max_input)]
        ctx = Context(
            incoming=incoming,
            name=parsed.name,
            args=parsed.args,
            store=self.store,
            catalog=catalog,
            roles=self.roles,
            bot_name=self.bot_name,
            event_title=self.event_title,
            commands=self._commands,
            reserved_names=self.reserved_names,
            digests=self.digests,
            fetch_url=self.fetch_url,
        )
        if command.admin and not await self.roles.is_admin(incoming):
            return [Reply.text(texts.NOT_ADMIN.format(name=command.name), tone="refusal")]
        return await command.handler(ctx)

    async def resolve(self, name: str) -> Command | None:
        """The command a name runs: a fixed command or alias, a topic (slug or alias), or None.
        The one place that decides it, for the core and for every adapter."""
        return self._resolve(name.casefold(), await self.store.topics.catalog())

    def _resolve(self, name: str, catalog: Catalog) -> Command | None:
        command = self.registry.get(name)
        if command is None and catalog.topic(name) is not None:
            return TOPIC_COMMAND
        return command

    def _unknown(self, name: str, topic_names: Iterable[str]) -> Reply:
        candidates = [*self.registry.names(), *topic_names]
        close = suggest(name, candidates)
        paragraphs = [texts.UNKNOWN_COMMAND.format(name=name)]
        if close:
            paragraphs.append(
                texts.DID_YOU_MEAN.format(suggestions=" or ".join(f"/{c}" for c in close))
            )
        paragraphs.append(texts.SEE_HELP)
        return Reply.text(*paragraphs, tone="error")


def _too_long(incoming: Incoming, limit: int) -> Reply:
    return Reply.text(texts.TOO_LONG.format(length=len(incoming.text), limit=limit), tone="error")


TOPIC_COMMAND = Command("topic", "Read a topic", topics.show_topic, read_only=True)
