"""Story paragraphs -> sentences -> proposals of one or two whole sentences.

Sentences come from syntok (rule-based, no downloads). A quotation that syntok splits into
several sentences is joined back, so a quote is never proposed in pieces. A sentence that
leans on the one before it ("He added...", "This comes after...") is proposed together with
that sentence when the pair fits in MAX_PROPOSAL_CHARS; otherwise it is proposed alone and
flagged "needs-context". A sentence (or whole quotation) longer than MAX_PROPOSAL_CHARS is
never cut: it is left out of the proposals and reported as too long, for an admin to
summarise by hand. A question is never proposed: it states nothing (it stays context)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefings.ingest.clean import QUESTION_END, Paragraph
from briefings.ingest.limits import MAX_PROPOSAL_CHARS
from briefings.ingest.noise import noise_anywhere
from briefings.ingest.words import fold, word_set

NEEDS_CONTEXT = "needs-context"
MIN_SENTENCE_CHARS = 10
SHORT_ANSWER_WORDS = 3
_ANAPHORIC_OPENERS = word_set(
    "he she it they this these that those such his her its their him them"
) | {
    "the latter",
    "the former",
}
_LEADING_PUNCTUATION = "“”\"'‘’([—–- "
# '“...,” he said.': the speaker is only a pronoun, so the quote needs the sentence before.
_PRONOUN_ATTRIBUTION = re.compile(r"^[“\"].*[”\"],?\s+(?:he|she|they|it)\s+\w+", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int
    heading: str | None
    # It comes right after the previous sentence kept, in the same paragraph, with nothing
    # dropped between them (a repeat, a fragment): only then may the two be joined.
    follows: bool = False


@dataclass(frozen=True)
class Unit:
    """What becomes one proposal: sentences first..last (inclusive) of the article."""

    text: str
    first: int
    last: int
    heading: str | None
    flags: tuple[str, ...] = ()


def _spans(text: str) -> list[tuple[int, int]]:
    from syntok import segmenter  # imported here: keeps `import briefings.ingest` cheap

    spans: list[tuple[int, int]] = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            if sentence:
                last = sentence[-1]
                spans.append((sentence[0].offset, last.offset + len(last.value)))
    return spans


def _quote_open(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _continues(text: str) -> bool:
    """A piece syntok split off that cannot start a sentence: lower case or a closing quote."""
    return text[:1].islower() or text[:1] in "”’)]"


def _opens_an_answer(text: str, paragraph: Paragraph) -> bool:
    """ "Not yet." opening the answer to a question: it says nothing without the sentence after
    it, so the two are one."""
    return (
        paragraph.heading is not None
        and bool(QUESTION_END.search(paragraph.heading))
        and len(text.split()) <= SHORT_ANSWER_WORDS
        and not QUESTION_END.search(text.rstrip())
    )


def sentences(paragraphs: Sequence[Paragraph]) -> list[Sentence]:
    """Every sentence of the story once, quotations whole, in order."""
    found: list[Sentence] = []
    seen: set[str] = set()
    for number, paragraph in enumerate(paragraphs):
        text = paragraph.text
        joined: list[tuple[int, int]] = []
        for start, end in _spans(text):
            opening = text[joined[0][0] : joined[0][1]] if len(joined) == 1 else ""
            if joined and (
                _quote_open(text[joined[-1][0] : joined[-1][1]])
                or _continues(text[start:end])
                or text[joined[-1][0] : joined[-1][1]].rstrip().endswith(";")  # syntok splits there
                or (bool(opening) and _opens_an_answer(opening, paragraph))
            ):
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        adjacent = False
        for start, end in joined:
            sentence = text[start:end].strip()
            key = fold(sentence)
            furniture = noise_anywhere(sentence)
            if len(sentence) >= MIN_SENTENCE_CHARS and key not in seen and not furniture:
                seen.add(key)
                found.append(Sentence(sentence, number, paragraph.heading, adjacent))
                adjacent = True
            else:
                adjacent = False
    return found


def is_anaphoric(text: str) -> bool:
    """Whether the sentence opens by pointing back at something said before it."""
    opener = text.lstrip(_LEADING_PUNCTUATION).split(" ", 2)
    first = opener[0].casefold().rstrip(",;:") if opener else ""
    if first == "the" and len(opener) > 1:
        first = "the " + opener[1].casefold().rstrip(",;:")
    return first in _ANAPHORIC_OPENERS or bool(_PRONOUN_ATTRIBUTION.match(text))


def proposals(found: Sequence[Sentence]) -> tuple[list[Unit], list[str]]:
    """The units to propose, and the sentences too long to propose."""
    units: list[Unit] = []
    too_long: list[str] = []
    for index, sentence in enumerate(found):
        if QUESTION_END.search(sentence.text):
            continue  # a question states nothing; it stays context for the sentences around it
        if len(sentence.text) > MAX_PROPOSAL_CHARS:
            too_long.append(sentence.text)
            continue
        single = Unit(sentence.text, index, index, sentence.heading)
        if not is_anaphoric(sentence.text):
            units.append(single)
            continue
        previous = units[-1] if units else None
        if (
            previous is not None
            and previous.last == index - 1
            and sentence.follows
            and previous.first == previous.last
            and not previous.flags
            and previous.heading == sentence.heading
            and len(previous.text) + 1 + len(sentence.text) <= MAX_PROPOSAL_CHARS
        ):
            units[-1] = Unit(
                f"{previous.text} {sentence.text}", previous.first, index, previous.heading
            )
        else:
            units.append(Unit(sentence.text, index, index, sentence.heading, (NEEDS_CONTEXT,)))
    return units, too_long
