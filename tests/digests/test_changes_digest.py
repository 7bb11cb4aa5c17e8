"""A `changes` digest lists the points whose text or sources differ from what they were at the
chat's last digest: a change taken back with /undo, a removal and its undo, an importance
change or a move is not news."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from bot.core.messages import ChatRef, Incoming
from bot.render.plain import render
from briefings.actors import Actor
from briefings.models import CHANGES
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest
from tests.conftest import OPERATOR
from tests.digests.conftest import START, Env

pytestmark = pytest.mark.postgresql

SLOT = START.replace(hour=8)
ANN = Actor.user("console", OPERATOR, "Ann")
SENTENCE = (
    "Kim Jong Un greeted Putin at the airport and hugged him, with generals Pak Jong Chon, "
    "Ri Pyong Chol and Kang Sun Nam watching."
)


async def say(env: Env, text: str) -> str:
    replies = await env.core.handle(Incoming(ChatRef("console", "local"), OPERATOR, "Ann", text))
    return "\n\n".join(render(r) for r in replies)


async def point_in(env: Env, topic: str) -> int:
    found = (await env.store.topics.catalog()).topic(topic)
    assert found is not None
    return found.points[0].id


async def airport(env: Env) -> int:
    catalog = await env.store.topics.catalog()
    return next(p.id for t in catalog.topics for p in t.points if "airport" in p.text)


class Chat:
    """A chat subscribed in `changes` mode, its first (full) digest delivered."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.day = 0

    async def start(self) -> Chat:
        sub = await self.env.subscriptions.subscribe(
            SubscriptionRequest(
                "telegram", "100", "private", None, Schedule(8, 0, "UTC"), (), CHANGES
            ),
            Actor.system("tester"),
        )
        self.sub_id = sub.id
        assert await self.next_digest() is not None
        return self

    async def next_digest(self) -> str | None:
        """The next day's digest, or None when there was nothing to post."""
        self.env.adapter.sent.clear()
        slot = SLOT + dt.timedelta(days=self.day)
        self.env.clock.now = slot
        self.day += 1
        outcome = await self.env.delivery.deliver(self.sub_id, slot)
        if outcome == "empty":
            return None
        assert outcome == "sent"
        return "\n".join(s.text for s in self.env.adapter.to("100"))


async def edit_then_undo(env: Env) -> None:
    point = await point_in(env, "treaty")
    await say(env, f"/edit {point} A rewrite that its author takes back.")
    await say(env, "/undo")


async def importance_then_undo(env: Env) -> None:
    await say(env, f"/importance {await point_in(env, 'arms')} 1")
    await say(env, "/undo")


async def remove_then_undo(env: Env) -> None:
    await say(env, f"/remove {await point_in(env, 'economy')}")
    await say(env, "/undo")


async def citation_then_undo(env: Env) -> None:
    await say(env, f"/ingest outlet: Test Wire\n{SENTENCE}")
    assert f"#{await airport(env)}" in await say(env, "/approve all")
    assert (await say(env, "/undo")).startswith("Undid your approval")


async def importance_alone(env: Env) -> None:
    await say(env, f"/importance {await point_in(env, 'arms')} 1")


async def move_alone(env: Env) -> None:
    await say(env, f"/move {await point_in(env, 'arms')} treaty")


async def edit_back_by_hand(env: Env) -> None:
    point = (await env.store.topics.catalog()).topic("treaty").points[0]  # type: ignore[union-attr]
    await say(env, f"/edit {point.id} A rewrite that is then written back by hand.")
    await say(env, f"/edit {point.id} {point.text}")


@pytest.mark.parametrize(
    "change",
    [
        edit_then_undo,
        importance_then_undo,
        remove_then_undo,
        citation_then_undo,
        importance_alone,
        move_alone,
        edit_back_by_hand,
    ],
)
async def test_what_readers_already_have_is_not_announced(
    env: Env, change: Callable[[Env], Awaitable[None]]
) -> None:
    chat = await Chat(env).start()
    await change(env)
    assert await chat.next_digest() is None


async def test_an_edit_a_citation_and_a_new_point_are_announced(env: Env) -> None:
    chat = await Chat(env).start()
    edited = await point_in(env, "treaty")
    await say(env, f"/edit {edited} The treaty point, rewritten for the readers.")
    await say(env, f"/ingest outlet: Test Wire\n{SENTENCE}")
    await say(env, "/approve all")  # a new point, and the airport point cites the article
    digest = await chat.next_digest()
    assert digest is not None
    assert "3 new or updated points since" in digest
    assert "The treaty point, rewritten for the readers." in digest
    assert "Pak Jong Chon" in digest
    # Announced once: the next digest has nothing new.
    assert await chat.next_digest() is None


async def test_a_change_undone_after_a_digest_is_announced_again(env: Env) -> None:
    """The readers got the edit; its undo changes what they have, so it is news."""
    chat = await Chat(env).start()
    point = await point_in(env, "treaty")
    await say(env, f"/edit {point} A rewrite the readers receive.")
    assert "1 new or updated point since" in (await chat.next_digest() or "")
    await say(env, "/undo")
    assert "1 new or updated point since" in (await chat.next_digest() or "")
