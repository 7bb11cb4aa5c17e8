"""Ingestion through the core, as every platform reaches it: an admin hands over an article
(pasted, replied to, uploaded or linked), reviews the proposals and approves them; readers'
topic commands, /sources and `changes` digests show the result. Bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.core import texts
from bot.core.core import Core
from bot.core.fetching import FetchedDocument, FetchFailed
from bot.core.messages import Attachment, AttachmentTooLarge, ChatRef, Incoming
from bot.core.roles import Roles
from bot.render.plain import render
from briefings.actors import Actor
from briefings.digest import compose
from briefings.ingest.types import IngestResult
from briefings.loader import load_briefings
from briefings.models import CHANGES
from briefings.store import BriefingStore
from tests.conftest import CONSOLE_ADMINS, GUEST, OPERATOR

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles" / "untuned"
RATIFICATION = (ARTICLES / "101_duma_ratifies.txt").read_text(encoding="utf-8")
SEOUL_HTML = (ARTICLES / "102_seoul_reacts.html").read_bytes()
LINK = "https://news.example/world/ratification"
CURATED = {s.key for s in load_briefings().sources}


def say(text: str, user: str = OPERATOR, **extra: object) -> Incoming:
    return Incoming(ChatRef("console", "local"), user, user, text, **extra)  # type: ignore[arg-type]


async def ask(core: Core, text: str, user: str = OPERATOR, **extra: object) -> str:
    replies = await core.handle(say(text, user, **extra))
    return "\n\n".join(render(r) for r in replies)


async def fetch(url: str) -> FetchedDocument:
    if url != LINK:
        raise FetchFailed("That link points to a private or local address, which I don't fetch.")
    return FetchedDocument(url, RATIFICATION.encode(), "text/plain", "ratification.txt")


@pytest.fixture
def core(store: BriefingStore) -> Core:
    return Core(store, Roles(store.admins, CONSOLE_ADMINS), event_title="test", fetch_url=fetch)


def proposal_ids(out: str) -> list[int]:
    return [int(line.split()[1][1:]) for line in out.splitlines() if line.startswith("• p")]


async def test_paste_review_approve_then_readers_see_it(core: Core, store: BriefingStore) -> None:
    before = await store.topics.catalog()
    since = dt.datetime.now(dt.UTC)
    out = await ask(core, f"/ingest outlet: Test Wire\ndate: 2024-07-11\n{RATIFICATION}")
    assert out.startswith("PROPOSED FROM TEST WIRE"), out
    ids = proposal_ids(out)
    assert len(ids) >= 5
    assert "→ #" in out  # repeats of existing points are shown as such
    listed = await ask(core, "/proposals")
    assert proposal_ids(listed) == sorted(ids)
    approved = await ask(core, "/approve all")
    assert "Published" in approved
    assert "as a source of" in approved
    after = await store.topics.catalog()
    assert after.point_count > before.point_count
    source = next(s for s in after.sources if s.outlet == "Test Wire")
    assert source.published == dt.date(2024, 7, 11)
    cited = [p for t in after.topics for p in t.points if source in p.sources]
    assert len(cited) == len(ids)  # each proposal published or corroborated a point
    assert "Test Wire" in await ask(core, "/sources", GUEST)
    digest = compose(after, (), CHANGES, since)
    assert digest.point_count == len({p.id for p in cited})  # new and newly cited points
    assert await ask(core, "/proposals") == texts.PROPOSALS_NONE


async def test_the_footer_explains_a_fold_with_one_from_the_list(core: Core) -> None:
    out = await ask(core, f"/ingest {RATIFICATION}")
    folds = re.findall(r"^• p(\d+) → #(\d+) ", out, flags=re.MULTILINE)
    assert folds, out
    first, point = folds[0]
    assert f"p{first} → #{point} cites the article on point #{point} instead" in out
    await ask(core, "/reject all")
    # Nothing in this one repeats a point: no fold to explain, and no invented one.
    fresh = await ask(core, "/ingest The Tumen river bridge will carry lorries from next spring.")
    assert proposal_ids(fresh), fresh
    assert "→ #" not in fresh
    assert "instead of adding a point" not in fresh


async def test_the_same_article_twice_adds_nothing(core: Core, store: BriefingStore) -> None:
    await ask(core, f"/ingest {RATIFICATION}")
    counts = await store.row_counts()
    again = await ask(core, f"/ingest title: Another title\n{RATIFICATION}  ")
    assert again.startswith("I already have that article as source")
    assert await store.row_counts() == counts


async def test_a_link_is_fetched_and_a_second_link_to_it_is_known(
    core: Core, store: BriefingStore
) -> None:
    out = await ask(core, f"/ingest {LINK}")
    assert proposal_ids(out)
    counts = await store.row_counts()
    assert (await ask(core, f"/ingest {LINK}")).startswith("I already have that article")
    refused = await ask(core, "/ingest http://127.0.0.1/admin")
    assert refused == "That link points to a private or local address, which I don't fetch."
    assert await store.row_counts() == counts
    catalog = await store.topics.catalog()
    assert any(s.url == LINK for s in catalog.sources)


async def test_a_reply_and_an_uploaded_file_are_articles_too(core: Core) -> None:
    replied = await ask(core, "/ingest", replied_text=RATIFICATION)
    assert proposal_ids(replied)

    async def download(limit: int) -> bytes:
        return SEOUL_HTML

    upload = Attachment("seoul.html", "text/html", len(SEOUL_HTML), download)
    out = await ask(core, "/ingest", attachment=upload)
    assert proposal_ids(out), out


async def test_an_uploaded_text_file_s_own_metadata_lines_count(
    core: Core, store: BriefingStore
) -> None:
    """As when the article is pasted: the file's outlet: and date: lines name the source, and
    the caption's own lines win over them; a bad line is refused and nothing changes."""
    document = f"outlet: Hanover Ledger\ndate: 2024-10-25\n\n{RATIFICATION}".encode()

    async def download(limit: int) -> bytes:
        return document

    upload = Attachment("duma.txt", "text/plain", len(document), download)
    out = await ask(core, "/ingest title: Duma votes", attachment=upload)
    assert out.startswith("PROPOSED FROM HANOVER LEDGER"), out
    (source,) = [s for s in (await store.topics.catalog()).sources if s.outlet == "Hanover Ledger"]
    assert (source.headline, source.published) == ("Duma votes", dt.date(2024, 10, 25))

    bad = b"date: 2024-13-40\n\n" + RATIFICATION.encode()

    async def download_bad(limit: int) -> bytes:
        return bad

    counts = await store.row_counts()
    refused = await ask(
        core, "/ingest", attachment=Attachment("x.txt", "text/plain", len(bad), download_bad)
    )
    assert "date" in refused.lower(), refused
    assert not proposal_ids(refused)
    assert await store.row_counts() == counts


