"""Each kind of page furniture is removed on its own; the story and its headings stay."""

from __future__ import annotations

import pytest

from briefings.ingest.clean import clean_page
from briefings.ingest.decode import text_lines
from briefings.ingest.noise import line_noise
from briefings.ingest.page import SourceLine
from briefings.ingest.words import normalise

STORY = [
    "The city council approved the harbour expansion on Monday after a long debate.",
    "Mayor Anna Berg said the harbour works would start in spring and last three years.",
    "Dock workers welcomed the harbour plan but asked the council for safety guarantees.",
    "The harbour expansion is expected to double container traffic by the end of the decade.",
    "Opponents of the harbour plan said the council ignored the cost to the city budget.",
    "The council will publish the harbour contracts next month, the mayor added.",
]


def kept(*lines: str) -> str:
    return clean_page(text_lines("\n\n".join(lines))).text


def test_story_alone_is_kept_whole() -> None:
    assert kept(*STORY) == "\n\n".join(STORY)


def test_ads_share_bars_and_bylines_go() -> None:
    text = kept(
        "Harbour plan approved",
        "By Jane Doe · 4 min read",
        "Share on Facebook  Share on X  Copy link",
        STORY[0],
        "ADVERTISEMENT",
        *STORY[1:],
        "Story continues below advertisement",
    )
    assert text == "\n\n".join(STORY)


def test_appeals_and_newsletter_boxes_go() -> None:
    text = kept(
        *STORY,
        "Independent reporting costs money. If you value our work, please donate today.",
        "Sign up for our newsletter and get the news in your inbox every morning.",
        "Become a member",
    )
    assert text == "\n\n".join(STORY)


def test_embedded_post_goes_with_its_text() -> None:
    text = kept(
        *STORY[:3],
        "🚢 HUGE news for our port city today!",
        "The council finally said yes to the harbour.",
        "— Port Watcher (@portwatch) June 18, 2024",
        *STORY[3:],
    )
    assert text == "\n\n".join(STORY)


def test_post_text_without_visible_start_goes_with_link_line() -> None:
    text = kept(
        *STORY[:3],
        "Dock workers cheer the harbour vote pic.twitter.com/abc123",
        "— Dock News (@docknews)",
        *STORY[3:],
    )
    assert text == "\n\n".join(STORY)


def test_photo_caption_and_credit_go() -> None:
    text = kept(
        *STORY[:2],
        "The harbour at dawn",
        "Cranes stand idle at the old harbour on Monday. (Photo: Jan Smit/Reuters)",
        *STORY[2:],
    )
    assert text == "\n\n".join(STORY)


def test_comments_footer_and_what_follows_go() -> None:
    text = kept(
        *STORY,
        "Leave a comment",
        "Comments (4)",
        "© 2024 Example Gazette. All rights reserved.",
        "Example Gazette is an independent newspaper serving the coast since 1901.",
    )
    assert text == "\n\n".join(STORY)


def test_related_teaser_and_unrelated_story_after_it_go() -> None:
    text = kept(
        *STORY[:4],
        "Read also:",
        "Football club signs new goalkeeper",
        "The football club announced on Friday that it had signed a goalkeeper from abroad "
        "for an undisclosed transfer fee ahead of the new season.",
        *STORY[4:],
    )
    assert text == "\n\n".join(STORY)


def test_section_heading_is_kept_as_context() -> None:
    page = clean_page(text_lines("\n\n".join([*STORY[:3], "What happens next", *STORY[3:]])))
    assert [p.heading for p in page.paragraphs] == [None] * 3 + ["What happens next"] * 3
    assert "What happens next" in page.text


def test_masthead_gives_title_and_date() -> None:
    page = clean_page(text_lines("\n\n".join(["Harbour plan approved", "June 18, 2024", *STORY])))
    assert page.meta.title == "Harbour plan approved"
    assert page.meta.published is not None
    assert page.meta.published.isoformat() == "2024-06-18"


def test_zero_width_spaces_and_bidi_overrides_go_but_zwnj_and_zwj_stay() -> None:
    raw = "a\u200bb\ufeffc\u2060d \u202eevil\u202c می\u200cخواهم 👩\u200d💻"
    assert normalise(raw) == "abcd evil می\u200cخواهم 👩\u200d💻"


