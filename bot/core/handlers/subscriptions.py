"""Scheduled digests from the chat: /subscribe, /unsubscribe, /schedule and /post."""

from __future__ import annotations

import datetime as dt

from bot.core import texts
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.digest_reply import digest_replies
from bot.core.messages import Reply
from bot.core.subscribe_args import SubscribeArgsError, parse_subscribe_args
from briefings.digest import compose
from briefings.models import FULL, utcnow
from briefings.schedule import describe_days, zone
from briefings.subscriptions import SubscriptionRequest, SubscriptionView


def local_time(moment: dt.datetime, timezone: str) -> str:
    local = moment.astimezone(zone(timezone))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({timezone})"


def summary(sub: SubscriptionView) -> str:
    s = sub.schedule
    return texts.SCHEDULE_SUMMARY.format(
        time=f"{s.hour:02d}:{s.minute:02d}",
        zone=s.timezone,
        days=describe_days(s.days),
        topics=", ".join(f"/{t}" for t in sub.topics) or texts.SCHEDULE_ALL_TOPICS,
        mode=texts.SCHEDULE_MODE_FULL if sub.mode == FULL else texts.SCHEDULE_MODE_CHANGES,
    )


async def may_manage_chat(ctx: Context) -> bool:
    """Anyone manages their own private chat; groups and channels need an admin."""
    if ctx.incoming.chat.kind == "private":
        return True
    if await ctx.roles.is_admin(ctx.incoming):
        return True
    check = ctx.incoming.ask_is_chat_admin
    return bool(check is not None and await check())


async def subscribe(ctx: Context) -> list[Reply]:
    digests = ctx.digests
    if digests is None:
        return [Reply.text(texts.SUBSCRIBE_UNAVAILABLE, tone="error")]
    if ctx.args.strip().casefold() in {"help", "?"}:
        return [Reply.text(texts.SUBSCRIBE_HELP.format(zone=digests.default_timezone))]
    try:
        parsed = parse_subscribe_args(ctx.args, ctx.catalog, digests.default_timezone)
    except SubscribeArgsError as exc:
        return [Reply.text(str(exc), tone="error")]
    if not await may_manage_chat(ctx):
        return [Reply.text(texts.SUBSCRIBE_NOT_ALLOWED, tone="refusal")]
    chat = ctx.incoming.chat
    sub = await digests.subscriptions.subscribe(
        SubscriptionRequest(
            platform=chat.platform,
            chat_id=chat.chat_id,
            chat_kind=chat.kind,
            thread_id=chat.thread_id,
            schedule=parsed.schedule,
            topics=parsed.topics,
            mode=parsed.mode,
        ),
        ctx.incoming.actor,
    )
    await digests.changed(chat.platform, chat.chat_id)
    upcoming = sub.schedule.next_slot(digests.clock())
    return [
        Reply.text(
            texts.SUBSCRIBE_DONE.format(summary=summary(sub)),
            texts.SUBSCRIBE_NEXT.format(next=local_time(upcoming, sub.schedule.timezone)),
        )
    ]


async def unsubscribe(ctx: Context) -> list[Reply]:
    digests = ctx.digests
    if digests is None:
        return [Reply.text(texts.SUBSCRIBE_UNAVAILABLE, tone="error")]
    chat = ctx.incoming.chat
    if await digests.subscriptions.get(chat.platform, chat.chat_id) is None:
        return [Reply.text(texts.UNSUBSCRIBE_NONE)]
    if not await may_manage_chat(ctx):
        return [Reply.text(texts.SUBSCRIBE_NOT_ALLOWED, tone="refusal")]
    await digests.subscriptions.unsubscribe(chat.platform, chat.chat_id, ctx.incoming.actor)
    await digests.changed(chat.platform, chat.chat_id)
    return [Reply.text(texts.UNSUBSCRIBE_DONE)]


async def schedule(ctx: Context) -> list[Reply]:
    digests = ctx.digests
    if digests is None:
        return [Reply.text(texts.SUBSCRIBE_UNAVAILABLE, tone="error")]
    chat = ctx.incoming.chat
    sub = await digests.subscriptions.get(chat.platform, chat.chat_id)
    if sub is None:
        return [Reply.text(texts.SCHEDULE_NONE)]
    body = [summary(sub)]
    if sub.active:
        upcoming = sub.schedule.next_slot(digests.clock())
        body.append(texts.SCHEDULE_NEXT.format(next=local_time(upcoming, sub.schedule.timezone)))
    else:
        body.append(texts.SCHEDULE_PAUSED.format(reason=sub.pause_reason or "unknown"))
    last = await digests.ledger.latest(sub.id)
    if last is not None:
        body.append(
            texts.SCHEDULE_LAST.format(
                state=last.state, slot=local_time(last.slot, sub.schedule.timezone)
            )
        )
    return [Reply(title=texts.SCHEDULE_TITLE, body=tuple(body))]


async def post(ctx: Context) -> list[Reply]:
    """An admin posts the full digest (of this chat's topics, if it subscribes) here now."""
    digests = ctx.digests
    chat = ctx.incoming.chat
    sub = await digests.subscriptions.get(chat.platform, chat.chat_id) if digests else None
    timezone = sub.schedule.timezone if sub else (digests.default_timezone if digests else "UTC")
    digest = compose(ctx.catalog, sub.topics if sub else (), FULL, None)
    if digest.empty:
        return [Reply.text(texts.POST_EMPTY)]
    now = digests.clock() if digests else utcnow()
    title = ctx.event_title or ctx.bot_name
    return digest_replies(digest, timezone, title, now, ctx.incoming.message_budget)


COMMANDS = [
    Command(
        "subscribe",
        "Get a digest here every day (or on the days you choose)",
        subscribe,
        usage="[HH:MM] [Area/City] [days] [topics] [full|changes]",
    ),
    Command("unsubscribe", "Stop this chat's digests", unsubscribe),
    Command("schedule", "This chat's digest settings and next delivery", schedule),
    Command("post", "Post a full digest here now", post, admin=True),
]
