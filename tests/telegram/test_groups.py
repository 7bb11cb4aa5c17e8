"""Groups, supergroups, forum topics and channels: what the bot answers, and where."""

from __future__ import annotations

import asyncio

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.messages import ChatRef, Reply
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApi, parse_html

GROUP = -2001
MEMBER = 3001
CHANNEL = -1002003


async def quiet(fake: FakeBotApi, seconds: float = 0.4) -> None:
    """Waits long enough that an answer, had one been due, would have arrived."""
    await asyncio.sleep(seconds)
    assert fake.sent() == []


async def test_addressed_command_in_group_is_answered(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.message(GROUP, "/treaty@OurBot", kind="supergroup", user_id=MEMBER))
    [call] = await fake.wait_sent(1, GROUP)
    assert call.chat_id == GROUP
    assert call.text.startswith("The partnership treaty")
    assert "message_thread_id" not in call.params


async def test_unaddressed_known_command_in_group_is_answered(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.message(GROUP, "/digest", kind="group", user_id=MEMBER))
    [call] = await fake.wait_sent(1, GROUP)
    assert call.text.startswith("Digest:")


async def test_command_for_another_bot_is_ignored(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(tg.message(GROUP, "/treaty@OtherBot", kind="supergroup", user_id=MEMBER))
    await quiet(fake)


async def test_plain_group_chatter_is_ignored(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(
        tg.message(GROUP, "treaty", kind="supergroup", user_id=MEMBER),
        tg.message(GROUP, "has anyone read the treaty?", kind="supergroup", user_id=MEMBER),
    )
    await quiet(fake)


async def test_unknown_unaddressed_command_in_group_is_left_to_other_bots(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.message(GROUP, "/ban", kind="supergroup", user_id=MEMBER))
    await quiet(fake)
    fake.push(tg.message(GROUP, "/treatty@OurBot", kind="supergroup", user_id=MEMBER))
    [call] = await fake.wait_sent(1, GROUP)
    assert "Did you mean /treaty" in call.text


async def test_forwarded_commands_are_ignored(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    forwarded = tg.message(GROUP, "/treaty", kind="supergroup", user_id=MEMBER)
    forwarded["message"]["forward_origin"] = {
        "type": "hidden_user",
        "date": 0,
        "sender_user_name": "X",
    }
    copied = tg.message(GROUP, "/treaty", kind="supergroup", user_id=777000)
    copied["message"] |= {"is_automatic_forward": True, "sender_chat": tg.chat(CHANNEL, "channel")}
    fake.push(forwarded, copied)
    await quiet(fake)


async def test_mention_in_group_is_answered(fake: FakeBotApi, bot: TelegramAdapter) -> None:
    fake.push(tg.message(GROUP, "@OurBot reactions", kind="supergroup", user_id=MEMBER))
    [call] = await fake.wait_sent(1, GROUP)
    assert call.text.startswith("Reactions")


async def test_forum_topic_reply_stays_in_its_thread(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.message(GROUP, "/arms", kind="supergroup", user_id=MEMBER, thread_id=77))
    [call] = await fake.wait_sent(1, GROUP)
    assert call.params["message_thread_id"] == 77


async def test_group_button_press_answers_in_the_group(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.callback_query(GROUP, "/vietnam", kind="supergroup", user_id=MEMBER))
    [call] = await fake.wait_sent(1, GROUP)
    assert call.text.startswith("The Vietnam leg")


async def test_channel_post_command_is_answered_in_the_channel(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(tg.channel_post(CHANNEL, "/treaty"))
    [call] = await fake.wait_sent(1, CHANNEL)
    assert call.text.startswith("The partnership treaty")
    # Any subscriber could press a button under a channel post; the bot adds none.
    assert call.buttons == []


async def test_channel_chatter_and_buttons_are_ignored(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    fake.push(
        tg.channel_post(CHANNEL, "Our morning update is out."),
        tg.channel_post(CHANNEL, "/treaty@OtherBot"),
        tg.callback_query(CHANNEL, "/treaty", kind="channel", user_id=MEMBER),
    )
    await quiet(fake)
    assert len(fake.requests("answerCallbackQuery")) == 1


async def test_send_to_a_channel_outside_a_conversation(
    fake: FakeBotApi, bot: TelegramAdapter
) -> None:
    ids = await bot.send(ChatRef("telegram", str(CHANNEL), "channel"), Reply.text("Digest & more"))
    [call] = fake.sent(CHANNEL)
    assert ids == [str(call.result["message_id"])]
    assert parse_html(call.params["text"]).text == "Digest & more"