def test_hard_wrapped_paragraph_is_joined() -> None:
    wrapped = (
        "The city council approved the harbour expansion on Monday after a long\n"
        "debate that lasted into the night, with several members speaking against\n"
        "the plan."
    )
    assert [line.text for line in text_lines(wrapped)] == [" ".join(wrapped.split("\n"))]


@pytest.mark.parametrize(
    "line",
    [
        "Kim Jong Un (right) greets the visitor at the airport.",
        "The foreign minister (second left) meets the delegations in the hall.",
        "Officials (L) and guests (R) at the ceremony on Wednesday.",
    ],
)
def test_photo_captions_with_positions_are_noise(line: str) -> None:
    assert line_noise(line) == "caption"


def test_a_sentence_with_parentheses_is_not_a_caption() -> None:
    assert line_noise("The treaty (signed on Wednesday) binds both sides to mutual aid.") is None


def test_corrections_and_the_author_note_at_the_foot_go() -> None:
    text = kept(
        *STORY,
        "Correction: this story was amended on 3 May 2024 to give the right date of the vote.",
        "An earlier version of this article misnamed the harbour master.",
        "Piet Jansen is the city hall reporter of the Example Gazette. He has covered the port "
        "since 2015.",
    )
    assert text == "\n\n".join(STORY)


def test_a_source_introduced_high_up_is_not_an_author_note() -> None:
    source = (
        "Karin Visser is a former editor of the port authority's yearbook, and she opposed "
        "the plan from the start."
    )
    lines = [STORY[0], source, *STORY[1:], *STORY]
    assert source in kept(*lines)


def test_live_blog_and_paywall_housekeeping_go() -> None:
    text = kept(
        *STORY[:3],
        "We are pausing our live coverage of the council meeting here; thanks for reading.",
        "You have read 4 of 10 free articles this month.",
        "Comments are now closed on this story.",
        *STORY[3:],
    )
    assert text == "\n\n".join(STORY)


def test_an_embedded_post_introduced_by_its_platform_line_goes_with_its_text() -> None:
    text = kept(
        *STORY[:3],
        "A post shared by a dock workers' union this afternoon:",
        "Twenty cranes, zero safety plans. We will be at the council on Monday.",
        *STORY[3:],
    )
    assert text == "\n\n".join(STORY)


def test_a_one_sentence_caption_above_a_photograph_credit_goes() -> None:
    text = kept(
        *STORY[:2],
        "Council members vote on the harbour plan in the town hall, 6 May 2024.\n"
        "Photograph: Jan Smit/Example Gazette",
        *STORY[2:],
    )
    assert text == "\n\n".join(STORY)


@pytest.mark.parametrize(
    "line",
    [
        "An earlier version of the harbour plan, drawn up in 2009, was dropped over its cost.",
        '"Thank you for following the rules," the harbour master told the crews on Monday.',
        "Correspondents from three countries watched the council vote on the harbour plan.",
    ],
)
def test_story_lines_that_resemble_housekeeping_stay(line: str) -> None:
    assert line_noise(line) is None


def test_what_a_box_label_heads_goes_with_it() -> None:
    page = "\n\n".join(
        [
            *STORY[:3],
            "KEY TAKEAWAYS\nThe council backs the harbour.\nWorks start in spring.",
            *STORY[3:],
            "ELSEWHERE IN THE REGION",
            "A ferry ran aground off the coast on Sunday; nobody was hurt, the coastguard said.",
            "JOBS BOARD\nHarbour engineer, Example Port Authority. Apply by 1 June.",
            "A WORD FROM OUR SPONSOR\nLearn Dutch in ten minutes a day with our app partner.",
        ]
    )
    assert clean_page(text_lines(page)).text == "\n\n".join(STORY)


def test_a_box_takes_no_more_than_its_block_and_never_the_next_section() -> None:
    page = "\n\n".join(
        [STORY[0], "QUICK QUIZ\nWhen did the harbour first open?\n1901 · 1921 · 1950", *STORY[1:]]
    )
    assert clean_page(text_lines(page)).text == "\n\n".join(STORY)


