"""Managing topics from the chat (/topic add, rename, title, alias, unalias, remove) and placing
points in them (/move, /importance).

The core checks the admin role before any of these run; the stores validate, audit and bump the
content revision, so help, Telegram's menu and other processes follow. A topic's slug and
aliases are commands, so the names of the fixed commands (and the words commands read as
keywords) go along as reserved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core import texts
from bot.core.clip import clip
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.handlers.admin import _bad_id, _point_id
from bot.core.messages import Reply
from briefings.points import IMPORTANCE

# Phones' "smart punctuation" turns a typed "--" into an em dash.
FORCE = frozenset({"--force", "\u2014force"})
MAX_IMPORTANCE_DIGITS = 2


def _usage(usage: str) -> list[Reply]:
    return [Reply.text(texts.USAGE.format(usage=usage), tone="error")]


async def _add(ctx: Context, rest: str) -> list[Reply]:
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        return _usage(texts.TOPIC_ADD_USAGE)
    slug, title = parts
    topic = await ctx.store.topics.add_topic(
        slug, title, ctx.incoming.actor, reserved=ctx.reserved_names
    )
    return [Reply.text(texts.TOPIC_ADDED.format(slug=topic.slug, title=topic.title))]


async def _rename(ctx: Context, rest: str) -> list[Reply]:
    parts = rest.split(maxsplit=2)
    if len(parts) < 2:
        return _usage(texts.TOPIC_RENAME_USAGE)
    title = parts[2] if len(parts) > 2 else None
    old, topic = await ctx.store.topics.rename_topic(
        parts[0], parts[1], ctx.incoming.actor, reserved=ctx.reserved_names, title=title
    )
    return [Reply.text(texts.TOPIC_RENAMED.format(old=old, slug=topic.slug))]


async def _title(ctx: Context, rest: str) -> list[Reply]:
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        return _usage(texts.TOPIC_TITLE_USAGE)
    topic = await ctx.store.topics.set_title(parts[0], parts[1], ctx.incoming.actor)
    return [Reply.text(texts.TOPIC_RETITLED.format(slug=topic.slug, title=topic.title))]


async def _alias(ctx: Context, rest: str) -> list[Reply]:
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        return _usage(texts.TOPIC_ALIAS_USAGE)
    topic = await ctx.store.topics.add_alias(
        parts[0], parts[1], ctx.incoming.actor, reserved=ctx.reserved_names
    )
    return [Reply.text(texts.TOPIC_ALIASED.format(alias=topic.aliases[-1], slug=topic.slug))]


async def _unalias(ctx: Context, rest: str) -> list[Reply]:
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        return _usage(texts.TOPIC_UNALIAS_USAGE)
    topic = await ctx.store.topics.remove_alias(parts[0], parts[1], ctx.incoming.actor)
    alias = parts[1].casefold().removeprefix("/")
    return [Reply.text(texts.TOPIC_UNALIASED.format(alias=alias, slug=topic.slug))]


async def _remove(ctx: Context, rest: str) -> list[Reply]:
    words = rest.split()
    if not words or len(words) > 2 or (len(words) == 2 and words[1].casefold() not in FORCE):
        return _usage(texts.TOPIC_REMOVE_USAGE)
    retract = ctx.store.points.retract_topic_points if len(words) == 2 else None
    topic = await ctx.store.topics.remove_topic(words[0], ctx.incoming.actor, retract)
    if topic.retracted:
        done = texts.counted(texts.TOPIC_REMOVED_FORCED, slug=topic.slug, count=topic.retracted)
    else:
        done = texts.TOPIC_REMOVED.format(slug=topic.slug)
    return [Reply.text(done)]


SUBCOMMANDS: dict[str, tuple[Callable[[Context, str], Awaitable[list[Reply]]], str]] = {
    "add": (_add, texts.TOPIC_ADD_USAGE),
    "rename": (_rename, texts.TOPIC_RENAME_USAGE),
    "title": (_title, texts.TOPIC_TITLE_USAGE),
    "alias": (_alias, texts.TOPIC_ALIAS_USAGE),
    "unalias": (_unalias, texts.TOPIC_UNALIAS_USAGE),
    "remove": (_remove, texts.TOPIC_REMOVE_USAGE),
}


async def topic(ctx: Context) -> list[Reply]:
    sub, rest = [*ctx.args.split(maxsplit=1), "", ""][:2]
    found = SUBCOMMANDS.get(sub.casefold())
    if found is None:
        usages = tuple(usage for _, usage in SUBCOMMANDS.values())
        return [Reply.text(*usages, title=texts.TOPIC_USAGE_TITLE, tone="error")]
    return await found[0](ctx, rest)


async def move(ctx: Context) -> list[Reply]:
    parts = ctx.args.split(maxsplit=1)
    if len(parts) < 2:
        return [Reply.text(texts.MOVE_USAGE, tone="error")]
    point_id = _point_id(parts[0])
    if point_id is None:
        return [_bad_id(parts[0])]
    old, point = await ctx.store.points.move(point_id, parts[1], ctx.incoming.actor)
    return [Reply.text(texts.MOVE_DONE.format(id=point.id, old=old, slug=point.topic_slug))]


def _importance(value: str) -> int | None:
    if value.isascii() and value.isdigit() and len(value) <= MAX_IMPORTANCE_DIGITS:
        number = int(value)
        return number if number in IMPORTANCE else None
    return None


async def importance(ctx: Context) -> list[Reply]:
    parts = ctx.args.split()
    if len(parts) != 2:
        return [Reply.text(texts.IMPORTANCE_USAGE, tone="error")]
    point_id = _point_id(parts[0])
    if point_id is None:
        return [_bad_id(parts[0])]
    value = _importance(parts[1])
    if value is None:
        shown = clip(parts[1], 20)
        return [Reply.text(texts.BAD_IMPORTANCE.format(value=shown), tone="error")]
    point = await ctx.store.points.set_importance(point_id, value, ctx.incoming.actor)
    return [
        Reply.text(
            texts.IMPORTANCE_DONE.format(
                id=point.id, slug=point.topic_slug, importance=point.importance
            )
        )
    ]


COMMANDS = [
    Command(
        "topic",
        "Add, rename, retitle or remove a topic; add or remove its aliases",
        topic,
        admin=True,
        usage="add|rename|title|alias|unalias|remove <topic> ...",
    ),
    Command("move", "Move a point to another topic", move, admin=True, usage="<id> <topic>"),
    Command(
        "importance",
        "Set a point's importance, 1 to 5 (5 first)",
        importance,
        admin=True,
        usage="<id> <1-5>",
    ),
]
