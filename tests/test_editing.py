"""Editing that stays correct as more people edit: who "you" are for /undo, undo refused when
someone changed the point since, long display names, and text that keeps its joiners."""

from __future__ import annotations

import pytest

from bot.core.core import Core
from bot.render.plain import render
from briefings.store import BriefingStore
from tests.conftest import MessageFactory

# ZWNJ and ZWJ are spelling, not noise: each of these words changes without them.
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", ZWNJ after the prefix
DEVANAGARI = "\u0930\u094d\u200d\u092f"  # the eyelash ra conjunct of Marathi, made with ZWJ
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one family emoji, three people joined


async def ask(core: Core, message: MessageFactory, text: str) -> str:
    return "\n\n".join(render(r) for r in await core.handle(message(text)))


@pytest.mark.parametrize("word", [PERSIAN, DEVANAGARI, FAMILY])
async def test_add_and_edit_keep_joiners_and_drop_hidden_characters(
    core: Core, message: MessageFactory, store: BriefingStore, word: str
) -> None:
    out = await ask(core, message, f"/add treaty The word {word} stays\u200b whole \u202ehere.")
    point_id = int(out.split("#")[1].split()[0])
    added = (await store.topics.catalog()).point(point_id)
    assert added is not None
    assert added.text == f"The word {word} stays whole here."

    edit = f"/edit {point_id} \u2066Edited:\u2069 {word} {word}\ufeff, still whole."
    await ask(core, message, edit)
    edited = (await store.topics.catalog()).point(point_id)
    assert edited is not None
    assert edited.text == f"Edited: {word} {word}, still whole."
