"""/search: full-text search over the published key points."""

from __future__ import annotations

from bot.core import texts
from bot.core.briefs import Citations, point_item
from bot.core.clip import clip
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.messages import Reply, Section

MAX_QUERY_ECHO = 60


async def search(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return [Reply.text(texts.SEARCH_USAGE)]
    result = await ctx.store.topics.search(ctx.args)
    if not result.words:
        return [Reply.text(texts.SEARCH_NO_WORDS)]
    query = " ".join(result.words)
    query = clip(query, MAX_QUERY_ECHO)
    if not result.hits:
        return [Reply.text(texts.SEARCH_NONE.format(query=query))]
    citations = Citations()
    items = tuple(point_item(h.point, citations, tag=f"/{h.topic.slug}") for h in result.hits)
    return [
        Reply(
            title=texts.SEARCH_TITLE.format(query=query),
            body=() if result.matched_all else (texts.SEARCH_ANY_WORD,),
            sections=(Section(None, items),),
            sources=citations.refs,
            footer=(
                texts.counted(texts.SEARCH_FOOTER, count=len(items))
                if len(items) > 1
                else texts.SEARCH_FOOTER_ONE
            ),
        )
    ]


COMMANDS = [
    Command(
        "search",
        "Find key points by words",
        search,
        usage="<words>",
        aliases=("find",),
        read_only=True,
    ),
]
