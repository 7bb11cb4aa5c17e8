"""Configuration and startup errors as an operator meets them: `briefbot` in a subprocess, one
sentence naming the setting, exit status 2 for a wrong setting and 1 for a failure around the
bot, and no traceback unless LOG_LEVEL=DEBUG."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.test_cli import briefbot

CONFIG_EXIT = 2
STARTUP_EXIT = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def last_sentence(stderr: str) -> str:
    """`run` logs what it started (INFO) before the error: the error is the last line."""
    assert "Traceback" not in stderr
    assert " ERROR " not in stderr, stderr  # nothing else complained on the way
    return stderr.rstrip().splitlines()[-1]


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Base", "unknown time zone 'Mars/Base'"),
        ("HTTP_PORT", "abc", "valid integer"),
        ("LOG_LEVEL", "verbose", "use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DIGEST_GRACE_MINUTES", "-5", "greater than or equal to 0"),
        ("DIGEST_LEASE_SECONDS", "1", "greater than or equal to 3"),
        ("DIGEST_LEASE_SECONDS", "3600", "less than or equal to 300"),
        ("BOT_NAME", "", "at least 1 character"),
        ("BOT_NAME", "   ", "the bot needs a name"),
        ("TELEGRAM_ADMIN_IDS", "@alice", "takes numeric user ids"),
        ("SLACK_ADMIN_IDS", "alice", "takes Slack user ids"),
        ("DATABASE_URL", "foo", "not a database URL"),
        ("DATABASE_URL", "mysql://u:p@host/db", "not a database URL"),
        ("LOG_FORMAT", "xml", "'text' or 'json'"),
    ],
)
def test_a_wrong_setting_is_one_sentence_and_status_2(
    tmp_path: Path, setting: str, value: str, expected: str
) -> None:
    done = briefbot(["migrate"], tmp_path, env={setting: value})
    assert done.returncode == CONFIG_EXIT, done.stderr
    sentence = one_sentence(done.stderr)
    assert sentence.startswith("briefbot: ")
    assert setting in sentence
    assert expected in sentence
    assert done.stdout == ""


def test_debug_shows_the_traceback_too(tmp_path: Path) -> None:
    done = briefbot(
        ["migrate"], tmp_path, env={"DEFAULT_TIMEZONE": "Mars/Base", "LOG_LEVEL": "debug"}
    )
    assert done.returncode == CONFIG_EXIT
    assert "Traceback" in done.stderr
    assert done.stderr.rstrip().splitlines()[-1].startswith("briefbot: DEFAULT_TIMEZONE=")


def test_postgresql_on_a_closed_port(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://briefbot:hunter2pw@127.0.0.1:{free_port()}/nothing"
    for command in (["migrate"], ["subscriptions"], ["run"]):
        done = briefbot(command, tmp_path, env={"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "1:x"})
        assert done.returncode == STARTUP_EXIT, done.stderr
        sentence = last_sentence(done.stderr)
        assert sentence.startswith("briefbot: DATABASE_URL: cannot open postgresql+asyncpg://")
        assert "connection refused" in sentence.lower() or "connect" in sentence.lower()
        assert "hunter2pw" not in done.stderr


def test_http_port_already_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "HTTP_PORT": str(port),
            # Never reached: the web server starts first and fails.
            "TELEGRAM_BOT_TOKEN": "1:never-used",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
        }
        done = briefbot(["run"], tmp_path, env=env)
    assert done.returncode == STARTUP_EXIT, done.stderr
    sentence = last_sentence(done.stderr)
    assert sentence.startswith(f"briefbot: HTTP_PORT={port}: cannot listen on 127.0.0.1:{port}")
    assert "never-used" not in done.stderr
