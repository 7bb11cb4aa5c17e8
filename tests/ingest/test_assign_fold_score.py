"""Topic assignment (with new topics), folding onto points and pending proposals, scoring."""

from __future__ import annotations

import numpy as np
import pytest

from bench.ingest_eval import store_without
from briefings.ingest import ArticleInput, PendingDoc, TopicDoc, propose
from briefings.ingest.assign import neighbourhood
from briefings.ingest.fold import CLAUSE_WEIGHT, unknown_names, with_clauses
from briefings.ingest.score import importance, information
from briefings.ingest.types import NewTopic
from briefings.ingest.vectors import clauses

ARTICLE = "\n\n".join(
    [
        "Teachers across the district walked out on Tuesday in a dispute over pay and classroom "
        "sizes, closing most primary schools for the day.",
        "The container harbour will open in 2026 after three years of construction works, "
        "the port authority confirmed.",
        "A rare orchid species was found growing wild in the marshes up the coast by "
        "volunteer botanists on a weekend survey.",
        "The volunteer botanists said the orchid colony counted more than forty flowering "
        "plants spread over the marsh.",
    ]
)


def test_each_proposal_gets_the_closest_topic_and_a_second_choice(
    topics: tuple[TopicDoc, ...],
) -> None:
    result = propose(ArticleInput(ARTICLE), topics)
    by_start = {p.text[:20]: p for p in result.proposals}
    assert by_start["Teachers across the "].topic == "schools"
    assert by_start["Teachers across the "].topic_alternatives == ("harbour",)
    assert by_start["The container harbou"].topic == "harbour"


def test_nothing_fits_so_a_new_topic_is_suggested(topics: tuple[TopicDoc, ...]) -> None:
    result = propose(ArticleInput(ARTICLE), topics)
    orchid = [p for p in result.proposals if "orchid" in p.text]
    assert orchid
    for proposal in orchid:
        assert proposal.topic is None
        assert proposal.new_topic is not None
        assert proposal.new_topic.slug.isalpha()
        assert proposal.new_topic.slug not in {"harbour", "schools", "port", "education"}


def test_a_short_remark_that_fits_nothing_goes_where_its_neighbours_point(
    topics: tuple[TopicDoc, ...],
) -> None:
    article = "\n\n".join(
        [
            "Teachers across the district walked out on Tuesday over pay and classroom sizes.",
            "Parents said they could live with that for now.",
            "Later the violinist Olga Petrenko played for them.",
            "Two primary schools will close because pupil numbers fell, the district said.",
        ]
    )
    result = propose(ArticleInput(article), topics)
    remark = next(p for p in result.proposals if p.text.startswith("Parents said"))
    # Its own words fit no topic, and too few of them to found one.
    assert remark.new_topic is None
    assert remark.topic == "schools"
    # A short sentence naming someone the briefing does not know may start something new.
    named = next(p for p in result.proposals if p.text.startswith("Later the violinist"))
    assert named.new_topic is not None


def test_a_restatement_folds_onto_its_point_with_three_candidates(
    topics: tuple[TopicDoc, ...],
) -> None:
    result = propose(ArticleInput(ARTICLE), topics)
    harbour = next(p for p in result.proposals if p.text.startswith("The container harbour"))
    assert harbour.corroborates == 1
    assert harbour.candidates[0] == 1
    assert len(harbour.candidates) == 3
    orchid = next(p for p in result.proposals if "orchid" in p.text)
    assert orchid.corroborates is None


def test_second_ingest_repeats_the_pending_proposals(topics: tuple[TopicDoc, ...]) -> None:
    first = propose(ArticleInput(ARTICLE), topics)
    pending = [
        PendingDoc(100 + i, p.text, p.topic or "newtopic") for i, p in enumerate(first.proposals)
    ]
    again = propose(ArticleInput(ARTICLE), topics, pending)
    assert again.fingerprint == first.fingerprint
    assert all(p.repeats_pending is not None for p in again.proposals)
    unrelated = propose(ArticleInput(ARTICLE.replace("orchid", "fern")), topics, pending[:1])
    assert unrelated.fingerprint != first.fingerprint


def test_no_topics_at_all_means_every_proposal_suggests_a_new_topic() -> None:
    result = propose(ArticleInput(ARTICLE), ())
    assert result.proposals
    assert all(p.topic is None and p.new_topic is not None for p in result.proposals)


