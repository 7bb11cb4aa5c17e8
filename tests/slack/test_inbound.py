"""Slack payloads -> Incoming: the umbrella command, mentions, escaping and chat kinds."""

from __future__ import annotations

import pytest

from bot.adapters.slack.dedup import TtlSet
from bot.adapters.slack.inbound import (
    chat_kind,
    from_command,
    from_event,
    is_direct_message,
    is_person_mention,
    normalized_command,
    slash_text,
    strip_mention,
)
from briefings.actors import Actor


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/brief", "treaty", "/treaty"),
        ("/brief", "  search   missiles ", "/search   missiles"),
        ("/brief", "/treaty", "/treaty"),
        ("/brief", "", "/help"),
        ("/brief", "   ", "/help"),
        ("/digest", "", "/digest"),
        ("/search", "missiles now", "/search missiles now"),
        ("/treaty", "", "/treaty"),  # a topic a workspace declared by hand
    ],
)
def test_slash_text(command: str, text: str, expected: str) -> None:
    assert slash_text(command, text) == expected


def test_slash_command_text_is_unescaped_for_the_core() -> None:
    body = {
        "command": "/brief",
        "text": "search a &amp; b &lt;x&gt;",
        "channel_id": "C1",
        "user_id": "U1",
        "user_name": "ann",
    }
    incoming = from_command(body)
    assert incoming.text == "/search a & b <x>"
    assert (incoming.chat.platform, incoming.chat.kind, incoming.user_name) == (
        "slack",
        "group",
        "ann",
    )
    # A slash command names the user, a DM only has the id: /undo knows them as one person.
    direct = from_event({"type": "message", "user": "U1", "channel": "D1", "text": "undo"}, None)
    assert incoming.actor.id == direct.actor.id == "slack:U1"
    assert (incoming.actor.display, direct.actor.display) == ("slack:U1 (ann)", "slack:U1 (U1)")


@pytest.mark.parametrize(
    ("text", "bot", "expected"),
    [
        ("<@UBOT> treaty", "UBOT", "treaty"),
        ("<@UBOT|briefbot>   /treaty extra", "UBOT", "/treaty extra"),
        ("hey <@UBOT> digest", "UBOT", "hey   digest"),
        ("<@UOTHER> treaty", "UBOT", "<@UOTHER> treaty"),
        ("<@UANY> treaty", None, "treaty"),
        ("<@UBOT>", "UBOT", ""),
    ],
)
def test_strip_mention(text: str, bot: str | None, expected: str) -> None:
    assert strip_mention(text, bot) == expected


def test_events_become_incoming_with_threads() -> None:
    event = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C9",
        "text": "<@UBOT> treaty",
        "thread_ts": "171.1",
    }
    incoming = from_event(event, "UBOT")
    assert incoming.text == "treaty"
    assert incoming.chat.thread_id == "171.1"
    assert incoming.actor == Actor("slack:U1", "slack:U1 (U1)")


def test_chat_kinds() -> None:
    assert chat_kind("D123") == "private"
    assert chat_kind("C123") == chat_kind("G123") == "group"


def test_which_events_are_answered() -> None:
    dm = {"channel_type": "im", "user": "U1", "text": "treaty", "channel": "D1"}
    assert is_direct_message(dm)
    assert not is_direct_message({**dm, "subtype": "message_changed"})
    assert not is_direct_message({**dm, "bot_id": "B1"})
    assert not is_direct_message({**dm, "channel_type": "channel"})
    mention = {"user": "U1", "text": "<@UBOT> x", "channel": "C1"}
    assert is_person_mention(mention)
    assert not is_person_mention({**mention, "channel": "D1"})  # the DM listener answers it
    assert not is_person_mention({**mention, "bot_id": "B1"})


def test_normalized_command() -> None:
    assert normalized_command("/Treaty@bot  ") == "/treaty"
    assert normalized_command("search  missiles") == "/search missiles"
    assert normalized_command("   ") is None


def test_ttl_set_forgets_after_ttl_and_beyond_capacity() -> None:
    now = [0.0]
    seen = TtlSet(ttl=10, capacity=3, clock=lambda: now[0])
    assert seen.add("a")
    assert not seen.add("a")
    now[0] = 10.5
    assert seen.add("a")  # expired, so new again
    for key in "bcd":
        assert seen.add(key)
    assert len(seen) == 3
    assert seen.add("a")
