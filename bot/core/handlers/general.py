"""/start and /help."""

from __future__ import annotations

from bot.core import texts
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.messages import Button, Item, Reply, Section


async def start(ctx: Context) -> list[Reply]:
    event = ctx.event_title or "the news"
    return [
        Reply(
            title=texts.WELCOME_TITLE.format(bot_name=ctx.bot_name),
            body=(texts.WELCOME.format(event=event), texts.WELCOME_NEXT),
            buttons=(Button("Digest", "/digest"), Button("Topics", "/topics")),
        )
    ]


def _help_items(ctx: Context, admin: bool) -> tuple[Item, ...]:
    prefix = ctx.incoming.command_prefix
    return tuple(
        Item(text=c.summary, tag=f"{prefix}{c.usage_line}")
        for c in ctx.commands
        if c.admin == admin
    )


async def help_(ctx: Context) -> list[Reply]:
    prefix = ctx.incoming.command_prefix
    topics = tuple(
        Item(text=t.description or t.title, tag=f"{prefix}{t.slug}") for t in ctx.catalog.topics
    )
    sections = [Section(texts.HELP_TOPICS_HEADING, topics)] if topics else []
    sections.append(Section(texts.HELP_COMMANDS_HEADING, _help_items(ctx, admin=False)))
    if await ctx.roles.is_admin(ctx.incoming):
        sections.append(Section(texts.HELP_ADMIN_HEADING, _help_items(ctx, admin=True)))
    return [Reply(title=texts.HELP_TITLE, sections=tuple(sections), footer=texts.HELP_FOOTER)]


async def whoami(ctx: Context) -> list[Reply]:
    """The sender's platform user id, so an operator can configure admins without hunting."""
    incoming = ctx.incoming
    admin = await ctx.roles.is_admin(incoming)
    return [
        Reply.text(
            texts.WHOAMI.format(platform=incoming.chat.platform, user_id=incoming.user_id),
            texts.WHOAMI_ADMIN if admin else texts.WHOAMI_NOT_ADMIN,
            title=texts.WHOAMI_TITLE,
        )
    ]


COMMANDS = [
    Command("start", "Introduction and where to begin", start, read_only=True),
    Command("help", "This list", help_, aliases=("commands",), read_only=True),
    Command("whoami", "Your user id here, and whether you are an admin", whoami),
]