async def test_a_reply_to_a_shared_link_fetches_the_link(core: Core, store: BriefingStore) -> None:
    out = await ask(core, "/ingest outlet: Duma Watch", replied_text=f"  {LINK}\n")
    assert proposal_ids(out), out
    catalog = await store.topics.catalog()
    (source,) = [s for s in catalog.sources if s.url == LINK]
    assert source.outlet == "Duma Watch"
    counts = await store.row_counts()
    refused = await ask(core, "/ingest", replied_text="http://127.0.0.1/admin")
    assert refused == "That link points to a private or local address, which I don't fetch."
    assert await ask(core, "/ingest", replied_text="file:///etc/passwd") == texts.INGEST_BAD_SCHEME
    assert await store.row_counts() == counts
    # Shared with a word or two around it: the link is still the article, and already known.
    again = await ask(core, "/ingest", replied_text=f"Worth a read ({LINK}).")
    assert again.startswith("I already have that article"), again
    assert await store.row_counts() == counts


async def test_approve_into_another_topic_and_reject(core: Core, store: BriefingStore) -> None:
    out = await ask(core, f"/ingest {RATIFICATION}")
    fresh = [
        int(line.split()[1][1:])
        for line in out.splitlines()
        if line.startswith("• p") and "→ #" not in line and " new /" not in line
    ]
    first, second = fresh[0], fresh[1]
    assert "Published 1 new point:" in await ask(core, f"/approve p{first} economy")
    catalog = await store.topics.catalog()
    economy = catalog.topic("economy")
    assert economy is not None
    assert any(
        p.sources[-1].url is None and p.sources[-1].key not in CURATED for p in economy.points
    )
    assert "Rejected 1 proposal." in await ask(core, f"/reject {second}")
    again = await ask(core, f"/approve {second}")
    assert f"p{second}" in again
    assert "Already decided" in again


