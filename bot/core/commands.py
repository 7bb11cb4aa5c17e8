"""The command registry and the parsing of what users type.

Fixed commands are registered by the handler modules; topic commands come from the data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.messages import Reply

if TYPE_CHECKING:
    from bot.core.context import Context

Handler = Callable[["Context"], Awaitable[list[Reply]]]

MAX_INPUT_LENGTH = 4000
_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True)
class Command:
    """A command and what adapters need to know about it, so none of them reads handler code
    (as errbot's `@botcmd(admin_only=..., hidden=...)`)."""

    name: str
    summary: str
    handler: Handler
    usage: str = ""
    aliases: tuple[str, ...] = ()
    # Only admins may run it; the core refuses everyone else.
    admin: bool = False
    # It only reads the briefings: answering it again for a whole channel shows the same
    # thing and changes nothing, so platforms may offer to share the answer.
    read_only: bool = False
    # Left out of help and command menus (commands that buttons send, for instance).
    hidden: bool = False
    # The longest message it accepts: commands are short, a pasted article is not.
    max_input: int = MAX_INPUT_LENGTH

    @property
    def usage_line(self) -> str:
        """`name usage`, as help and manifests show it."""
        return f"{self.name} {self.usage}".rstrip()


@dataclass(frozen=True)
class Parsed:
    name: str
    args: str
    slashed: bool


def parse(text: str) -> Parsed | None:
    """`/Treaty@SomeBot  extra` -> Parsed("treaty", "extra", True); None for an empty message.

    Text without a slash is parsed the same way (its first word as the name) so that people
    can type `treaty` in a private chat; the caller decides whether to honour it."""
    stripped = text.strip()
    if not stripped:
        return None
    slashed = stripped.startswith("/")
    parts = (stripped[1:] if slashed else stripped).split(maxsplit=1)
    if not parts:
        return Parsed("", "", slashed)
    name = parts[0].split("@", 1)[0].casefold()
    return Parsed(name, parts[1].strip() if len(parts) > 1 else "", slashed)


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


class Registry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._names: dict[str, Command] = {}

    def add(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self._names:
                raise ValueError(f"command name {name!r} registered twice")
            self._names[name] = command
        self._commands[command.name] = command

    def extend(self, commands: Iterable[Command]) -> None:
        for command in commands:
            self.add(command)

    def get(self, name: str) -> Command | None:
        return self._names.get(name)

    def commands(self) -> list[Command]:
        return list(self._commands.values())

    def listed(self) -> list[Command]:
        """The commands help and platform menus show."""
        return [c for c in self._commands.values() if not c.hidden]

    def names(self) -> list[str]:
        return list(self._names)


def suggest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    pool = list(dict.fromkeys(candidates))
    found = difflib.get_close_matches(name, pool, n=limit, cutoff=0.6)
    if not found and len(name) >= 3:
        found = [c for c in pool if c.startswith(name[:3])][:limit]
    return found
