"""A page as a list of lines, with what the page itself says about its title, outlet and date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefings.ingest.noise import DATE

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_FIRST = re.compile(r"(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})", re.IGNORECASE)
_MONTH_FIRST = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE)
# A copyright notice: what follows it (after the years) or, when nothing does, what stands
# before it names the holder. "All rights reserved" alone names what stands before it.
_COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b", re.IGNORECASE)
_RIGHTS = re.compile(r"\ball rights reserved\b", re.IGNORECASE)
_MARKS_AND_YEARS = re.compile(
    r"^(?:\s|©|\(c\)|\bcopyright\b|\b\d{4}(?:\s*[-–]\s*\d{4})?\b|[.,:])+", re.IGNORECASE
)
_TRAILING_YEARS = re.compile(r"(?:\s|,|\b\d{4}(?:\s*[-–]\s*\d{4})?\b)+$")
# Where a footer's next item starts: "Pacific Wire. All rights reserved", "Wire © 2024 · Contact",
# and where a description of the holder starts: "Lindenhall Institute, an independent ...".
_ITEM_BREAK = re.compile(r"\.\s|\.$|\s*[|·•]\s|,\s+(?:an?|the)\s", re.IGNORECASE)
# Between a page title's headline and the site's name: "Headline | Site", "Headline - Site".
_TITLE_BREAK = re.compile(r"\s+[|:–—-]\s+")
# Or, before it, "Site: Headline".
_PREFIX_BREAK = re.compile(r":\s+$")
# A company's legal form is not part of the name readers know it by.
_LEGAL_FORM = re.compile(r",?\s+(?:Ltd|Limited|Inc|LLC|plc|GmbH|S\.A|AG)\.?$", re.IGNORECASE)
MAX_OUTLET_WORDS = 8


@dataclass(frozen=True)
class SourceLine:
    """One line of the page; `heading` when the page's markup says it is one (HTML)."""

    text: str
    heading: bool = False
    item: bool = False  # a list item (HTML <li>): summary boxes are lists
    # The first line of a block of lines (plain text: after a blank line; HTML: every element).
    opens_block: bool = True


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None


def parse_date(text: str) -> dt.date | None:
    """The first date written in the text, in any of the usual news-page forms."""
    found = DATE.search(text)
    if not found:
        return None
    stamp = found.group(0)
    try:
        if iso := _ISO.search(stamp):
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if day_first := _DAY_FIRST.search(stamp):
            month = _MONTHS.get(day_first[2].casefold())
            return dt.date(int(day_first[3]), month, int(day_first[1])) if month else None
        if month_first := _MONTH_FIRST.search(stamp):
            month = _MONTHS.get(month_first[1].casefold())
            if month:
                return dt.date(int(month_first[3]), month, int(month_first[2]))
    except ValueError:
        return None
    return None


def outlet_from_legal(text: str) -> str | None:
    """The holder a copyright line names: 'Copyright © 2014-2025 Example News', '© 2024 Pacific
    Wire. All rights reserved.', 'Continental Wire © 2024 · Contact'. None for other legal text
    (a cookie banner, a mailing list's "Unsubscribe | Privacy notice"), which names nobody."""
    if mark := _COPYRIGHT.search(text):
        after = _MARKS_AND_YEARS.sub("", text[mark.start() :])
        name = _first_item(after) or _last_item(text[: mark.start()])
    elif rights := _RIGHTS.search(text):
        name = _last_item(text[: rights.start()])
    else:
        return None
    return _as_name(name)


def outlet_from_title(page_title: str, headline: str) -> str | None:
    """The site's name a page title adds after its headline ('Factbox: ... | Pacific Wire',
    'Headline - Section - Site') or before it ('Site: Headline'); None when the title is not
    the headline with such an end or start."""
    full, head = " ".join(page_title.split()), " ".join(headline.split())
    if not head or len(full) <= len(head):
        return None
    if full.casefold().startswith(head.casefold()):
        rest = full[len(head) :]
        return _as_name(_TITLE_BREAK.split(rest)[-1]) if _TITLE_BREAK.match(rest) else None
    if full.casefold().endswith(head.casefold()):  # "Kestrel Bay Herald: Headline"
        before = full[: -len(head)]
        ends = _TITLE_BREAK.search(before + " ") or _PREFIX_BREAK.search(before)
        return _as_name(_TITLE_BREAK.split(before + " ")[0]) if ends else None
    return None


def _first_item(text: str) -> str:
    return _ITEM_BREAK.split(text, maxsplit=1)[0].strip(" .,-–|")


def _last_item(text: str) -> str:
    items = [item.strip(" .,-–|") for item in _ITEM_BREAK.split(text)]
    return next((item for item in reversed(items) if item), "")


def _as_name(text: str) -> str | None:
    """`text` as an outlet's name, without trailing years; None when it cannot be one."""
    name = " ".join(_TRAILING_YEARS.sub("", text).split()).strip(" .,-–|:")
    name = _LEGAL_FORM.sub("", name)
    named = (
        len(name) >= 3
        and name[:1].isalnum()
        and not name[:1].islower()
        and len(name.split()) <= MAX_OUTLET_WORDS
    )
    return name if named else None


# A page that opens with e-mail headers (a newsletter saved or pasted from a mail program).
_EMAIL_HEADER = re.compile(
    r"^(from|to|cc|subject|date|sent|reply-to|list-[a-z-]+|message-id)\s*:\s*(.*)$",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^(?:(?:re|fwd?|aw|wg)\s*:\s*)+", re.IGNORECASE)
_SENDER = re.compile(r"^\"?([^\"<>]+?)\"?\s*<[^<>\s@]+@[^<>\s]+>$")


def email_meta(lines: Sequence[str]) -> PageMeta:
    """The subject (as the headline, without "Fwd:" or a " | Tuesday" suffix), the sender's
    name (as the outlet) and the date of a page that opens with e-mail headers."""
    fields: dict[str, str] = {}
    for line in lines:
        header = _EMAIL_HEADER.match(line)
        if header is None:
            break
        fields.setdefault(header[1].casefold(), header[2].strip())
    if "subject" not in fields or len(fields) < 2:
        return PageMeta()
    subject = _REPLY_PREFIX.sub("", fields["subject"])
    subject = re.split(r"\s+\|\s+", subject, maxsplit=1)[0].strip()
    sender = _SENDER.match(fields.get("from", ""))
    return PageMeta(
        subject or None,
        _as_name(sender[1]) if sender else None,
        parse_date(fields.get("date", "")),
    )
