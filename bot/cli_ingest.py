"""`briefbot ingest`, `proposals`, `approve`, `reject`: the review loop from the shell, for
operators and scripts. The same pipeline and store as /ingest in a chat."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from briefings.actors import Actor

if TYPE_CHECKING:
    from bot.core.ingest_args import Meta

COMMANDS = ("ingest", "proposals", "approve", "reject", "undo")
ACTOR = Actor.system("cli:operator")
MAX_STDIN = 6 * 1024 * 1024
WHAT_TO_INGEST = "give an article's file, a URL, or - for standard input"
# The chat's sentences, pointing at the shell's commands instead of the chat's.
UNKNOWN_PROPOSAL = "There is no proposal p{id}. briefbot proposals lists the pending ones."
UNKNOWN_TOPIC = "There is no topic called {name}."


def add_parsers(sub: Any) -> None:
    ingest = sub.add_parser(
        "ingest",
        help="propose key points from an article (a file, a URL or - for standard input)",
        description="Clean the article, split it into statements, file them by topic and fold "
        "repeats of existing points into corroborations; the proposals wait for review "
        "(briefbot proposals / approve / reject, or /proposals in a chat).",
    )
    ingest.add_argument("source", help="a .txt or .html file, an http(s) URL, or - for stdin")
    ingest.add_argument("--outlet", help="the publication's name")
    ingest.add_argument("--title", help="the headline")
    ingest.add_argument("--date", type=dt.date.fromisoformat, help="publication date, YYYY-MM-DD")
    ingest.add_argument("--url", help="where the article was published (for a file or stdin)")
    ingest.add_argument("--dry-run", action="store_true", help="show the proposals, save nothing")
    ingest.add_argument("--approve", action="store_true", help="approve every proposal at once")
    ingest.add_argument("--json", action="store_true", help="one JSON object on standard output")
    proposals = sub.add_parser("proposals", help="list the proposals waiting for review")
    proposals.add_argument("--json", action="store_true", help="JSON instead of text")
    for name, verb in (("approve", "publish"), ("reject", "drop")):
        command = sub.add_parser(name, help=f"{verb} proposals by id, or all of them")
        command.add_argument("ids", nargs="+", help="proposal ids (12, p12, 12-15) or all")
        if name == "approve":
            command.add_argument("--topic", help="publish them in this topic instead")
    sub.add_parser(
        "undo",
        help="take back the shell's latest approval or rejection",
        description="Undo what `briefbot approve`, `reject` or `ingest --approve` did last, "
        "as /undo does in a chat for an admin's own changes (the shell is an admin of its own: "
        "a chat's /undo does not reach the shell's changes).",
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app

    # Checked before the database is even opened: a refused flag changes nothing.
    flags = _flag_meta(args) if args.command == "ingest" else None
    if isinstance(flags, str):
        print(flags, file=sys.stderr)
        return 2
    app = await build_app(settings)
    try:
        if flags is not None:  # ingest
            return await _ingest(app, args, flags)
        if args.command == "proposals":
            return await _proposals(app, args.json)
        if args.command == "undo":
            return await _undo(app)
        return await _decide(app, args)
    finally:
        await app.close()


async def _read(app: Any, source: str) -> tuple[bytes, str | None, str | None, str | None] | str:
    """(body, content type, file name, url), or a sentence saying why it cannot be read."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_STDIN + 1)
        return data, None, None, None
    if source.startswith(("http://", "https://")):
        fetch = app.core.fetch_url
        if fetch is None:
            return "Fetching links is not available in this build."
        from bot.core.fetching import FetchFailed

        try:
            fetched = await fetch(source)
        except FetchFailed as failed:
            return failed.sentence
        return fetched.body, fetched.content_type, fetched.filename, fetched.url
    return await asyncio.to_thread(_read_file, Path(source))


def _flag_meta(args: argparse.Namespace) -> Meta | str:
    """--outlet, --title and --url checked and cleaned as a chat's outlet:, title: and url:
    lines are (a javascript: link, a NUL or a value longer than its column are refused); a
    sentence saying what is wrong when one is refused."""
    from bot.core.ingest_args import ArgsError, Meta, meta_value

    try:
        return Meta(
            outlet=meta_value("outlet", args.outlet or ""),
            title=meta_value("title", args.title or ""),
            published=args.date,
            url=meta_value("url", args.url or ""),
        )
    except ArgsError as bad:
        return str(bad)


def _read_file(path: Path) -> tuple[bytes, str | None, str | None, str | None] | str:
    if path.is_dir():
        return f"{path} is a folder, not a file: {WHAT_TO_INGEST}."
    if not path.is_file():
        return f"There is no file at {path}."
    if path.stat().st_size > MAX_STDIN:
        return "That file is over 5 MB."
    return path.read_bytes(), None, path.name, None


