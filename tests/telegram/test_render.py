"""The Telegram renderer: whatever the text, Telegram must never answer "can't parse entities"
or "message is too long". Checked with the fake server's own HTML parser."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.telegram.limits import CALLBACK_DATA_BYTES, MESSAGE_ENTITIES
from bot.adapters.telegram.render import (
    MESSAGE_BUDGET,
    TAGS,
    TelegramMessage,
    clean,
    render,
    utf16_len,
)
from bot.core.messages import Button, Item, Reply, Section, SourceRef
from tests.telegram.fake_bot_api import MESSAGE_CHARS, parse_html

TRICKY = [
    *("<", ">", "&", "&amp;", "&lt;", "<b>", "</i>", "<script>", '"', "'", "#1", "/treaty"),
    *("\n", " ", "\t", "\r", "\x00", "\x1b", "\ud800", "\u200d", "\u202e", "\u200b"),
    *("\U0001f600", "\U0001f469\u200d\U0001f467", "\U0001d518", "e\u0301"),
]
texts = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=40)), max_size=60).map("".join)
long_texts = st.one_of(texts, st.builds(lambda part, n: part * n, texts, st.integers(1, 300)))
items = st.builds(
    Item,
    text=long_texts,
    cites=st.lists(st.integers(1, 9), max_size=3).map(tuple),
    tag=st.none() | texts,
    ref=st.none() | texts,
)
sections = st.builds(
    Section,
    heading=st.none() | texts,
    items=st.lists(items, max_size=25).map(tuple),
    note=st.none() | texts,
)
sources = st.builds(
    SourceRef, outlet=texts, headline=texts, published=st.none() | st.just(dt.date(2024, 6, 19))
)
buttons = st.builds(Button, label=texts, command=texts)
replies = st.builds(
    Reply,
    title=st.none() | long_texts,
    body=st.lists(long_texts, max_size=3).map(tuple),
    sections=st.lists(sections, max_size=3).map(tuple),
    sources=st.lists(sources, max_size=6).map(tuple),
    footer=st.none() | texts,
    buttons=st.lists(buttons, max_size=12).map(tuple),
)


def squeeze(text: str) -> str:
    return "".join(clean(text).split())


def visible(messages: list[TelegramMessage]) -> str:
    return "".join(parse_html(m.html).text for m in messages)


@settings(max_examples=300, deadline=None)
@given(replies)
def test_every_message_is_valid_html_within_the_limits(reply: Reply) -> None:
    messages = render(reply)
    for message in messages:
        parsed = parse_html(message.html)  # raises on anything Telegram would not parse
        assert 0 < parsed.length <= MESSAGE_BUDGET <= MESSAGE_CHARS
        assert parsed.entities <= MESSAGE_ENTITIES
        assert set(parse_tags(message.html)) <= TAGS
    for message in messages[:-1]:
        assert message.keyboard == ()
    for row in messages[-1].keyboard if messages else ():
        for key in row:
            assert key.label.strip()
            assert 0 < len(key.data.encode()) <= CALLBACK_DATA_BYTES
    # Nothing is lost: every piece of text shows, literally (white space aside).
    shown = squeeze(visible(messages))
    for section in reply.sections:
        for item in section.items:
            assert squeeze(item.text) in shown


def parse_tags(html: str) -> list[str]:
    return re.findall(r"</?([a-z-]+)", html)


def test_escaping_shows_markup_literally() -> None:
    reply = Reply(title="A <b> & B", sections=(Section(None, (Item("x < y & <script>"),)),))
    [message] = render(reply)
    assert message.html.startswith("<b>A &lt;b&gt; &amp; B</b>")
    assert "• x < y & <script>" in parse_html(message.html).text


def test_one_over_long_point_is_cut_at_spaces() -> None:
    words = " ".join(f"word{n}" for n in range(2000))  # about 17,000 characters
    messages = render(Reply(sections=(Section("Heading", (Item(words, ref="#1"),)),)))
    assert len(messages) >= 4
    assert all(parse_html(m.html).length <= MESSAGE_BUDGET for m in messages)
    # Cuts fall between words: every word arrives whole.
    shown = visible(messages).split()
    assert set(shown) == {"Heading", "•", "#1", *words.split()}
    assert squeeze(visible(messages)) == squeeze("Heading • " + words + " #1")


def test_text_without_spaces_and_outside_the_bmp_is_cut_by_utf16_units() -> None:
    emoji = "😀" * 5000  # 10,000 UTF-16 units
    messages = render(Reply(body=(emoji,)))
    assert len(messages) == 3
    assert all(utf16_len(parse_html(m.html).text) <= MESSAGE_BUDGET for m in messages)
    assert visible(messages) == emoji


def test_a_heading_never_ends_a_message() -> None:
    filler = Item("x" * (MESSAGE_BUDGET - 17))  # the heading fits after it, its item not
    reply = Reply(sections=(Section(None, (filler,)), Section("Next topic", (Item("first"),))))
    first, second = render(reply)
    assert "Next topic" not in first.html
    assert second.html == "<b>Next topic</b>\n• first"


def test_buttons_whose_command_does_not_fit_callback_data_are_left_out() -> None:
    reply = Reply.text("hi")
    reply = Reply(
        body=reply.body,
        buttons=(Button("Fits", "/treaty"), Button("Too long", "/" + "é" * 40), Button(" ", "/x")),
    )
    [message] = render(reply)
    assert [[k.data for k in row] for row in message.keyboard] == [["/treaty"]]


def test_channel_rendering_has_no_keyboard() -> None:
    [message] = render(Reply(body=("hi",), buttons=(Button("A", "/a"),)), buttons=False)
    assert message.keyboard == ()


def test_an_empty_reply_renders_nothing() -> None:
    assert render(Reply()) == []
    assert render(Reply(body=(" \n\u200b",))) == []