def test_the_outlet_about_itself_goes() -> None:
    text = kept(
        "Good morning, and welcome to the 120 of you who joined us this week.",
        *STORY,
        "A version of this article appeared in print on 4 May 2024.",
        "This summary was produced with the help of an AI tool and checked by our editors.",
        "This series is supported by a grant from the Harbour Trust, which has no say over our "
        "editorial choices.",
        "Cite this article: Example Gazette (2024), The harbour vote.",
        "Have a question about this story? Write to the harbour desk.",
        "You are receiving this because you subscribed to the Harbour Letter.",
    )
    assert text == "\n\n".join(STORY)


def test_a_question_line_heads_its_answer_in_a_q_and_a() -> None:
    page = clean_page(
        text_lines(
            "\n\n".join(
                [
                    STORY[0],
                    "When will the harbour open to container ships?",
                    "The first ships are expected in the spring of 2026, the port authority said.",
                    *STORY[1:],
                ]
            )
        )
    )
    answer = next(p for p in page.paragraphs if p.text.startswith("The first ships"))
    assert answer.heading == "When will the harbour open to container ships?"
    assert all("?" not in p.text for p in page.paragraphs)


def test_the_page_talking_to_its_reader_goes() -> None:
    text = kept(
        STORY[0],
        "Hello again, and a warm welcome to the 120 of you who signed on this week.",
        *STORY[1:4],
        "Grab a coffee: this week you get the long version of the harbour story.",
        "Send your harbour questions to our city desk and we will answer some next week.",
        *STORY[4:],
    )
    assert text == "\n\n".join(STORY)


def test_a_reporter_saying_we_or_us_is_still_the_story() -> None:
    lines = [
        STORY[0],
        "Dock workers told us the night shifts would end once the cranes are automated.",
        "We learned on Tuesday that the council had already signed the dredging contract.",
        *STORY[1:],
    ]
    assert kept(*lines) == "\n\n".join(lines)


@pytest.mark.parametrize(
    "line",
    [
        "“You will not see this harbour close,” the mayor said, and the union agreed.",
        '"Nobody asked you or me about the dredging," the union leader, Ola Lie, told the mayor.',
    ],
)
def test_a_quoted_you_is_not_the_page_talking(line: str) -> None:
    assert kept(*STORY[:3], line, *STORY[3:]) == "\n\n".join([*STORY[:3], line, *STORY[3:]])


def test_a_quotation_running_over_paragraphs_keeps_its_you() -> None:
    opened = "“You have waited ten years for this harbour. The council finally listened."
    closed = "“Now you need the contracts to be fair,” Berg told the dock workers."
    lines = [*STORY[:2], opened, closed, *STORY[2:]]
    assert kept(*lines) == "\n\n".join(lines)


def test_a_column_written_to_its_reader_keeps_its_voice() -> None:
    column = [
        "You may think the harbour expansion is only about containers; it is not.",
        "Your city has grown around its docks for two centuries and the council knows it.",
        "If you walk along the quay today, you see a port that has outgrown its walls.",
        "Ask yourself who pays for the dredging before the first contract is signed.",
    ]
    lines = [STORY[0], *column, *STORY[1:3]]
    assert kept(*lines) == "\n\n".join(lines)


def test_a_short_answer_under_a_question_opens_the_answer_not_a_heading() -> None:
    page = clean_page(
        text_lines(
            "\n\n".join(
                [
                    STORY[0],
                    "Has the city built a harbour like this before?",
                    "Only once.",
                    "The old timber quay was dredged for steamships in 1908, the archive shows.",
                    "What do we still not know about it?",
                    "Quite a lot.",
                    "The council has not said who will run the container terminal.",
                    *STORY[1:],
                ]
            )
        )
    )
    once = next(p for p in page.paragraphs if "1908" in p.text)
    assert once.text.startswith("Only once. The old timber quay")
    assert once.heading == "Has the city built a harbour like this before?"
    unknown = next(p for p in page.paragraphs if "terminal" in p.text)
    assert unknown.text.startswith("Quite a lot. The council")
    assert unknown.heading == "What do we still not know about it?"


