"""`briefbot slack-manifest`: a manifest generated from the command registry, within Slack's
limits, for Socket Mode or HTTP mode."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from bot.adapters.slack import limits
from bot.adapters.slack.manifest import BOT_SCOPES, build_manifest, display_name
from bot.cli import main
from bot.core.core import default_registry

URL = "https://bot.example.org/slack/events"


def commands_of(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["command"]: c for c in manifest["features"]["slash_commands"]}


def test_http_manifest_declares_every_entry_point() -> None:
    manifest = build_manifest(
        default_registry().commands(), bot_name="Briefing bot", socket_mode=False, request_url=URL
    )
    commands = commands_of(manifest)
    assert list(commands)[0] == "/brief"
    fixed = {f"/{c.name}" for c in default_registry().commands()}
    builtin = {f"/{name}" for name in limits.BUILTIN_COMMANDS}
    assert set(commands) == {"/brief"} | (fixed - builtin)
    assert "/search" not in commands
    assert "/remove" not in commands
    assert all(c["url"] == URL for c in commands.values())
    assert commands["/add"]["usage_hint"].startswith("<topic>")
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"] == {
        "bot_events": ["app_mention", "message.im"],
        "request_url": URL,
    }
    assert settings["interactivity"] == {"is_enabled": True, "request_url": URL}
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    for scope in (
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "im:read",
        "im:write",
        "files:read",
    ):
        assert scope in scopes
    # Only what the code uses: nothing reads channel lists or channel history.
    assert not {"channels:read", "groups:read", "mpim:read", "channels:history"} & set(scopes)
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_socket_manifest_has_no_urls() -> None:
    manifest = build_manifest(default_registry().commands(), bot_name="B", socket_mode=True)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert all("url" not in c for c in manifest["features"]["slash_commands"])


def test_manifest_respects_slack_limits() -> None:
    manifest = build_manifest(
        default_registry().commands(),
        bot_name="A very long bot name, longer than Slack allows",
        socket_mode=True,
    )
    info = manifest["display_information"]
    assert len(info["name"]) <= limits.APP_NAME_CHARS
    assert len(info["description"]) <= limits.APP_DESCRIPTION_CHARS
    commands = manifest["features"]["slash_commands"]
    assert len(commands) <= limits.MAX_SLASH_COMMANDS
    for command in commands:
        assert len(command["command"]) <= limits.SLASH_COMMAND_CHARS
        assert len(command["description"]) <= limits.SLASH_DESCRIPTION_CHARS
        assert len(command.get("usage_hint", "")) <= limits.SLASH_USAGE_HINT_CHARS
    assert display_name("Briefing Bot (Kyiv)!") == "briefing-bot-kyiv"


def test_http_mode_needs_a_url() -> None:
    with pytest.raises(ValueError, match="URL"):
        build_manifest([], bot_name="B", socket_mode=False)


def test_cli_prints_yaml_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack-manifest", "--request-url", URL]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert commands_of(manifest)["/brief"]["url"] == URL
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)

    assert main(["slack-manifest", "--socket-mode", "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["settings"]["socket_mode_enabled"] is True

    assert main(["slack-manifest", "--socket-mode", "--request-url", URL]) == 2


def test_cli_registers_brief_alone_unless_asked_for_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["slack-manifest", "--request-url", URL, "--json"]) == 0
    default = commands_of(json.loads(capsys.readouterr().out))
    assert list(default) == ["/brief"]
    assert default["/brief"]["url"] == URL

    assert main(["slack-manifest", "--commands", "brief", "--socket-mode", "--json"]) == 0
    assert list(commands_of(json.loads(capsys.readouterr().out))) == ["/brief"]

    assert main(["slack-manifest", "--commands", "all", "--request-url", URL, "--json"]) == 0
    everything = commands_of(json.loads(capsys.readouterr().out))
    listed = {f"/{c.name}" for c in default_registry().listed()}
    builtin = {f"/{name}" for name in limits.BUILTIN_COMMANDS}
    assert list(everything)[0] == "/brief"
    assert set(everything) == {"/brief"} | (listed - builtin)
    assert {"/digest", "/topics", "/add"} <= set(everything)
