"""Ingestion on Slack, end to end through slack-bolt and the fake Web API: `/brief ingest`
with the text, a file shared in a DM (downloaded with the bot token), the review buttons, and
guests refused."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.render import ACTION_RUN
from bot.app import App
from bot.core import texts
from tests.slack.conftest import ADMIN
from tests.slack.factories import DM, SlackSender, direct_message
from tests.slack.fake_web_api import RESPONSE, FakeSlack

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "untuned"
RATIFICATION = (ARTICLES / "101_duma_ratifies.txt").read_text(encoding="utf-8")
SEOUL = (ARTICLES / "102_seoul_reacts.html").read_bytes()


def shared(name: str, size: int, fake: FakeSlack, user: str = ADMIN) -> dict[str, object]:
    event = direct_message("ingest", user=user, subtype="file_share")
    event["files"] = [
        {
            "id": "F1",
            "name": name,
            "mimetype": "text/html",
            "size": size,
            "url_private_download": fake.file_url(name),
        }
    ]
    return event


async def test_brief_ingest_then_approve_all_with_the_button(
    slack: SlackSender, fake: FakeSlack, bot: App
) -> None:
    await slack.command("/brief", "ingest " + RATIFICATION, fake.response_url(), user=ADMIN)
    [review] = await fake.wait_for(RESPONSE, within=30)
    assert "Proposed from" in review.text
    values = [
        e["value"]
        for block in review.params["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    ]
    assert "/approve all" in values
    action = f"{ACTION_RUN}_0"
    await slack.click(action, "/approve all", fake.response_url("r2"), user=ADMIN)
    answers = await fake.wait_for(RESPONSE, 2, within=10)
    assert "Published" in answers[-1].text or "as a source of" in answers[-1].text
    assert await bot.store.proposals.pending_count() == 0


async def test_a_file_shared_in_a_dm_is_downloaded_with_the_bot_token(
    slack: SlackSender, fake: FakeSlack, bot: App, adapter: SlackAdapter
) -> None:
    fake.files["seoul.html"] = SEOUL
    await slack.event(shared("seoul.html", len(SEOUL), fake))
    posted = await fake.wait_for("chat.postMessage", within=30)
    assert posted[0].params["channel"] == DM
    assert "Proposed from" in posted[0].text
    assert fake.called("file")


async def test_a_guest_sharing_a_file_changes_nothing(
    slack: SlackSender, fake: FakeSlack, bot: App, adapter: SlackAdapter
) -> None:
    counts = await bot.store.row_counts()
    fake.files["seoul.html"] = SEOUL
    await slack.event(shared("seoul.html", len(SEOUL), fake, user="UGUEST"))
    [posted] = await fake.wait_for("chat.postMessage")
    assert texts.NOT_ADMIN.format(name="ingest") in posted.text
    assert not fake.called("file")
    assert await bot.store.row_counts() == counts


async def test_a_file_slack_will_not_hand_over_gets_a_sentence(
    slack: SlackSender, fake: FakeSlack, bot: App, adapter: SlackAdapter
) -> None:
    counts = await bot.store.row_counts()
    await slack.event(shared("missing.html", 2_000, fake))
    [posted] = await fake.wait_for("chat.postMessage")
    assert texts.INGEST_NO_FILE in posted.text
    assert await bot.store.row_counts() == counts