@pytest.mark.parametrize(
    "dateline",
    [
        "HARBOURTON, May 4 (Coastwire) - ",
        "HARBOURTON (Coastwire) — ",
        "NORTH HAVEN, Maine — ",
        "HARBOURTON, May 4. /Coastwire/. ",
    ],
)
def test_a_wire_dateline_goes_and_its_sentence_stays(dateline: str) -> None:
    assert kept(dateline + STORY[0], *STORY[1:]) == "\n\n".join(STORY)


def test_a_transcripts_speaker_tags_and_pleasantries_go() -> None:
    text = kept(
        "ANNA HOLM, HOST: The harbour vote passed last night. Lars Berg has been following it.",
        "LARS BERG, BYLINE: Good morning, Anna.",
        "HOLM: Good morning, Lars.",
        "BERG: " + STORY[0],
        "HOLM: What happens next?",
        "BERG: " + STORY[1],
        *STORY[2:],
        "HOLM: Lars Berg in Harbourton, thank you.",
        "BERG: Thank you, Anna.",
    )
    assert text.startswith("The harbour vote passed last night.")
    assert "\n\n".join(STORY[1:]) in text
    assert STORY[0] in text
    for gone in ("HOLM", "BERG:", "Good morning", "thank you", "Thank you"):
        assert gone not in text


def test_a_capitalised_opening_that_is_not_a_speaker_stays() -> None:
    line = "NOTE: the council will publish the harbour contracts next month, the mayor added."
    assert line in kept(*STORY[:2], line, *STORY[2:])


def test_the_sites_keyboard_tools_and_a_long_copyright_footer_go() -> None:
    text = kept(
        *STORY,
        "Spotted a mistake? Select the text and press Ctrl+Enter.",
        "Copyright © 2024 Harbour Radio. All rights reserved. Visit our terms of use page for "
        "more. Transcripts are made quickly by a contractor and may be revised later, and the "
        "audio of each broadcast is the authoritative record of what was said on air that day.",
    )
    assert text == "\n\n".join(STORY)


def test_a_credit_holding_its_own_caption_leaves_the_line_above_it() -> None:
    credit = "Photo: Cranes stand over the harbour basin at dawn, May 4, 2024. Coastwire/Pool"
    assert kept(*STORY[:3], credit, *STORY[3:]) == "\n\n".join(STORY)


def test_a_short_statement_standing_alone_before_a_paragraph_is_story() -> None:
    lines = [STORY[0], "On paper, that is true.", *STORY[1:3], "Not everyone agrees.", *STORY[3:]]
    page = clean_page(text_lines("\n\n".join(lines)))
    assert [p.text for p in page.paragraphs] == lines
    assert all(p.heading is None for p in page.paragraphs)


def test_note_markers_go_from_the_text_and_the_notes_go_from_the_foot() -> None:
    marked = [STORY[0] + "[1]", STORY[1], STORY[2].removesuffix(".") + ".[2]", *STORY[3:]]
    text = kept(
        *marked,
        "[1] Council minutes, harbour committee, sitting of 3 May.",
        "[2] Author's interview with the port authority, May 2024.",
    )
    assert text == "\n\n".join(STORY)


@pytest.mark.parametrize(
    "line",
    [
        "HARBOURTON, May 4.",
        "The views expressed in this commentary are the author's own and do not necessarily "
        "reflect those of the Harbour Institute.",
        "When citing, a hyperlink to the Coastwire agency is required.",
        "Reproduction of this material without prior written permission is prohibited.",
    ],
)
def test_a_dateline_alone_a_disclaimer_and_terms_of_reuse_go(line: str) -> None:
    assert kept(*STORY[:3], line, *STORY[3:]) == "\n\n".join(STORY)


def test_bracketed_notes_between_sentences_go_but_a_writers_insertion_stays() -> None:
    text = kept(
        STORY[0] + " [citation needed]",
        "[crosstalk]",
        STORY[1] + " [laughs]",
        'The mayor said "[the harbour] will pay for itself" within ten years of opening.',
        *STORY[2:],
    )
    assert text == "\n\n".join(
        [
            *STORY[:2],
            'The mayor said "[the harbour] will pay for itself" within ten years of opening.',
            *STORY[2:],
        ]
    )


