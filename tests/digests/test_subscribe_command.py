"""/subscribe, /unsubscribe, /schedule and /post through the core."""

from __future__ import annotations

import pytest

from bot.core import texts
from bot.core.messages import ChatRef, Incoming
from bot.render.plain import render
from briefings.actors import Actor
from tests.digests.conftest import Env


def msg(
    text: str,
    user: str = "42",
    kind: str = "private",
    chat: str = "100",
    chat_admin: bool | None = None,
) -> Incoming:
    async def check() -> bool:
        return bool(chat_admin)

    return Incoming(
        ChatRef("telegram", chat, kind),
        user,
        "Some One",
        text,  # type: ignore[arg-type]
        ask_is_chat_admin=check if chat_admin is not None else None,
    )


async def say(env: Env, incoming: Incoming) -> str:
    return "\n\n".join(render(r) for r in await env.core.handle(incoming))


async def test_defaults(env: Env) -> None:
    out = await say(env, msg("/subscribe"))
    assert out.startswith("Subscribed. At 08:00 UTC, every day; all topics; only what changed")
    assert "Next digest: Mon 17 Jun 2024 08:00 (UTC)." in out
    sub = await env.subscriptions.get("telegram", "100")
    assert sub is not None
    assert (sub.schedule.hour, sub.schedule.minute, sub.schedule.timezone) == (8, 0, "UTC")
    assert (sub.schedule.days, sub.topics, sub.mode) == ("1234567", (), "changes")


@pytest.mark.parametrize(
    ("args", "hour", "minute", "zone", "days", "topics", "mode"),
    [
        ("07:30 Europe/Kyiv weekdays", 7, 30, "Europe/Kyiv", "12345", (), "changes"),
        (
            "18:00 asia/seoul mon,wed,fri treaty arms full",
            18,
            0,
            "Asia/Seoul",
            "135",
            ("treaty", "arms"),
            "full",
        ),
        ("full 6pm UTC weekends pact", 18, 0, "UTC", "67", ("treaty",), "full"),
        ("mon-wed 7am", 7, 0, "UTC", "123", (), "changes"),
        ("fri-mon 9:05", 9, 5, "UTC", "1567", (), "changes"),
        # IANA names without a slash are zones too, matched to their canonical spelling.
        ("07:30 Japan", 7, 30, "Japan", "1234567", (), "changes"),
        ("est weekdays", 8, 0, "EST", "12345", (), "changes"),
        ("est5edt", 8, 0, "EST5EDT", "1234567", (), "changes"),
        ("SINGAPORE treaty", 8, 0, "Singapore", "1234567", ("treaty",), "changes"),
        ("full full daily everyday", 8, 0, "UTC", "1234567", (), "full"),
    ],
)
async def test_forms(
    env: Env,
    args: str,
    hour: int,
    minute: int,
    zone: str,
    days: str,
    topics: tuple[str, ...],
    mode: str,
) -> None:
    out = await say(env, msg(f"/subscribe {args}"))
    assert out.startswith("Subscribed."), out
    sub = await env.subscriptions.get("telegram", "100")
    assert sub is not None
    assert (sub.schedule.hour, sub.schedule.minute, sub.schedule.timezone) == (hour, minute, zone)
    assert (sub.schedule.days, sub.topics, sub.mode) == (days, topics, mode)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("25:00", texts.SUBSCRIBE_BAD_TIME.format(value="25:00")),
        ("7:61", texts.SUBSCRIBE_BAD_TIME.format(value="7:61")),
        ("13pm", texts.SUBSCRIBE_BAD_TIME.format(value="13pm")),
        ("Europe/Kiev2", "Europe/Kiev2 is not a time zone I know"),
        ("Europe/Kyyiv", "Did you mean Europe/Kyiv"),
        ("Mars/Olympus", "is not a time zone I know"),
        ("kyiv", "Did you mean Europe/Kyiv"),
        ("tretay", "Did you mean treaty"),
        ("mondey", "monday?"),
        ("07:00 08:00", texts.SUBSCRIBE_TWICE.format(what="time")),
        ("UTC Europe/Kyiv", texts.SUBSCRIBE_TWICE.format(what="time zone")),
        ("<script>", "I don't understand <script>"),
        ("'; DROP TABLE subscriptions; --", "I don't understand"),
        ("x " * 30, "Usage: /subscribe"),
        ("/etc/localtime", "/etc/localtime is not a time zone I know"),
        ("../../etc/passwd", "is not a time zone I know"),
        ("Japan Asia/Seoul", texts.SUBSCRIBE_TWICE.format(what="time zone")),
        ("full changes", texts.SUBSCRIBE_CONFLICT.format(first="full", second="changes")),
        ("daily weekdays", texts.SUBSCRIBE_CONFLICT.format(first="daily", second="weekdays")),
        ("mon weekends", texts.SUBSCRIBE_CONFLICT.format(first="mon", second="weekends")),
        ("treaty all", texts.SUBSCRIBE_CONFLICT.format(first="treaty", second="all")),
        ("all arms", texts.SUBSCRIBE_CONFLICT.format(first="all", second="arms")),
    ],
)
async def test_bad_arguments_explain_and_save_nothing(env: Env, args: str, expected: str) -> None:
    before = await env.store.row_counts()
    out = await say(env, msg(f"/subscribe {args}"))
    assert expected in out
    assert await env.subscriptions.get("telegram", "100") is None
    assert await env.store.row_counts() == before


