"""`briefbot ingest`, `proposals`, `approve`, `reject` as a user runs them: a subprocess, from
another folder, on a SQLite file under BRIEFBOT_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

UNTUNED = Path(__file__).resolve().parent / "fixtures" / "articles" / "untuned"
ARTICLE = UNTUNED / "103_hanoi_leg.txt"
CLOSING = UNTUNED.parent / "closing"


def briefbot(
    home: Path, *args: str, stdin: bytes | None = None, **env_extra: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFBOT_HOME": str(home), **env_extra}
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

    assert briefbot(tmp_path, "reject", str(ids[0])).stdout.startswith("Rejected 1 proposal.")
    approved = briefbot(tmp_path, "approve", "all")
    assert approved.returncode == 0, approved.stderr
    assert "Already" not in approved.stdout
    assert "Published" in approved.stdout or "as a source of" in approved.stdout
    assert "No proposals are pending." in briefbot(tmp_path, "proposals").stdout


def test_a_page_from_standard_input_names_what_it_knows(tmp_path: Path) -> None:
    """No outlet given: the header names the one the page gives (its <title> ends "| FactLens"),
    and, for a page that names none, only the headline, not "None"."""
    page = CLOSING / "604_factcheck_five_claims.html"
    shown = briefbot(tmp_path, "ingest", "-", "--dry-run", stdin=page.read_bytes())
    assert shown.returncode == 0, shown.stderr
    head = shown.stdout.splitlines()[0]
    assert head.startswith("FactLens: Fact check: Five claims"), head
    assert head.endswith("(dry run: nothing saved)")
    unnamed = UNTUNED / "103_hanoi_leg.txt"
    shown = briefbot(tmp_path, "ingest", "-", "--dry-run", stdin=unnamed.read_bytes())
    head = shown.stdout.splitlines()[0]
    assert head.startswith("Putin lands in Hanoi after North Korea stop"), head
    assert "None" not in head


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


def test_a_link_is_fetched_only_where_private_addresses_are_allowed(tmp_path: Path) -> None:
    import http.server
    import threading

    page = (UNTUNED / "102_seoul_reacts.html").read_bytes()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    link = f"http://127.0.0.1:{server.server_address[1]}/world/seoul.html"
    try:
        refused = briefbot(tmp_path, "ingest", link)
        assert refused.returncode == 1
        assert "private or local address" in refused.stderr
        fetched = briefbot(tmp_path, "ingest", link, "--json", INGEST_ALLOW_PRIVATE_URLS="true")
        assert fetched.returncode == 0, fetched.stderr
        document = json.loads(fetched.stdout)
        assert document["source"]["url"] == link
        assert document["proposals"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_text_file_s_metadata_lines_are_read_as_in_a_chat(tmp_path: Path) -> None:
    """They were part of the article: outlet "Unknown outlet", headline "outlet: Hanover..."."""
    article = tmp_path / "hanover.txt"
    lines = "outlet: Hanover \u202eLedger\ntitle: Putin lands in Hanoi\ndate: 2024-06-20\n\n"
    article.write_text(lines + ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    shown = briefbot(tmp_path, "ingest", str(article), "--dry-run", "--json")
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["source"] == {
        "outlet": "Hanover Ledger",
        "headline": "Putin lands in Hanoi",
        "url": None,
        "published": "2024-06-20",
    }
    assert not any("outlet:" in p["text"] for p in document["proposals"])
    # The command line's flags win over the file's lines.
    flagged = briefbot(tmp_path, "ingest", str(article), "--outlet", "Desk", "--json")
    assert flagged.returncode == 0, flagged.stderr
    source = json.loads(flagged.stdout)["source"]
    assert (source["outlet"], source["headline"]) == ("Desk", "Putin lands in Hanoi")


def test_flags_are_checked_as_a_chat_checks_its_lines(tmp_path: Path) -> None:
    """--url notaurl and javascript: were stored; long values were cut at the store."""
    long_url = "https://news.example/" + "u" * 480
    refused = {
        ("--url", "notaurl"): "notaurl is not an http or https address.",
        ("--url", "javascript:alert(1)"): "javascript:alert(1) is not an http or https address.",
        ("--url", long_url): "The url is too long: it can be at most 500 characters.",
        ("--outlet", "o" * 121): "The outlet is too long: it can be at most 120 characters.",
        ("--title", "t" * 301): "The title is too long: it can be at most 300 characters.",
    }
    for flag, sentence in refused.items():
        done = briefbot(tmp_path, "ingest", str(ARTICLE), *flag)
        assert done.returncode == 2, (flag, done.stderr)
        assert done.stderr.startswith(sentence), (flag, done.stderr)
    bad_line = tmp_path / "bad.txt"
    bad_line.write_text("url: notaurl\n" + ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    done = briefbot(tmp_path, "ingest", str(bad_line))
    assert (done.returncode, done.stderr.strip()) == (1, "notaurl is not an http or https address.")
    assert "No proposals are pending." in briefbot(tmp_path, "proposals").stdout


def test_an_unknown_proposal_and_a_folder_are_said_plainly(tmp_path: Path) -> None:
    unknown = briefbot(tmp_path, "approve", "999")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "There is no proposal p999. briefbot proposals lists the pending ones."
    )
    folder = briefbot(tmp_path, "ingest", str(tmp_path))
    assert folder.returncode == 1
    assert folder.stderr.strip() == (
        f"{tmp_path} is a folder, not a file: give an article's file, a URL, or - for "
        "standard input."
    )


def test_a_copy_is_shown_as_the_source_it_copies(tmp_path: Path) -> None:
    first = briefbot(tmp_path, "ingest", str(ARTICLE), "--outlet", "Hanoi Desk", "--json")
    assert first.returncode == 0, first.stderr
    reworded = ARTICLE.read_text(encoding="utf-8").replace(
        "held talks on trade, energy, security and education",
        "held long talks on trade, energy, security and education",
    )
    assert reworded != ARTICLE.read_text(encoding="utf-8")
    copy = briefbot(tmp_path, "ingest", "-", "--outlet", "Reprint Daily", stdin=reworded.encode())
    assert copy.returncode == 0, copy.stderr
    lines = copy.stdout.splitlines()
    assert lines[0].startswith("Most of it is source hanoi-desk"), copy.stdout
    assert lines[1].startswith("Hanoi Desk: "), copy.stdout  # not "Reprint Daily"
    assert "held long talks" in copy.stdout
    assert "Reprint Daily" not in copy.stdout


def test_the_shell_undoes_its_own_approval(tmp_path: Path) -> None:
    """An approval made with `briefbot approve` is the shell's to take back (a chat's /undo
    goes by the chat user's own changes)."""
    done = briefbot(tmp_path, "ingest", str(ARTICLE), "--outlet", "Hanoi Desk", "--json")
    ids = [p["id"] for p in json.loads(done.stdout)["proposals"]]
    assert briefbot(tmp_path, "approve", "all").returncode == 0
    assert "No proposals are pending." in briefbot(tmp_path, "proposals").stdout
    undone = briefbot(tmp_path, "undo")
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.startswith(f"Undid your approval of {len(ids)} proposals"), undone.stdout
    pending = json.loads(briefbot(tmp_path, "proposals", "--json").stdout)["proposals"]
    assert sorted(p["id"] for p in pending) == sorted(ids)
    nothing = briefbot(tmp_path, "undo")
    assert (nothing.returncode, nothing.stderr.strip()) == (1, "You have nothing left to undo.")
