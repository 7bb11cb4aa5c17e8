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


async def help_(ctx: Context) -> list[Reply]:
    prefix = ctx.incoming.command_prefix
    topics = tuple(
        Item(text=t.description or t.title, tag=f"{prefix}{t.slug}") for t in ctx.catalog.topics
    )
    everyone = tuple(
        Item(text=c.summary, tag=f"{prefix}{c.name}" + (f" {c.usage}" if c.usage else ""))
        for c in ctx.commands
        if not c.admin
    )
    sections = [Section(texts.HELP_TOPICS_HEADING, topics)] if topics else []
    sections.append(Section(texts.HELP_COMMANDS_HEADING, everyone))
    if await ctx.roles.is_admin(ctx.incoming):
        admin = tuple(
            Item(text=c.summary, tag=f"{prefix}{c.name}" + (f" {c.usage}" if c.usage else ""))
            for c in ctx.commands
            if c.admin
        )
        sections.append(Section(texts.HELP_ADMIN_HEADING, admin))
    return [Reply(title=texts.HELP_TITLE, sections=tuple(sections), footer=texts.HELP_FOOTER)]


COMMANDS = [
    Command("start", "Introduction and where to begin", start),
    Command("help", "This list", help_, aliases=("commands",)),
]
