"""The Slack app manifest, generated from the command registry, for "Create app from manifest".

Slash commands: the umbrella `/brief <command>` (reaches every command and every topic) and each
fixed command whose name Slack does not keep for itself. Topics are data, so they are reached
through `/brief <topic>`, a mention or a DM rather than slash commands of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import yaml

from bot.adapters.slack import limits, texts
from bot.adapters.slack.inbound import UMBRELLA
from bot.core.clip import clip
from bot.core.commands import Command

BOT_SCOPES = (
    "commands",  # slash commands
    "chat:write",  # answers, shares and digests
    "chat:write.public",  # post in public channels the bot was not invited to
    "app_mentions:read",  # @bot treaty
    "im:history",  # message.im: direct messages to the bot
    "im:read",
    "im:write",
    "files:read",  # articles shared in a DM for /ingest
)
BOT_EVENTS = ("app_mention", "message.im")


def display_name(bot_name: str) -> str:
    """Slack allows a-z, 0-9, -, _ and . in a bot user's display name."""
    name = re.sub(r"[^a-z0-9._-]+", "-", bot_name.casefold()).strip("-._")
    return (name or "briefbot")[: limits.BOT_DISPLAY_NAME_CHARS]


def slash_commands(
    commands: Iterable[Command], url: str | None, umbrella: str = UMBRELLA
) -> list[dict[str, Any]]:
    entries = [(umbrella, texts.BRIEF_DESCRIPTION, texts.BRIEF_USAGE)]
    entries.extend(
        (f"/{c.name}", c.summary, c.usage)
        for c in commands
        if c.name not in limits.BUILTIN_COMMANDS
        and f"/{c.name}" != umbrella
        and len(c.name) + 1 <= limits.SLASH_COMMAND_CHARS
    )
    declared = []
    for command, description, usage in entries[: limits.MAX_SLASH_COMMANDS]:
        entry: dict[str, Any] = {
            "command": command,
            "description": clip(description, limits.SLASH_DESCRIPTION_CHARS),
            "should_escape": False,
        }
        if usage:
            entry["usage_hint"] = clip(usage, limits.SLASH_USAGE_HINT_CHARS)
        if url:
            entry["url"] = url
        declared.append(entry)
    return declared


def build_manifest(
    commands: Iterable[Command],
    *,
    bot_name: str,
    socket_mode: bool,
    request_url: str | None = None,
) -> dict[str, Any]:
    if not socket_mode and not request_url:
        raise ValueError("HTTP mode needs the public URL of /slack/events")
    url = None if socket_mode else request_url
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url:
        event_subscriptions["request_url"] = url
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": clip(bot_name, limits.APP_NAME_CHARS),
            "description": clip(texts.APP_DESCRIPTION, limits.APP_DESCRIPTION_CHARS),
        },
        "features": {
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": display_name(bot_name), "always_online": True},
            "slash_commands": slash_commands(commands, url),
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def dump(manifest: dict[str, Any], as_json: bool = False) -> str:
    if as_json:
        return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    return str(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100))
