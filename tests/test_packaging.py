"""The built wheel, installed on its own, runs the bot from any folder.

The last release could not open a database once installed: the migrations were not in the
wheel, and the editable install the other tests use hid that. So this builds the wheel,
installs it into a fresh virtual environment with --no-deps, and runs the installed `briefbot`
from an empty folder. The fresh environment borrows the dependencies from this one through a
.pth line naming this environment's site-packages; .pth files inside a folder added that way
are not processed, so the editable install's finder stays off and `bot` comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
# What the build reads; copied so the build leaves no build/ or egg-info in the checkout.
BUILD_INPUTS = ("pyproject.toml", "README.md", "bot", "briefings")
TIMEOUT = 60


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path  # BRIEFBOT_HOME
    cwd: Path  # an empty folder, not the repository

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self) -> dict[str, str]:
        return {
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.home.parent),
            "BRIEFBOT_HOME": str(self.home),
        }

    def run_python(self, code: str) -> str:
        """What `code` prints, run by the installed interpreter from the empty folder."""
        return subprocess.run(
            [self.python, "-c", code],
            capture_output=True,
            text=True,
            cwd=self.cwd,
            env=self.env(),
            timeout=TIMEOUT,
            check=True,
        ).stdout

    def briefbot(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.venv / "bin" / "briefbot"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=self.cwd,
            env=self.env(),
            check=False,
        )
        assert done.returncode == 0, f"briefbot {' '.join(args)}: {done.stderr}"
        assert "Traceback" not in done.stderr
        return done


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(c) for c in command], check=True, timeout=TIMEOUT, cwd=cwd)


def _copy_sources(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    for licence in ROOT.glob("LICEN[CS]E*"):
        shutil.copy2(licence, target / licence.name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("packaging")
    source, wheels, venv = base / "source", base / "wheels", base / "venv"
    source.mkdir()
    _copy_sources(source)
    # No build isolation and no index: the build uses this environment's setuptools, offline.
    pip = (sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, source)
    [wheel] = wheels.glob("briefbot-*.whl")
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    _run(*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel)
    # Only now, so pip above did not see this environment's (editable) briefbot as installed.
    fresh_site = Path(
        subprocess.check_output(
            [
                venv / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            text=True,
        ).strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (fresh_site / "_briefbot_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    home, cwd = base / "home", base / "empty"
    home.mkdir()
    cwd.mkdir()
    return Installed(venv, home, cwd)


def _project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def test_the_code_comes_from_the_wheel_not_the_repository(installed: Installed) -> None:
    probe = (
        "import json, bot, briefings.db as db; "
        "print(json.dumps([bot.__file__, str(db.MIGRATIONS_DIR)]))"
    )
    bot_file, migrations = (Path(p) for p in json.loads(installed.run_python(probe)))
    assert bot_file.is_relative_to(installed.venv), bot_file
    assert not bot_file.is_relative_to(ROOT)
    assert migrations.is_relative_to(installed.venv)
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    shipped = sorted(p.name for p in (migrations / "versions").glob("*.py"))
    in_repo = sorted(p.name for p in (ROOT / "briefings" / "migrations" / "versions").glob("*.py"))
    assert shipped == in_repo


def test_version_and_help(installed: Installed) -> None:
    assert installed.briefbot("--version").stdout.strip() == f"briefbot {_project_version()}"
    helped = installed.briefbot("--help").stdout
    for command in ("run", "chat", "migrate", "seed", "subscribe", "digest", "slack-manifest"):
        assert f"\n    {command} " in helped, command


def test_a_session_from_an_empty_folder(installed: Installed) -> None:
    database = installed.home / "data" / "briefbot.db"
    migrated = installed.briefbot("migrate").stdout
    assert f"Database: SQLite file {database}" in migrated
    assert "newest schema" in migrated
    assert installed.briefbot("seed").stdout.startswith("Added 9 topics, 5 sources")

    chat = installed.briefbot("chat", stdin="/treaty\n/search missiles\n/quit\n").stdout
    assert "THE PARTNERSHIP TREATY" in chat
    assert "Sources:" in chat
    assert "/arms" in chat

    subscribed = installed.briefbot(
        "subscribe", "--platform", "telegram", "--chat", "@news", "07:30", "Europe/Kyiv", "treaty"
    ).stdout
    assert "Subscribed telegram chat @news" in subscribed
    assert "#1 telegram:@news At 07:30 Europe/Kyiv" in installed.briefbot("subscriptions").stdout
    preview = installed.briefbot("digest", "--platform", "telegram", "--chat", "@news").stdout
    assert "The partnership treaty (/treaty)" in preview
    assert installed.briefbot(
        "unsubscribe", "--platform", "telegram", "--chat", "@news"
    ).stdout == ("Unsubscribed.\n")

    manifest = json.loads(installed.briefbot("slack-manifest", "--json").stdout)
    assert manifest["display_information"]["name"] == "Briefing bot"

    assert database.is_file()
    assert list(installed.cwd.iterdir()) == [], "nothing is written to the working directory"


def test_ingestion_runs_from_the_wheel_with_its_word_vectors(installed: Installed) -> None:
    installed.briefbot("migrate")
    installed.briefbot("seed")
    article = ROOT / "tests" / "fixtures" / "articles" / "heldout" / "204_un_panel_gap.txt"
    done = installed.briefbot("ingest", str(article), "--dry-run", "--json")
    result = json.loads(done.stdout)
    assert len(result["proposals"]) >= 10
    assert any(p["corroborates"] is not None for p in result["proposals"])
    probe = "import briefings.ingest.meaning as m; print(m.DATA); print(len(m.word_vectors().rank))"
    shown = installed.run_python(probe).split()
    assert Path(shown[0]).is_relative_to(installed.venv)
    assert shown[1] == "50000"
