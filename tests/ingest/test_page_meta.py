"""What a page says about itself: its headline and its outlet, which become the source's
headline and name in /sources and in the source's key. Each labelled article page is read as an
admin would hand it over (no title: or outlet: given), and compared with what a reader of the
page sees as its headline and its publisher."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefings.ingest import ArticleInput
from briefings.ingest.page import outlet_from_legal, outlet_from_title
from briefings.ingest.pipeline import read_page

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

# file: (headline, outlet); None where the page names none.
EXPECTED: dict[str, tuple[str | None, str | None]] = {
    "000_18937ce85d6c7442.txt": (
        "Russia, North Korea deepen cooperation during Putin’s first visit to Korea in 24 years",
        None,
    ),
    "001_2f75ad98d5781bb4.txt": (
        "Russian President Vladimir Putin Makes a Rare Visit to North Korea",
        None,
    ),
    "002_5903dea51639bfee.txt": (
        "Russian President Putin visits North Korea after 24 years to deepen security and trade"
        " ties",
        "IRIA - International Relations Insights & Analysis",
    ),
    "003_34e285ebacf1266d.txt": (None, None),
    "untuned/101_duma_ratifies.txt": (
        "Russian lawmakers ratify defence pact with North Korea",
        "Northern Ledger Media",
    ),
    "untuned/102_seoul_reacts.html": (
        "Seoul weighs arms for Ukraine after Moscow-Pyongyang pact",
        "The Harbour Times",
    ),
    "untuned/103_hanoi_leg.txt": (
        "Putin lands in Hanoi after North Korea stop, signs energy and education deals",
        None,
    ),
    # Cookie banner and breadcrumb above the headline; the outlet is in the copyright footer.
    "heldout/201_putin_signs_law.txt": (
        "Putin signs law ratifying mutual defence treaty with North Korea",
        "The Meridian Post",
    ),
    "heldout/203_factbox_treaty.html": (
        "Factbox: What Putin and Kim agreed in Pyongyang",
        "Pacific Wire",
    ),
    "heldout/204_un_panel_gap.txt": (
        "Who is watching North Korea now? Six months after Russia's veto, a coalition steps in",
        None,
    ),
    "heldout/205_tumen_bridge.html": (
        "Bridges, ski trips and a train that doesn't run: the economics of the Putin-Kim pact",
        "Northern Pacific Review",
    ),
    "blind/303_belousov_military.txt": (
        "An economist at the table: Belousov's debut in Pyongyang and the question of arms",
        "Riga Courier",
    ),
    "blind/304_payments_plumbing.html": (
        "Rubles, won and a frozen account: how Moscow and Pyongyang plan to pay each other",
        "Eastern Markets Journal",
    ),
    "blind/305_article4_explainer.txt": (
        "What is Article 4? The defence clause at the heart of the Russia-North Korea treaty",
        "The Signal Desk",
    ),
    "fresh/401_wire_signing_day.txt": (
        "UPDATE 4-Putin and Kim sign mutual defence pact; Russian leader keeps door open to arms"
        " cooperation",
        "Northstar",
    ),
    "fresh/402_tokyo_concern.html": (
        "Tokyo voices grave concern over Putin's arms remark after Pyongyang pact",
        "The Kanto Daily Herald",
    ),
    "fresh/403_yakutsk_stopover.txt": (
        "A stopover in Yakutsk: how the road to Pyongyang ran through the Lena valley",
        "Yakutia Today",
    ),
    # The page's <title> runs on with the author and the section before the site's name.
    "fresh/404_column_axis.html": (
        "Don't call it an axis yet. But don't shrug off the Pyongyang pact either",
        "The Continental Review",
    ),
    "final/501_liveblog_pyongyang_day.txt": (
        "Putin in Pyongyang: Kim and Putin sign defence pact on a day of pageantry – as it"
        " happened",
        "Pacific Ledger Media",
    ),
    "final/502_thinktank_1961_echo.html": (
        "Back to 1961? The Russia–North Korea treaty in historical perspective",
        "Lindenhall Institute for Asian Security",
    ),
    "final/503_kyiv_front_line_view.txt": (
        "Shells for a signature: what the Putin–Kim pact means for Ukraine's front line",
        "The Kyiv Sentinel",
    ),
    "final/505_five_things_travel_map.html": (
        "Putin's Asia tour: 5 things to know about where he can still go",
        "NewsNest",
    ),
    "closing/601_wiki_state_visit.html": ("2024 Putin visit to North Korea", "Civipedia"),
    # A print page: the headline in capitals under the paper's name, tagline and weather box,
    # with the standfirst between it and the byline.
    "closing/602_print_edition_hanoi.txt": (
        "PUTIN COURTS HANOI AFTER PYONGYANG PACT",
        "The Tidewater Examiner",
    ),
    # Under a breadcrumb, the show's name and its tagline: the episode's title is above its date.
    "closing/603_podcast_arms_pipeline.txt": (
        "Ep. 212: Shells, satellites and a signature",
        "Long Range Media",
    ),
    "closing/604_factcheck_five_claims.html": (
        "Fact check: Five claims about Putin's trip to North Korea and Vietnam",
        "FactLens",
    ),
    "closing/605_aggregator_full_coverage.html": ("Putin's visit to North Korea", "Newsgrid"),
    # An e-mail: the subject is the headline and the sender the outlet.
    "last/701_newsletter_evening_pyongyang.txt": (
        "A pact in Pyongyang, and Hanoi next",
        "The Evening Meridian",
    ),
    "last/702_qa_reader_questions.html": (
        "You asked: what the Russia-North Korea treaty does, and what we still don't know",
        "The Civic Ledger",
    ),
    "last/704_press_digest_six_capitals.txt": (
        "WHAT THE PAPERS SAY: PUTIN IN PYONGYANG AND HANOI, READ FROM SIX CAPITALS",
        "Kosmos Review, Tbilisi",
    ),
    "last/705_tv_news_hanoi_video.html": (
        "Putin lands in Hanoi after Pyongyang pact as US and Seoul voice alarm",
        "PNN Pacific News Network",
    ),
}


def _read(name: str) -> tuple[str | None, str | None]:
    path = ARTICLES / name
    page = read_page(ArticleInput(body=path.read_bytes(), filename=path.name))
    return page.meta.title, page.meta.outlet


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_page_gives_its_headline_and_outlet(name: str) -> None:
    assert _read(name) == EXPECTED[name]


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("© 2024 Pacific Wire. All rights reserved.", "Pacific Wire"),
        ("Copyright © 2014-2025 Example News", "Example News"),
        (
            "Copyright (c) 2024 The Tidewater Examiner. Reproduced with permission.",
            "The Tidewater Examiner",
        ),
        ("Continental Wire © 2024 · Editorial standards · Contact us", "Continental Wire"),
        ("About us | Contact | Terms of service | © 2024 Pacific Ledger", "Pacific Ledger"),
        ("The Kanto Daily Herald. All rights reserved.", "The Kanto Daily Herald"),
        # Legal words without a copyright: a cookie banner or a mailing list's footer names
        # nobody.
        ("We and our partners use cookies. Cookie settings", None),
        ("Unsubscribe | Change how often you hear from us | Privacy notice", None),
        ("© 2024. Co. Regn. 200412345K", None),
        ("© The Signal Desk 2024 · Corrections policy · Contact", "The Signal Desk"),
        ("© 2024 Lindenhall Institute, an independent research body.", "Lindenhall Institute"),
    ],
)
def test_the_copyright_line_names_the_outlet(line: str, outlet: str | None) -> None:
    assert outlet_from_legal(line) == outlet


@pytest.mark.parametrize(
    ("page_title", "headline", "outlet"),
    [
        ("Factbox: What they agreed | Pacific Wire", "Factbox: What they agreed", "Pacific Wire"),
        ("A headline - Section - Site News", "A headline", "Site News"),
        ("A story : First Light : Public Radio", "A story", "Public Radio"),
        # Not the headline with a suffix: nothing to take.
        ("Putin - Kim summit", "Putin and Kim meet", None),
        ("A headline", "A headline", None),
    ],
)
def test_the_page_title_ends_with_the_outlet(
    page_title: str, headline: str, outlet: str | None
) -> None:
    assert outlet_from_title(page_title, headline) == outlet


def test_an_email_subject_and_sender() -> None:
    text = (
        "From: Harbour Letters <news@harbour.example>\n"
        "To: reader@inbox.example\n"
        "Subject: Fwd: Council approves the harbour plan | Tuesday\n"
        "Date: Tue, 4 Jun 2024 08:00:00 +0000\n\n"
        "The city council approved the harbour plan on Monday by nine votes to two.\n\n"
        "Work on the new quay is to start in the autumn and take about two years.\n"
    )
    page = read_page(ArticleInput(body=text))
    assert (page.meta.title, page.meta.outlet) == (
        "Council approves the harbour plan",
        "Harbour Letters",
    )
    assert "From:" not in page.text
    assert "Subject" not in page.text


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("heldout/201_putin_signs_law.txt", dt.date(2024, 11, 9)),
        ("closing/602_print_edition_hanoi.txt", dt.date(2024, 6, 21)),
        ("blind/303_belousov_military.txt", dt.date(2024, 6, 21)),
        ("last/701_newsletter_evening_pyongyang.txt", dt.date(2024, 6, 19)),
        ("000_18937ce85d6c7442.txt", dt.date(2024, 6, 20)),
    ],
)
def test_a_page_gives_its_date(name: str, published: dt.date) -> None:
    path = ARTICLES / name
    page = read_page(ArticleInput(body=path.read_bytes(), filename=path.name))
    assert page.meta.published == published


def test_given_metadata_wins() -> None:
    path = ARTICLES / "heldout/201_putin_signs_law.txt"
    page = read_page(ArticleInput(body=path.read_bytes(), title="Our title", outlet="Our outlet"))
    assert (page.meta.title, page.meta.outlet) == ("Our title", "Our outlet")


def _html_page(footer: str) -> bytes:
    paragraphs = "".join(
        f"<p>North Korea ratified the treaty with Russia by decree, state media said ({n}).</p>"
        for n in range(6)
    )
    return (
        "<html><head><title>Treaty ratified | Wire</title></head><body><article>"
        f"<h1>Treaty ratified</h1>{paragraphs}</article><footer><p>{footer}</p></footer>"
        "</body></html>"
    ).encode()


def test_a_copyright_year_is_no_publication_date() -> None:
    page = read_page(ArticleInput(body=_html_page("&copy; 2024 Wire"), filename="a.html"))
    assert (page.meta.outlet, page.meta.published) == ("Wire", None)
    dated = _html_page("Published 1 January 2024. &copy; 2024 Wire")
    page = read_page(ArticleInput(body=dated, filename="a.html"))
    assert page.meta.published == dt.date(2024, 1, 1)
