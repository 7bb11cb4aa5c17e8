"""Reply -> plain text, for the console and for logs."""

from __future__ import annotations

from bot.core.messages import Item, Reply, SourceRef

BULLET = "•"


def cite_marks(cites: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in cites)


def source_line(number: int, ref: SourceRef) -> str:
    date = f", {ref.published:%d %b %Y}" if ref.published else ""
    return f"[{number}] {ref.outlet}: {ref.headline}{date}"


def item_line(item: Item) -> str:
    parts = [BULLET]
    if item.tag:
        parts.append(f"{item.tag} ")
    parts.append(item.text)
    if item.cites:
        parts.append(" " + cite_marks(item.cites))
    if item.ref:
        parts.append(f" ({item.ref})")
    return "".join(parts[:1]) + " " + "".join(parts[1:])


def render(reply: Reply) -> str:
    blocks: list[str] = []
    if reply.title:
        blocks.append(reply.title.upper() if len(reply.title) < 60 else reply.title)
    blocks.extend(p for p in reply.body if p)
    for section in reply.sections:
        lines = [section.heading] if section.heading else []
        lines.extend(item_line(i) for i in section.items)
        if section.note:
            lines.append(f"  {section.note}")
        blocks.append("\n".join(lines))
    if reply.sources:
        lines = ["Sources:"]
        lines.extend(source_line(n, ref) for n, ref in enumerate(reply.sources, start=1))
        blocks.append("\n".join(lines))
    if reply.footer:
        blocks.append(reply.footer)
    if reply.buttons:
        blocks.append("More: " + "  ".join(b.command for b in reply.buttons))
    return "\n\n".join(blocks)
