"""Slack requests as Slack sends them: form-encoded slash commands and button clicks, JSON events,
each signed with a real v0 signature (HMAC-SHA256 of `v0:{timestamp}:{body}`)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

SIGNING_SECRET = "test-signing-secret"
TEAM = "T1"
ASKER = "UASK"
CHANNEL = "C0CHANNEL"
DM = "D0DIRECT"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_ids = itertools.count(1)


def signature_headers(
    body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash_command(
    command: str,
    text: str,
    response_url: str,
    *,
    user: str = ASKER,
    channel: str = CHANNEL,
) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(_ids)}.1.abc",
        }
    )


def slash_payload(command: str, text: str, response_url: str, **kwargs: Any) -> dict[str, str]:
    """The same command as Socket Mode delivers it: a JSON object instead of a form."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(slash_command(command, text, response_url, **kwargs)))


def event_body(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A1",
        "event": {"event_ts": f"1718700000.{next(_ids):06d}", **event},
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
    }


def mention(
    text: str, *, user: str = ASKER, channel: str = CHANNEL, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "channel": channel,
        "ts": f"1718700000.{next(_ids):06d}",
        **extra,
    }


def direct_message(text: str, *, user: str = ASKER, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "channel": DM,
        "ts": f"1718700000.{next(_ids):06d}",
        **extra,
    }


def block_action(
    action_id: str,
    value: str,
    response_url: str,
    *,
    user: str = ASKER,
    channel: str = CHANNEL,
    ephemeral: bool = True,
) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1718700000.000001",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": f"{next(_ids)}.1.abc",
        "team": {"id": TEAM, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "type": "button",
                "value": value,
                "action_ts": "1718700001.000001",
                "text": {"type": "plain_text", "text": "x"},
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


class SlackSender:
    """Posts signed requests to the bot's web app, the way Slack's servers would."""

    def __init__(self, http: httpx.AsyncClient, path: str = "/slack/events") -> None:
        self.http = http
        self.path = path

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        retry_num: int | None = None,
    ) -> httpx.Response:
        headers = {"Content-Type": content_type, **signature_headers(body, secret, timestamp)}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.http.post(self.path, content=body, headers=headers)

    async def command(
        self, command: str, text: str, response_url: str, **kw: Any
    ) -> httpx.Response:
        return await self.post(slash_command(command, text, response_url, **kw), FORM)

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.post(json.dumps(event_body(event, event_id)), JSON, **kw)

    async def click(
        self, action_id: str, value: str, response_url: str, **kw: Any
    ) -> httpx.Response:
        return await self.post(block_action(action_id, value, response_url, **kw), FORM)
