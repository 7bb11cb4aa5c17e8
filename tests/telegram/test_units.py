"""Small pieces of the Telegram adapter on their own: the command menu, pacing windows and the
retry schedule."""

from __future__ import annotations

import re

from bot.adapters.telegram.menu import menu_entries
from bot.adapters.telegram.outbound import TelegramRetryPolicy, api_chat_id
from bot.adapters.telegram.rate_limiter import Window, is_group
from bot.core.core import FIXED_COMMANDS
from briefings.views import TopicView


def topic(slug: str, description: str = "", title: str = "A title") -> TopicView:
    return TopicView(1, slug, title, description, (), 0, ())


def test_menu_keeps_within_telegram_rules() -> None:
    topics = [topic(f"topic{n}", "d" * 300 if n % 2 else "") for n in range(150)]
    topics += [topic("Bad-Slug"), topic("help", "clashes with a command"), topic("x" * 33)]
    entries = menu_entries(FIXED_COMMANDS, topics)
    assert len(entries) == 100
    names = [name for name, _ in entries]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in names)
    assert all(1 <= len(description) <= 256 for _, description in entries)
    public = [c.name for c in FIXED_COMMANDS if not c.admin]
    assert names[-len(public) :] == public  # fixed commands always make it in
    assert "add" not in names
    assert dict(entries)["topic1"].endswith("…")
    assert dict(entries)["topic0"] == "A title"  # no description: the title


def test_window_allows_limit_per_period() -> None:
    window = Window(2, 1.0)
    assert window.wait(0.0) == 0
    window.record(0.0)
    window.record(0.2)
    assert window.wait(0.5) == 0.5
    assert window.wait(1.0) == 0
    assert window.idle(5.0)


def test_chat_kinds_by_id() -> None:
    assert not is_group(42)
    assert is_group(-42)
    assert is_group("-1001")
    assert is_group("@channel")
    assert not is_group("42")
    assert api_chat_id("-1001") == -1001
    assert api_chat_id("@channel") == "@channel"


def test_backoff_doubles_up_to_a_cap() -> None:
    policy = TelegramRetryPolicy(backoff=0.5, max_backoff=3.0)
    assert [policy.pause(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
