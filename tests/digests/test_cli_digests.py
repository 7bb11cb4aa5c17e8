"""Operator commands for subscriptions, run as a subprocess like an operator would."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from tests.test_cli import briefbot


def test_subscribe_list_preview_unsubscribe(tmp_path: Path) -> None:
    done = briefbot(
        [
            "subscribe",
            "--platform",
            "telegram",
            "--chat",
            "@news",
            "07:30",
            "Europe/Kyiv",
            "weekdays",
            "treaty",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "At 07:30 Europe/Kyiv, weekdays; /treaty;" in done.stdout

    bad = briefbot(["subscribe", "--platform", "telegram", "--chat", "5", "Europe/Kyyiv"], tmp_path)
    assert bad.returncode == 2
    assert "Did you mean Europe/Kyiv" in bad.stdout

    listed = briefbot(["subscriptions"], tmp_path).stdout
    assert "#1 telegram:@news At 07:30 Europe/Kyiv" in listed
    assert "Next: " in listed
    assert "telegram:5" not in listed

    preview = briefbot(["digest", "--platform", "telegram", "--chat", "@news"], tmp_path).stdout
    assert "Everything so far" in preview
    assert "The partnership treaty (/treaty)" in preview
    assert "(/arms)" not in preview

    gone = briefbot(["unsubscribe", "--platform", "telegram", "--chat", "@news"], tmp_path)
    assert gone.returncode == 0
    assert "No subscriptions." in briefbot(["subscriptions"], tmp_path).stdout


def test_console_run_delivers_a_digest_due_during_downtime(tmp_path: Path) -> None:
    ten_minutes_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).strftime("%H:%M")
    done = briefbot(
        [
            "subscribe",
            "--platform",
            "console",
            "--chat",
            "local",
            ten_minutes_ago,
            "UTC",
            "vietnam",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # The subscription was made "before" the slot only if the slot is after its creation, so
    # make the slot owed by moving the subscription's creation back, as downtime would.
    db = tmp_path / "bot.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE subscriptions SET schedule_changed_at = '2000-01-01 00:00:00'")
    run = briefbot(["run"], tmp_path, stdin="/schedule\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.count(": digest for ") == 1
    assert "The Vietnam leg (/vietnam)" in run.stdout
    assert "Last: sent" in briefbot(["chat"], tmp_path, stdin="/schedule\n").stdout
