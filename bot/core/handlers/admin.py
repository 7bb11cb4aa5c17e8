"""Curating briefings from the chat: /add, /edit, /remove, /undo, /audit and admin rights.

The core checks the admin role before any of these run; each change is audited by the store.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.core import texts
from bot.core.briefs import when
from bot.core.clip import clip
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.messages import Item, Reply, Section
from briefings.actors import Actor
from briefings.points import APPROVAL
from briefings.views import AuditView

# "... sources: iria, asianet-0618" at the end, with or without the brackets the usage line
# shows around it ("[sources: iria]"): people copy what they see.
_SOURCES = re.compile(
    r"\s*(?:\[\s*sources?\s*:\s*(?P<bracketed>[\w\s,-]*)\]|\bsources?\s*:\s*(?P<keys>[\w\s,-]*))\s*$",
    re.IGNORECASE,
)
_USER_ID = re.compile(r"^[\w.@-]{1,64}$")
MAX_ID_DIGITS = 12


def _split_sources(text: str) -> tuple[str, list[str]]:
    match = _SOURCES.search(text)
    if not match:
        return text, []
    listed = match["bracketed"] if match["bracketed"] is not None else match["keys"]
    keys = [k for k in re.split(r"[\s,]+", listed) if k]
    return text[: match.start()], keys


def _point_id(value: str) -> int | None:
    value = value.lstrip("#")
    if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        return int(value)
    return None


def _bad_id(value: str) -> Reply:
    shown = clip(value, 20)
    return Reply.text(texts.BAD_POINT_ID.format(value=shown), tone="error")


async def add(ctx: Context) -> list[Reply]:
    topic, _, rest = ctx.args.partition(" ")
    if not topic or not rest.strip():
        return [Reply.text(texts.ADD_USAGE, tone="error")]
    body, keys = _split_sources(rest)
    point = await ctx.store.points.add(topic, body, ctx.incoming.actor, source_keys=keys)
    return [Reply.text(texts.ADD_DONE.format(id=point.id, slug=point.topic_slug))]


async def edit(ctx: Context) -> list[Reply]:
    raw_id, _, body = ctx.args.partition(" ")
    if not raw_id or not body.strip():
        return [Reply.text(texts.EDIT_USAGE, tone="error")]
    point_id = _point_id(raw_id)
    if point_id is None:
        return [_bad_id(raw_id)]
    _, point = await ctx.store.points.edit(point_id, body, ctx.incoming.actor)
    return [
        Reply.text(
            texts.EDIT_DONE.format(id=point.id, slug=point.topic_slug, version=point.version)
        )
    ]


async def remove(ctx: Context) -> list[Reply]:
    if not ctx.args:
        return [Reply.text(texts.REMOVE_USAGE, tone="error")]
    raw_id = ctx.args.split()[0]
    point_id = _point_id(raw_id)
    if point_id is None:
        return [_bad_id(raw_id)]
    point = await ctx.store.points.remove(point_id, ctx.incoming.actor)
    return [Reply.text(texts.REMOVE_DONE.format(id=point.id, slug=point.topic_slug))]


async def undo(ctx: Context) -> list[Reply]:
    entry = await ctx.store.points.undo(ctx.incoming.actor)
    return [Reply.text(undone_sentence(entry))]


def undone_sentence(entry: AuditView) -> str:
    """What an undo took back, as /undo and `briefbot undo` say it."""
    if entry.entity == APPROVAL:
        after = entry.after or {}
        count = len(after.get("proposals", []))
        if entry.action == "reject":
            return texts.counted(texts.UNDO_REJECTION, count=count)
        done = texts.counted(texts.UNDO_APPROVAL, count=count)
        removed = after.get("topics_removed", [])
        if removed:
            names = ", ".join(f"/{slug}" for slug in removed)
            done += " " + texts.counted(texts.UNDO_TOPICS_REMOVED, len(removed), names=names)
        return done
    return texts.UNDO_DONE.format(action=entry.action, id=entry.entity_id)


async def audit(ctx: Context) -> list[Reply]:
    entries = await ctx.store.audit.recent(limit=15)
    if not entries:
        return [Reply.text(texts.AUDIT_EMPTY)]
    items = tuple(
        Item(
            texts.AUDIT_LINE.format(
                at=when(e.at),
                actor=e.actor,
                action=e.action,
                entity=e.entity,
                target=f" #{e.entity_id}" if e.entity_id is not None else "",
            )
        )
        for e in entries
    )
    return [Reply(title=texts.AUDIT_TITLE, sections=(Section(None, items),))]


def _user_arg(ctx: Context) -> str | None:
    value = ctx.args.split()[0] if ctx.args.split() else ""
    return value if _USER_ID.match(value) else None


async def _change_admin(
    ctx: Context,
    change: Callable[[str, str, Actor], Awaitable[bool]],
    usage: str,
    done: str,
    unchanged: str,
) -> list[Reply]:
    """/grant and /revoke: the same checks, a different change and different answers."""
    if not ctx.args:
        return [Reply.text(usage, tone="error")]
    user = _user_arg(ctx)
    platform = ctx.incoming.chat.platform
    if user is None:
        return [Reply.text(texts.BAD_USER_ID.format(value=clip(ctx.args, 20)), tone="error")]
    changed = await change(platform, user, ctx.incoming.actor)
    return [Reply.text((done if changed else unchanged).format(user=user, platform=platform))]


async def grant(ctx: Context) -> list[Reply]:
    return await _change_admin(
        ctx, ctx.store.admins.grant, texts.GRANT_USAGE, texts.GRANTED, texts.ALREADY_ADMIN
    )


async def revoke(ctx: Context) -> list[Reply]:
    return await _change_admin(
        ctx, ctx.store.admins.revoke, texts.REVOKE_USAGE, texts.REVOKED, texts.NOT_AN_ADMIN
    )


async def admins(ctx: Context) -> list[Reply]:
    platform = ctx.incoming.chat.platform
    configured = sorted(ctx.roles.configured(platform))
    granted = [f"{user} (by {by})" for p, user, by in await ctx.store.admins.all() if p == platform]
    return [
        Reply(
            title=texts.ADMINS_TITLE,
            sections=(
                Section(
                    texts.ADMINS_CONFIGURED, (Item(", ".join(configured) or texts.ADMINS_NONE),)
                ),
                Section(texts.ADMINS_GRANTED, (Item(", ".join(granted) or texts.ADMINS_NONE),)),
            ),
        )
    ]


COMMANDS = [
    Command(
        "add",
        "Add a key point to a topic",
        add,
        admin=True,
        usage="<topic> <text> [sources: key, key]",
    ),
    Command("edit", "Replace a point's text", edit, admin=True, usage="<id> <text>"),
    Command("remove", "Retract a point", remove, admin=True, usage="<id>"),
    Command(
        "undo",
        "Undo your latest change to a point (add, edit, remove, move, importance) or approval",
        undo,
        admin=True,
    ),
    Command("audit", "Recent changes and who made them", audit, admin=True),
    Command("grant", "Make a user an admin on this platform", grant, admin=True, usage="<user id>"),
    Command("revoke", "Take admin rights away", revoke, admin=True, usage="<user id>"),
    Command("admins", "Who the admins are", admins, admin=True),
]
