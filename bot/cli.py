"""The `briefbot` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from pydantic import SecretStr, ValidationError

from bot import cli_backup, cli_check, cli_digests, cli_ingest
from bot.config import ENV_FILE_VARIABLE, HOME_VARIABLE, EnvSettings, Settings
from bot.logs import configure_logging
from bot.problems import (
    CONFIG_EXIT,
    STARTUP_EXIT,
    ConfigError,
    StartupError,
    explain_validation,
)
from bot.version import version
from briefings.db import describe

DESCRIPTION = """\
A chat bot that briefs people on a news event: short key points by topic, each citing its
sources, on Telegram, Slack and a local console, with scheduled digests and admin commands."""
EPILOG = f"""\
Settings are environment variables or lines in $BRIEFBOT_HOME/.env (see .env.example), e.g.
  {HOME_VARIABLE}       where .env is read and the default SQLite database lives
                      ($BRIEFBOT_HOME/data/briefbot.db); default: the current directory
  DATABASE_URL        a SQLite file (relative paths are under BRIEFBOT_HOME) or
                      postgresql+asyncpg://user:pass@host/db
  TELEGRAM_BOT_TOKEN  starts the Telegram adapter in `run`
  SLACK_BOT_TOKEN     with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), starts the Slack adapter
`briefbot COMMAND --help` explains a command."""
CONNECT_HINT = (
    "No chat tokens configured, so this is the local console chat. To connect Telegram set "
    "TELEGRAM_BOT_TOKEN, for Slack SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see .env.example)."
)
NO_CONSOLE = (
    "briefbot run: no chat tokens are configured and there is no terminal to chat on, so there "
    "is nothing to run; set TELEGRAM_BOT_TOKEN, or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, in "
    "the environment or $BRIEFBOT_HOME/.env (see .env.example)."
)
BANNER = (
    "Type /help to start, /quit to leave. End a line with \\ to go on on the next one (an "
    "article for /ingest, with its outlet: and title: lines)."
)
# What a process killed by SIGPIPE reports; `briefbot digest ... | head -1` ends like `cat`.
BROKEN_PIPE_EXIT = 128 + 13


log = logging.getLogger("bot.cli")


def platform_settings(settings: Settings) -> list[EnvSettings]:
    """Every platform's settings, read (and so checked) up front."""
    from bot.adapters.slack.settings import SlackSettings
    from bot.adapters.telegram.settings import TelegramSettings

    return [settings.section(TelegramSettings), settings.section(SlackSettings)]


def secrets_of(sections: Sequence[EnvSettings]) -> list[str]:
    """Every token and secret configured: the log formatter blanks them wherever they appear."""
    return [
        value.get_secret_value()
        for section in sections
        for name in type(section).model_fields
        if isinstance(value := getattr(section, name), SecretStr) and value.get_secret_value()
    ]


def log_level(args: argparse.Namespace, settings: Settings) -> str:
    """LOG_LEVEL for `run` with a chat platform (a service's log); the console chat and the
    operator commands print their own answers and stay at WARNING unless LOG_LEVEL is set."""
    if "log_level" in settings.model_fields_set or (
        args.command == "run" and not _no_platform(settings)
    ):
        return settings.log_level
    return "WARNING"


def location(settings: Settings) -> str:
    return "Database: " + describe(settings.database_url)


async def _chat(settings: Settings, guest: bool, json_mode: bool, banner: str | None) -> None:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import build_app

    app = await build_app(settings)
    try:
        await ConsoleAdapter(app.core, guest=guest, json_mode=json_mode).run(banner)
    finally:
        await app.close()


def _no_platform(settings: Settings) -> bool:
    from bot.adapters.slack.settings import SlackSettings
    from bot.adapters.telegram.settings import TelegramSettings

    telegram, slack = settings.section(TelegramSettings), settings.section(SlackSettings)
    return not (telegram.configured or slack.configured)


def _no_console(settings: Settings) -> bool:
    """No chat platform and no input to chat with: stdin is /dev/null or closed, as in a
    container without -i or under systemd. A pipe or a file still drives the console."""
    if not _no_platform(settings):
        return False
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return True
    return stat.S_ISCHR(mode) and not sys.stdin.isatty()


async def _run(settings: Settings) -> None:
    from bot.app import run_bot

    # On stderr, so it reaches a service's log without mixing into the console's answers.
    print(f"briefbot {version()}. {location(settings)}", file=sys.stderr)
    await run_bot(settings, console_banner=CONNECT_HINT + "\n" + BANNER)


async def _migrate(settings: Settings) -> None:
    from bot.app import open_store

    print(location(settings))
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


