"""Reading the briefings: /topics, /<topic>, /digest and /sources."""

from __future__ import annotations

from collections import Counter

from bot.core import texts
from bot.core.briefs import Citations, point_item, when
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.messages import Button, Item, Reply, Section
from briefings.views import TopicView

DIGEST_POINTS_PER_TOPIC = 3


def topic_buttons(topics: tuple[TopicView, ...], current: str | None = None) -> tuple[Button, ...]:
    return tuple(Button(t.title, f"/{t.slug}") for t in topics if t.slug != current and t.points)


async def topics(ctx: Context) -> list[Reply]:
    catalog = ctx.catalog
    if not catalog.topics:
        return [Reply.text(texts.NO_TOPICS)]
    items = tuple(
        Item(
            text=(
                texts.TOPIC_LINE.format(
                    title=t.title, count=len(t.points), updated=when(t.updated_at)
                )
                if t.points
                else texts.TOPIC_LINE_EMPTY.format(title=t.title)
            ),
            tag=f"/{t.slug}",
        )
        for t in catalog.topics
    )
    return [
        Reply(
            title=texts.TOPICS_TITLE,
            sections=(Section(None, items),),
            footer=texts.TOPICS_FOOTER.format(
                points=catalog.point_count, sources=len(catalog.sources)
            ),
            buttons=topic_buttons(catalog.topics),
        )
    ]


def topic_reply(topic: TopicView, all_topics: tuple[TopicView, ...]) -> Reply:
    if not topic.points:
        return Reply(title=topic.title, body=(texts.TOPIC_EMPTY,))
    citations = Citations()
    items = tuple(point_item(p, citations) for p in topic.points)
    body = (topic.description,) if topic.description else ()
    return Reply(
        title=topic.title,
        body=body,
        sections=(Section(None, items),),
        sources=citations.refs,
        footer=texts.TOPIC_FOOTER.format(count=len(items), updated=when(topic.updated_at)),
        buttons=topic_buttons(all_topics, current=topic.slug),
    )


async def show_topic(ctx: Context) -> list[Reply]:
    topic = ctx.catalog.topic(ctx.name)
    if topic is None:  # the core only routes known topics here; a reload may race it
        return [Reply.text(texts.UNKNOWN_TOPIC.format(name=ctx.name), tone="error")]
    return [topic_reply(topic, ctx.catalog.topics)]


async def digest(ctx: Context) -> list[Reply]:
    catalog = ctx.catalog
    citations = Citations()
    sections = []
    for topic, points in catalog.digest():
        top = points[:DIGEST_POINTS_PER_TOPIC]
        more = len(points) - len(top)
        sections.append(
            Section(
                f"{topic.title} (/{topic.slug})",
                tuple(point_item(p, citations) for p in top),
                note=texts.DIGEST_MORE.format(count=more, slug=topic.slug) if more else None,
            )
        )
    if not sections:
        return [Reply.text(texts.DIGEST_EMPTY)]
    return [
        Reply(
            title=texts.DIGEST_TITLE.format(event=ctx.event_title or ctx.bot_name),
            sections=tuple(sections),
            sources=citations.refs,
            footer=texts.DIGEST_FOOTER,
        )
    ]


async def sources(ctx: Context) -> list[Reply]:
    catalog = ctx.catalog
    if not catalog.sources:
        return [Reply.text(texts.SOURCES_EMPTY)]
    cited = Counter(s.id for t in catalog.topics for p in t.points for s in p.sources)
    items = tuple(
        Item(
            text=texts.SOURCE_LINE.format(outlet=s.outlet, headline=s.headline)
            + (f" ({s.published:%d %b %Y})" if s.published else "")
            + f"; {texts.SOURCE_CITED.format(count=cited[s.id])}"
            + (f" {s.url}" if s.url else ""),  # platforms turn a bare address into a link
            tag=s.key,
        )
        for s in catalog.sources
    )
    return [Reply(title=texts.SOURCES_TITLE, sections=(Section(None, items),))]


COMMANDS = [
    Command("topics", "Every topic with its number of points", topics, read_only=True),
    Command(
        "digest",
        "The most important points of every topic",
        digest,
        aliases=("brief",),
        read_only=True,
    ),
    Command("sources", "The articles the key points cite", sources, read_only=True),
]
