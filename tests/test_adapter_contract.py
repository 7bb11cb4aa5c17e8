"""One contract for `ChatAdapter.send`, run against every adapter: the console, Telegram (the
real python-telegram-bot against the fake Bot API) and Slack (the real slack_sdk against the
fake Web API). Digest delivery relies on exactly these promises, whatever the platform."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.base import ChatAdapter, SendError
from bot.adapters.console import ConsoleAdapter
from bot.app import App, build_app
from bot.config import Settings
from bot.core.messages import ChatRef, Item, Reply, Section
from tests.slack.conftest import slack_settings
from tests.slack.fake_web_api import FakeSlack
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.support import FAST, telegram_settings

PLATFORMS = ["console", "telegram", "slack"]


@dataclass
class Harness:
    app: App
    adapter: ChatAdapter
    chat: ChatRef
    # Texts the platform (or the terminal) received, in order.
    received: Callable[[], list[str]]
    # Makes the next send to `chat` fail for good, as a blocked bot or an archived channel;
    # None where the platform cannot refuse (the console).
    refuse: Callable[[], None] | None


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")


@pytest.fixture(params=PLATFORMS)
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    app = await build_app(_settings(tmp_path), telegram=telegram_settings())
    try:
        if request.param == "console":
            out = io.StringIO()
            console = ConsoleAdapter(app.core, stdout=out)
            yield Harness(app, console, console.chat, lambda: [out.getvalue()], None)
        elif request.param == "telegram":
            async with FakeBotApi() as fake:
                from bot.adapters.telegram import TelegramAdapter

                adapter = TelegramAdapter(
                    app.core, app.health, app.store.topics, TOKEN, fake.base_url, FAST
                )
                await adapter.start()
                chat = ChatRef("telegram", "5001", "private")

                def refuse() -> None:
                    fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")

                try:
                    yield Harness(app, adapter, chat, lambda: [c.text for c in fake.sent()], refuse)
                finally:
                    await adapter.stop()
        else:
            fake_slack = FakeSlack()
            await fake_slack.start()
            from bot.adapters.slack import SlackAdapter

            slack = SlackAdapter(app.core, app.health, slack_settings(fake_slack))
            await slack.start()
            chat = ChatRef("slack", "C0CONTRACT", "group")

            def refuse_slack() -> None:
                fake_slack.channel_errors[chat.chat_id] = "channel_not_found"

            try:
                yield Harness(
                    app,
                    slack,
                    chat,
                    lambda: [c.text for c in fake_slack.called("chat.postMessage")],
                    refuse_slack,
                )
            finally:
                await slack.stop()
                await fake_slack.close()
    finally:
        await app.close()


def _reply(points: int, words: int = 12) -> Reply:
    items = tuple(
        Item(f"Point {n:03d} " + " ".join(["word"] * words), cites=(1,), ref=f"#{n}")
        for n in range(points)
    )
    return Reply(title="Contract", sections=(Section("All points", items),))


async def test_send_posts_the_reply_and_returns_its_message_ids(harness: Harness) -> None:
    ids = await harness.adapter.send(harness.chat, _reply(3))
    assert ids
    assert all(isinstance(i, str) and i for i in ids)
    received = "\n".join(harness.received())
    for n in range(3):
        assert f"Point {n:03d}" in received


async def test_a_long_reply_is_split_and_nothing_is_lost(harness: Harness) -> None:
    """About 13,000 characters: several messages on Telegram, one on Slack (50 blocks of
    3,000), one print on the console; one id per message posted either way."""
    ids = await harness.adapter.send(harness.chat, _reply(100, words=20))
    messages = harness.received()
    assert len(ids) == len(messages)  # one id per message the platform took
    assert len(set(ids)) == len(ids)
    received = "\n".join(messages)
    positions = [received.find(f"Point {n:03d}") for n in range(100)]
    assert -1 not in positions
    assert positions == sorted(positions)  # in order


async def test_a_chat_that_refuses_raises_a_permanent_send_error(harness: Harness) -> None:
    if harness.refuse is None:
        pytest.skip("the console cannot refuse a message")
    harness.refuse()
    with pytest.raises(SendError) as failed:
        await harness.adapter.send(harness.chat, _reply(1))
    assert failed.value.permanent
    status, _ = await harness.app.store.chats.status(harness.chat.platform, harness.chat.chat_id)
    assert not status.reachable  # reported through ChatHealth, so digests pause


async def test_every_adapter_declares_the_base_contract(harness: Harness) -> None:
    adapter = harness.adapter
    assert isinstance(adapter, ChatAdapter)
    assert adapter.platform == harness.chat.platform
    assert adapter.message_budget is None or adapter.message_budget > 0
    assert isinstance(adapter.routes(), list)