def _slack_manifest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.adapters.slack.manifest import build_manifest, dump
    from bot.core.core import default_registry

    socket_mode, url = args.socket_mode, args.request_url
    if socket_mode and url:
        print("Choose one: --socket-mode or --request-url.", file=sys.stderr)
        return 2
    if not url:
        socket_mode = True
        print("# Socket Mode; for HTTP mode pass --request-url URL", file=sys.stderr)
    manifest = build_manifest(
        default_registry().listed() if args.commands == "all" else [],
        bot_name=settings.bot_name,
        socket_mode=socket_mode,
        request_url=url,
    )
    sys.stdout.write(dump(manifest, args.json))
    return 0


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=24, width=100)
        # argparse measures subcommands one indent short, which would push the longest
        # (slack-manifest) help onto a line of its own; start every help in one column.
        self._action_max_length = 22


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="briefbot",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    root.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        help=f"settings file to read instead of $BRIEFBOT_HOME/.env (or {ENV_FILE_VARIABLE})",
    )
    sub = root.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
    sub.add_parser(
        "run",
        help="start the bot on every chat platform configured (the console chat if none)",
        description="Start Telegram when TELEGRAM_BOT_TOKEN is set and Slack when SLACK_BOT_TOKEN "
        "is, with the web server (webhooks, /healthz, /metrics) on HTTP_HOST:HTTP_PORT. With "
        "neither, chat on this terminal; with neither and no terminal, exit with status 2.",
    )
    chat = sub.add_parser(
        "chat", help="chat with the bot on this terminal, or one line per message"
    )
    chat.add_argument("--json", action="store_true", help="one JSON object per input line")
    chat.add_argument(
        "--guest", action="store_true", help="act as a user without admin rights (CONSOLE_ADMIN)"
    )
    sub.add_parser("migrate", help="bring the database (DATABASE_URL) to the newest schema")
    cli_digests.add_parsers(sub)
    cli_backup.add_parsers(sub)
    cli_ingest.add_parsers(sub)
    seed = sub.add_parser("seed", help="load curated briefings that the database lacks")
    seed.add_argument("--file", type=Path, help="a briefings YAML file (default: the built-in one)")
    manifest = sub.add_parser(
        "slack-manifest", help="print the Slack app manifest (the app is named BOT_NAME)"
    )
    manifest.add_argument("--socket-mode", action="store_true", help="Socket Mode (the default)")
    manifest.add_argument("--request-url", help="HTTP mode: public URL of /slack/events")
    manifest.add_argument("--json", action="store_true", help="JSON instead of YAML")
    manifest.add_argument(
        "--commands",
        choices=("brief", "all"),
        default="brief",
        help="slash commands to register: /brief alone, which reaches every command (the "
        "default), or /brief and each fixed command Slack allows",
    )
    cli_check.add_parser(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    root = parser()
    args = root.parse_args(argv)
    if args.env_file is not None:
        if not args.env_file.is_file():
            root.error(f"--env-file {args.env_file}: no such file")
        os.environ[ENV_FILE_VARIABLE] = str(args.env_file.resolve())
    settings: Settings | None = None
    try:
        settings = Settings()
        secrets = secrets_of(platform_settings(settings))
        configure_logging(log_level(args, settings), settings.log_format, secrets)
        code = _dispatch(args, settings)
        sys.stdout.flush()  # here, so a reader that left is noticed inside the try
    except BrokenPipeError:
        # The reader stopped reading (`| head -1`): end quietly. Point stdout at /dev/null so
        # Python's own flush at exit does not fail a second time with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE_EXIT
    except KeyboardInterrupt:
        return 130
    except ValidationError as exc:
        return _failed(explain_validation(exc), CONFIG_EXIT, exc, settings)
    except ConfigError as exc:
        return _failed(str(exc), CONFIG_EXIT, exc, settings)
    except StartupError as exc:
        return _failed(str(exc), STARTUP_EXIT, exc, settings)
    return code


def _failed(sentence: str, code: int, exc: BaseException, settings: Settings | None) -> int:
    """One sentence on stderr; the traceback too only at LOG_LEVEL=DEBUG."""
    level = settings.log_level if settings else os.environ.get("LOG_LEVEL", "")
    if level.strip().upper() == "DEBUG":
        traceback.print_exception(exc, file=sys.stderr)
    print(f"briefbot: {sentence}", file=sys.stderr)
    return code


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        if _no_console(settings):
            print(NO_CONSOLE, file=sys.stderr)
            return 2
        asyncio.run(_run(settings))
    elif args.command == "chat":
        asyncio.run(_chat(settings, args.guest, args.json, location(settings) + "\n" + BANNER))
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "seed":
        asyncio.run(_seed(settings, args.file))
    elif args.command in cli_digests.COMMANDS:
        return int(asyncio.run(cli_digests.run(args, settings)))
    elif args.command in cli_backup.COMMANDS:
        return int(asyncio.run(cli_backup.run(args, settings)))
    elif args.command in cli_ingest.COMMANDS:
        return int(asyncio.run(cli_ingest.run(args, settings)))
    elif args.command == "slack-manifest":
        return _slack_manifest(settings, args)
    elif args.command == "check":
        return int(asyncio.run(cli_check.run(settings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