async def _ingest(app: Any, args: argparse.Namespace, flags: Meta) -> int:
    from bot.core.handlers.ingest import (
        already_sentence,
        copy_sentence,
        rejection_sentence,
        run_pipeline,
        text_meta,
    )
    from bot.core.ingest_args import ArgsError, Meta, first_given
    from briefings.errors import ArticleRejected
    from briefings.ingest.types import ArticleInput

    read = await _read(app, args.source)
    if isinstance(read, str):
        print(read, file=sys.stderr)
        return 1
    body, content_type, filename, url = read
    store = app.store
    try:
        # A file or standard input may carry its metadata as a chat message does; a fetched
        # page is left as the chat leaves it.
        lines, article_body = (
            text_meta(body, content_type, filename) if url is None else (Meta(), body)
        )
        meta = first_given(flags, lines)  # the command line wins over the file
        article = ArticleInput(
            article_body,
            content_type,
            filename,
            url=meta.url or url,
            title=meta.title,
            outlet=meta.outlet,
            published=meta.published,
        )
        result = await run_pipeline(store, article, app.core.reserved_names)
    except ArticleRejected as rejected:
        print(rejection_sentence(rejected), file=sys.stderr)
        return 1
    except ArgsError as bad:
        print(bad, file=sys.stderr)
        return 1
    source = {"outlet": result.outlet, "headline": result.title, "url": result.url}
    source["published"] = result.published.isoformat() if result.published else None
    if args.dry_run:
        drafts = [
            _item(
                None,
                d.text,
                d.topic or (d.new_topic.slug if d.new_topic else None),
                d.new_topic is not None,
                d.topic_alternatives,
                d.score,
                d.corroborates,
                d.also_corroborates,
            )
            for d in result.proposals
        ]
        return _show(args.json, source, drafts, dry_run=True)
    recorded = await store.proposals.record(result, ACTOR)
    source["key"] = recorded.source.key
    if recorded.already and not args.json:
        print(already_sentence(recorded))
        return 0
    if recorded.copied:
        # A copy went to the source it copies: that one is shown, not what this page says.
        earlier = recorded.source
        source["outlet"], source["headline"], source["url"] = (
            earlier.outlet,
            earlier.headline,
            earlier.url,
        )
        source["published"] = earlier.published.isoformat() if earlier.published else None
        if not args.json:
            print(copy_sentence(recorded))
    views = [_view_item(p) for p in recorded.proposals]
    if args.approve and recorded.proposals and not recorded.already:
        await store.proposals.approve([p.id for p in recorded.proposals], ACTOR)
    shown = {**source, "already": recorded.already, "copied": recorded.copied}
    return _show(args.json, shown, views, dry_run=False)


def _item(
    proposal_id: int | None,
    text: str,
    topic: str | None,
    new_topic: bool,
    alternatives: Sequence[str],
    score: float,
    corroborates: int | None,
    also_cited: Sequence[int],
) -> dict[str, Any]:
    """One proposal as --json shows it, whether only drafted (--dry-run) or recorded."""
    return {
        "id": proposal_id,
        "text": text,
        "topic": topic,
        "new_topic": new_topic,
        "topic_alternatives": list(alternatives),
        "score": round(score, 4),
        "corroborates": corroborates,
        # Further points the article is cited on when this is approved.
        "also_cited": list(also_cited),
    }


def _view_item(view: Any) -> dict[str, Any]:
    topic = view.topic or (view.new_topic[0] if view.new_topic else None)
    return _item(
        view.id,
        view.text,
        topic,
        view.new_topic is not None,
        view.alternatives,
        view.score,
        view.corroborates,
        view.also_corroborates,
    )


def _print_items(items: list[dict[str, Any]]) -> None:
    for item in items:
        where = f"#{item['corroborates']}" if item["corroborates"] else f"/{item['topic']}"
        label = f"p{item['id']}" if item["id"] is not None else "-"
        print(f"{label:>6} {where:<14} {item['text']}")


def _show(as_json: bool, source: dict[str, Any], items: list[dict[str, Any]], dry_run: bool) -> int:
    if as_json:
        print(json.dumps({"source": source, "proposals": items}, ensure_ascii=False, indent=2))
        return 0
    # A page read from standard input may have no outlet (or no headline) to name.
    named = [str(part) for part in (source.get("outlet"), source.get("headline")) if part]
    head = ": ".join(named) or "Untitled article"
    print(head + (" (dry run: nothing saved)" if dry_run else ""))
    _print_items(items)
    return 0


async def _proposals(app: Any, as_json: bool) -> int:
    items = [_view_item(p) for p in await app.store.proposals.pending()]
    if as_json:
        print(json.dumps({"proposals": items}, ensure_ascii=False, indent=2))
        return 0
    if not items:
        print("No proposals are pending.")
    _print_items(items)
    return 0


async def _undo(app: Any) -> int:
    from bot.core.core import explain
    from bot.core.handlers.admin import undone_sentence
    from briefings.errors import NothingToUndo, UndoConflict

    try:
        entry = await app.store.points.undo(ACTOR)
    except (NothingToUndo, UndoConflict) as refused:
        print(explain(refused), file=sys.stderr)
        return 1
    print(undone_sentence(entry))
    return 0


async def _decide(app: Any, args: argparse.Namespace) -> int:
    from bot.core.handlers.review import summary_lines
    from bot.core.ingest_args import ArgsError, parse_choice
    from briefings.errors import UnknownProposal, UnknownTopic

    catalog = await app.store.topics.catalog()
    try:
        chosen = parse_choice(" ".join(args.ids), set(), allow_topic=False)
    except ArgsError as bad:
        print(bad, file=sys.stderr)
        return 2
    proposals = app.store.proposals
    try:
        if args.command == "approve":
            topic = getattr(args, "topic", None)
            if topic and catalog.topic(topic) is None:
                print(UNKNOWN_TOPIC.format(name=topic), file=sys.stderr)
                return 2
            decision = await proposals.approve(chosen.ids, ACTOR, topic)
        else:
            decision = await proposals.reject(chosen.ids, ACTOR)
    except UnknownProposal as unknown:
        print(UNKNOWN_PROPOSAL.format(id=unknown.proposal_id), file=sys.stderr)
        return 1
    except UnknownTopic as unknown:
        print(UNKNOWN_TOPIC.format(name=unknown.name), file=sys.stderr)
        return 1
    print("\n".join(summary_lines(decision)) or "No pending proposals matched.")
    return 0
