"""SlackAdapter.send (digests and other posts outside a conversation): message ids, bounded
retries of 429 / 5xx / connection errors through slack_sdk's retry handlers, and SendError with
unreachable chats marked in the store."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.base import CredentialsRejected, SendError
from bot.adapters.slack.adapter import SlackAdapter, SlackConfigError
from bot.adapters.slack.outbound import SlackRetryPolicy
from bot.adapters.slack.settings import SlackSettings
from bot.app import App
from bot.core.messages import ChatRef, Item, Reply, Section
from tests.slack.conftest import slack_settings
from tests.slack.fake_web_api import Canned, FakeSlack, rate_limited, server_error

FAST = SlackRetryPolicy(backoff_factor=0.01, jitter=0.0)
CHANNEL = ChatRef("slack", "C0DIGEST", "group")
REPLY = Reply(title="Digest", sections=(Section(None, (Item("A point & more"),)),))


@pytest.fixture
async def sender(bot: App, slack_config: SlackSettings) -> AsyncIterator[SlackAdapter]:
    adapter = SlackAdapter(bot.core, bot.health, slack_config, metrics=bot.metrics, retry=FAST)
    await adapter.start()
    yield adapter
    await adapter.stop()


async def test_send_posts_blocks_and_returns_the_ts(sender: SlackAdapter, fake: FakeSlack) -> None:
    ids = await sender.send(ChatRef("slack", "C0DIGEST", "group", thread_id="1718.1"), REPLY)
    [call] = fake.called("chat.postMessage")
    assert len(ids) == 1
    assert ids[0].startswith("1718700000.")
    assert call.params["channel"] == "C0DIGEST"
    assert call.params["thread_ts"] == "1718.1"
    assert call.params["text"].startswith("Digest")
    assert call.params["blocks"][1]["text"]["text"] == "• A point &amp; more"
    assert call.headers["Authorization"] == "Bearer xoxb-test-token"


async def test_a_long_reply_is_several_messages(sender: SlackAdapter, fake: FakeSlack) -> None:
    points = tuple(Item("x" * 2900) for _ in range(60))
    ids = await sender.send(CHANNEL, Reply(sections=(Section(None, points),)))
    assert len(ids) == 2 == len(set(ids)) == len(fake.called("chat.postMessage"))


async def test_429_waits_for_retry_after_then_succeeds(
    sender: SlackAdapter, fake: FakeSlack
) -> None:
    fake.script("chat.postMessage", rate_limited(retry_after=1))
    [ts] = await sender.send(CHANNEL, REPLY)
    first, second = fake.called("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert ts


async def test_429_with_a_long_pause_is_left_to_the_caller(
    sender: SlackAdapter, fake: FakeSlack
) -> None:
    fake.script("chat.postMessage", rate_limited(retry_after=120))
    with pytest.raises(SendError) as caught:
        await sender.send(CHANNEL, REPLY)
    assert (caught.value.permanent, caught.value.retry_after) == (False, 120.0)
    assert caught.value.reason == "ratelimited"
    assert len(fake.called("chat.postMessage")) == 1


async def test_retries_are_bounded(sender: SlackAdapter, fake: FakeSlack) -> None:
    fake.script("chat.postMessage", *[rate_limited(retry_after=0)] * 3)
    with pytest.raises(SendError) as caught:
        await sender.send(CHANNEL, REPLY)
    assert not caught.value.permanent
    assert len(fake.called("chat.postMessage")) == 1 + FAST.rate_limit_retries


async def test_server_errors_are_retried(sender: SlackAdapter, fake: FakeSlack) -> None:
    fake.script("chat.postMessage", server_error(), server_error())
    assert await sender.send(CHANNEL, REPLY)
    assert len(fake.called("chat.postMessage")) == 3


async def test_server_errors_past_the_retries_are_temporary(
    sender: SlackAdapter, fake: FakeSlack, bot: App
) -> None:
    fake.script("chat.postMessage", *[server_error()] * 3, Canned(body="not json at all"))
    with pytest.raises(SendError) as caught:
        await sender.send(CHANNEL, REPLY)
    assert (caught.value.reason, caught.value.permanent) == ("internal_error", False)
    assert await bot.store.chats.status("slack", CHANNEL.chat_id) == ("active", "")


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"]
)
async def test_unreachable_channels_are_marked(
    sender: SlackAdapter, fake: FakeSlack, bot: App, error: str
) -> None:
    fake.channel_errors["C0GONE"] = error
    with pytest.raises(SendError) as caught:
        await sender.send(ChatRef("slack", "C0GONE", "group"), REPLY)
    assert (caught.value.reason, caught.value.permanent) == (error, True)
    assert await bot.store.chats.status("slack", "C0GONE") == ("unreachable", error)
    assert len(fake.called("chat.postMessage")) == 1  # a permanent error is not retried
    # The next channel is served as usual.
    assert await sender.send(CHANNEL, REPLY)
    assert await bot.store.chats.status("slack", CHANNEL.chat_id) == ("active", "")


async def test_other_refusals_are_permanent_but_leave_the_chat_alone(
    sender: SlackAdapter, fake: FakeSlack, bot: App
) -> None:
    fake.script("chat.postMessage", Canned(body={"ok": False, "error": "invalid_blocks"}))
    with pytest.raises(SendError) as caught:
        await sender.send(CHANNEL, REPLY)
    assert (caught.value.reason, caught.value.permanent) == ("invalid_blocks", True)
    assert await bot.store.chats.status("slack", CHANNEL.chat_id) == ("active", "")


async def test_connection_errors_become_temporary_send_errors(
    bot: App, tmp_path: Path, fake: FakeSlack
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    adapter = SlackAdapter(
        bot.core,
        bot.health,
        slack_settings(fake, api_base_url=f"http://127.0.0.1:{closed_port}/api/"),
        retry=FAST,
    )
    with pytest.raises(SendError) as caught:
        await adapter.send(CHANNEL, REPLY)  # not started: slack_sdk's own short-lived session
    assert caught.value.reason.startswith("connection")
    assert not caught.value.permanent


async def test_a_bad_token_fails_start_cleanly(bot: App, tmp_path: Path, fake: FakeSlack) -> None:
    wrong = slack_settings(fake, bot_token="xoxb-wrong")
    adapter = SlackAdapter(bot.core, bot.health, wrong)
    with pytest.raises(CredentialsRejected, match="SLACK_BOT_TOKEN: invalid_auth"):
        await adapter.start()
    assert adapter.client.session is None  # nothing left open


def test_http_mode_needs_a_signing_secret(tmp_path: Path, fake: FakeSlack, bot: App) -> None:
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        SlackAdapter(bot.core, bot.health, slack_settings(fake, signing_secret=None))
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        SlackAdapter(bot.core, bot.health, slack_settings(fake, bot_token=None))