async def test_undo_takes_an_approval_back_whole(core: Core, store: BriefingStore) -> None:
    before = await store.topics.catalog()
    out = await ask(core, f"/ingest {RATIFICATION}")
    ids = proposal_ids(out)
    approved = await ask(core, "/approve all")
    assert texts.UNDO_HINT in approved
    undone = await ask(core, "/undo")
    assert undone.startswith(texts.counted(texts.UNDO_APPROVAL, len(ids)))
    after = await store.topics.catalog()
    # The topics it created are gone again, and the reply names them.
    created = re.findall(r"/([a-z0-9]+)", approved.partition("New topics:")[2].split("\n")[0])
    for slug in created:
        assert f"/{slug}" in undone
        assert after.topic(slug) is None
    assert after.point_count == before.point_count  # the new points are retracted
    ingested = [s for s in after.sources if s not in before.sources]
    cited = [p for t in after.topics for p in t.points if set(p.sources) & set(ingested)]
    assert cited == []  # and no point cites the article any more
    assert proposal_ids(await ask(core, "/proposals")) == sorted(ids)  # pending again
    assert "Published" in await ask(core, "/approve all")  # and can be approved again


async def test_undo_of_an_approval_is_refused_after_someone_edits_its_point(
    core: Core, store: BriefingStore
) -> None:
    out = await ask(core, f"/ingest {RATIFICATION}")
    approved = await ask(core, f"/approve {proposal_ids(out)[1]} arms")
    point_id = int(approved.split("#", 1)[1].split(".", 1)[0])
    await store.admins.grant("console", "other", Actor.system("test"))
    edited = await ask(core, f"/edit {point_id} Another admin rewrote this point.", user="other")
    assert edited.startswith(f"Point #{point_id}")
    counts = await store.row_counts()
    refused = await ask(core, "/undo")
    assert refused.startswith(f"#{point_id} was changed by console:other")
    assert await store.row_counts() == counts


ARTICLE_OK = f"/ingest {RATIFICATION}"


