"""Operator commands for subscriptions, run as a subprocess like an operator would."""

from __future__ import annotations

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
