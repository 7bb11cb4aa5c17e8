"""Slack beside other replicas on one database: an event Slack retries to another replica
behind the same Request URL is acknowledged there and answered once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.settings import SlackSettings
from bot.app import App
from bot.web import build_web_app
from tests.shared_database import SharedDatabase
from tests.slack.factories import SlackSender, direct_message
from tests.slack.fake_web_api import FakeSlack

pytestmark = pytest.mark.postgresql


@pytest.fixture
async def shared(database_url: str) -> AsyncIterator[SharedDatabase]:
    async with SharedDatabase(database_url) as database:
        yield database


async def test_an_event_retried_to_another_replica_is_answered_once(
    bot: App, slack_config: SlackSettings, fake: FakeSlack, shared: SharedDatabase
) -> None:
    async with AsyncExitStack() as stack:
        replicas: list[tuple[SlackAdapter, SlackSender]] = []
        for host in ("a", "b"):
            adapter = SlackAdapter(
                bot.core,
                bot.health,
                slack_config,
                metrics=bot.metrics,
                replicas=shared.replica(host),
            )
            await adapter.start()
            stack.push_async_callback(adapter.stop)
            web = build_web_app(adapter.routes(), bot.metrics)
            http = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
                )
            )
            replicas.append((adapter, SlackSender(http)))
        (first, to_first), (second, to_second) = replicas
        event = direct_message("treaty")
        assert (await to_first.event(event, event_id="EvSHARED")).status_code == 200
        # Slack thought the first delivery failed: the retry reaches the other replica.
        retried = await to_second.event(event, event_id="EvSHARED", retry_num=1)
        assert retried.status_code == 200
        assert (await to_first.event(event, event_id="EvSHARED", retry_num=2)).status_code == 200
        assert (
            await to_second.event(direct_message("/reactions"), event_id="EvOTHER")
        ).status_code == 200
        await fake.wait_for("chat.postMessage", 2)
        await first.tasks.drain(5)
        await second.tasks.drain(5)
    posted = [call.text for call in fake.called("chat.postMessage")]
    assert len(posted) == 2, posted
    [treaty] = [text for text in posted if "Kuleba" not in text]  # the other is /reactions
    assert "The partnership treaty" in treaty
