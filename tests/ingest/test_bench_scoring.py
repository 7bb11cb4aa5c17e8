"""How the benchmark finds a label's opening words in a proposal: as the label test finds them
on the page, whatever the quotation marks, case and spacing."""

from __future__ import annotations

from bench.ingest_eval import opens_within


def test_quotation_marks_do_not_hide_a_labelled_sentence() -> None:
    proposal = 'The mayor called it "a truly historic day" and cut the ribbon.'
    assert opens_within("The mayor called it a truly historic day", proposal)
    assert opens_within("the mayor called it “a truly   historic day”", proposal)
    assert opens_within("The mayor's", "The mayor’s office said the port opens in May.")


def test_other_words_do_not_match() -> None:
    proposal = 'The mayor called it "a truly historic day" and cut the ribbon.'
    assert not opens_within("The mayor called it a historic day", proposal)
    assert not opens_within("The council called it a truly historic day", proposal)
