"""`briefbot ingest`, `proposals`, `approve`, `reject` as a user runs them: a subprocess, from
another folder, on a SQLite file under BRIEFBOT_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ARTICLE = (
    Path(__file__).resolve().parent / "fixtures" / "articles" / "untuned" / "103_hanoi_leg.txt"
)


def briefbot(
    home: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFBOT_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=home,
        env=env,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ingest_json_then_review_from_the_shell(tmp_path: Path) -> None:
    dry = briefbot(tmp_path, "ingest", str(ARTICLE), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    drafts = json.loads(dry.stdout)["proposals"]
    assert drafts
    assert all(d["id"] is None for d in drafts)
    assert {"id", "text", "topic", "topic_alternatives", "score", "corroborates"} <= set(drafts[0])
    assert "No proposals are pending." in briefbot(tmp_path, "proposals").stdout

    done = briefbot(tmp_path, "ingest", str(ARTICLE), "--outlet", "Hanoi Desk", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["source"]["outlet"] == "Hanoi Desk"
    ids = [p["id"] for p in document["proposals"]]
    assert len(ids) == len(drafts)
    assert all(len(p["text"]) <= 300 for p in document["proposals"])

    again = briefbot(tmp_path, "ingest", "-", stdin=ARTICLE.read_bytes())
    assert again.returncode == 0, again.stderr
    assert "I already have that article" in again.stdout

    assert briefbot(tmp_path, "reject", str(ids[0])).stdout.startswith("Rejected 1 proposals")
    approved = briefbot(tmp_path, "approve", "all")
    assert approved.returncode == 0, approved.stderr
    assert "Already" not in approved.stdout
    assert "Published" in approved.stdout or "as a source of" in approved.stdout
    assert "No proposals are pending." in briefbot(tmp_path, "proposals").stdout


def test_bad_input_is_one_sentence(tmp_path: Path) -> None:
    missing = briefbot(tmp_path, "ingest", "nowhere.txt")
    assert (missing.returncode, missing.stderr.strip()) == (1, "There is no file at nowhere.txt.")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    refused = briefbot(tmp_path, "ingest", str(binary))
    assert refused.returncode == 1
    assert "not text" in refused.stderr
    assert "Traceback" not in refused.stderr
    bad_id = briefbot(tmp_path, "approve", "twelve")
    assert bad_id.returncode == 2
    assert "Traceback" not in bad_id.stderr
