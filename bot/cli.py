"""The `briefbot` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import cli_backup, cli_digests
from bot.config import Settings

CONNECT_HINT = (
    "No chat tokens configured, so this is the local console chat. To connect Telegram set "
    "TELEGRAM_BOT_TOKEN, for Slack SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see .env.example)."
)
BANNER = "Type /help to start, /quit to leave."


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs each request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def _chat(settings: Settings, guest: bool, json_mode: bool, banner: str | None) -> None:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import build_app

    app = await build_app(settings)
    try:
        await ConsoleAdapter(app.core, guest=guest, json_mode=json_mode).run(banner)
    finally:
        await app.close()


async def _run(settings: Settings) -> None:
    from bot.app import run_bot

    await run_bot(settings, console_banner=CONNECT_HINT + "\n" + BANNER)


async def _migrate(settings: Settings) -> None:
    from bot.app import open_store

    store = await open_store(settings)
    await store.close()
    print("Database is at the newest schema.")


async def _seed(settings: Settings, path: Path | None) -> None:
    from bot.app import open_store
    from briefings.loader import DEFAULT_FILE, load_briefings

    store = await open_store(settings)
    try:
        report = await store.load_briefings(load_briefings(path or DEFAULT_FILE))
    finally:
        await store.close()
    if report.changed:
        print(f"Added {report.topics} topics, {report.sources} sources, {report.points} points.")
    else:
        print("Nothing to add: every briefing in the file is already in the database.")


def _slack_manifest(settings: Settings, socket_mode: bool, url: str | None, as_json: bool) -> int:
    from bot.adapters.slack.manifest import build_manifest, dump
    from bot.core.core import default_registry

    if socket_mode and url:
        print("Choose one: --socket-mode or --request-url.", file=sys.stderr)
        return 2
    if not url:
        socket_mode = True
        print("# Socket Mode; for HTTP mode pass --request-url URL", file=sys.stderr)
    manifest = build_manifest(
        default_registry().listed(),
        bot_name=settings.bot_name,
        socket_mode=socket_mode,
        request_url=url,
    )
    sys.stdout.write(dump(manifest, as_json))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="briefbot", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every configured chat adapter (console if none)")
    chat = sub.add_parser("chat", help="chat with the bot on this terminal")
    chat.add_argument("--json", action="store_true", help="one JSON object per input line")
    chat.add_argument("--guest", action="store_true", help="act as a user without admin rights")
    sub.add_parser("migrate", help="bring the database to the newest schema")
    cli_digests.add_parsers(sub)
    cli_backup.add_parsers(sub)
    seed = sub.add_parser("seed", help="load curated briefings that the database lacks")
    seed.add_argument("--file", type=Path, help="a briefings YAML file (default: the built-in one)")
    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest")
    manifest.add_argument("--socket-mode", action="store_true", help="Socket Mode (the default)")
    manifest.add_argument("--request-url", help="HTTP mode: public URL of /slack/events")
    manifest.add_argument("--json", action="store_true", help="JSON instead of YAML")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        if args.command == "run":
            asyncio.run(_run(settings))
        elif args.command == "chat":
            asyncio.run(_chat(settings, args.guest, args.json, BANNER))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "seed":
            asyncio.run(_seed(settings, args.file))
        elif args.command in cli_digests.COMMANDS:
            return int(asyncio.run(cli_digests.run(args, settings)))
        elif args.command in cli_backup.COMMANDS:
            return int(asyncio.run(cli_backup.run(args, settings)))
        elif args.command == "slack-manifest":
            return _slack_manifest(settings, args.socket_mode, args.request_url, args.json)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