def test_a_wiki_headings_edit_link_goes() -> None:
    page = clean_page(text_lines("\n\n".join([*STORY[:3], "Reactions[edit]", *STORY[3:]])))
    assert [p.heading for p in page.paragraphs][3:] == ["Reactions"] * 3


def test_time_codes_and_speaker_tags_of_a_transcript_go() -> None:
    text = kept(
        f"[00:41] ANNA BERG: {STORY[0]}",
        STORY[1],
        f"[01:58] JAN SMIT: {STORY[2]}",
        f"ANNA BERG: {STORY[3]}",
        *STORY[4:],
    )
    assert text == "\n\n".join(STORY)


def test_a_reference_list_goes_with_its_heading() -> None:
    text = kept(
        *STORY,
        "References",
        '^ Berg, Anna (19 June 2024). "Harbour vote passes". Example Gazette. Retrieved 19 June '
        "2024.",
        '^ "Council papers on the harbour". City Hall. 20 June 2024.',
        "^ Archived from the original on 2 July 2024. Retrieved 4 December 2024.",
    )
    assert text == "\n\n".join(STORY)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Retrieved 4 December 2024 from the council archive of planning papers.", "reference"),
        ("See HARBOUR, Page A14", "jump"),
        ("HARBOUR | From Page A1", "jump"),
        ("Listeners get 20% off their first order with code HARBOUR20 at the shop.", "advert"),
        ("Hosted by Anna Berg. Produced by Jan Smit.", "byline"),
        ("Credits", "box"),
        ("Local briefs", "box"),
        ("Correction, 22 June 2024: An earlier version of this check gave the wrong day.", None),
        ("Enjoying the show? Rate us five stars and leave a review.", "appeal"),
        ("The rest of this transcript is for Plus members. Join for $5 a month, ad-free.", None),
        ("Transcript generated automatically and lightly edited; it may contain errors.", None),
        ("It may contain errors; check the audio before quoting.", "house-note"),
        ("Printed pages may differ from the version shown here.", "house-note"),
        ("This roundup is compiled by Gazette editors from the sources below.", "house-note"),
        ("Mentioned in this episode: our show on harbours and a tracker of ship traffic.", None),
        ("Distributed by Example Digital Editions.", "house-note"),
        ("Copyright (c) 2024 Example Gazette. Reproduced with permission.", "legal"),
        ("Additional reporting by agencies. Graphics produced by Ola Berg.", "byline"),
        ("Translations by the Gazette's foreign desk.", "byline"),
        ("Compiled by Ana Ruiz, with help from the Gazette research team.", "byline"),
        ("Automatic translation reviewed by the desk. Quotes may differ from the original.", None),
        ("This morning's briefing comes from Tom Ode in Lagos.", "house-note"),
        ("Next week in the Gazette: the harbour budget, line by line.", "house-note"),
        ("Send your questions in and we will answer a few each Friday.", "house-note"),
        ("Got a question on the harbour?", "house-note"),
        ("Spotted an error? Tell the desk at desk@gazette.example.", "contact"),
        ("== This week's sponsor ==", "box"),
    ],
)
def test_more_page_furniture_is_noise(line: str, kind: str | None) -> None:
    found = line_noise(line)
    assert found is not None
    assert kind is None or found == kind


@pytest.mark.parametrize(
    "line",
    [
        "By most accounts the really big shipments started last year.",
        "By Thursday the council had approved the harbour plan and its budget.",
        "Prices rose 20% off the back of the new port fees, traders said.",
        "He said [the harbour] would pay for itself.",
        "Sources close to the council said the vote was never in doubt.",
        "Update on North-Korea talks: the delegation arrived on Tuesday in the capital.",
        "The leaked list may contain errors, officials in Seoul said on Friday.",
        "The Korean text may differ from the Russian version, lawyers warned.",
        "The figures come from a list compiled by the UN panel team before its mandate ended.",
        "Compiled by UN experts, the list names forty firms that traded with the port.",
        "Research by the institute found that harbour trade doubled in a year.",
        "Next week the council votes on the harbour budget.",
        "Translators at the ministry worked through the night on the text.",
        "The harbour sponsor, a shipping firm, paid for the new cranes.",
    ],
)
def test_story_lines_that_resemble_the_new_furniture_stay(line: str) -> None:
    assert line_noise(line) is None


