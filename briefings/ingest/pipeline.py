"""One call from an article to reviewable proposals: decode, clean, split, score, assign, fold."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from typing import Any

from briefings.errors import NoStoryFound, NotEnglish
from briefings.ingest.assign import (
    NEIGHBOURHOOD_WEIGHT,
    article_topic,
    choose,
    is_unrelated,
    neighbourhood,
    topic_scores,
    with_meaning,
)
from briefings.ingest.clean import CleanPage, clean_page
from briefings.ingest.decode import decode, html_lines, is_html, text_lines
from briefings.ingest.fold import (
    Closeness,
    blend,
    fold_onto_pending,
    fold_onto_points,
    with_clauses,
)
from briefings.ingest.gist import sentence_vectors
from briefings.ingest.language import looks_english
from briefings.ingest.meaning import bag, match
from briefings.ingest.page import PageMeta
from briefings.ingest.score import importance, scores
from briefings.ingest.split import Sentence, Unit, proposals, sentences
from briefings.ingest.types import (
    ArticleInput,
    IngestResult,
    PendingDoc,
    ProposalDraft,
    TopicDoc,
)
from briefings.ingest.vectors import TopicIndex, topic_index
from briefings.ingest.words import fold


def fingerprint(cleaned_text: str) -> str:
    """Stable across case, quote style and white space, so a re-paste is recognised."""
    return hashlib.sha256(fold(cleaned_text).encode("utf-8")).hexdigest()


def read_page(article: ArticleInput) -> CleanPage:
    """The story of the article, or the reason there is none."""
    text = decode(article)
    given = PageMeta(article.title, article.outlet, article.published)
    if is_html(text, article):
        lines, found = html_lines(text)
        given = PageMeta(
            given.title or found.title,
            given.outlet or found.outlet,
            given.published or found.published,
        )
    else:
        lines = text_lines(text)
    page = clean_page(lines, given)
    if not page.paragraphs:
        raise NotEnglish() if not looks_english(text) else NoStoryFound()
    if not looks_english(page.text):
        raise NotEnglish()
    return page


def sentence_similarities(
    units: Sequence[Unit], found: Sequence[Sentence], index: TopicIndex
) -> list[Any]:
    """For each unit of several sentences, each sentence's similarity to every point; an empty
    list for a unit of one sentence (its own similarities say it all)."""
    texts = [found[k].text for u in units if u.last > u.first for k in range(u.first, u.last + 1)]
    if not texts:
        return [[] for _ in units]
    rows = index.point_similarities(texts, index.vectors(texts))
    result: list[Any] = []
    at = 0
    for unit in units:
        count = unit.last - unit.first + 1 if unit.last > unit.first else 0
        result.append(list(rows[at : at + count]))
        at += count
    return result


def propose(
    article: ArticleInput,
    topics: Sequence[TopicDoc],
    pending: Sequence[PendingDoc] = (),
    reserved: Collection[str] = (),
) -> IngestResult:
    """The article's proposals. `reserved` are names a suggested new topic must not take (the
    bot's commands: a topic called "search" would be shadowed by /search)."""
    page = read_page(article)
    found = sentences(page.paragraphs)
    units, too_long = proposals(found)
    if not units and not too_long:
        raise NoStoryFound()
    index = topic_index(tuple(topics))
    pending_topic = {p.id: p.topic for p in pending}
    point_topic: dict[int, str] = {p.id: t.slug for t in topics for p in t.points}
    ranks = scores(units, found)
    repeats = fold_onto_pending(units, pending)
    if index is not None and units:
        texts = [u.text for u in units]
        own, chars = index.vectors(texts), index.char_vectors(texts)
        point_sims = index.point_similarities(texts, own, chars)
        # Topics by words and meaning, not characters: character n-grams give every pair of
        # texts some similarity.
        word_sims = (own @ index.point_rows.T).toarray()
        unit_bag, unit_gist = bag(texts), sentence_vectors(texts)
        meaning = match(unit_bag, index.point_bag)
        blended = blend(point_sims, meaning, unit_gist @ index.point_gist.T)
        if index.clause_owner:
            by_clause = blend(
                index.clause_similarities(own, chars),
                match(unit_bag, index.clause_bag),
                unit_gist @ index.clause_gist.T,
            )
            blended = with_clauses(blended, by_clause, index.clause_owner)
        near = with_meaning(word_sims, meaning)
        alone = topic_scores(units, found, index, own, near, with_context=False)
        ranked = topic_scores(units, found, index, own, near)
        ranked = ranked + NEIGHBOURHOOD_WEIGHT * neighbourhood(alone, [u.heading for u in units])
        taken = {*reserved, *(name for t in topics for name in (t.slug, *t.aliases))}
        # Whether any topic fits is decided on shared words alone: the match of meaning gives
        # every sentence some closeness to every point (a football score came to 0.64).
        by_words_alone = topic_scores(units, found, index, own, word_sims, with_context=False)
        unrelated = is_unrelated(units, index)
        article_new = article_topic(units, taken) if unrelated else None
        choices = choose(units, ranked, by_words_alone, index, taken, article_new)
        folds = fold_onto_points(
            Closeness(point_sims, blended),
            index,
            texts,
            sentence_similarities(units, found, index),
        )
    else:
        unrelated = False
        choices = choose(units, None, None, None, set(reserved))
        folds = fold_onto_points(None, None, [u.text for u in units])
    drafts: list[ProposalDraft] = []
    for unit, choice, folded, pending_id, score in zip(
        units, choices, folds, repeats, ranks, strict=True
    ):
        topic, alternatives, new_topic = choice.topic, choice.alternatives, choice.new_topic
        # A repeat belongs where what it repeats already is.
        settled = point_topic.get(folded.corroborates or -1) or pending_topic.get(pending_id or -1)
        if settled:
            alternatives = tuple(s for s in (topic, *alternatives) if s and s != settled)[:1]
            topic, new_topic = settled, None
        drafts.append(
            ProposalDraft(
                text=unit.text,
                topic=topic,
                topic_alternatives=alternatives,
                new_topic=new_topic,
                corroborates=folded.corroborates,
                candidates=folded.candidates,
                score=score,
                importance=importance(score),
                flags=unit.flags,
                heading=unit.heading,
                repeats_pending=pending_id,
                also_corroborates=folded.also,
            )
        )
    drafts.sort(key=lambda d: -d.score)
    return IngestResult(
        title=page.meta.title,
        outlet=page.meta.outlet,
        published=page.meta.published,
        url=article.url,
        cleaned_text=page.text,
        fingerprint=fingerprint(page.text),
        proposals=tuple(drafts),
        too_long=tuple(too_long),
        unrelated=unrelated,
    )