FRENCH = "Ceci n'est pas un article en anglais, mais il parle de la visite. " * 20
NOISE = "Share on Facebook\nSubscribe to our newsletter\nAdvertisement"
REJECTED = texts.INGEST_REJECTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ingest", texts.INGEST_USAGE),
        ("/ingest    ", texts.INGEST_USAGE),
        ("/ingest ftp://example.org/a.txt", texts.INGEST_BAD_SCHEME),
        ("/ingest javascript://alert(1)", texts.INGEST_BAD_SCHEME),
        ("/ingest date: yesterday\nText.", texts.INGEST_BAD_DATE.format(value="yesterday")),
        ("/ingest url: not a link\nText.", texts.INGEST_BAD_URL.format(value="not a link")),
        (f"/ingest {FRENCH}", REJECTED["not_english"]),
        (f"/ingest {NOISE}", REJECTED["no_story"]),
        ("/ingest " + "word " * 50_000, REJECTED["too_long"]),
        ("/approve", texts.CHOICE_USAGE),
        ("/approve abc", texts.CHOICE_BAD_WORD.format(value="abc")),
        ("/approve 999999", texts.UNKNOWN_PROPOSAL.format(id=999999)),
        ("/approve 1-100000", texts.CHOICE_TOO_MANY.format(limit=200)),
        ("/reject all", texts.NOTHING_PENDING),
        ("/reject 12 arms", texts.CHOICE_BAD_WORD.format(value="arms")),
        ("/approve all armz", texts.CHOICE_NO_TOPIC.format(value="armz")),
        ("/approve p12 /armz", texts.CHOICE_NO_TOPIC.format(value="armz")),
        ("/approve 12 all", texts.CHOICE_ALL_ALONE),
        ("/reject all 12", texts.CHOICE_ALL_ALONE),
    ],
)
async def test_bad_input_gets_one_sentence_and_changes_nothing(
    core: Core, store: BriefingStore, text: str, expected: str
) -> None:
    counts = await store.row_counts()
    assert await ask(core, text) == expected
    assert await store.row_counts() == counts


async def _refuse(limit: int) -> bytes:
    raise AttachmentTooLarge()


async def _binary(limit: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        (Attachment("huge.txt", "text/plain", 6 * 1024 * 1024, _binary), "too_large"),
        (Attachment("sneaky.txt", "text/plain", None, _refuse), "too_large"),
        (Attachment("photo.txt", "text/plain", 5_400, _binary), "binary"),
    ],
)
async def test_bad_files_change_nothing(
    core: Core, store: BriefingStore, attachment: Attachment, expected: str
) -> None:
    counts = await store.row_counts()
    assert await ask(core, "/ingest", attachment=attachment) == texts.INGEST_REJECTED[expected]
    assert await store.row_counts() == counts


@pytest.mark.parametrize(
    "text", [ARTICLE_OK, "/proposals", "/approve all", "/reject all", "/approve 1 arms"]
)
async def test_guests_change_nothing(core: Core, store: BriefingStore, text: str) -> None:
    await ask(core, f"/ingest {RATIFICATION}")
    counts = await store.row_counts()
    name = text.split()[0][1:]
    assert await ask(core, text, GUEST) == texts.NOT_ADMIN.format(name=name)
    assert await store.row_counts() == counts


async def test_review_buttons_run_as_the_commands_they_carry(
    core: Core, store: BriefingStore
) -> None:
    [review] = await core.handle(say(f"/ingest {RATIFICATION}"))
    commands = [b.command for b in review.buttons]
    assert commands[:2] == ["/approve all", "/reject all"]
    move = next(c for c in commands if len(c.split()) == 3)  # "/approve 12 arms"
    _, pid, topic = move.split()
    assert "Published 1 new point:" in await ask(core, move)
    catalog = await store.topics.catalog()
    moved = catalog.topic(topic)
    assert moved is not None
    assert any(s.key not in CURATED for p in moved.points for s in p.sources)
    reject = f"/reject {pid}"
    assert reject in commands
    assert "Already decided" in await ask(core, reject)


async def test_something_new_that_repeats_a_point_is_published_and_cited_there(
    core: Core, store: BriefingStore
) -> None:
    before = await store.topics.catalog()
    welcome = next(p for t in before.topics for p in t.points if "airport" in p.text)
    sentence = (
        "Kim Jong Un greeted Putin at the airport and hugged him, with generals Pak Jong Chon, "
        "Ri Pyong Chol and Kang Sun Nam watching."
    )
    out = await ask(core, f"/ingest outlet: Test Wire\n{sentence}")
    assert texts.PROPOSAL_ALSO_CITED.format(ids=f"#{welcome.id}") in out, out
    assert "• p1 /visit" in out  # a new point: it names people the briefing never mentions
    approved = await ask(core, "/approve all")
    assert "Published" in approved
    assert f"#{welcome.id}" in approved
    after = await store.topics.catalog()
    assert after.point_count == before.point_count + 1
    source = next(s for s in after.sources if s.outlet == "Test Wire")
    assert source in after.point(welcome.id).sources  # type: ignore[union-attr]
    await ask(core, "/undo")
    undone = await store.topics.catalog()
    assert undone.point_count == before.point_count
    assert not [p for t in undone.topics for p in t.points if source in p.sources]


