"""Sentences and proposals: quotes whole, pronoun-led sentences with their antecedent, 300 chars."""

from __future__ import annotations

from briefings.ingest.clean import Paragraph
from briefings.ingest.limits import MAX_PROPOSAL_CHARS
from briefings.ingest.split import NEEDS_CONTEXT, is_anaphoric, proposals, sentences


def units(*paragraphs: str) -> tuple[list[str], list[tuple[str, ...]], list[str]]:
    found = sentences([Paragraph(p, None) for p in paragraphs])
    made, too_long = proposals(found)
    return [u.text for u in made], [u.flags for u in made], too_long


def test_a_quote_spanning_sentences_stays_one_unit() -> None:
    quote = "“We will build it. We will pay for it. Nobody will stop us,” the mayor said."
    texts, _, _ = units(f"The council met on Monday. {quote}")
    assert texts == ["The council met on Monday.", quote]


def test_pronoun_led_sentence_joins_its_antecedent() -> None:
    texts, flags, _ = units("Mayor Anna Berg backed the plan. She said work starts in May.")
    assert texts == ["Mayor Anna Berg backed the plan. She said work starts in May."]
    assert flags == [()]


def test_pronoun_led_sentence_is_flagged_when_the_pair_is_too_long() -> None:
    antecedent = "Mayor Anna Berg backed the plan " + "after a very long debate " * 11 + "."
    texts, flags, _ = units(f"{antecedent} This angered the opposition.")
    assert texts[-1] == "This angered the opposition."
    assert flags[-1] == (NEEDS_CONTEXT,)


def test_sentence_over_the_limit_is_reported_never_cut() -> None:
    long_one = "The council approved " + "and funded " * 40 + "the harbour."
    texts, _, too_long = units(f"{long_one} The mayor was pleased with the vote.")
    assert too_long == [long_one]
    assert texts == ["The mayor was pleased with the vote."]
    assert all(len(t) <= MAX_PROPOSAL_CHARS for t in texts)


def test_repeated_sentence_is_proposed_once() -> None:
    texts, _, _ = units("The harbour opens in 2026.", "The harbour opens in 2026. It cost a lot.")
    assert (
        texts == ["The harbour opens in 2026. It cost a lot."]
        or texts.count("The harbour opens in 2026.") <= 1
    )


def test_anaphoric_openers() -> None:
    assert is_anaphoric("He added that the vote was close.")
    assert is_anaphoric("“It is a good day,” she said.")
    assert is_anaphoric("Such plans rarely pass.")
    assert not is_anaphoric("Heavy rain delayed the works.")
    assert not is_anaphoric("The mayor said the vote was close.")


def test_a_pronoun_is_never_joined_across_a_dropped_sentence() -> None:
    """Found by hypothesis: a repeated fragment is dropped, so "They plan!" does not follow the
    first copy in the text, and joining them would propose words the article never wrote."""
    from briefings.ingest import ArticleInput, propose

    result = propose(ArticleInput("(@someone) (@someone) (@someone) Monday. They plan!"), ())
    texts = [p.text for p in result.proposals]
    assert "(@someone) They plan!" not in texts
    assert all(t in result.cleaned_text for t in texts)


def test_a_semicolon_does_not_end_a_sentence() -> None:
    paragraph = Paragraph(
        "Both ports deny any such cargo; Rotterdam has called the claims absurd. "
        "The council meets again on Monday.",
        None,
    )
    assert [s.text for s in sentences([paragraph])] == [
        "Both ports deny any such cargo; Rotterdam has called the claims absurd.",
        "The council meets again on Monday.",
    ]


def test_a_question_is_context_not_a_proposal() -> None:
    found = sentences(
        [
            Paragraph(
                "Will the harbour be ready on time? The port authority says the works are "
                "three weeks ahead of plan.",
                None,
            )
        ]
    )
    units, _ = proposals(found)
    assert [u.text for u in units] == [
        "The port authority says the works are three weeks ahead of plan."
    ]


def test_a_short_answer_opening_a_paragraph_is_proposed_with_the_sentence_after_it() -> None:
    found = sentences(
        [
            Paragraph("Not yet. Both parliaments must first ratify the treaty.", "Is it in force?"),
            Paragraph("The council met. It approved the budget on Monday.", "Budget"),
        ]
    )
    texts = [s.text for s in found]
    assert texts[0] == "Not yet. Both parliaments must first ratify the treaty."
    assert "The council met. It approved the budget on Monday." not in texts
    assert texts[1:] == ["The council met.", "It approved the budget on Monday."]


def test_a_footer_run_into_the_last_paragraph_is_not_proposed() -> None:
    """An article pasted as one block: its contact line and copyright are sentences of the
    last paragraph, and still no proposal."""
    pasted = (
        "The council approved the harbour plan on Monday. Works start in spring. "
        "Spotted an error? Email desk@gazette.example. © 2024 Example Gazette. "
        "Use code HARBOUR20 for 20% off your first month."
    )
    units, _ = proposals(sentences([Paragraph(pasted, None)]))
    texts = [u.text for u in units]
    assert texts == ["The council approved the harbour plan on Monday.", "Works start in spring."]


def test_story_sentences_that_mention_such_things_stay() -> None:
    story = (
        "The copyright dispute over the harbour logo went to court. "
        "Officials said the port's email system had been hacked in March."
    )
    assert len(sentences([Paragraph(story, None)])) == 2


def test_a_broadcasts_hand_over_run_into_a_paragraph_is_not_proposed() -> None:
    spoken = (
        "Ola Berg is following this from Lagos. Good morning, Ola. "
        "The port authority approved the new berths on Monday."
    )
    units, _ = proposals(sentences([Paragraph(spoken, None)]))
    assert [u.text for u in units] == ["The port authority approved the new berths on Monday."]


def test_a_reporter_following_a_story_closely_is_still_story() -> None:
    story = (
        "Diplomats in Seoul are following the talks closely. "
        "Investors are watching the port from a distance, the bank said."
    )
    assert len(sentences([Paragraph(story, None)])) == 2
