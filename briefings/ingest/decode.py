"""From what an admin sent (pasted text, a file, a fetched page) to the lines of a page.

Refuses what is not an article before any work is done: nothing at all, documents over
MAX_DOCUMENT_BYTES, binary files, and text over MAX_ARTICLE_CHARS. HTML goes through
trafilatura (main-content extraction and the page's metadata); plain text is split into lines,
joining lines that were hard-wrapped mid-sentence."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from briefings.errors import ArticleTooLong, BinaryDocument, DocumentTooLarge, EmptyArticle
from briefings.ingest.limits import MAX_ARTICLE_CHARS, MAX_DOCUMENT_BYTES
from briefings.ingest.noise import DATE
from briefings.ingest.page import (
    PageMeta,
    SourceLine,
    outlet_from_legal,
    outlet_from_title,
    parse_date,
)
from briefings.ingest.types import ArticleInput
from briefings.ingest.words import normalise

_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_HTML_START = re.compile(r"^\s*(?:<!doctype html|<html\b|<\?xml[^>]*>\s*<html\b)", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:p|div|span|a|br|h[1-6]|article|body|head|section|li)\b", re.I)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MIN_TAGS_FOR_HTML = 5
MAX_CONTROL_SHARE = 0.05
_WRAPPED_END = re.compile(r"[\w,;’'\-–—]$")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# The page's <title>, looked for in its head; a copyright notice in the page's footer, read as
# the text between the tags around it.
_HEAD_CHARS = 100_000
_PAGE_TITLE = re.compile(r"<title[^>]*>([^<]{1,500})</title\s*>", re.IGNORECASE)
_COPYRIGHT_MARK = re.compile(r"©|&copy;|&#169;|&#xa9;|\bcopyright\b", re.IGNORECASE)
_NOTICE_CHARS = 300
_MAX_NOTICES = 20
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
# Hard-wrapped text breaks its lines at a fixed width, usually 60 to 80 characters.
WRAP_WIDTHS = (40, 100)
# A wrapped row falls short of the width by at most a long word.
WRAP_SLACK = 15


def decode(article: ArticleInput) -> str:
    body = article.body
    if isinstance(body, bytes):
        if len(body) > MAX_DOCUMENT_BYTES:
            raise DocumentTooLarge(f"{len(body)} bytes")
        text = _decode_bytes(body, article.content_type)
    else:
        text = body
    if not text.strip():
        raise EmptyArticle()
    if "\x00" in text or _control_share(text) > MAX_CONTROL_SHARE:
        raise BinaryDocument("control characters")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ArticleTooLong(f"{len(text)} characters")
    return text


def _decode_bytes(body: bytes, content_type: str | None) -> str:
    if b"\x00" in body and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BinaryDocument("NUL bytes")
    declared = _CHARSET.search(content_type or "")
    encodings = ["utf-16"] if body.startswith((b"\xff\xfe", b"\xfe\xff")) else ["utf-8-sig"]
    if declared:
        encodings.append(declared.group(1))
    for encoding in encodings:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise BinaryDocument("not decodable as text")


def _control_share(text: str) -> float:
    sample = text[:20_000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls / max(len(sample), 1)


def is_html(text: str, article: ArticleInput) -> bool:
    if article.content_type and "html" in article.content_type.casefold():
        return True
    if article.filename and article.filename.casefold().endswith(_HTML_SUFFIXES):
        return True
    return (
        bool(_HTML_START.match(text)) or len(_HTML_TAG.findall(text[:50_000])) >= MIN_TAGS_FOR_HTML
    )


def text_lines(text: str) -> list[SourceLine]:
    """One line per paragraph: a block of lines hard-wrapped at a fixed width (an e-mail, a
    copy from a terminal) becomes one line, and so does a line broken before a lower-case word."""
    lines: list[str] = []
    opening: set[int] = set()  # which lines open a block
    for block in normalise(text).split("\n\n"):
        rows = [row for row in block.split("\n") if row]
        if rows:
            opening.add(len(lines))
        if _hard_wrapped(rows):
            lines.append(" ".join(rows))
            continue
        for row in rows:
            if lines and _continues_line(lines[-1], row):
                opening.discard(len(lines))  # a block that carries on the line before
                lines[-1] = f"{lines[-1]} {row}"
            else:
                lines.append(row)
    return [SourceLine(line, opens_block=i in opening) for i, line in enumerate(lines) if line]


def _continues_line(previous: str, row: str) -> bool:
    """A row that carries on the sentence above (not a short lower-case label such as alt text)."""
    return (
        bool(_WRAPPED_END.search(previous))
        and row[:1].islower()
        and (bool(_SENTENCE_END.search(row)) or len(row) >= WRAP_WIDTHS[0])
    )


def _hard_wrapped(rows: list[str]) -> bool:
    if len(rows) < 2 or not _SENTENCE_END.search(rows[-1]):
        return False
    body = rows[:-1]
    mid_sentence = sum(1 for row in body if _WRAPPED_END.search(row))
    # Wrapping breaks every row at the same width, the last one included: a long row under a
    # short one is a headline's standfirst, not the rest of a wrapped paragraph.
    last_fits = len(rows[-1]) <= max(len(row) for row in body) + WRAP_SLACK
    return (
        last_fits
        and all(WRAP_WIDTHS[0] <= len(row) <= WRAP_WIDTHS[1] for row in body)
        and mid_sentence * 2 >= len(body)
    )


def html_lines(html: str) -> tuple[list[SourceLine], PageMeta]:
    import trafilatura  # heavy: only HTML needs it
    from lxml import etree

    extracted = trafilatura.extract(
        html,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        favor_recall=True,
    )
    if not extracted:
        return [], PageMeta()
    root = etree.fromstring(extracted.encode("utf-8"))
    lines: list[SourceLine] = []
    for element in root.iter("head", "p", "item", "quote"):
        if any(parent.tag == "quote" for parent in element.iterancestors()):
            continue  # read with its quote, below
        if element.tag == "quote":
            # An embedded post keeps its closing "— Name (@handle)" as loose text after its <p>.
            pieces = [element.text or ""]
            for child in element:
                pieces += ["".join(child.itertext()), child.tail or ""]
            lines.extend(SourceLine(normalise(" ".join(t.split()))) for t in pieces if t.strip())
            continue
        text = normalise(" ".join("".join(element.itertext()).split()))
        if text:
            lines.append(SourceLine(text, element.tag == "head", element.tag == "item"))
    return lines, _html_meta(root, html)


def _html_meta(root: object, html: str) -> PageMeta:
    """trafilatura's title and date; the outlet from the end of the page's <title> ("... |
    Pacific Wire") when that is the headline with the site's name added, else trafilatura's
    site name when it is a name (it may be a host name, or a <title> cut in the wrong place),
    else the holder of the page's copyright."""
    attributes = getattr(root, "attrib", {})
    published: dt.date | None = None
    try:
        published = dt.date.fromisoformat(str(attributes.get("date", ""))[:10])
    except ValueError:
        published = None
    if published and (published.month, published.day) == (1, 1) and not _says(html, published):
        # trafilatura's last guess is the copyright's year ("© 2024" -> 1 January 2024), which
        # is no publication date; a page published on New Year's Day says so.
        published = None
    title = attributes.get("title") or None
    site = attributes.get("sitename") or ""
    page_title = _PAGE_TITLE.search(html[:_HEAD_CHARS])
    outlet = (
        (outlet_from_title(unescape(page_title[1]), title) if page_title and title else None)
        or (None if " | " in site or _HOST.match(site) else site.strip() or None)
        or _copyright_holder(html)
        or site.strip()
        or None
    )
    return PageMeta(title=title, outlet=outlet, published=published)


def _says(html: str, day: dt.date) -> bool:
    """Whether the page writes out `day` ("2024-01-01", "1 January 2024", "Jan 1, 2024")."""
    text = unescape(html)
    return day.isoformat() in text or any(
        parse_date(found.group(0)) == day for found in DATE.finditer(text)
    )


def _copyright_holder(html: str) -> str | None:
    """The holder named by the page's copyright notice; one with a year (the site's footer)
    before one without (a photo's credit, "© Agency")."""
    found: list[str] = []
    for count, mark in enumerate(_COPYRIGHT_MARK.finditer(html)):
        if count >= _MAX_NOTICES:
            break
        start = html.rfind(">", max(0, mark.start() - _NOTICE_CHARS), mark.start()) + 1
        end = html.find("<", mark.end(), mark.end() + _NOTICE_CHARS)
        if start == 0 or end < 0:
            continue
        text = " ".join(unescape(html[start:end]).split())
        if holder := outlet_from_legal(text):
            if _YEAR.search(text):
                return holder
            found.append(holder)
    return found[0] if found else None
