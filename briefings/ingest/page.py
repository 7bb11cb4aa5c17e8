"""A page as a list of lines, with what the page itself says about its title, outlet and date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from briefings.ingest.noise import DATE, LEGAL

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
_LEGAL_WORDS = re.compile(
    r"©|\(c\)|\bcopyright\b|\ball rights reserved\b|\b\d{4}(?:\s*[-–]\s*\d{4})?\b", re.IGNORECASE
)


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
    """'Copyright © 2014-2025 Example News' names the outlet."""
    if not LEGAL.search(text):
        return None
    name = _LEGAL_WORDS.sub(" ", text).strip(" .,-–|")
    # The name ends where the footer's next item starts ("... Media. Terms of use | ...").
    name = re.split(r"\.\s|\s\|\s|\s·\s", name + " ", maxsplit=1)[0].strip(" .,-–|")
    name = " ".join(name.split())
    return name if 2 <= len(name) <= 120 else None