async def test_a_suggested_new_topic_is_never_named_like_a_command(
    core: Core, store: BriefingStore
) -> None:
    # The first name-like word would make /search, which the search command would shadow.
    out = await ask(
        core,
        "/ingest Volunteers from Search Dogs Cymru found a rare orchid species growing wild "
        "in the marshes up the coast on a weekend survey.",
    )
    assert "new topic /dogs" in out, out
    assert "/search" not in out
    assert "Published" in await ask(core, "/approve all")
    catalog = await store.topics.catalog()
    assert catalog.topic("dogs") is not None


async def test_a_suggested_new_topic_is_never_a_word_commands_read(core: Core) -> None:
    """/weekdays would make `/subscribe weekdays` mean two things."""
    out = await ask(
        core,
        "/ingest Weekdays on the island are busy with ferry traffic from the mainland. On "
        "weekdays the harbour opens at five in the morning, the harbour master said.",
    )
    assert "new topic /island" in out, out
    assert "/weekdays" not in out


async def test_undoing_an_approval_removes_the_topic_it_created_while_still_empty(
    core: Core, store: BriefingStore
) -> None:
    orchid = (
        "/ingest Volunteers from Search Dogs Cymru found a rare orchid species growing wild "
        "in the marshes up the coast on a weekend survey."
    )
    await ask(core, orchid)
    assert "New topics: /dogs." in await ask(core, "/approve all")
    undone = await ask(core, "/undo")
    assert "The new topic it created, /dogs, is gone again." in undone, undone
    assert "/dogs" not in await ask(core, "/topics", GUEST)
    assert (await store.topics.catalog()).topic("dogs") is None
    assert "/dogs" in await ask(core, "/proposals")  # still suggested, pending again
    # Approved again, it is created again; when another admin files a point there meanwhile,
    # undoing the approval leaves the topic.
    assert "New topics: /dogs." in await ask(core, "/approve all")
    other = Actor.user("telegram", "9", "Other admin")
    await store.points.add("dogs", "A point another admin filed here by hand.", other, 3, [])
    undone = await ask(core, "/undo")
    assert undone.startswith("Undid your approval"), undone
    assert "gone again" not in undone
    assert "A point another admin filed" in await ask(core, "/dogs", GUEST)
    # Given an alias meanwhile, an admin has made it their own: it stays too.
    dogs = (await store.topics.catalog()).topic("dogs")
    assert dogs is not None
    await store.points.remove(dogs.points[0].id, other)
    assert "Removed topic /dogs" in await ask(core, "/topic remove dogs")
    assert "New topics: /dogs." in await ask(core, "/approve all")
    await ask(core, "/topic alias dogs hounds")
    undone = await ask(core, "/undo")
    assert undone.startswith("Undid your approval"), undone
    assert "gone again" not in undone
    assert (await store.topics.catalog()).topic("hounds") is not None


async def test_undo_after_a_rejection_brings_the_proposals_back(
    core: Core, store: BriefingStore
) -> None:
    """/undo after "/reject all" used to skip the rejection and undo an older change."""
    assert "version 2" in await ask(core, "/edit 5 An edited text of point five, undone later.")
    await ask(core, f"/ingest outlet: Test Wire\n{RATIFICATION}")
    pending = proposal_ids(await ask(core, "/proposals"))
    rejected = await ask(core, "/reject all")
    assert "/undo takes it back." in rejected
    undone = await ask(core, "/undo")
    assert undone.startswith(f"Undid your rejection of {len(pending)} proposals"), undone
    assert proposal_ids(await ask(core, "/proposals")) == pending
    point = (await store.topics.catalog()).point(5)
    assert point is not None
    assert point.text.startswith("An edited text of point five")  # the edit was left alone
    assert "Undid your edit of point #5" in await ask(core, "/undo")  # next, the older change