def test_informative_central_sentences_rank_first(topics: tuple[TopicDoc, ...]) -> None:
    article = "\n\n".join(
        [
            "Mayor Anna Berg said on Monday that the harbour would cost 40 million euros and "
            "open in 2026, “on time and on budget”.",
            "The harbour plan was discussed by the council for several hours on Monday.",
            "Some people were there.",
        ]
    )
    result = propose(ArticleInput(article), topics)
    assert result.proposals[0].text.startswith("Mayor Anna Berg")
    scores = [p.score for p in result.proposals]
    assert scores == sorted(scores, reverse=True)
    assert result.proposals[0].importance >= result.proposals[-1].importance


def test_information_and_importance_bounds() -> None:
    assert information("It was fine.") == 0
    rich = information("Mayor Anna Berg said 40 million euros in 2026, “a fair price for it”.")
    assert 0.5 < rich <= 1
    assert [importance(s) for s in (0.0, 0.3, 0.45, 0.6, 0.9)] == [1, 2, 3, 4, 5]


def test_each_sentence_of_a_merged_pair_folds_onto_its_own_point(
    topics: tuple[TopicDoc, ...],
) -> None:
    article = (
        "The container harbour will open in 2026 after three years of construction works. "
        "Its basin was dredged at a cost to the city of 40 million euros."
    )
    (pair,) = propose(ArticleInput(article), topics).proposals
    assert pair.text.startswith("The container harbour")
    assert "Its basin" in pair.text
    assert pair.corroborates == 1
    assert pair.also_corroborates == (2,)


def test_a_close_sentence_naming_new_people_is_new_and_also_cites_the_point(
    topics: tuple[TopicDoc, ...],
) -> None:
    plain = "The container harbour will open in 2026 after three years of construction works."
    named = (
        "The container harbour will open in 2026 after three years of works, engineers "
        "Jan Kowalski and Anna Berg told the Harbour Board."
    )
    assert propose(ArticleInput(plain), topics).proposals[0].corroborates == 1
    (proposal,) = propose(ArticleInput(named), topics).proposals
    assert proposal.corroborates is None
    assert proposal.topic == "harbour"
    assert proposal.also_corroborates == (1,)


def test_unknown_names_are_the_capitalised_words_the_briefing_lacks() -> None:
    known = frozenset({"harbour", "city", "mayor"})
    text = "Mayor Anna Berg said the Harbour opens in 2026. Construction costs U.S. Steel 40m."
    # Opening words are not names; "Construction" opens a sentence, "Mayor" the text.
    assert unknown_names(text, known) == {"Anna", "Berg", "2026", "U.S", "Steel", "40m"}


def test_the_first_person_is_nobody_new() -> None:
    # "That's the line I'd underline twice." was offered as a new topic: "I'd" looked like a name.
    known = frozenset({"harbour", "line"})
    assert unknown_names("That's the line I'd underline twice, and I will.", known) == set()
    assert unknown_names("So I’m told by Anna.", known) == {"Anna"}


def test_proposals_lean_towards_the_topic_of_the_sentences_around_them(
    topics: tuple[TopicDoc, ...],
) -> None:
    schools = [
        "Teachers across the district walked out on Tuesday over pay and classroom sizes.",
        "Two primary schools will close because pupil numbers fell, the district said.",
        "Negotiations are expected to resume after the holidays, officials said.",
        "Teachers want a pay rise and a cap on the number of pupils per class.",
    ]
    result = propose(ArticleInput("\n\n".join(schools)), topics)
    talks = next(p for p in result.proposals if p.text.startswith("Negotiations"))
    assert (talks.topic or talks.topic_alternatives[0]) == "schools"


def test_the_neighbourhood_pull_fades_with_distance_and_only_reorders() -> None:
    import numpy as np

    own = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    pull = neighbourhood(own)
    assert np.allclose(pull.sum(axis=1), 0.0)  # centred: adds the same to no topic
    assert pull[1, 0] > pull[1, 1]  # next to the first topic's sentence
    assert pull[3, 1] > pull[3, 0]  # next to the second's
    assert neighbourhood(own[:1]).tolist() == [[0.0, 0.0]]  # one proposal: nothing around


