"""Private chats, end to end: fake Bot API -> python-telegram-bot -> core -> sendMessage."""

from __future__ import annotations

import asyncio

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.app import App
from briefings.actors import Actor
from briefings.loader import BriefingData, TopicData
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import MESSAGE_CHARS, FakeBotApi, parse_html
from tests.telegram.support import ADMIN_ID, StartBot

USER = 1001


async def test_start(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(tg.message(USER, "/start"))
    [call] = await fake.wait_sent(1, USER)
    assert call.params["text"].startswith("<b>Welcome to Briefing bot</b>")
    assert "/digest" in call.text
    assert call.buttons == ["/digest", "/topics"]


async def test_topic_command_shows_every_point_with_sources(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    fake.push(tg.message(USER, "/treaty"))
    [call] = await fake.wait_sent(1, USER)
    topic = (await app.store.topics.catalog()).topic("treaty")
    assert topic is not None
    text = call.text
    assert call.params["text"].startswith(f"<b>{topic.title}</b>")
    for point in topic.points:
        assert point.text in text
        assert f"#{point.id}" in text
    assert "\nSources\n[1] " in text
    assert "/treaty" not in call.buttons
    assert "/reactions" in call.buttons


async def test_search(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(tg.message(USER, "/search treaty"))
    [call] = await fake.wait_sent(1, USER)
    text = call.text
    assert text.startswith("Search: treaty")
    assert text.count("\n• /") >= 2  # hits tagged with their topic's command


async def test_unknown_command_gets_a_suggestion(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(tg.message(USER, "/treatty"))
    [call] = await fake.wait_sent(1, USER)
    assert "I don't know /treatty." in call.text
    assert "Did you mean /treaty" in call.text


async def test_plain_text_in_private_chat_is_answered(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.message(USER, "reactions"))
    [call] = await fake.wait_sent(1, USER)
    assert call.text.startswith("Reactions")


async def test_button_press_runs_its_command(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(tg.callback_query(USER, "/reactions"))
    [call] = await fake.wait_sent(1, USER)
    [answer] = fake.requests("answerCallbackQuery")
    assert answer.ok
    assert answer.at <= call.at  # the spinner stops before the work is done
    assert call.text.startswith("Reactions")


async def test_user_text_is_escaped_and_shown_literally(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.message(ADMIN_ID, "/add delegation A <script>alert(1)</script> & a &amp; <b>x"))
    [added] = await fake.wait_sent(1, ADMIN_ID)
    assert "Added point" in added.text
    fake.push(tg.message(ADMIN_ID, "/delegation"))
    calls = await fake.wait_sent(2, ADMIN_ID)
    assert "A <script>alert(1)</script> & a &amp; <b>x" in calls[1].text
    assert "&lt;script&gt;" in calls[1].params["text"]


async def test_non_admin_is_refused(fake: FakeBotApi, bot: TelegramAdapter, app: App) -> None:
    before = await app.store.row_counts()
    fake.push(tg.message(USER, "/add treaty Something nobody approved of at all."))
    [call] = await fake.wait_sent(1, USER)
    assert "Only admins can use /add" in call.text
    assert await app.store.row_counts() == before


async def test_reply_longer_than_one_message_is_split(
    fake: FakeBotApi, bot: TelegramAdapter, app: App
) -> None:
    # Topics come a page at a time, each within one message; ten long search hits do not.
    texts = [
        f"Point {n} <script>x</script> & " + " ".join(["lengthy wording"] * 34) + "."
        for n in range(10)
    ]
    for text in texts:
        await app.store.points.add("treaty", text, Actor.system("test"), importance=5)
    fake.push(tg.message(USER, "/search lengthy"))
    calls = await fake.wait_sent(2, USER)
    await asyncio.sleep(1.3)  # a third message would come a second after the second
    calls = fake.sent(USER)
    assert all(c.ok for c in fake.requests("sendMessage"))
    lengths = [parse_html(c.params["text"]).length for c in calls]
    assert len(calls) >= 2
    assert max(lengths) <= MESSAGE_CHARS
    joined = "\n".join(c.text for c in calls)
    for text in texts:
        assert joined.count(text) == 1  # whole, once, and literal
    assert not any(c.buttons for c in calls[:-1])  # buttons, if any, under the last part


async def test_command_menu_is_set_on_start(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    assert fake.commands is not None
    names = [c["command"] for c in fake.commands]
    assert names[:2] == ["visit", "treaty"]  # topics first
    assert {"help", "search", "digest"} <= set(names)
    assert "add" not in names  # admin commands stay out of the public menu


async def test_command_menu_follows_new_topics(
    fake: FakeBotApi, start_bot: StartBot, app: App
) -> None:
    await start_bot()
    [first] = await fake.wait_calls("setMyCommands")
    topic = TopicData("ceasefire", "Ceasefire talks", "Where talks stand", (), ())
    data = BriefingData("talks", "Talks", (), (topic,))
    await app.store.load_briefings(data)
    fake.push(tg.message(USER, "/topics"))
    await fake.wait_sent(1, USER)
    calls = await fake.wait_calls("setMyCommands", 2)
    assert "ceasefire" in [c["command"] for c in calls[1].params["commands"]]
    assert "ceasefire" not in [c["command"] for c in first.params["commands"]]
    fake.push(tg.message(USER + 1, "/topics"))
    await fake.wait_sent(1, USER + 1)
    assert len(fake.requests("setMyCommands")) == 2  # unchanged data: no call
