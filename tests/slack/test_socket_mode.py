"""Socket Mode: slack_sdk's real aiohttp SocketModeClient connects to the fake's websocket (URL
from apps.connections.open), receives envelopes, and bolt's AsyncSocketModeHandler runs the
same AsyncApp and listeners as HTTP mode, acknowledging each envelope over the socket."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.render import ACTION_SHARE
from bot.adapters.slack.settings import SlackSettings
from bot.app import App, build_adapters
from bot.config import Settings
from tests.slack.conftest import slack_settings
from tests.slack.factories import CHANNEL, block_action, event_body, mention, slash_payload
from tests.slack.fake_web_api import APP_TOKEN, BOT_USER_ID, RESPONSE, FakeSlack


@pytest.fixture
def slack_config(fake: FakeSlack) -> SlackSettings:
    """Socket Mode needs the app-level token and no signing secret."""
    return slack_settings(fake, app_token=APP_TOKEN, signing_secret=None)


@pytest.fixture
async def socket_adapter(
    settings: Settings, bot: App, fake: FakeSlack
) -> AsyncIterator[SlackAdapter]:
    [adapter] = build_adapters(settings, bot)
    assert isinstance(adapter, SlackAdapter)
    assert adapter.socket_mode
    await adapter.start()
    yield adapter
    await adapter.stop()


async def test_socket_mode_exposes_no_route_and_connects(
    socket_adapter: SlackAdapter, fake: FakeSlack
) -> None:
    assert socket_adapter.routes() == []
    [opened] = fake.called("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"


async def test_slash_command_over_the_socket(socket_adapter: SlackAdapter, fake: FakeSlack) -> None:
    await fake.push_envelope(
        {
            "envelope_id": "env-cmd",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": slash_payload("/brief", "treaty", fake.response_url("sock")),
        }
    )
    ack = await fake.wait_for_ack("env-cmd")
    assert "payload" not in ack  # an empty ack; the answer follows through response_url
    [answer] = await fake.wait_for(RESPONSE)
    assert answer.params["_token"] == "sock"
    assert "The partnership treaty" in answer.text


async def test_events_and_retries_over_the_socket(
    socket_adapter: SlackAdapter, fake: FakeSlack
) -> None:
    body = event_body(mention(f"<@{BOT_USER_ID}> digest"), event_id="EvSOCK")
    for attempt, envelope_id in enumerate(["env-ev", "env-ev-retry"]):
        await fake.push_envelope(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": body,
            }
        )
        await fake.wait_for_ack(envelope_id)
    [posted] = await fake.wait_for("chat.postMessage")
    await socket_adapter.tasks.drain(5)
    assert len(fake.called("chat.postMessage")) == 1  # the retry was not answered again
    assert posted.params["channel"] == CHANNEL
    assert "Digest:" in posted.text


async def test_share_click_over_the_socket(socket_adapter: SlackAdapter, fake: FakeSlack) -> None:
    form = block_action(ACTION_SHARE, "/treaty", fake.response_url("share"))
    payload = json.loads(dict(parse_qsl(form))["payload"])
    await fake.push_envelope(
        {"envelope_id": "env-click", "type": "interactive", "payload": payload}
    )
    await fake.wait_for_ack("env-click")
    [shared] = await fake.wait_for(RESPONSE)
    assert shared.params["response_type"] == "in_channel"
