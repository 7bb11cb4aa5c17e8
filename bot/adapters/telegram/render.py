"""Reply -> Telegram messages in HTML parse mode.

Every piece of text is escaped, and a message is assembled from whole lines whose markup opens
and closes within the line, so a split between messages never falls inside a tag or an entity.
Sizes are counted the way Telegram counts them: UTF-16 code units of the text after the HTML is
parsed.
"""

from __future__ import annotations

import functools
import html
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.adapters.telegram.limits import (
    CALLBACK_DATA_BYTES,
    INLINE_KEYBOARD_BUTTONS,
    MESSAGE_CHARS,
    MESSAGE_ENTITIES,
)
from bot.core import texts
from bot.core.clip import clip
from bot.core.messages import Button, Item, Reply, SourceRef
from bot.render.plain import BULLET, cite_marks

# Room left under Telegram's limit, so that a difference in how Telegram counts some character
# can never push a message over it.
SAFETY_MARGIN = 96
MESSAGE_BUDGET = MESSAGE_CHARS - SAFETY_MARGIN
BUTTONS_PER_ROW = 2
BUTTON_LABEL_CHARS = 40
# A cut inside an over-long line moves back to a space unless that wastes over half the room.
MIN_CUT_SHARE = 0.5
# An over-long line starts in the current message when at least this share of it is free.
MIN_FILL = 0.2
# The only tags this renderer writes (all in Telegram's HTML subset): bold, italic, code.
TAGS = frozenset({"b", "i", "code"})

Span = tuple[str | None, str]  # (tag or None, plain text)


@dataclass(frozen=True)
class KeyButton:
    label: str
    data: str  # callback data: the command the core receives when the button is pressed


@dataclass(frozen=True)
class TelegramMessage:
    html: str
    keyboard: tuple[tuple[KeyButton, ...], ...] = ()


@dataclass(frozen=True)
class Line:
    spans: tuple[Span, ...]
    gap: str = "\n"  # what separates this line from the one before it in the same message
    keep_with_next: bool = False  # headings: never the last line of a message

    @functools.cached_property
    def size(self) -> int:
        return sum(utf16_len(text) for _, text in self.spans)

    @functools.cached_property
    def entities(self) -> int:
        return sum(1 for tag, text in self.spans if tag and text)

    def visible(self) -> bool:
        return any(_has_visible(text) for _, text in self.spans)

    def html(self) -> str:
        return "".join(_span_html(tag, text) for tag, text in self.spans if text)


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: characters outside the BMP count twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    """Drops what Telegram cannot take: control characters other than newline and tab, and
    lone surrogates (which cannot even be encoded as UTF-8)."""
    if text.isprintable():
        return text
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs"}
    )


def render(
    reply: Reply, *, buttons: bool = True, budget: int = MESSAGE_BUDGET
) -> list[TelegramMessage]:
    """A Reply as one or more messages, each within `budget`; the keyboard goes on the last."""
    return list(_render(reply, buttons, budget))


# Replies are frozen and rendering is pure, so the same topic asked for again (the common case)
# costs a hash and a comparison instead of a rendering.
@functools.lru_cache(maxsize=128)
def _render(reply: Reply, buttons: bool, budget: int) -> tuple[TelegramMessage, ...]:
    messages = [_join(group) for group in _pack(map(_cleaned, _lines(reply)), budget)]
    keyboard = _keyboard(reply.buttons) if buttons else ()
    if messages and keyboard:
        messages[-1] = TelegramMessage(messages[-1].html, keyboard)
    return tuple(messages)


# ----- document -> lines ---------------------------------------------------------------------


def _lines(reply: Reply) -> Iterator[Line]:
    if reply.title:
        yield Line((("b", reply.title),), "\n\n", keep_with_next=True)
    for paragraph in reply.body:
        yield Line(((None, paragraph),), "\n\n")
    for section in reply.sections:
        gap = "\n\n"
        if section.heading:
            yield Line((("b", section.heading),), gap, keep_with_next=True)
            gap = "\n"
        for item in section.items:
            yield Line(_item_spans(item), gap)
            gap = "\n"
        if section.note:
            yield Line((("i", section.note),), gap)
    if reply.sources:
        yield Line((("b", texts.SOURCES_TITLE),), "\n\n", keep_with_next=True)
        for number, ref in enumerate(reply.sources, start=1):
            yield Line(_source_spans(number, ref))
    if reply.footer:
        yield Line((("i", reply.footer),), "\n\n")


def _cleaned(line: Line) -> Line:
    return Line(
        tuple((tag, clean(text)) for tag, text in line.spans), line.gap, line.keep_with_next
    )


def _item_spans(item: Item) -> tuple[Span, ...]:
    spans: list[Span] = [(None, f"{BULLET} ")]
    if item.tag:
        # Plain, so that a tag such as /treaty stays a tappable command.
        spans.append((None, f"{item.tag} "))
    spans.append((None, item.text))
    if item.cites:
        spans.append((None, " " + cite_marks(item.cites)))
    if item.ref:
        # Code: one tap copies the id for /edit or /remove.
        spans.extend(((None, " "), ("code", item.ref)))
    return tuple(spans)


