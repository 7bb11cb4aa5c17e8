"""The command menu Telegram shows next to the message box, kept in step with the data.

Topics are commands too, so the menu changes when an admin adds or renames one. The catalog
revision is cheap to read (the store caches it), so the menu is compared after each handled
update and on a slow timer (for changes made by another process), and setMyCommands is called
only when the list actually differs.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.adapters.base import TopicDirectory
from bot.adapters.telegram.limits import (
    COMMAND_DESCRIPTION_CHARS,
    COMMAND_NAME_CHARS,
    MAX_BOT_COMMANDS,
)
from bot.adapters.telegram.render import clean
from bot.core.clip import clip
from bot.core.commands import Command
from briefings.views import TopicView

log = logging.getLogger(__name__)

_NAME = re.compile(rf"^[a-z0-9_]{{1,{COMMAND_NAME_CHARS}}}$")
Entry = tuple[str, str]  # (command, description)


def _description(text: str, fallback: str) -> str:
    return clip(" ".join(clean(text).split()) or fallback, COMMAND_DESCRIPTION_CHARS)


def menu_entries(commands: Iterable[Command], topics: Iterable[TopicView]) -> list[Entry]:
    """Topics first (they are what people come for), then everyone's fixed commands; admin
    commands stay out of the public menu. Fixed commands keep their place when the topics
    would take more than Telegram's 100."""
    fixed = [
        (c.name, _description(c.summary, c.name))
        for c in commands
        if not c.admin and _NAME.match(c.name)
    ]
    taken = {name for name, _ in fixed}
    room = max(0, MAX_BOT_COMMANDS - len(fixed))
    topical: list[Entry] = []
    for topic in topics:
        if len(topical) >= room:
            break
        if _NAME.match(topic.slug) and topic.slug not in taken:
            taken.add(topic.slug)
            topical.append((topic.slug, _description(topic.description or topic.title, topic.slug)))
    return [*topical, *fixed][:MAX_BOT_COMMANDS]


class CommandMenu:
    def __init__(self, bot: Bot, topics: TopicDirectory, commands: Iterable[Command]) -> None:
        self._bot = bot
        self._topics = topics
        self._commands = tuple(commands)
        self._revision: int | None = None
        self._sent: list[Entry] | None = None
        self._lock = asyncio.Lock()

    @property
    def entries(self) -> list[Entry] | None:
        """What Telegram was last told, or None before the first success."""
        return self._sent

    async def refresh(self) -> None:
        """Sends the menu when the data changed since the last successful send. Never raises:
        a failed update is logged and tried again next time."""
        try:
            revision, topics = await self._topics.listing()
            if revision == self._revision:
                return
            async with self._lock:
                if revision == self._revision:
                    return
                entries = menu_entries(self._commands, topics)
                if entries != self._sent:
                    await self._bot.set_my_commands([BotCommand(c, d) for c, d in entries])
                    self._sent = entries
                    log.info("telegram command menu set: %d commands", len(entries))
                self._revision = revision
        except TelegramError as exc:
            log.warning("could not set the telegram command menu: %s", exc.message)
        except Exception:
            log.exception("could not set the telegram command menu")

    async def keep_fresh(self, every: float) -> None:
        """Runs until cancelled."""
        while True:
            await asyncio.sleep(every)
            await self.refresh()
