"""HTTP mode end to end: signed requests into the bot's ASGI app, bolt and the core, answers
recorded by the fake Slack servers."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.adapters.slack import limits
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.render import ACTION_RUN, ACTION_SHARE
from bot.app import App
from bot.core import texts
from tests.slack.factories import CHANNEL, DM, SlackSender, direct_message, mention
from tests.slack.fake_web_api import BOT_USER_ID, RESPONSE, Canned, FakeSlack


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in params.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def share_values(params: dict[str, Any]) -> list[str]:
    return [b["value"] for b in buttons(params) if b["action_id"] == ACTION_SHARE]


async def test_brief_treaty_is_acked_then_answered_privately_with_share(
    slack: SlackSender, fake: FakeSlack
) -> None:
    started = time.monotonic()
    response = await slack.command("/brief", "treaty", fake.response_url("t1"))
    assert response.status_code == 200
    assert response.content == b""  # the ack: empty, the answer comes through response_url
    assert time.monotonic() - started < 1.0
    [answer] = await fake.wait_for(RESPONSE)
    assert answer.params["_token"] == "t1"
    assert answer.params["response_type"] == "ephemeral"
    assert answer.params["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "The partnership treaty"},
    }
    assert "Kim" in answer.text
    assert "Sources" in answer.text
    assert share_values(answer.params) == ["/treaty"]


async def test_brief_search_reaches_a_command_with_arguments(
    slack: SlackSender, fake: FakeSlack
) -> None:
    await slack.command("/brief", "search missiles", fake.response_url())
    [answer] = await fake.wait_for(RESPONSE)
    assert "Search: missiles" in answer.text
    assert share_values(answer.params) == ["/search missiles"]


async def test_brief_alone_is_help_and_own_commands_work(
    slack: SlackSender, fake: FakeSlack
) -> None:
    await slack.command("/brief", "", fake.response_url("help"))
    await slack.command("/digest", "", fake.response_url("digest"))
    answers = {c.params["_token"]: c for c in await fake.wait_for(RESPONSE, 2)}
    assert texts.HELP_TITLE in answers["help"].text
    # Help names commands the way Slack lets people type them.
    assert "/brief treaty" in answers["help"].text
    assert "/brief search" in answers["help"].text
    assert "Digest:" in answers["digest"].text


async def test_unknown_command_gets_a_suggestion_and_no_share(
    slack: SlackSender, fake: FakeSlack
) -> None:
    await slack.command("/brief", "tretay", fake.response_url())
    [answer] = await fake.wait_for(RESPONSE)
    assert "I don't know /tretay" in answer.text
    assert "/treaty" in answer.text
    assert share_values(answer.params) == []


async def test_admin_commands_follow_slack_admin_ids(slack: SlackSender, fake: FakeSlack) -> None:
    await slack.command("/brief", "audit", fake.response_url("guest"), user="UGUEST")
    await slack.command("/audit", "", fake.response_url("admin"), user="UADMIN")
    answers = {c.params["_token"]: c for c in await fake.wait_for(RESPONSE, 2)}
    assert texts.NOT_ADMIN.format(name="audit") in answers["guest"].text
    assert texts.AUDIT_TITLE in answers["admin"].text
    assert share_values(answers["admin"].params) == []  # admin output is not for sharing


async def test_mention_in_a_channel_is_answered_in_public_in_its_thread(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter
) -> None:
    event = mention(f"<@{BOT_USER_ID}> treaty")
    response = await slack.event(event)
    assert response.status_code == 200
    [posted] = await fake.wait_for("chat.postMessage")
    assert posted.params["channel"] == CHANNEL
    assert posted.params["thread_ts"] == event["ts"]  # a thread under the mention
    assert "The partnership treaty" in posted.text
    assert share_values(posted.params) == []  # already public
    await adapter.tasks.drain(5)
    assert fake.called("chat.postEphemeral") == []


async def test_mention_in_a_thread_answers_in_the_thread(
    slack: SlackSender, fake: FakeSlack
) -> None:
    await slack.event(mention(f"<@{BOT_USER_ID}|briefbot> /reactions", thread_ts="1718.0001"))
    [posted] = await fake.wait_for("chat.postMessage")
    assert posted.params["thread_ts"] == "1718.0001"
    assert "Kuleba" in posted.text


async def test_a_refused_mention_is_answered_where_it_was_asked(
    slack: SlackSender, fake: FakeSlack
) -> None:
    event = mention(f"<@{BOT_USER_ID}> audit", user="UGUEST")
    await slack.event(event)
    [posted] = await fake.wait_for("chat.postMessage")
    assert posted.params["thread_ts"] == event["ts"]
    assert texts.NOT_ADMIN.format(name="audit") in posted.text


async def test_direct_messages_with_or_without_slash(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter
) -> None:
    await slack.event(direct_message("treaty"))
    await slack.event(direct_message("/reactions"))
    posted = await fake.wait_for("chat.postMessage", 2)
    assert {p.params["channel"] for p in posted} == {DM}
    assert any("The partnership treaty" in p.text for p in posted)
    assert any("Kuleba" in p.text for p in posted)
    assert all(share_values(p.params) == [] for p in posted)  # a DM is already private


async def test_bot_messages_and_edits_are_ignored(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter
) -> None:
    await slack.event(direct_message("treaty", bot_id="BOTHER"))
    await slack.event(direct_message("treaty", subtype="message_changed"))
    await slack.event({**direct_message("treaty"), "channel_type": "channel"})
    await slack.event(mention(f"<@{BOT_USER_ID}> treaty", bot_id="BOTHER"))
    await adapter.tasks.drain(5)
    assert fake.called("chat.postMessage") == []
    assert fake.called("chat.postEphemeral") == []


async def test_share_button_posts_the_briefing_in_the_channel(
    slack: SlackSender, fake: FakeSlack
) -> None:
    await slack.command("/brief", "treaty", fake.response_url("ask"))
    [private] = await fake.wait_for(RESPONSE)
    [value] = share_values(private.params)
    response = await slack.click(ACTION_SHARE, value, fake.response_url("share"), user="UOTHER")
    assert response.status_code == 200
    shared = (await fake.wait_for(RESPONSE, 2))[1]
    assert shared.params["_token"] == "share"
    assert shared.params["response_type"] == "in_channel"
    assert shared.params["replace_original"] is False
    assert shared.params["blocks"][0] == private.params["blocks"][0]
    assert share_values(shared.params) == []  # already in the channel


async def test_topic_buttons_run_their_command(slack: SlackSender, fake: FakeSlack) -> None:
    await slack.command("/brief", "treaty", fake.response_url("ask"))
    [private] = await fake.wait_for(RESPONSE)
    run = [b for b in buttons(private.params) if b["action_id"].startswith(ACTION_RUN)]
    assert {"/reactions", "/arms"} <= {b["value"] for b in run}
    await slack.click(run[0]["action_id"], "/reactions", fake.response_url("run"))
    answer = (await fake.wait_for(RESPONSE, 2))[1]
    assert answer.params["response_type"] == "ephemeral"
    assert "Kuleba" in answer.text


async def test_retried_event_is_processed_once(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter
) -> None:
    event = direct_message("treaty")
    first = await slack.event(event, event_id="EvRETRIED")
    retry = await slack.event(event, event_id="EvRETRIED", retry_num=1)
    again = await slack.event(event, event_id="EvRETRIED", retry_num=2)
    assert [first.status_code, retry.status_code, again.status_code] == [200, 200, 200]
    await fake.wait_for("chat.postMessage")
    await adapter.tasks.drain(5)
    assert len(fake.called("chat.postMessage")) == 1


async def test_bad_signature_is_rejected_and_not_processed(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter
) -> None:
    response = await slack.post(
        json.dumps({"type": "event_callback", "event_id": "EvFORGED", "event": {}}),
        "application/json",
        secret="not-the-secret",
    )
    assert response.status_code == 401
    forged = await slack.command("/brief", "treaty", fake.response_url(), user="UFORGER")
    assert forged.status_code == 200  # the same request, correctly signed, is fine
    await adapter.tasks.drain(5)
    assert len(fake.called(RESPONSE)) == 1


async def test_stale_timestamp_is_rejected(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter
) -> None:
    from tests.slack.factories import FORM, slash_command

    body = slash_command("/brief", "treaty", fake.response_url())
    too_far = limits.SIGNATURE_MAX_AGE_SECONDS + 1
    stale = await slack.post(body, FORM, timestamp=int(time.time()) - too_far)
    future = await slack.post(body, FORM, timestamp=int(time.time()) + too_far)
    assert (stale.status_code, future.status_code) == (401, 401)
    await adapter.tasks.drain(5)
    assert fake.called(RESPONSE) == []


async def test_url_verification_challenge(slack: SlackSender) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    response = await slack.post(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"}


async def test_ack_does_not_wait_for_a_slow_answer(slack: SlackSender, fake: FakeSlack) -> None:
    # The answer takes longer than Slack waits for an ack; the ack must not wait for it.
    fake.script(RESPONSE, Canned(delay=limits.ACK_SECONDS, body="ok"))
    started = time.monotonic()
    response = await slack.command("/brief", "digest", fake.response_url())
    assert response.status_code == 200
    assert time.monotonic() - started < 0.5
    await fake.wait_for(RESPONSE)


async def test_a_failing_answer_does_not_stop_the_next(
    slack: SlackSender, fake: FakeSlack, adapter: SlackAdapter, bot: App
) -> None:
    fake.channel_errors[DM] = "is_archived"
    await slack.event(direct_message("treaty"))
    await fake.wait_for("chat.postMessage")
    await adapter.tasks.drain(5)
    assert await bot.store.chats.status("slack", DM) == ("unreachable", "is_archived")
    await slack.command("/brief", "treaty", fake.response_url())
    await fake.wait_for(RESPONSE)
