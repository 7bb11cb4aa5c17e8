"""The `briefbot` command driven as a user would: as a subprocess, through its console chat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.core import texts

TIMEOUT = 60


def briefbot(
    args: list[str], tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=tmp_path,  # no .env there: the test controls every setting
        env=environment,
        check=False,
    )


def json_chat(lines: list[str], tmp_path: Path, *extra: str) -> list[dict[str, object]]:
    done = briefbot(["chat", "--json", *extra], tmp_path, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_chat_json_answers_every_line(tmp_path: Path) -> None:
    lines = ["/help", "/treaty", "/reactions", "/search missiles", "/tretay", ""]
    out = json_chat(lines, tmp_path)
    assert [o["input"] for o in out] == lines
    replies = {o["input"]: "\n".join(o["replies"]) for o in out}  # type: ignore[arg-type]
    assert "/treaty" in replies["/help"]
    assert "/add" in replies["/help"]
    assert "Sources:" in replies["/treaty"]
    assert "Kim" in replies["/treaty"]
    assert "Kuleba" in replies["/reactions"]
    assert "/arms" in replies["/search missiles"]
    assert "Did you mean /treaty" in replies["/tretay"]
    assert replies[""] == texts.EMPTY_MESSAGE


def test_guest_is_refused_and_admin_changes_persist(tmp_path: Path) -> None:
    guest = json_chat(["/add treaty A guest should not be able to add this."], tmp_path, "--guest")
    assert guest[0]["replies"] == [texts.NOT_ADMIN.format(name="add")]

    admin = json_chat(["/add treaty An operator adds this point from the console."], tmp_path)
    assert str(admin[0]["replies"]).startswith("['Added point #")
    again = json_chat(["/treaty", "/treaty 2"], tmp_path)  # a new process on the same database
    assert "An operator adds this point from the console." in str(again)


def test_plain_piped_chat_prints_each_reply(tmp_path: Path) -> None:
    done = briefbot(["chat"], tmp_path, stdin="/topics\n/quit\n/help\n")
    assert done.returncode == 0, done.stderr
    assert "TOPICS" in done.stdout
    assert "WHAT I CAN DO" not in done.stdout  # /quit ended the chat


def test_seed_and_migrate_are_idempotent(tmp_path: Path) -> None:
    assert "newest schema" in briefbot(["migrate"], tmp_path).stdout
    first = briefbot(["seed"], tmp_path).stdout
    assert first.startswith("Added 9 topics, 5 sources")
    assert "Nothing to add" in briefbot(["seed"], tmp_path).stdout
    assert "newest schema" in briefbot(["migrate"], tmp_path).stdout
    out = json_chat(["/topics"], tmp_path)
    assert "80 points from 5 sources" in str(out[0]["replies"])


def test_run_without_tokens_falls_back_to_the_console(tmp_path: Path) -> None:
    done = briefbot(["run"], tmp_path, stdin="/digest\n")
    assert done.returncode == 0, done.stderr
    assert "DIGEST:" in done.stdout
