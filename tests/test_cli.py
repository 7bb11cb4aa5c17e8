"""The `briefbot` command driven as a user would: as a subprocess, through its console chat."""

from __future__ import annotations

import argparse
import json
import os
import pty
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from bot.cli import BROKEN_PIPE_EXIT, parser
from bot.core import texts
from bot.version import version

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "bot.cli"]


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The command in `cwd` with only PATH from this process's environment, plus `env`."""
    return subprocess.run(
        [*COMMAND, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), **env},
        check=False,
    )


def briefbot(
    args: list[str], tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        **(env or {}),
    }
    # cwd: no .env there, the test controls every setting
    return run_cli(args, tmp_path, environment, stdin)


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


def test_the_console_s_quit_words_are_no_topic_names(tmp_path: Path) -> None:
    """A topic renamed /quit could never be read in the console: /quit ends the chat."""
    lines = ["/topic rename economy quit", "/topic alias economy exit", "/topic add quit Quitting"]
    out = json_chat(lines, tmp_path)
    assert [o["replies"] for o in out] == [
        [texts.RESERVED_NAME.format(name="quit")],
        [texts.RESERVED_NAME.format(name="exit")],
        [texts.RESERVED_NAME.format(name="quit")],
    ]
    assert "/economy" in str(json_chat(["/topics"], tmp_path))


def test_a_message_of_several_lines_goes_on_after_a_backslash(tmp_path: Path) -> None:
    # A console has no multi-line messages of its own: /ingest with its metadata lines and the
    # article's paragraphs is typed with a backslash at the end of every line but the last.
    article = [
        "/ingest \\",
        "outlet: Harbour Gazette \\",
        "title: Kremlin names the Yakutsk stop \\",
        "\\",
        "Vladimir Putin stopped in Yakutsk before flying on to Pyongyang, the Kremlin said. \\",
        "He met Aisen Nikolayev, the head of the Sakha Republic, to talk about a new airport "
        "terminal and the region's trade with Asian partners.",
    ]
    out = json_chat([*article, "/approve all", "/sources"], tmp_path)
    assert len(out) == 3
    assert out[0]["input"] == "\n".join(
        line.removesuffix(" \\").removesuffix("\\") for line in article
    )
    assert "PROPOSED FROM HARBOUR GAZETTE" in str(out[0]["replies"])
    assert "Kremlin names the Yakutsk stop: 2 proposals" in str(out[0]["replies"])
    assert "Harbour Gazette: Kremlin names the Yakutsk stop" in str(out[2]["replies"])


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


def test_run_without_tokens_or_any_input_explains_and_exits(tmp_path: Path) -> None:
    # stdin is /dev/null, as in a container started without -i or under systemd.
    done = subprocess.run(
        [*COMMAND, "run"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 2
    assert "no chat tokens are configured and there is no terminal" in done.stderr
    assert "TELEGRAM_BOT_TOKEN" in done.stderr
    assert not (tmp_path / "data").exists(), "nothing to run, so no database either"


def test_home_is_one_database_from_any_folder(tmp_path: Path) -> None:
    home, first, second = (tmp_path / name for name in ("home", "first", "second"))
    for folder in (home, first, second):
        folder.mkdir()
    env = {"HOME": str(tmp_path), "BRIEFBOT_HOME": str(home)}

    added = run_cli(["chat"], first, env, "/add treaty Added from the first folder.\n")
    assert added.returncode == 0, added.stderr
    assert "Added point #" in added.stdout
    seen = run_cli(["chat"], second, env, "/search first folder\n")
    assert "Added from the first folder." in seen.stdout

    database = home / "data" / "briefbot.db"
    assert database.is_file()
    assert f"Database: SQLite file {database}" in run_cli(["migrate"], second, env).stdout
    started = run_cli(["run"], second, env, "/topics\n")
    assert f"Database: SQLite file {database}" in started.stderr
    assert list(first.iterdir()) == []
    assert list(second.iterdir()) == []


def test_env_file_option_replaces_the_home_dotenv(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text("DATABASE_URL=sqlite:///from-home-dotenv.db\n")
    other = tmp_path / "other.env"
    other.write_text("DATABASE_URL=sqlite:///from-env-file.db\n")
    env = {"HOME": str(tmp_path), "BRIEFBOT_HOME": str(home)}

    default = run_cli(["migrate"], tmp_path, env)
    assert f"SQLite file {home / 'from-home-dotenv.db'}" in default.stdout, default.stderr
    chosen = run_cli(["--env-file", str(other), "migrate"], tmp_path, env)
    assert f"SQLite file {home / 'from-env-file.db'}" in chosen.stdout, chosen.stderr
    missing = run_cli(["--env-file", str(tmp_path / "nope.env"), "migrate"], tmp_path, env)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_chat_on_a_terminal_names_the_database_in_its_banner(tmp_path: Path) -> None:
    terminal, stdin = pty.openpty()
    try:
        with subprocess.Popen(
            [*COMMAND, "chat"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            },
        ) as process:
            os.write(terminal, b"/quit\n")
            out, errors = process.communicate(timeout=TIMEOUT)
    finally:
        os.close(stdin)
        os.close(terminal)
    assert process.returncode == 0, errors
    assert f"Database: SQLite file {tmp_path / 'bot.db'}" in out
    assert "Type /help to start" in out


def _project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def test_version_is_the_project_version(tmp_path: Path) -> None:
    done = briefbot(["--version"], tmp_path)
    assert done.stdout.strip() == f"briefbot {_project_version()}"


def test_version_in_a_source_tree_comes_from_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert version() == _project_version()


def test_help_describes_the_bot_and_lists_every_command(tmp_path: Path) -> None:
    done = briefbot(["--help"], tmp_path)
    assert done.returncode == 0
    assert "briefs people on a news event" in done.stdout
    assert "BRIEFBOT_HOME" in done.stdout
    assert "DATABASE_URL" in done.stdout
    commands = _subcommands(parser())
    assert len(commands) >= 9
    lines = done.stdout.splitlines()
    for name in commands:
        # One line each: the name, then its help, in the command list.
        assert any(line.split()[:1] == [name] and len(line.split()) > 1 for line in lines), name


def test_every_command_and_option_has_help() -> None:
    root = parser()
    for name, sub in {"briefbot": root, **_subcommands(root)}.items():
        for action in sub._actions:
            if action.option_strings or action.dest != "command":
                assert action.help, f"{name} {action.option_strings or action.dest}"
    [listed] = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    for choice in listed._get_subactions():
        assert choice.help, choice.dest


def _subcommands(root: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["digest", "--platform", "telegram", "--chat", "@news"], ""),
        (["chat"], "/treaty\n" * 50),
        (["chat", "--json"], "/digest\n" * 50),
    ],
)
def test_a_reader_that_leaves_ends_the_command_quietly(
    tmp_path: Path, args: list[str], stdin: str
) -> None:
    """`briefbot digest ... | head -1`: the reader is gone before the command writes a line."""
    assert briefbot(["seed"], tmp_path).returncode == 0  # so the timing below is the command's
    source = tmp_path / "input.txt"
    source.write_text(stdin)
    with (
        source.open() as feed,
        subprocess.Popen(
            [*COMMAND, *args],
            stdin=feed,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            },
        ) as process,
    ):
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        errors = process.stderr.read().decode()
        code = process.wait(TIMEOUT)
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors
    assert errors == ""
    assert code == BROKEN_PIPE_EXIT
