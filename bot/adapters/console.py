"""A local chat on the terminal: the bot with no accounts at all."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.adapters.base import ChatAdapter
from bot.core.core import Core
from bot.core.messages import ChatRef, Incoming, Reply
from bot.render.plain import render

PLATFORM = "console"
OPERATOR = "operator"
GUEST = "guest"
# The words that end the chat, read here before the core sees them: the app reserves them, so
# no topic is named /quit and then unreachable in the console.
QUIT_WORDS = frozenset({"quit", "exit"})
QUIT = QUIT_WORDS | {f"/{word}" for word in QUIT_WORDS}
PROMPT = "you> "
# A line ending with a backslash goes on on the next line, as in a shell: a message of several
# lines ("/ingest" with "outlet: ..." lines and the article's paragraphs) is typed or pasted
# this way, where a chat app would take it whole.
CONTINUES = "\\"
MORE_PROMPT = "...> "


class ConsoleAdapter(ChatAdapter):
    platform = PLATFORM

    def __init__(
        self,
        core: Core,
        *,
        guest: bool = False,
        json_mode: bool = False,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self._core = core
        self._user = GUEST if guest else OPERATOR
        self._json = json_mode
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        self.chat = ChatRef(PLATFORM, "local", "private")
        self._sent = 0

    async def send(self, chat: ChatRef, reply: Reply) -> list[str]:
        """Prints a message the bot starts itself, such as a scheduled digest."""
        self._out.write("\n" + render(reply) + "\n\n")
        self._out.flush()
        self._sent += 1
        return [str(self._sent)]

    def to_incoming(self, line: str) -> Incoming:
        return Incoming(chat=self.chat, user_id=self._user, user_name=self._user, text=line)

    async def replies(self, line: str) -> list[Reply]:
        return await self._core.handle(self.to_incoming(line))

    def answer(self, line: str, replies: list[Reply]) -> None:
        rendered = [render(r) for r in replies]
        if self._json:
            self._out.write(json.dumps({"input": line, "replies": rendered}, ensure_ascii=False))
            self._out.write("\n")
        else:
            self._out.write("\n\n".join(rendered) + "\n\n")
        self._out.flush()

    async def run(self, banner: str | None = None) -> None:
        interactive = self._in.isatty() and not self._json
        if interactive:
            _enable_line_editing()
            if banner:
                self._out.write(banner + "\n\n")
        while True:
            line = await asyncio.to_thread(self._message, interactive)
            if line is None:
                return
            if interactive and not line.strip():
                continue
            if line.strip().casefold() in QUIT:
                return
            self.answer(line, await self.replies(line))

    def _message(self, interactive: bool) -> str | None:
        """One message: a line, or lines joined while each ends with a backslash."""
        parts: list[str] = []
        while True:
            line = self._read(interactive, MORE_PROMPT if parts else PROMPT)
            if line is None:
                return "\n".join(parts) if parts else None
            line = line.rstrip("\r\n")
            if not line.endswith(CONTINUES):
                return "\n".join([*parts, line])
            parts.append(line[: -len(CONTINUES)].rstrip())

    def _read(self, interactive: bool, prompt: str = PROMPT) -> str | None:
        if interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = self._in.readline()
        return line if line else None


HISTORY_FILE = Path.home() / ".briefbot_history"
HISTORY_LENGTH = 500


def _enable_line_editing() -> None:
    """Arrow keys and a history kept across sessions, where the platform has readline."""
    try:
        import readline
    except ImportError:  # pragma: no cover - platforms without readline
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(HISTORY_LENGTH)
    atexit.register(_save_history, readline)


def _save_history(readline: Any) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(HISTORY_FILE)
