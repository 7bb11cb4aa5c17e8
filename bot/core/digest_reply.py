"""A composed digest as Reply documents, packed so that each usually fits one message."""

from __future__ import annotations

import datetime as dt

from bot.core import texts
from bot.core.briefs import Citations, point_item
from bot.core.messages import Item, Reply, Section
from briefings.digest import Digest
from briefings.schedule import zone


def digest_replies(
    digest: Digest,
    timezone: str,
    event_title: str,
    now: dt.datetime,
    budget: int | None = None,
) -> list[Reply]:
    """The digest as one Reply, or as several of at most `budget` characters of point text
    each: the platform's message budget, so each usually fits one message."""
    local = now.astimezone(zone(timezone))
    headline = texts.SCHEDULED_DIGEST_TITLE.format(
        event=event_title, date=f"{local:%A} {local.day} {local:%B %Y}"
    )
    intro = (
        texts.DIGEST_FULL_INTRO
        if digest.full
        else texts.counted(texts.DIGEST_CHANGES_INTRO, count=digest.point_count)
    )
    replies: list[Reply] = []
    sections: list[Section] = []
    citations = Citations()
    used = 0

    def flush() -> None:
        nonlocal sections, citations, used
        if not sections:
            return
        first = not replies
        replies.append(
            Reply(
                title=headline if first else None,
                body=(intro,) if first else (),
                sections=tuple(sections),
                sources=citations.refs,
            )
        )
        sections, citations, used = [], Citations(), 0

    for topic, points in digest.topics:
        items: list[Item] = []
        for point in points:
            if budget is not None and used and used + len(point.text) > budget:
                if items:
                    sections.append(Section(f"{topic.title} (/{topic.slug})", tuple(items)))
                    items = []
                flush()
            items.append(point_item(point, citations))
            used += len(point.text)
        if items:
            sections.append(Section(f"{topic.title} (/{topic.slug})", tuple(items)))
    flush()
    if replies:
        last = replies[-1]
        replies[-1] = Reply(
            title=last.title,
            body=last.body,
            sections=last.sections,
            sources=last.sources,
            footer=texts.SCHEDULED_DIGEST_FOOTER,
        )
    return replies
