"""Keep the story of a page, drop its furniture: page-level rules over the lines of a page.

A line is story prose, a section heading, or noise. First the lines lose what is not text: note
markers ("[2]"), bracketed notes ("[citation needed]", "[laughs]"), a wiki heading's "[edit]",
the wire dateline and a transcript's time codes and speaker tags; a short statement standing
before a paragraph counts as prose. The rules, in order: the footer after a copyright line; the
readers' thread after "Comments (7)"; a reference list and what its heading heads; a print
page's other stories, each ended by its own jump line ("See FERRY, Page A3"); embedded social
posts (the handle line and the post text above it, or the
"A post shared by" line and the post below it); photo captions; an author's note in the lower
half of the page; repeated lines; the page talking to its reader ("you") unless the whole
piece is written so; "related"/"read also" teasers and the stories they introduce
(paragraphs after the marker that share almost no vocabulary with the rest of the page); the
masthead before the first paragraph (title, date, byline); labels that head nothing;
and whatever follows the last paragraph."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

from briefings.ingest.noise import (
    AUTHOR_BIO,
    COMMENT_THREAD,
    JUMP,
    METHOD_HEADING,
    POST_HANDLE,
    REFERENCE,
    REFERENCE_HEADING,
    SOCIAL_LINK,
    in_outlet_voice,
    line_noise,
)
from briefings.ingest.page import (
    PageMeta,
    SourceLine,
    email_meta,
    outlet_from_legal,
    parse_date,
)
from briefings.ingest.words import content_terms, fold

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_SHOUTED_START = re.compile(r"^(?:[A-Z]{3,}\b[^a-z]{0,12}[:!]|[@#]\w)")
MIN_PROSE_WORDS = 6
MAX_HEADING_WORDS = 15
# An embedded post is at most a tweet long, plus the link and the "…" of a cut-off embed.
POST_BUDGET = 400
# After a "related" marker, a paragraph is another story when few of its terms occur elsewhere
# on the page and it uses at most two of the story's core terms (those in three or more
# paragraphs). Only there: applied to every paragraph, the same test dropped genuine
# paragraphs that bring new names (a new speaker, a new place), so it is not.
MIN_COHESION = 0.35
CORE_PARAGRAPHS = 3
MAX_CORE_TEASER = 2
MIN_TERMS_FOR_COHESION = 8
# What a box label ("Key takeaways", "Jobs board") heads: at most this many lines.
MAX_BOX_LINES = 6
# A page where this many of the story's paragraphs say "you" is written in that voice (a
# column, a letter): its "you" is the writer's argument, not the outlet's housekeeping.
VOICE_PIECE_SHARE = 0.2
VOICE_PIECE_LINES = 3
# A one-sentence line this short right above a photo credit is the photo's caption, unless the
# credit line is long enough to hold its own caption ("Photo: A woman waves a flag. Agency").
MAX_CAPTION_WORDS = 35
MAX_BARE_CREDIT_WORDS = 8
# A line of its own this short ("Even so, the programme slipped.") is story when prose follows.
MIN_STATEMENT_WORDS = 3
# A wire dateline before the first sentence: "SEOUL, June 19 (Agency) - ", "PYONGYANG (AP) — ",
# "MOSCOW, June 19. /Agency/. ".
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+)*(?:, [A-Z][a-z]+(?: [A-Z][a-z]+)*)?"
    r"(?:, (?:[A-Z][a-z]{2,8}\.?) \d{1,2})?"
    r"(?:(?: \([^()]{1,40}\))?\s+[-–—]+|\.\s*/[^/\s][^/]{0,38}/\.?)\s+(?=[A-Z“\"])"
)
# A marker pointing to a note, right after a word or a punctuation mark: "in 1996.[2]".
NOTE_MARKER = re.compile(r"(?<=[\w.,;:!?\"'”’)])\[\d{1,3}\]")
# An editor's or a transcriber's note in brackets standing between sentences: "[citation
# needed]", "[laughs]", "[crosstalk]". Only after a sentence's end or alone on its line: inside a
# sentence, brackets are the writer's own insertion ("he said [the treaty] was ...").
STAGE_NOTE = re.compile(
    r"(?:^|(?<=[.!?\"'”’)\]]))\s*\[[a-z][a-z ?'’–-]{1,30}\](?=\s*(?:$|[A-Z“\"\[]))"
)
# One item of a column of briefs: "HARBOR DREDGING: The port authority ...".
BRIEF_ITEM = re.compile(r"^[A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+){0,3}: [A-Z]")
# A wiki section's "[edit]" link, copied with its heading.
EDIT_LINK = re.compile(r"\s*\[\s*edit(?: source)?\s*\]\s*$", re.IGNORECASE)
# A transcript's speaker tag: a name in capitals, perhaps with a role ("MARA ELLIS, HOST:").
_TAG = r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3})(, [A-Z][A-Z ]+)?:\s+"
SPEAKER = re.compile(rf"^{_TAG}")
# The time code before a speaker tag: "[00:41] PRIYA ANAND: ...", "(1:02:10) HOST: ...".
TIME_CODE = re.compile(rf"^[\[(]?\d{{1,2}}:\d{{2}}(?::\d{{2}})?[\])]?\s+(?={_TAG})")
# A question mark at the end, before any closing quotes or brackets.
QUESTION_END = re.compile(r"\?[\"'”’)\]]*$")
_INNER_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+[A-Z“\"]")


@dataclass(frozen=True)
class Paragraph:
    text: str
    heading: str | None


@dataclass(frozen=True)
class CleanPage:
    paragraphs: tuple[Paragraph, ...]
    meta: PageMeta

    @property
    def text(self) -> str:
        """The story as plain text: each heading on its own line before its paragraphs."""
        parts: list[str] = []
        current: str | None = None
        for paragraph in self.paragraphs:
            if paragraph.heading and paragraph.heading != current:
                parts.append(paragraph.heading)
            current = paragraph.heading
            parts.append(paragraph.text)
        return "\n\n".join(parts)


def is_question_line(text: str) -> bool:
    """A line that is one question: in a Q&A it heads the answer ("Has Moscow made such a
    promise before?"), it is never a statement to propose."""
    return bool(QUESTION_END.search(text)) and not _INNER_SENTENCE_END.search(text)


def is_prose(text: str) -> bool:
    words = text.split()
    if len(words) < MIN_PROSE_WORDS or not any(w[:1].islower() for w in words):
        return False
    if is_question_line(text) and len(words) <= MAX_HEADING_WORDS:
        return False
    return bool(_SENTENCE_END.search(text)) or (text.endswith(":") and len(words) >= 8)


def clean_page(lines: list[SourceLine], meta: PageMeta | None = None) -> CleanPage:
    lines = _without_speakers(_without_dateline(_without_note_markers(lines)))
    texts = [line.text for line in lines]
    noise: list[str | None] = [line_noise(t) for t in texts]
    prose = [is_prose(t) and not line.heading for t, line in zip(texts, lines, strict=True)]
    _take_short_statements(texts, noise, prose)
    _drop_footer(noise)
    _drop_comment_thread(texts, noise)
    _drop_references(lines, noise, prose)
    _drop_other_stories(texts, noise)
    _drop_posts(texts, noise)
    _drop_embeds(texts, noise)
    _drop_captions(texts, noise, prose)
    _drop_author_notes(texts, noise)
    _drop_boxes(lines, noise)
    _drop_method_notes(lines, noise)
    _drop_repeats(texts, noise)
    _drop_outlet_voice(texts, noise, prose)
    reference = _story_terms(texts, noise, prose)
    _drop_teasers(texts, noise, prose, reference)
    header = _drop_masthead(noise, prose)
    paragraphs = _assemble(lines, noise, prose)
    return CleanPage(tuple(paragraphs), _page_meta(texts, noise, header, meta or PageMeta()))


def _without_note_markers(lines: list[SourceLine]) -> list[SourceLine]:
    """Lines without the markers that point to notes ("... expired in 1996.[2]"), without
    bracketed notes between sentences ("[citation needed]", "[laughs]") and without a wiki
    heading's "[edit]"; a line that opens with a numbered marker is a note itself and keeps it,
    and a line that was only a note goes."""
    kept: list[SourceLine] = []
    for line in lines:
        text = EDIT_LINK.sub("", STAGE_NOTE.sub("", NOTE_MARKER.sub("", line.text))).strip()
        if text:
            kept.append(replace(line, text=text))
    return kept


def _without_dateline(lines: list[SourceLine]) -> list[SourceLine]:
    """The story's first line without its wire dateline ("SEOUL, June 19 (Agency) - ")."""
    for n, line in enumerate(lines):
        found = DATELINE.match(line.text)
        if found and is_prose(line.text[found.end() :]):
            return [*lines[:n], replace(line, text=line.text[found.end() :]), *lines[n + 1 :]]
    return lines


def _without_speakers(lines: list[SourceLine]) -> list[SourceLine]:
    """A transcript's lines without their time codes and speaker tags ("KWON:", "MARA ELLIS,
    HOST:"): a tag with a role, after a time code, or one that opens two lines or more."""
    timed = [bool(TIME_CODE.match(line.text)) for line in lines]
    lines = [replace(line, text=TIME_CODE.sub("", line.text)) for line in lines]
    tags = Counter(found.group(1) for line in lines if (found := SPEAKER.match(line.text)))
    stripped: list[SourceLine] = []
    for line, after_time_code in zip(lines, timed, strict=True):
        found = SPEAKER.match(line.text)
        confirmed = found and (found.group(2) or tags[found.group(1)] >= 2 or after_time_code)
        if found and confirmed and line.text[found.end() :]:
            line = replace(line, text=line.text[found.end() :])
        stripped.append(line)
    return stripped


def _take_short_statements(texts: list[str], noise: list[str | None], prose: list[bool]) -> None:
    """ "On paper, that is true." standing as a paragraph of its own before the next one is
    story, though too short to count as prose by itself. Right after a question it is the
    opening of the answer instead (see _assemble)."""
    for i in range(len(texts) - 1):
        text = texts[i]
        if (
            prose[i]
            or noise[i] is not None
            or not prose[i + 1]
            or noise[i + 1] is not None
            or (i > 0 and is_question_line(texts[i - 1]))
        ):
            continue
        words = text.split()
        if (
            len(words) >= MIN_STATEMENT_WORDS
            and text[:1].isupper()
            and text.endswith((".", "!"))
            and sum(w[:1].islower() for w in words) >= 2
        ):
            prose[i] = True


def _drop_footer(noise: list[str | None]) -> None:
    legal = [i for i, kind in enumerate(noise) if kind == "legal" and i >= len(noise) // 2]
    for i in range(legal[0] + 1 if legal else len(noise), len(noise)):
        noise[i] = noise[i] or "footer"


def _drop_comment_thread(texts: list[str], noise: list[str | None]) -> None:
    """ "Comments (7)" in the lower half of the page heads the readers' thread, to the end. Only
    when the page has one such line: a live blog may show "3 comments" under every entry."""
    found = [i for i, text in enumerate(texts) if COMMENT_THREAD.match(text)]
    if len(found) != 1 or found[0] < len(texts) // 2:
        return
    for i in range(found[0], len(texts)):
        noise[i] = noise[i] or "comments"


def _drop_references(lines: list[SourceLine], noise: list[str | None], prose: list[bool]) -> None:
    """What a "References", "Notes" or "See also" heading heads: its list, up to the next
    heading or the first paragraph of prose that is neither a list item nor a reference entry
    (a "See also" box in the middle of a story ends where the story goes on)."""
    for label, line in enumerate(lines):
        if not REFERENCE_HEADING.match(line.text):
            continue
        noise[label] = noise[label] or "references"
        for i in range(label + 1, len(lines)):
            entry = lines[i].item or bool(REFERENCE.search(lines[i].text))
            if lines[i].heading or (prose[i] and not entry):
                break
            noise[i] = noise[i] or "references"


def _drop_other_stories(texts: list[str], noise: list[str | None]) -> None:
    """A print page's other stories. Each story's part on the page ends with its jump line
    ("See FERRY, Page A3"); the story the page continues ("PUTIN | From Page A1") is ours, or
    else the first to jump. What ends with another story's jump line, back to the jump line
    before it, is that other story."""
    jumps = [i for i, text in enumerate(texts) if JUMP.search(text)]
    slugs = {i: _jump_slug(texts[i]) for i in jumps}
    if len({s for s in slugs.values() if s}) < 2:
        return
    continued = [slugs[i] for i in jumps if "from page" in texts[i].casefold() and slugs[i]]
    ours = continued[0] if continued else next(s for s in slugs.values() if s)
    previous = -1
    for i in jumps:
        if slugs[i] and slugs[i] != ours and previous >= 0:
            for k in range(previous + 1, i):
                noise[k] = noise[k] or "other-story"
        previous = i


def _jump_slug(text: str) -> str | None:
    """The story's catchword in a jump line: "FERRY" in "See FERRY, Page A3" or "FERRY | From
    Page A1"; None for "Continued on Page 5"."""
    found = re.match(r"^(?:[Ss]ee\s+)?([A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+)*)\s*[,|]", text)
    return found.group(1) if found else None


def _drop_posts(texts: list[str], noise: list[str | None]) -> None:
    for end, text in enumerate(texts):
        if not POST_HANDLE.match(text):
            continue
        taken: list[int] = []
        size, found_start = 0, False
        for i in range(end - 1, -1, -1):
            if POST_HANDLE.match(texts[i]) or size + len(texts[i]) > POST_BUDGET:
                break
            taken.append(i)
            size += len(texts[i])
            if _starts_like_post(texts[i]):
                found_start = True
                break
        if not found_start:
            # No visible start: only the line just above the handle and link-bearing lines.
            taken = taken[:1] + [i for i in taken[1:] if SOCIAL_LINK.search(texts[i])]
        for i in taken:
            noise[i] = "social-post"


def _starts_like_post(text: str) -> bool:
    """Posts open with an emoji or a shouted 'BREAKING:'; story paragraphs do not."""
    first = text[:1]
    return bool(first) and (
        unicodedata.category(first) in {"So", "Sk", "Cs"} or bool(_SHOUTED_START.match(text))
    )


def _drop_embeds(texts: list[str], noise: list[str | None]) -> None:
    """ "A post shared by ...:" introduces the post's text on the next line."""
    for i, kind in enumerate(noise[:-1]):
        if kind == "embed" and noise[i + 1] is None and len(texts[i + 1]) <= POST_BUDGET:
            noise[i + 1] = "social-post"


def _drop_captions(texts: list[str], noise: list[str | None], prose: list[bool]) -> None:
    for i, kind in enumerate(noise):
        if kind != "photo-credit" or i == 0 or noise[i - 1] is not None:
            continue
        above = texts[i - 1]
        one_sentence = not _INNER_SENTENCE_END.search(above)
        bare_credit = len(texts[i].split()) <= MAX_BARE_CREDIT_WORDS
        short = one_sentence and len(above.split()) <= MAX_CAPTION_WORDS
        if not prose[i - 1] or (bare_credit and short):
            noise[i - 1] = "caption"


def _drop_boxes(lines: list[SourceLine], noise: list[str | None]) -> None:
    """What a box label ("Key takeaways", "Jobs board", "Quick quiz") heads: the rest of its
    block of lines, or the next block when the label stands alone, and list items after it;
    at most MAX_BOX_LINES lines, and never past a heading."""
    labels = [i for i, kind in enumerate(noise) if kind == "box"]
    for label in labels:
        alone = label + 1 >= len(lines) or lines[label + 1].opens_block
        started = False
        for i in range(label + 1, min(label + 1 + MAX_BOX_LINES, len(lines))):
            line = lines[i]
            if line.heading or noise[i] == "box":
                break
            new_block = line.opens_block and not line.item
            # A column of briefs goes on from item to item: "LIBRARY HOURS: All branches ...".
            if new_block and (started or not alone) and not BRIEF_ITEM.match(line.text):
                break
            started = True
            noise[i] = noise[i] or "boxed"


def _drop_method_notes(lines: list[SourceLine], noise: list[str | None]) -> None:
    """A note on how the page was made, under its own heading ("Sources and method"): the
    heading and what follows it up to the next heading, at most MAX_BOX_LINES lines."""
    for at, line in enumerate(lines):
        if not (line.heading or _can_head(line.text)) or not METHOD_HEADING.match(line.text):
            continue
        noise[at] = noise[at] or "method"
        for i in range(at + 1, min(at + 1 + MAX_BOX_LINES, len(lines))):
            if lines[i].heading:
                break
            noise[i] = noise[i] or "method"


def _drop_author_notes(texts: list[str], noise: list[str | None]) -> None:
    """ "Daria Lind is the Moscow correspondent of ..." in the lower half of a page is about
    the writer, not the story (higher up, such a line introduces a source)."""
    for i in range(len(texts) // 2, len(texts)):
        if noise[i] is None and AUTHOR_BIO.match(texts[i]):
            noise[i] = "author"


def _drop_outlet_voice(texts: list[str], noise: list[str | None], prose: list[bool]) -> None:
    """Lines where the page talks to its reader ("Good morning to the 340 of you who joined",
    "Send your question to our desk"), unless the piece itself is written that way. A question
    stays: in a Q&A it heads its answer ("What should you watch for next?")."""
    voiced = [
        i
        for i, text in enumerate(texts)
        if noise[i] is None and in_outlet_voice(text) and not is_question_line(text)
    ]
    story = sum(1 for i, kind in enumerate(noise) if kind is None and prose[i])
    voiced_story = sum(1 for i in voiced if prose[i])
    if voiced_story >= VOICE_PIECE_LINES and voiced_story >= VOICE_PIECE_SHARE * story:
        return
    for i in voiced:
        noise[i] = "outlet-voice"


def _drop_repeats(texts: list[str], noise: list[str | None]) -> None:
    seen: set[str] = set()
    for i, text in enumerate(texts):
        key = fold(text)
        if key in seen:
            noise[i] = noise[i] or "repeat"
        seen.add(key)


def _story_terms(texts: list[str], noise: list[str | None], prose: list[bool]) -> Counter[str]:
    """In how many candidate story paragraphs each term occurs."""
    counts: Counter[str] = Counter()
    for i, text in enumerate(texts):
        if prose[i] and noise[i] is None:
            counts.update(set(content_terms(text)))
    return counts


def off_topic(text: str, reference: Counter[str], tolerated_core: int) -> bool:
    """Whether a paragraph shares too little with the other paragraphs to be the same story."""
    terms = set(content_terms(text))
    if len(terms) < MIN_TERMS_FOR_COHESION or not reference:
        return False
    shared = sum(1 for term in terms if reference[term] > 1) / len(terms)
    core = sum(1 for term in terms if reference[term] >= CORE_PARAGRAPHS)
    return shared < MIN_COHESION and core <= tolerated_core


def _drop_teasers(
    texts: list[str], noise: list[str | None], prose: list[bool], reference: Counter[str]
) -> None:
    for marker, kind in enumerate(noise):
        if kind != "related":
            continue
        if marker > 0 and noise[marker - 1] is None and not prose[marker - 1]:
            noise[marker - 1] = "related"
        for i in range(marker + 1, len(texts)):
            if noise[i] is not None:
                continue
            if prose[i] and not off_topic(texts[i], reference, MAX_CORE_TEASER):
                break
            noise[i] = "related"


def _drop_masthead(noise: list[str | None], prose: list[bool]) -> list[int]:
    first = next((i for i in range(len(noise)) if prose[i] and noise[i] is None), len(noise))
    header = list(range(first))
    for i in header:
        noise[i] = noise[i] or "masthead"
    return header


def _assemble(
    lines: list[SourceLine], noise: list[str | None], prose: list[bool]
) -> list[Paragraph]:
    kept = [i for i in range(len(lines)) if noise[i] is None]
    texts = [lines[i].text for i in kept]
    opens = [prose[i] for i in kept]  # whether the line opens or continues the story here
    for k in range(len(kept) - 2, 0, -1):
        if opens[k + 1] and _short_answer(texts[k]) and is_question_line(texts[k - 1]):
            opens[k] = True
    # A heading the page marks as one but that was dropped (a timeline's "25 April 2019", a
    # "Related" heading) still ends the section above it: what follows is not under the last
    # heading kept.
    dropped_heading = [
        any(lines[i].heading for i in range(kept[k - 1] + 1 if k else 0, kept[k]))
        for k in range(len(kept))
    ]
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    answer = ""  # "Not yet." under a question: the first words of the paragraph after it
    for k, text in enumerate(texts):
        if dropped_heading[k]:
            heading = None
        if prose[kept[k]]:
            paragraphs.append(Paragraph(f"{answer} {text}" if answer else text, heading))
            answer = ""
        elif opens[k]:
            answer = text
        elif k + 1 < len(texts) and opens[k + 1] and _can_head(text):
            heading = text
    return paragraphs


def _short_answer(text: str) -> bool:
    """ "Not yet." or "It has, once.": too short to be prose, but a statement."""
    return (
        len(text.split()) < MIN_PROSE_WORDS
        and bool(_SENTENCE_END.search(text))
        and not is_question_line(text)
    )


def _can_head(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= MAX_HEADING_WORDS
        and (text[:1].isupper() or text[:1].isdigit())
        and not text.endswith((":", ",", ";"))
    )


# Separators of a menu, a breadcrumb or a masthead's strap ("World | Europe", "Home › World",
# "Serving the Bay since 1887 * Final edition"): such a line is never a headline.
_MENU_MARKS = (" | ", " • ", " · ", " / ", " › ", " > ", " » ", " < ", " * ")
# A headline in capitals (a print page's) has words enough not to be a section label or the
# paper's name ("ASIA NEWS DESK", "THE TIDEWATER EXAMINER").
MIN_CAPITALS_HEADLINE_WORDS = 5
# How many lines above a byline or a date line the headline may stand (a standfirst, a section
# label or a "Listen to this article" between).
HEADLINE_REACH = 4


def _headline_like(text: str) -> bool:
    """A headline, not a section label ("ASIA NEWS DESK") or a menu ("World | Europe")."""
    words = text.split()
    return (
        3 <= len(words) <= 30
        and (not text.isupper() or len(words) >= MIN_CAPITALS_HEADLINE_WORDS)
        and not any(mark in text for mark in _MENU_MARKS)
    )


def _headline(texts: list[str], noise: list[str | None], header: list[int]) -> str | None:
    """The page's headline among the lines above the story. A masthead may hold a site's
    tagline, a cookie notice or a breadcrumb before the headline, so the headline is the line
    nearest above the byline (else above a date line, else above the story's first line),
    passing over a standfirst (the longer line right under a headline); failing those, the first
    headline-like line."""
    candidates = [i for i in header if noise[i] == "masthead" and _headline_like(texts[i])]
    taken = set(candidates)
    heads = [
        i
        for i in candidates
        if not (i - 1 in taken and len(texts[i].split()) > len(texts[i - 1].split()))
    ]
    bylines = [i for i in header if noise[i] == "byline"]
    dates = [i for i in header if noise[i] == "date" or parse_date(texts[i])]
    # The story's first line when the byline comes after the first paragraph, or not at all.
    for anchor in [*bylines, *dates, len(header)]:
        near = [i for i in heads if anchor - HEADLINE_REACH <= i < anchor]
        if near:
            return texts[near[-1]]
    return texts[heads[0]] if heads else None


def _page_meta(
    texts: list[str], noise: list[str | None], header: list[int], given: PageMeta
) -> PageMeta:
    email = email_meta(texts)
    title = given.title or email.title or _headline(texts, noise, header)
    # A line the rules call a date or a byline; else a date among the masthead's lines
    # ("e-Edition | Friday, June 21, 2024 | Page A1", "9 November 2024, 14:20 GMT · Updated").
    dated = [i for i, k in enumerate(noise) if k in {"date", "byline"}] + header
    published = (
        given.published
        or email.published
        or next((d for i in dated if (d := parse_date(texts[i]))), None)
    )
    outlet = (
        given.outlet
        or email.outlet
        or next(
            (
                o
                for i, kind in enumerate(noise)
                if kind == "legal" and (o := outlet_from_legal(texts[i]))
            ),
            None,
        )
    )
    return PageMeta(title, outlet, published)