def test_a_print_pages_other_story_goes_up_to_its_jump_line() -> None:
    text = kept(
        "HARBOUR PLAN APPROVED",
        *STORY[:3],
        "See HARBOUR, Page A14",
        "FERRY FARES TO RISE",
        "Commuters who rely on the ferry will learn next month what they will pay in autumn.",
        "Supervisors voted 4-1 on Wednesday to send the fare increase back for more study.",
        "See FERRY, Page A3",
        "HARBOUR | From Page A1",
        *STORY[3:],
    )
    assert text == "\n\n".join(STORY)


def test_a_column_of_briefs_goes_item_by_item() -> None:
    text = kept(
        *STORY,
        "LOCAL BRIEFS",
        "LIBRARY HOURS: All county branches will close early on July 3 for the holiday.",
        "ROAD WORKS: The bridge on Main Street closes for repairs from Monday to Friday.",
    )
    assert text == "\n\n".join(STORY)


def test_the_readers_thread_after_comments_goes() -> None:
    text = kept(
        *STORY,
        "Comments (2)",
        "harbour_fan · 2d",
        "Great piece, but please write one on what the harbour plan means for fishermen.",
        "Reply · ♥ 4",
    )
    assert text == "\n\n".join(STORY)


def test_a_see_also_box_in_the_middle_ends_where_the_story_goes_on() -> None:
    lines = [
        *(SourceLine(t) for t in STORY[:4]),
        SourceLine("See also", heading=True),
        SourceLine("Harbour expansions elsewhere on the coast", item=True),
        SourceLine("The history of the old harbour", item=True),
        *(SourceLine(t) for t in STORY[4:]),
    ]
    assert clean_page(lines).text == "\n\n".join(STORY)


def test_comment_counts_under_each_entry_of_a_live_blog_end_nothing() -> None:
    entries = [line for story in STORY for line in (story, "2 comments")]
    assert kept(*entries) == "\n\n".join(STORY)


def test_a_sponsor_box_goes_with_its_label() -> None:
    page = "\n".join(
        [
            "------- TODAY'S SPONSOR -------",
            "The Gazette is free because firms like Harbour Tours pay for it.",
            "Boat trips every hour, with lunch on board included in the price.",
            "-------------------------------",
        ]
    )
    assert kept(STORY[0], page, *STORY[1:]) == "\n\n".join(STORY)


def test_a_note_on_how_the_page_was_made_goes_up_to_the_next_heading() -> None:
    lines = [SourceLine(t) for t in STORY[:3]]
    lines += [
        SourceLine("About this timeline", heading=True),
        SourceLine("Each entry rests on the council's minutes and on reporting by our staff."),
        SourceLine("Where the minutes and the reports differ, the minutes win."),
        SourceLine("What comes next", heading=True),
    ]
    lines += [SourceLine(t) for t in STORY[3:]]
    text = clean_page(lines).text
    assert "minutes" not in text
    assert "What comes next" in text
    assert all(sentence in text for sentence in STORY)


def test_a_dropped_heading_ends_the_section_above_it() -> None:
    """A timeline's date headings are dropped as dates; the entry under one is not filed
    under the last heading that was kept."""
    lines = [
        SourceLine(STORY[0]),
        SourceLine("The harbour before the works", heading=True),
        SourceLine(STORY[1]),
        SourceLine("12 March 2021", heading=True),
        SourceLine(STORY[2]),
    ]
    paragraphs = clean_page(lines).paragraphs
    assert [(p.heading, p.text) for p in paragraphs] == [
        (None, STORY[0]),
        ("The harbour before the works", STORY[1]),
        (None, STORY[2]),
    ]
