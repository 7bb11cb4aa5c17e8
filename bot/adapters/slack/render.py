"""Reply -> Slack Block Kit messages, split at Slack's limits.

Every mrkdwn string is escaped (&, <, >), so stored or user text can never become a link, a
user mention or an `<!channel>` ping. plain_text fields (header, button labels) are not parsed
for markup by Slack, so they carry the raw text. One reply may become several messages: at most
50 blocks each, section texts of at most 3,000 characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack import limits, texts
from bot.core.clip import ELLIPSIS, clip
from bot.core.messages import Button, Item, Reply, Section
from bot.render.plain import BULLET, cite_marks, source_line

Block = dict[str, Any]

# action_ids the adapter listens for; a number is appended to RUN so ids stay unique per block.
ACTION_RUN = "brief_run"
ACTION_SHARE = "brief_share"
TONE_MARK = {"error": ":warning: ", "refusal": ":no_entry: ", "info": ""}


@dataclass(frozen=True)
class SlackMessage:
    text: str  # mrkdwn fallback for notifications and clients without blocks
    blocks: tuple[Block, ...]

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": list(self.blocks)}


def escape(text: str) -> str:
    """Slack's three control characters; `&` first so entities are not escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_cut(escaped: str, limit: int) -> int:
    """The longest prefix length <= limit that does not end inside an &entity;."""
    if len(escaped) <= limit:
        return len(escaped)
    amp = escaped.rfind("&", max(0, limit - 4), limit)
    if amp != -1 and ";" not in escaped[amp:limit]:
        return amp
    return limit


def clip_escaped(escaped: str, limit: int) -> str:
    if len(escaped) <= limit:
        return escaped
    return escaped[: _safe_cut(escaped, limit - 1)] + ELLIPSIS


def split_escaped(escaped: str, limit: int) -> Iterator[str]:
    """Pieces of at most `limit` characters, never cutting an entity in half."""
    while len(escaped) > limit:
        cut = _safe_cut(escaped, limit)
        yield escaped[:cut]
        escaped = escaped[cut:]
    if escaped:
        yield escaped


def pack(lines: Iterable[str], limit: int) -> Iterator[str]:
    """Joins escaped lines with newlines into texts of at most `limit` characters."""
    current = ""
    for line in lines:
        if not line.strip():
            continue
        for piece in split_escaped(line, limit):
            if current and len(current) + 1 + len(piece) <= limit:
                current += "\n" + piece
            else:
                if current:
                    yield current
                current = piece
    if current:
        yield current


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def sections(lines: Iterable[str]) -> list[Block]:
    return [{"type": "section", "text": mrkdwn(text)} for text in pack(lines, limits.SECTION_CHARS)]


def contexts(lines: Iterable[str]) -> list[Block]:
    elements = [mrkdwn(text) for text in pack(lines, limits.SECTION_CHARS)]
    step = limits.CONTEXT_ELEMENTS
    return [
        {"type": "context", "elements": elements[i : i + step]}
        for i in range(0, len(elements), step)
    ]


def item_line(item: Item) -> str:
    parts = [BULLET, " "]
    if item.tag:
        parts.append(f"*{escape(item.tag)}* ")
    parts.append(escape(item.text))
    if item.cites:
        parts.append(" " + cite_marks(item.cites))
    if item.ref:
        parts.append(f" ({escape(item.ref)})")
    return "".join(parts)


def section_lines(section: Section) -> list[str]:
    lines = [f"*{escape(section.heading)}*"] if section.heading else []
    lines.extend(item_line(i) for i in section.items)
    if section.note:
        lines.append(f"_{escape(section.note)}_")
    return lines


def button(label: str, action_id: str, value: str, primary: bool = False) -> Block:
    element: Block = {
        "type": "button",
        "text": {
            "type": "plain_text",
            "text": clip(label, limits.BUTTON_TEXT_CHARS),
            "emoji": True,
        },
        "action_id": action_id,
        "value": value,
    }
    if primary:
        element["style"] = "primary"
    return element


def actions(elements: Sequence[Block]) -> list[Block]:
    step = limits.ACTIONS_ELEMENTS
    return [
        {"type": "actions", "elements": list(elements[i : i + step])}
        for i in range(0, len(elements), step)
    ]


def fits_button(command: str) -> bool:
    return 0 < len(command) <= limits.BUTTON_VALUE_CHARS


def content_blocks(reply: Reply) -> list[Block]:
    """Everything but the buttons, in reading order."""
    blocks: list[Block] = []
    if reply.title:
        header = clip(reply.title, limits.HEADER_CHARS)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": header}})
    mark = TONE_MARK[reply.tone]
    for paragraph in reply.body:
        if paragraph:
            blocks.extend(sections([mark + escape(paragraph)]))
    for section in reply.sections:
        blocks.extend(sections(section_lines(section)))
    if reply.sources:
        lines = [f"*{escape(texts.SOURCES_LABEL)}*"]
        lines.extend(escape(source_line(n, s)) for n, s in enumerate(reply.sources, start=1))
        blocks.extend(contexts(lines))
    if reply.footer:
        blocks.extend(contexts([escape(reply.footer)]))
    return blocks


def button_elements(buttons: Sequence[Button], share: str | None) -> list[Block]:
    elements = [
        button(b.label, f"{ACTION_RUN}_{n}", b.command)
        for n, b in enumerate(buttons)
        if b.label.strip() and fits_button(b.command)
    ]
    if share is not None and fits_button(share):
        elements.insert(0, button(texts.SHARE_BUTTON, ACTION_SHARE, share, primary=True))
    return elements


def fallback_text(blocks: Sequence[Block]) -> str:
    """The blocks' own text, for notifications: headers escaped, mrkdwn taken as it is."""
    parts: list[str] = []
    for block in blocks:
        if block["type"] == "header":
            parts.append(escape(block["text"]["text"]))
        elif block["type"] == "section":
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts.extend(e["text"] for e in block["elements"])
    return clip_escaped("\n".join(parts), limits.FALLBACK_TEXT_CHARS) or ELLIPSIS


def render(replies: Sequence[Reply], share: str | None = None) -> list[SlackMessage]:
    """Messages for a list of replies. `share` (a command text) adds a Share button at the end;
    a reply's own buttons follow its content."""
    blocks: list[Block] = []
    for n, reply in enumerate(replies):
        blocks.extend(content_blocks(reply))
        last = n == len(replies) - 1
        blocks.extend(actions(button_elements(reply.buttons, share if last else None)))
    if not blocks:
        blocks = [{"type": "section", "text": mrkdwn(ELLIPSIS)}]
    step = limits.BLOCKS_PER_MESSAGE
    chunks = [tuple(blocks[i : i + step]) for i in range(0, len(blocks), step)]
    return [SlackMessage(fallback_text(chunk), chunk) for chunk in chunks]
