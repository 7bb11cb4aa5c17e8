"""Ingestion on Telegram, end to end through python-telegram-bot and the fake Bot API: an
admin pastes an article, replies /ingest to one, or sends it as a document (getFile and the
file download), then approves with the review buttons; guests are refused."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from bot.core import texts
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.support import ADMIN_ID

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "untuned"
RATIFICATION = (ARTICLES / "101_duma_ratifies.txt").read_text(encoding="utf-8")
SEOUL = (ARTICLES / "102_seoul_reacts.html").read_bytes()
GUEST = 5151


async def test_a_pasted_article_is_reviewed_and_approved_with_a_button(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.push(tg.message(ADMIN_ID, "/ingest " + RATIFICATION[:3800]))
    sent = await fake.wait_sent(1, ADMIN_ID, within=30)
    review = sent[-1]
    assert "Proposed from" in sent[0].text
    assert "/approve all" in review.buttons
    before = (await app.store.topics.catalog()).point_count
    fake.push(tg.callback_query(ADMIN_ID, "/approve all"))
    answer = await fake.wait_sent(len(sent) + 1, ADMIN_ID)
    assert "Published" in answer[-1].text or "as a source of" in answer[-1].text
    after = await app.store.topics.catalog()
    assert after.point_count >= before
    assert await app.store.proposals.pending_count() == 0


async def test_reply_ingest_to_a_forwarded_article(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.push(tg.reply_to(tg.message(ADMIN_ID, "/ingest"), RATIFICATION[:4000]))
    [answer, *_] = await fake.wait_sent(1, ADMIN_ID, within=30)
    assert "Proposed from" in answer.text
    assert await app.store.proposals.pending_count() > 0


async def test_a_document_with_an_ingest_caption(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.files["doc1"] = SEOUL
    fake.push(tg.document(ADMIN_ID, "/ingest", "doc1", "seoul.html", "text/html", len(SEOUL)))
    [answer, *_] = await fake.wait_sent(1, ADMIN_ID, within=30)
    assert "Proposed from" in answer.text
    assert fake.requests("getFile")
    assert fake.requests("download")


async def test_an_oversized_document_is_refused_before_downloading(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    counts = await app.store.row_counts()
    size = 6 * 1024 * 1024
    fake.push(tg.document(ADMIN_ID, "/ingest", "big", "big.txt", "text/plain", size))
    [answer] = await fake.wait_sent(1, ADMIN_ID)
    assert answer.text == texts.INGEST_REJECTED["too_large"]
    assert not fake.requests("getFile")
    assert await app.store.row_counts() == counts


async def test_a_guest_cannot_ingest_or_approve(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    counts = await app.store.row_counts()
    fake.files["doc2"] = SEOUL
    fake.push(
        tg.document(GUEST, "/ingest", "doc2", "seoul.html", "text/html", len(SEOUL)),
        tg.message(GUEST, "/ingest " + RATIFICATION[:3000]),
        tg.callback_query(GUEST, "/approve all"),
    )
    answers = await fake.wait_sent(3, GUEST)
    assert [a.text for a in answers] == [
        texts.NOT_ADMIN.format(name="ingest"),
        texts.NOT_ADMIN.format(name="ingest"),
        texts.NOT_ADMIN.format(name="approve"),
    ]
    assert not fake.requests("download")
    assert await app.store.row_counts() == counts


async def test_a_captionless_file_in_a_group_is_not_for_us(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.files["doc3"] = SEOUL
    update = tg.document(-700, "holiday pictures", "doc3", "a.txt", "text/plain", 10)
    update["message"]["chat"] = tg.chat(-700, "supergroup")
    fake.push(update, tg.message(ADMIN_ID, "/start"))
    await fake.wait_sent(1, ADMIN_ID)
    assert fake.sent(-700) == []