@pytest.mark.parametrize("word", ["Factory", "localtime", "factory"])
async def test_zones_that_are_no_place_are_refused_and_never_suggested(env: Env, word: str) -> None:
    """ "Factory" and "localtime" are in the zone database but name no place (localtime is
    whatever the server's clock says). The suggestions once offered the word refused."""
    out = await say(env, msg(f"/subscribe 07:30 {word}"))
    assert out.startswith(texts.SUBSCRIBE_BAD_WORD.format(value=word)), out
    _, _, suggested = out.casefold().partition("did you mean")
    assert word.casefold() not in suggested
    assert await env.subscriptions.get("telegram", "100") is None


async def test_a_topic_named_like_a_zone_wins_over_the_zone(env: Env) -> None:
    """Area/City always names the zone; a bare word names a topic first."""
    await env.store.topics.add_topic("japan", "Japan", Actor.system("test"), reserved=())
    assert (await say(env, msg("/subscribe japan"))).startswith("Subscribed."), "japan"
    sub = await env.subscriptions.get("telegram", "100")
    assert sub is not None
    assert (sub.schedule.timezone, sub.topics) == ("UTC", ("japan",))


async def test_groups_need_an_admin(env: Env) -> None:
    refused = await say(env, msg("/subscribe", kind="group", chat="-5", chat_admin=False))
    assert refused == texts.SUBSCRIBE_NOT_ALLOWED
    assert await env.subscriptions.get("telegram", "-5") is None
    allowed = await say(env, msg("/subscribe", kind="group", chat="-5", chat_admin=True))
    assert allowed.startswith("Subscribed.")
    bot_admin = await say(env, msg("/unsubscribe", user="9001", kind="channel", chat="-5"))
    assert bot_admin == texts.UNSUBSCRIBE_DONE
    refused = await say(env, msg("/subscribe", kind="channel", chat="-6"))
    assert refused == texts.SUBSCRIBE_NOT_ALLOWED


async def test_schedule_and_unsubscribe(env: Env) -> None:
    assert await say(env, msg("/schedule")) == texts.SCHEDULE_NONE
    assert await say(env, msg("/unsubscribe")) == texts.UNSUBSCRIBE_NONE
    await say(env, msg("/subscribe 07:30 Europe/Kyiv weekdays treaty"))
    out = await say(env, msg("/schedule"))
    assert "At 07:30 Europe/Kyiv, weekdays; /treaty; only what changed" in out
    assert "Next: Tue 18 Jun 2024 07:30 (Europe/Kyiv)." in out  # Monday's 07:30 Kyiv has passed
    assert await say(env, msg("/unsubscribe")) == texts.UNSUBSCRIBE_DONE
    assert await env.subscriptions.get("telegram", "100") is None
    audit = [e.action for e in await env.store.audit.recent(2)]
    assert audit == ["unsubscribe", "subscribe"]


async def test_schedule_shows_pause_reason(env: Env) -> None:
    await say(env, msg("/subscribe"))
    # The adapter found the chat blocked while answering; the next digest pauses it.
    await env.store.chats.mark("telegram", "100", "blocked", "bot was blocked by the user")
    sub = await env.subscriptions.get("telegram", "100")
    assert sub is not None
    env.clock.advance(hours=2)
    assert await env.delivery.deliver(sub.id, env.clock.now.replace(minute=0)) == "paused"
    assert env.adapter.to("100") == []
    assert len(env.adapter.to("9001")) == 1
    out = await say(env, msg("/schedule"))
    assert "Paused: blocked: bot was blocked by the user." in out
    await say(env, msg("/subscribe"))
    assert "Next:" in await say(env, msg("/schedule"))


async def test_post_is_for_admins(env: Env) -> None:
    assert await say(env, msg("/post")) == texts.NOT_ADMIN.format(name="post")
    out = await say(env, msg("/post", user="9001"))
    assert out.startswith("TEST EVENT: DIGEST FOR MONDAY 17 JUNE 2024")
    assert "The partnership treaty (/treaty)" in out