def _source_spans(number: int, ref: SourceRef) -> tuple[Span, ...]:
    date = f", {ref.published:%d %b %Y}" if ref.published else ""
    return ((None, f"[{number}] "), ("i", ref.outlet), (None, f": {ref.headline}{date}"))


def _span_html(tag: str | None, text: str) -> str:
    escaped = html.escape(text, quote=False)
    return f"<{tag}>{escaped}</{tag}>" if tag else escaped


def _has_visible(text: str) -> bool:
    return any(
        not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} for ch in text
    )


# ----- lines -> messages ---------------------------------------------------------------------


class _Packer:
    """Fills messages greedily with whole lines. A line longer than a whole message is cut:
    its head fills the current message and the rest goes on. Cuts fall between spans or
    inside a span's plain text, so each piece opens and closes its own tags."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.messages: list[list[Line]] = []
        self.current: list[Line] = []
        self.size = self.entities = 0

    def add(self, line: Line) -> None:
        pending = [line]
        while pending:
            line = pending.pop()
            if not line.visible():
                continue
            gap = len(line.gap) if self.current else 0
            if self._fits(line.size + gap, line.entities):
                self._append(line)
            elif line.size > self.budget and self._fits(MIN_FILL * self.budget, line.entities):
                head, rest = _split(line, self.budget - self.size - gap)
                pending.append(rest)
                if head.visible():
                    self._append(head)
                self.flush()
            else:
                self.flush(before=line)
                pending.append(line)

    def flush(self, before: Line | None = None) -> None:
        """Ends the current message. Trailing headings move on with `before`, the line that
        did not fit, when there is room for them; a message keeps at least one line."""
        carried: list[Line] = []
        if before is not None:
            count = 0
            while count < len(self.current) - 1 and self.current[-1 - count].keep_with_next:
                count += 1
            carried = self.current[len(self.current) - count :]
            needed = _size(carried) + len(before.gap) + min(before.size, MIN_FILL * self.budget)
            if carried and needed <= self.budget:
                del self.current[len(self.current) - count :]
            else:
                carried = []
        if self.current:
            self.messages.append(self.current)
        self.current, self.size, self.entities = [], 0, 0
        for line in carried:
            self._append(line)

    def _fits(self, size: float, entities: int) -> bool:
        return self.size + size <= self.budget and self.entities + entities <= MESSAGE_ENTITIES

    def _append(self, line: Line) -> None:
        self.size += line.size + (len(line.gap) if self.current else 0)
        self.entities += line.entities
        self.current.append(line)


def _pack(lines: Iterable[Line], budget: int) -> list[list[Line]]:
    packer = _Packer(budget)
    for line in lines:
        packer.add(line)
    packer.flush()
    return packer.messages


def _split(line: Line, room: int) -> tuple[Line, Line]:
    """The longest head of a line within `room` UTF-16 units, and the rest as a line of its own."""
    head: list[Span] = []
    for index, (tag, text) in enumerate(line.spans):
        size = utf16_len(text)
        if size <= room:
            head.append((tag, text))
            room -= size
            continue
        cut, rest = _cut(text, room)
        if cut:
            head.append((tag, cut))
        tail = ((tag, rest),) if rest else ()
        return (
            Line(tuple(head), line.gap, line.keep_with_next),
            Line(tail + line.spans[index + 1 :], "\n"),
        )
    return line, Line((), "\n")


def _cut(text: str, room: int) -> tuple[str, str]:
    """The longest head of `text` within `room` UTF-16 units, ending after a space when there
    is one near the end. Never splits a character."""
    used = end = 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            break
        end += 1
    space = text.rfind(" ", 0, end)
    if space > 0 and space >= end * MIN_CUT_SHARE:
        end = space + 1
    return text[:end], text[end:]


def _size(lines: list[Line]) -> int:
    return sum(ln.size for ln in lines) + sum(len(ln.gap) for ln in lines[1:])


def _join(lines: list[Line]) -> TelegramMessage:
    # The first line's gap is dropped: a message never starts with blank lines.
    return TelegramMessage(lines[0].html() + "".join(ln.gap + ln.html() for ln in lines[1:]))


# ----- keyboard ------------------------------------------------------------------------------


def _keyboard(buttons: tuple[Button, ...]) -> tuple[tuple[KeyButton, ...], ...]:
    keys = [key for key in map(_key, buttons) if key is not None]
    keys = keys[:INLINE_KEYBOARD_BUTTONS]
    return tuple(tuple(keys[i : i + BUTTONS_PER_ROW]) for i in range(0, len(keys), BUTTONS_PER_ROW))


def _key(button: Button) -> KeyButton | None:
    """A button whose command does not fit Telegram's callback data is left out: a cut command
    would run a different one."""
    data = clean(button.command).strip()
    label = " ".join(clean(button.label).split())
    if not data or not label or len(data.encode("utf-8")) > CALLBACK_DATA_BYTES:
        return None
    return KeyButton(clip(label, BUTTON_LABEL_CHARS), data)
