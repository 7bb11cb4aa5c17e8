"""Reply -> Block Kit: limits, escaping and splitting, checked on random replies with hypothesis
and against slack_sdk's own Block Kit validators."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.adapters.slack import limits, texts
from bot.adapters.slack.render import ACTION_SHARE, SlackMessage, escape, render
from bot.core.messages import Button, Item, Reply, Section, SourceRef

ENTITY_OK = re.compile(r"&(?!amp;|lt;|gt;)")

# Text that likes Slack's control characters and markup, plus any other printable character.
tricky = st.lists(
    st.one_of(
        st.sampled_from(list("&<>;!@#*_~`|\n ") + ["<!channel>", "<@U123>", "&amp;", "&lt;"]),
        st.characters(codec="utf-8"),
    ),
    max_size=150,
).map("".join)
long_text = st.text(alphabet=st.sampled_from(list("ab &<>")), min_size=2900, max_size=7000)
point_text = st.one_of(tricky, long_text)

items = st.builds(
    Item,
    text=point_text,
    cites=st.lists(st.integers(1, 30), max_size=4).map(tuple),
    tag=st.none() | tricky,
    ref=st.none() | st.integers(1, 99999).map(lambda n: f"#{n}"),
)
section_st = st.builds(
    Section,
    heading=st.none() | tricky,
    items=st.lists(items, max_size=70).map(tuple),
    note=st.none() | tricky,
)
# Many long points: replies that need several sections per point and several messages.
big_section = st.builds(
    lambda n, text, heading: Section(heading, tuple(Item(f"{i} {text}") for i in range(n))),
    st.integers(1, 120),
    long_text,
    st.none() | tricky,
)
sources = st.builds(SourceRef, outlet=tricky, headline=tricky)
buttons = st.builds(
    Button, label=tricky.filter(str.strip), command=st.text(min_size=1, max_size=2100)
)
replies = st.builds(
    Reply,
    title=st.none() | tricky,
    body=st.lists(tricky, max_size=5).map(tuple),
    sections=st.lists(st.one_of(section_st, big_section), max_size=3).map(tuple),
    sources=st.lists(sources, max_size=40).map(tuple),
    footer=st.none() | tricky,
    buttons=st.lists(buttons, max_size=30).map(tuple),
    tone=st.sampled_from(["info", "error", "refusal"]),
)


def mrkdwn_texts(message: SlackMessage) -> list[str]:
    found = [message.text]
    for block in message.blocks:
        if block["type"] == "section":
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found.extend(e["text"] for e in block["elements"])
    return found


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_valid(message: SlackMessage) -> None:
    assert 1 <= len(message.blocks) <= limits.BLOCKS_PER_MESSAGE
    assert 0 < len(message.text) <= limits.FALLBACK_TEXT_CHARS
    for block in message.blocks:
        Block.parse(dict(block)).to_dict()  # type: ignore[union-attr]  # slack_sdk validates
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= limits.HEADER_CHARS
        elif block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= limits.SECTION_CHARS
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= limits.CONTEXT_ELEMENTS
            assert all(len(e["text"]) <= limits.SECTION_CHARS for e in block["elements"])
        else:
            assert block["type"] == "actions"
            assert 0 < len(block["elements"]) <= limits.ACTIONS_ELEMENTS
            for element in block["elements"]:
                assert element["text"]["type"] == "plain_text"
                assert 0 < len(element["text"]["text"]) <= limits.BUTTON_TEXT_CHARS
                assert 0 < len(element["value"]) <= limits.BUTTON_VALUE_CHARS
    for text in mrkdwn_texts(message):
        assert "<" not in text
        assert ">" not in text
        assert not ENTITY_OK.search(text), text


def section_stream(messages: list[SlackMessage]) -> str:
    parts = [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]
    return unescape("".join(parts)).replace("\n", "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reply=replies, share=st.none() | st.text(min_size=1, max_size=2100))
def test_every_message_is_valid_and_keeps_every_point(reply: Reply, share: str | None) -> None:
    messages = render([reply], share=share)
    for message in messages:
        assert_valid(message)
    stream = section_stream(messages)
    for section in reply.sections:
        for item in section.items:
            assert item.text.replace("\n", "") in stream
    shares = [
        e
        for m in messages
        for b in m.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ACTION_SHARE
    ]
    if share is not None and len(share) <= limits.BUTTON_VALUE_CHARS:
        assert [e["value"] for e in shares] == [share]
        assert any(
            e in shares
            for b in messages[-1].blocks
            if b["type"] == "actions"
            for e in b["elements"]
        )
    else:
        assert shares == []


def test_limits_agree_with_slack_sdk() -> None:
    assert SectionBlock.text_max_length == limits.SECTION_CHARS
    assert HeaderBlock.text_max_length == limits.HEADER_CHARS
    assert ContextBlock.elements_max_length == limits.CONTEXT_ELEMENTS
    assert ActionsBlock.elements_max_length == limits.ACTIONS_ELEMENTS
    assert ButtonElement.text_max_length == limits.BUTTON_TEXT_CHARS
    assert ButtonElement.value_max_length == limits.BUTTON_VALUE_CHARS
    assert limits.FALLBACK_TEXT_CHARS <= limits.MESSAGE_TEXT_CHARS


def test_escaping_neutralises_mentions_and_links() -> None:
    reply = Reply(
        title="<!channel> & co",
        body=("Ping <!channel> <@U123> <https://evil.example|click> & more",),
        sections=(Section("A > B", (Item("x < y & z", tag="<@U1>"),)),),
    )
    [message] = render([reply])
    body = message.blocks[1]["text"]["text"]
    assert body == (
        "Ping &lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp; more"
    )
    assert message.blocks[2]["text"]["text"] == "*A &gt; B*\n• *&lt;@U1&gt;* x &lt; y &amp; z"
    # plain_text is not parsed by Slack: the header keeps the raw characters.
    assert message.blocks[0]["text"]["text"] == "<!channel> & co"
    assert message.text.startswith("&lt;!channel&gt; &amp; co")


def test_escape_is_not_applied_twice() -> None:
    assert escape("&amp; &lt;") == "&amp;amp; &amp;lt;"


def test_long_title_is_clipped_to_the_header_limit() -> None:
    [message] = render([Reply(title="T" * 400)])
    header = message.blocks[0]["text"]["text"]
    assert len(header) == limits.HEADER_CHARS
    assert header.endswith("…")


def test_a_point_longer_than_a_section_is_split_without_cutting_entities() -> None:
    text = "&" * 5000  # 25,000 escaped characters
    [message] = render([Reply(sections=(Section(None, (Item(text),)),))])
    sections = [b["text"]["text"] for b in message.blocks]
    assert len(sections) == 9
    assert all(len(s) <= limits.SECTION_CHARS for s in sections)
    assert unescape("".join(sections)) == "• " + text


def test_many_points_become_several_messages() -> None:
    points = tuple(Item(f"Point {n} " + "x" * 2900) for n in range(120))
    reply = Reply(
        title="Big", sections=(Section(None, points),), buttons=(Button("Next", "/next"),)
    )
    messages = render([reply], share="/big")
    assert len(messages) == 3
    assert [len(m.blocks) for m in messages] == [50, 50, 22]
    assert messages[0].blocks[0]["type"] == "header"
    assert messages[-1].blocks[-1]["type"] == "actions"
    [share, run] = messages[-1].blocks[-1]["elements"]
    assert (share["action_id"], share["value"]) == (ACTION_SHARE, "/big")
    assert share["text"]["text"] == texts.SHARE_BUTTON
    assert (run["action_id"], run["value"]) == ("brief_run_0", "/next")
    for message in messages:
        assert_valid(message)


def test_buttons_beyond_slack_limits_are_left_out_or_regrouped() -> None:
    many = tuple(Button(f"B{n}", f"/b{n}") for n in range(30))
    too_long = Button("Long", "/search " + "x" * 2000)
    [message] = render([Reply(title="t", buttons=(*many, too_long))], share="/s " + "y" * 2000)
    action_blocks = [b for b in message.blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in action_blocks] == [25, 5]
    values = [e["value"] for b in action_blocks for e in b["elements"]]
    assert too_long.command not in values
    assert all(not v.startswith("/s ") for v in values)


def test_sources_and_footer_are_context_blocks() -> None:
    refs = tuple(SourceRef(f"Outlet {n}", "Headline " + "h" * 400) for n in range(30))
    [message] = render([Reply(title="t", sources=refs, footer="3 points")])
    contexts: list[dict[str, Any]] = [b for b in message.blocks if b["type"] == "context"]
    assert contexts[0]["elements"][0]["text"].startswith(f"*{texts.SOURCES_LABEL}*\n[1] ")
    assert contexts[-1]["elements"] == [{"type": "mrkdwn", "text": "3 points"}]
    assert_valid(message)


def test_error_tone_is_marked() -> None:
    [message] = render([Reply.text("Nope", tone="refusal")])
    assert message.blocks[0]["text"]["text"] == ":no_entry: Nope"


def test_empty_reply_still_makes_a_valid_message() -> None:
    [message] = render([Reply()])
    assert_valid(message)