@pytest.mark.postgresql
async def test_metadata_lines_are_cleaned_like_other_text(core: Core, store: BriefingStore) -> None:
    """A NUL in an outlet: line reached PostgreSQL's INSERT (invalid byte sequence 0x00)."""
    lines = "outlet: Out\x00let  Wire\ntitle: \u202eHead\x00line\nurl: https://news.example/a\x00b"
    out = await ask(core, f"/ingest {lines}\n{RATIFICATION}")
    assert out.startswith("PROPOSED FROM OUTLET WIRE"), out
    source = next(s for s in (await store.topics.catalog()).sources if s.outlet == "Outlet Wire")
    assert (source.headline, source.url) == ("Headline", "https://news.example/ab")


@pytest.mark.postgresql
async def test_a_page_s_own_names_are_cleaned_before_they_are_stored(store: BriefingStore) -> None:
    """What the pipeline reads off a page is stored cleaned too, whoever ingests it."""
    result = IngestResult(
        title="A\x00 headline\x07",
        outlet="\x00",
        published=None,
        url=None,
        cleaned_text="text",
        fingerprint="f" * 64,
        proposals=(),
    )
    recorded = await store.proposals.record(result, Actor.system("test"))
    assert (recorded.source.outlet, recorded.source.headline) == ("Unknown outlet", "A headline")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("outlet: " + "o" * 121, texts.INGEST_META_TOO_LONG.format(key="outlet", limit=120)),
        ("title: " + "t" * 301, texts.INGEST_META_TOO_LONG.format(key="title", limit=300)),
        (
            "url: https://news.example/" + "u" * 480,
            texts.INGEST_META_TOO_LONG.format(key="url", limit=500),
        ),
        ("url: javascript:alert(1)", texts.INGEST_BAD_URL.format(value="javascript:alert(1)")),
    ],
)
async def test_metadata_over_its_column_is_refused_not_cut(
    core: Core, store: BriefingStore, lines: str, expected: str
) -> None:
    counts = await store.row_counts()
    assert await ask(core, f"/ingest {lines}\n{RATIFICATION}") == expected
    assert await store.row_counts() == counts


@pytest.mark.postgresql
async def test_an_approval_says_when_a_topic_or_point_it_meant_was_removed(
    core: Core, store: BriefingStore
) -> None:
    """Both were once told only as "Published 1 new point"."""
    out = await ask(core, f"/ingest outlet: Test Wire\n{RATIFICATION}")
    filed = re.search(r"^• p(\d+) /(\w+) .*\(or /(\w+)\)$", out, flags=re.MULTILINE)
    fold = re.search(r"^• p(\d+) → #(\d+) ", out, flags=re.MULTILINE)
    assert filed is not None, out
    assert fold is not None, out
    proposal, first, second = filed.groups()
    assert first != second
    assert "Removed topic" in await ask(core, f"/topic remove {first} --force")
    approved = await ask(core, f"/approve {proposal}")
    point = re.search(r"Published 1 new point: #(\d+)\.", approved)
    assert point is not None, approved
    refiled = texts.APPROVED_REFILED.format(id=point[1], slug=second, removed=first)
    assert refiled in approved, approved

    proposal, repeated = fold.groups()
    if (await store.topics.catalog()).point(int(repeated)) is not None:
        assert "Removed point" in await ask(core, f"/remove {repeated}")
    approved = await ask(core, f"/approve {proposal}")
    point = re.search(r"Published 1 new point: #(\d+)\.", approved)
    assert point is not None, approved
    assert texts.APPROVED_UNFOLDED.format(id=point[1], removed=repeated) in approved, approved
    assert "as a source of" not in approved