def test_the_neighbourhood_pulls_less_across_a_section_heading() -> None:
    import numpy as np

    own = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    plain = neighbourhood(own)
    assert np.isclose(plain[1, 0], plain[1, 1])  # one on each side, as near
    split = neighbourhood(own, [None, "Seoul weighs its options", "Seoul weighs its options"])
    assert np.allclose(split.sum(axis=1), 0.0)
    assert split[1, 1] > split[1, 0]  # the first proposal is across a heading
    assert np.allclose(neighbourhood(own, [None, None, None]), plain)  # no headings: as before


def test_a_point_is_split_into_its_sentences_and_semicolon_clauses() -> None:
    text = (
        "Accounts differ on the date. One outlet says the pact was signed on Wednesday; "
        "another says it would be signed later, and a third called it likely."
    )
    assert clauses(text) == [
        "Accounts differ on the date.",
        "One outlet says the pact was signed on Wednesday;",
        "another says it would be signed later, and a third called it likely.",
    ]
    assert clauses("The pact was signed on Wednesday in the capital.") == []
    # A fragment too short to say anything alone is not a clause of its own.
    assert clauses("The pact was signed on Wednesday in the capital; so it is.") == []


def test_a_point_is_as_close_as_its_closest_clause_a_little_discounted() -> None:
    by_point = np.array([[0.40, 0.30, 0.20]])
    by_clause = np.array([[0.50, 0.10, 0.60]])
    owner = (0, 0, 2)  # point 1 has no clauses; point 2's one clause is close
    raised = with_clauses(by_point, by_clause, owner)
    assert raised[0, 0] == pytest.approx(CLAUSE_WEIGHT * 0.50)
    assert raised[0, 1] == pytest.approx(0.30)
    assert raised[0, 2] == pytest.approx(CLAUSE_WEIGHT * 0.60)
    # Never lower than the whole point, and nothing to do without clauses.
    assert np.allclose(with_clauses(by_point, by_clause * 0, owner), by_point)
    assert np.allclose(with_clauses(by_point, np.zeros((1, 0)), ()), by_point)


def test_a_short_repeat_of_one_clause_of_a_long_point_folds_onto_it() -> None:
    """From the held-out set: the curated point adds who reported the denials, which diluted
    the whole point's closeness below the fold threshold."""
    store = store_without(None)
    article = (
        "Western governments say the North has shipped shells and missiles to Russia for "
        "its war. Moscow and Pyongyang deny it."
    )
    result = propose(ArticleInput(article), store.topics)
    denial = next(p for p in result.proposals if p.text.startswith("Moscow and Pyongyang"))
    assert denial.corroborates is not None
    assert store.key_of[denial.corroborates] == "arms-both-deny"


def test_a_suggested_topic_never_takes_a_reserved_name(topics: tuple[TopicDoc, ...]) -> None:
    article = ArticleInput(
        "Volunteers from Search Dogs Cymru found a rare orchid species growing wild in the "
        "marshes up the coast on a weekend survey."
    )
    [free] = propose(article, topics).proposals
    assert free.new_topic is not None
    assert free.new_topic.slug == "search"
    for known in (topics, ()):
        [kept_clear] = propose(article, known, reserved={"search", "help"}).proposals
        assert kept_clear.new_topic is not None
        assert kept_clear.new_topic.slug == "dogs"


def test_sentences_going_on_with_one_new_story_share_its_new_topic(
    topics: tuple[TopicDoc, ...],
) -> None:
    result = propose(ArticleInput(ARTICLE), topics)
    orchid = [p for p in result.proposals if "orchid" in p.text]
    assert len(orchid) == 2
    assert len({p.new_topic for p in orchid}) == 1  # one topic for the story, not two
    assert orchid[0].new_topic == NewTopic("orchid", "Orchid")  # named by a word they share
    reserved = propose(ArticleInput(ARTICLE), topics, reserved={"orchid"}).proposals
    assert {p.new_topic.slug for p in reserved if p.new_topic} == {"marshes"}
    # Neighbours that fit nothing but share no word are two stories: two suggestions.
    unrelated = "\n\n".join(
        [
            "A rare orchid species was found growing wild in the marshes up the coast by "
            "volunteer botanists on a weekend survey.",
            "The regional chess championship was won by a twelve-year-old from Tromsø after "
            "a final round that lasted six hours.",
        ]
    )
    apart = propose(ArticleInput(unrelated), topics).proposals
    assert len({p.new_topic for p in apart}) == 2
