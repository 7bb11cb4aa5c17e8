"""/ingest: an admin hands the bot an article (pasted, replied to, uploaded or linked); the
bot proposes its key points for review. The pipeline (briefings.ingest) runs in a worker
thread: it is CPU work, and the event loop keeps answering everyone else meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Collection

from bot.core import texts
from bot.core.commands import Command
from bot.core.context import Context
from bot.core.fetching import FetchFailed
from bot.core.handlers.review import review_replies
from bot.core.ingest_args import (
    ArgsError,
    IngestArgs,
    Meta,
    first_given,
    parse_ingest_args,
    read_meta,
)
from bot.core.messages import AttachmentTooLarge, AttachmentUnavailable, Reply
from briefings.errors import ArticleRejected
from briefings.ingest.limits import MAX_ARTICLE_CHARS, MAX_DOCUMENT_BYTES
from briefings.ingest.types import ArticleInput, IngestResult, PointDoc, TopicDoc
from briefings.proposals import Ingested
from briefings.store import BriefingStore
from briefings.views import Catalog

# Longer than the pipeline takes (MAX_ARTICLE_CHARS), so an article just over it gets the
# pipeline's own sentence about article length rather than the core's about commands.
INPUT_LIMIT = 5 * MAX_ARTICLE_CHARS


def topic_docs(catalog: Catalog) -> tuple[TopicDoc, ...]:
    """The catalog as ingestion sees it. Cached per revision: the pipeline caches its topic
    index on this tuple, so the same tuple is handed over while nothing changed."""
    cached = _DOCS.get("docs")
    if cached is not None and cached[0] == catalog.revision:
        return cached[1]
    docs = tuple(
        TopicDoc(
            t.slug,
            t.title,
            t.description,
            t.aliases,
            tuple(PointDoc(p.id, p.text) for p in t.points),
        )
        for t in catalog.topics
    )
    _DOCS["docs"] = (catalog.revision, docs)
    return docs


_DOCS: dict[str, tuple[int, tuple[TopicDoc, ...]]] = {}


def _input(
    args: IngestArgs | Meta,
    body: str | bytes,
    content_type: str | None = None,
    filename: str | None = None,
    url: str | None = None,
) -> ArticleInput:
    return ArticleInput(
        body,
        content_type,
        filename,
        url=url or args.url,
        title=args.title,
        outlet=args.outlet,
        published=args.published,
    )


def text_meta(
    body: bytes, content_type: str | None, filename: str | None
) -> tuple[Meta, bytes | str]:
    """A text article's own outlet:, title:, date: and url: lines, read as /ingest reads them
    after the command, and the article without them. An HTML page names itself: it is left
    whole. Raises ArticleRejected (empty, binary, too long) or ArgsError (a bad line)."""
    from briefings.ingest.decode import decode, is_html

    article = ArticleInput(body, content_type, filename)
    text = decode(article)
    if is_html(text, article):
        return Meta(), body
    return read_meta(text)


def _with_file_meta(
    args: IngestArgs, body: bytes, content_type: str | None, filename: str | None
) -> ArticleInput | Reply:
    """An uploaded text file read like a pasted article: its own metadata lines count, and
    what the caption says wins over them."""
    try:
        found, article = text_meta(body, content_type, filename)
    except ArgsError as bad:
        return Reply.text(str(bad), tone="error")
    except ArticleRejected as rejected:
        return Reply.text(rejection_sentence(rejected), tone="error")
    return _input(first_given(args, found), article, content_type, filename)


async def _article(ctx: Context, args: IngestArgs) -> ArticleInput | Reply:
    """Where the article is: an uploaded file, a link, the message itself, or the message it
    replies to, in that order. A Reply when there is none or it cannot be had."""
    attachment = ctx.incoming.attachment
    if attachment is not None:
        if attachment.size is not None and attachment.size > MAX_DOCUMENT_BYTES:
            return Reply.text(texts.INGEST_REJECTED["too_large"], tone="error")
        try:
            body = await attachment.download(MAX_DOCUMENT_BYTES)
        except AttachmentTooLarge:
            return Reply.text(texts.INGEST_REJECTED["too_large"], tone="error")
        except AttachmentUnavailable:
            return Reply.text(texts.INGEST_NO_FILE, tone="error")
        return _with_file_meta(args, body, attachment.content_type, attachment.filename)
    if args.link is not None:
        if ctx.fetch_url is None:
            return Reply.text(texts.INGEST_NO_FETCH, tone="error")
        try:
            fetched = await ctx.fetch_url(args.link)
        except FetchFailed as failed:
            return Reply.text(failed.sentence, tone="error")
        return _input(args, fetched.body, fetched.content_type, fetched.filename, fetched.url)
    text = args.text or (ctx.incoming.replied_text or "").strip()
    if not text:
        return Reply.text(texts.INGEST_USAGE, tone="error")
    return _input(args, text)


async def run_pipeline(
    store: BriefingStore, article: ArticleInput, commands: Collection[str]
) -> IngestResult:
    """The article's proposals against the published catalog and what is already pending; a
    suggested new topic never takes the name of one of `commands`. Raises ArticleRejected
    (rejection_sentence words it). Shared by /ingest and the CLI."""
    from briefings.ingest import propose  # the heavy libraries load on the first ingest

    catalog = await store.topics.catalog()
    pending = await store.proposals.pending_docs()
    return await asyncio.to_thread(propose, article, topic_docs(catalog), pending, commands)


def rejection_sentence(rejected: ArticleRejected) -> str:
    return texts.INGEST_REJECTED.get(rejected.reason, texts.INGEST_FAILED)


def already_sentence(earlier: Ingested) -> str:
    """An article recorded before (by anyone, even a moment ago): what is already there."""
    return texts.INGEST_ALREADY.format(
        key=earlier.source.key,
        headline=earlier.source.headline,
        pending=len(earlier.proposals),
        approved=earlier.approved,
        rejected=earlier.rejected,
    )


def copy_sentence(recorded: Ingested) -> str:
    """An article that is mostly one ingested before: what it shares and where the rest went."""
    return texts.INGEST_COPY.format(
        key=recorded.source.key, headline=recorded.source.headline, copied=recorded.copied
    )


# A replied message this short that holds one link shares the link ("Worth a read:
# https://..."); a longer one is the article itself, links and all.
SHARED_LINK_WORDS = 40
_HTTP_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def _with_replied_link(args: IngestArgs, replied: str | None) -> IngestArgs:
    """`/ingest` (with at most metadata) in reply to a message that shares a link: that
    link is the article, fetched as `/ingest <link>` would; a shared link is how articles
    usually reach a chat. Raises ArgsError for a lone link the bot cannot fetch (file://)."""
    words = (replied or "").split()
    if args.text or args.link or not words:
        return args
    if len(words) == 1:
        link = parse_ingest_args(words[0]).link
    else:
        found = _HTTP_LINK.findall(" ".join(words)) if len(words) <= SHARED_LINK_WORDS else []
        link = found[0].rstrip(".,;:!?)]") if len(found) == 1 else None
    if link is None:
        return args
    return dataclasses.replace(args, link=link, url=args.url or link)


async def ingest(ctx: Context) -> list[Reply]:
    try:
        args = _with_replied_link(parse_ingest_args(ctx.args), ctx.incoming.replied_text)
    except ArgsError as bad:
        return [Reply.text(str(bad), tone="error")]
    article = await _article(ctx, args)
    if isinstance(article, Reply):
        return [article]
    try:
        result = await run_pipeline(ctx.store, article, ctx.reserved_names)
    except ArticleRejected as rejected:
        return [Reply.text(rejection_sentence(rejected), tone="error")]
    # record() finds an earlier ingest of the same text or link itself, races included.
    recorded = await ctx.store.proposals.record(result, ctx.incoming.actor)
    if recorded.already:
        return [Reply.text(already_sentence(recorded))]
    if not recorded.proposals:
        return [Reply.text(texts.INGEST_NOTHING_NEW.format(key=recorded.source.key))]
    catalog = await ctx.store.topics.catalog()
    intro = texts.counted(
        texts.INGEST_INTRO, headline=recorded.source.headline, count=len(recorded.proposals)
    )
    if recorded.copied:
        intro = f"{intro} {copy_sentence(recorded)}"
    suggested = [p.new_topic.slug for p in result.proposals if p.new_topic]
    if result.unrelated and suggested:
        intro = f"{intro} {texts.INGEST_UNRELATED.format(slug=suggested[0])}"
    return review_replies(
        recorded.proposals,
        catalog,
        title=texts.INGEST_TITLE.format(outlet=recorded.source.outlet),
        intro=intro,
        too_long=result.too_long,
    )


COMMANDS = [
    Command(
        "ingest",
        "Propose key points from an article: paste it, reply to it, upload it or link it",
        ingest,
        usage="<article text | link | reply | file> [outlet: ...] [title: ...] [date: YYYY-MM-DD]",
        admin=True,
        max_input=INPUT_LIMIT,
    ),
]
