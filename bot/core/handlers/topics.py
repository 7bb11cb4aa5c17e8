"""Reading the briefings: /topics, /<topic>, /digest and /sources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.core import texts
from bot.core.briefs import Citations, point_item, when
from bot.core.clip import clip
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.messages import Button, Item, Reply, Section
from bot.core.pages import PAGE_CHARS, split_pages
from briefings.views import PointView, TopicView

DIGEST_POINTS_PER_TOPIC = 3
MAX_PAGE_DIGITS = 6


def topic_buttons(topics: tuple[TopicView, ...], current: str | None = None) -> tuple[Button, ...]:
    return tuple(Button(t.title, f"/{t.slug}") for t in topics if t.slug != current and t.points)


async def topics(ctx: Context) -> list[Reply]:
    catalog = ctx.catalog
    if not catalog.topics:
        return [Reply.text(texts.NO_TOPICS)]
    items = tuple(
        Item(
            text=(
                texts.counted(
                    texts.TOPIC_LINE, title=t.title, count=len(t.points), updated=when(t.updated_at)
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


def topic_reply(
    topic: TopicView,
    all_topics: tuple[TopicView, ...],
    pages: Sequence[Sequence[PointView]],
    page: int = 1,
) -> Reply:
    """One page of a topic (1-based), most important points first; a short topic is one page
    and looks as it always did."""
    if not pages:
        return Reply(title=topic.title, body=(texts.TOPIC_EMPTY,))
    shown = pages[page - 1]
    citations = Citations()
    items = tuple(point_item(p, citations) for p in shown)
    buttons = topic_buttons(all_topics, current=topic.slug)
    updated = when(topic.updated_at)
    title = topic.title
    footer = texts.counted(texts.TOPIC_FOOTER, count=len(items), updated=updated)
    if len(pages) > 1:
        first = sum(len(p) for p in pages[: page - 1]) + 1
        last_page = page == len(pages)
        footer = (texts.TOPIC_LAST_PAGE_FOOTER if last_page else texts.TOPIC_PAGE_FOOTER).format(
            first=first, last=first + len(shown) - 1, total=len(topic.points), updated=updated
        )
        if page > 1:
            title = texts.TOPIC_PAGE_TITLE.format(title=topic.title, page=page, pages=len(pages))
        if not last_page:
            more = texts.TOPIC_MORE.format(page=page + 1, pages=len(pages))
            buttons = (Button(more, f"/{topic.slug} {page + 1}"), *buttons)
    body = (topic.description,) if topic.description and page == 1 else ()
    return Reply(
        title=title,
        body=body,
        sections=(Section(None, items),),
        sources=citations.refs,
        footer=footer,
        buttons=buttons,
    )


def _page_number(args: str) -> int | None:
    """The page asked for: none means the first; None when it is not a number."""
    word = args.strip()
    if not word:
        return 1
    if word.isascii() and word.isdigit() and len(word) <= MAX_PAGE_DIGITS:
        return int(word)
    return None


def _bad_page(ctx: Context, topic: TopicView, pages: int, problem: str) -> list[Reply]:
    command = f"{ctx.incoming.command_prefix}{topic.slug}"
    hint = texts.TOPIC_PAGES_HINT if pages > 1 else texts.TOPIC_ONE_PAGE_HINT
    return [Reply.text(f"{problem} {hint.format(command=command, pages=pages)}", tone="error")]


async def show_topic(ctx: Context) -> list[Reply]:
    topic = ctx.catalog.topic(ctx.name)
    if topic is None:  # the core only routes known topics here; a reload may race it
        return [Reply.text(texts.UNKNOWN_TOPIC.format(name=ctx.name), tone="error")]
    # A page fits one message of this platform: long topics never flood a chat.
    budget = min(PAGE_CHARS, ctx.incoming.message_budget or PAGE_CHARS)
    pages = split_pages(topic.points, max_chars=budget)
    if not pages:
        return [topic_reply(topic, ctx.catalog.topics, pages)]
    page = _page_number(ctx.args)
    if page is None:
        value = clip(ctx.args.strip(), 20)
        return _bad_page(ctx, topic, len(pages), texts.TOPIC_PAGE_NOT_A_NUMBER.format(value=value))
    if not 1 <= page <= len(pages):
        command = f"{ctx.incoming.command_prefix}{topic.slug}"
        problem = texts.TOPIC_NO_SUCH_PAGE.format(page=page, command=command)
        return _bad_page(ctx, topic, len(pages), problem)
    return [topic_reply(topic, ctx.catalog.topics, pages, page)]


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
            + f"; {texts.counted(texts.SOURCE_CITED, count=cited[s.id])}"
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
