"""Operator commands for digests: `briefbot subscribe`, `unsubscribe`, `subscriptions`, `digest`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.messages import ChatKind
from bot.render.plain import render
from briefings.actors import Actor
from briefings.models import utcnow

if TYPE_CHECKING:
    from bot.app import App

COMMANDS = ("subscribe", "unsubscribe", "subscriptions", "digest")
PLATFORMS = ("telegram", "slack", "console")
OPERATOR = Actor.user("cli", "operator", "operator")


def guess_kind(platform: str, chat: str) -> ChatKind:
    if chat.startswith("@"):
        return "channel"
    if chat.startswith("-") or (platform == "slack" and chat[:1] in {"C", "G"}):
        return "group"
    return "private"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    def chat_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--platform", required=True, choices=PLATFORMS, help="the chat's platform")
        p.add_argument("--chat", required=True, help="chat id, or @channelname on Telegram")

    subscribe = sub.add_parser("subscribe", help="subscribe a chat to scheduled digests")
    chat_args(subscribe)
    subscribe.add_argument(
        "--kind",
        choices=("private", "group", "channel"),
        help="the chat's kind (default: guessed from the chat id)",
    )
    subscribe.add_argument(
        "options",
        nargs="*",
        help="as in chat: [HH:MM] [Area/City] [days] [topics] [full|changes]; the zone "
        "defaults to DEFAULT_TIMEZONE",
    )
    chat_args(sub.add_parser("unsubscribe", help="stop a chat's digests"))
    sub.add_parser("subscriptions", help="list every subscription and its state")
    chat_args(sub.add_parser("digest", help="print the digest a chat would get now"))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app
    from bot.core.handlers.subscriptions import local_time, summary
    from bot.core.subscribe_args import SubscribeArgsError, parse_subscribe_args
    from briefings.subscriptions import SubscriptionRequest

    app = await build_app(settings)
    try:
        catalog = await app.store.topics.catalog()
        if args.command == "subscribe":
            try:
                parsed = parse_subscribe_args(
                    " ".join(args.options), catalog, settings.default_timezone
                )
            except SubscribeArgsError as exc:
                print(exc)
                return 2
            kind = args.kind or guess_kind(args.platform, args.chat)
            sub = await app.subscriptions.subscribe(
                SubscriptionRequest(
                    args.platform,
                    args.chat,
                    kind,
                    None,
                    parsed.schedule,
                    parsed.topics,
                    parsed.mode,
                ),
                OPERATOR,
            )
            print(f"Subscribed {args.platform} chat {args.chat} (#{sub.id}). {summary(sub)}")
            print("Running bots pick this up within a minute.")
        elif args.command == "unsubscribe":
            done = await app.subscriptions.unsubscribe(args.platform, args.chat, OPERATOR)
            print("Unsubscribed." if done else "That chat has no subscription.")
            return 0 if done else 1
        elif args.command == "subscriptions":
            subs = await app.subscriptions.all()
            if not subs:
                print("No subscriptions.")
            for sub in subs:
                if sub.active:
                    upcoming = sub.schedule.next_slot(utcnow())
                    state = "Next: " + local_time(upcoming, sub.schedule.timezone)
                else:
                    state = f"PAUSED: {sub.pause_reason}"
                print(f"#{sub.id} {sub.platform}:{sub.chat_id} {summary(sub)} {state}")
        elif args.command == "digest":
            return await _preview(app, args.platform, args.chat)
    finally:
        await app.close()
    return 0


async def _preview(app: App, platform: str, chat: str) -> int:
    from bot.core.digest_reply import digest_replies
    from briefings.digest import compose
    from briefings.models import CHANGES

    sub = await app.subscriptions.get(platform, chat)
    catalog = await app.store.topics.catalog()
    if sub is None:
        digest = compose(catalog, (), CHANGES, None)
        zone = app.settings.default_timezone
        print(f"({platform} chat {chat} has no subscription: showing a first, full digest)")
    else:
        digest = compose(catalog, sub.topics, sub.mode, sub.delivered_until)
        zone = sub.schedule.timezone
    if digest.empty:
        print("Nothing new since this chat's last digest: no digest would be posted.")
        return 0
    for reply in digest_replies(digest, zone, app.core.event_title, utcnow()):
        print(render(reply))
        print()
    return 0
