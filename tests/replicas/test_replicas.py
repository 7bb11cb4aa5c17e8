"""Replicas on PostgreSQL, as they run behind a load balancer: several `briefbot run` processes
in Telegram webhook mode on one database. They start together on an empty database, follow
each other's edits, and a rolling restart loses no update."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from bot.core import texts
from briefings.db import create_engine
from briefings.loader import load_briefings
from tests.replicas.fleet import WEBHOOK_SECRET, Fleet, telegram_webhook_env
from tests.replicas.senders import TelegramWebhook
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApiApart

ADMIN = 4242
ASKER = 5000
MIGRATED = "INFO bot.app: database migrated to the newest schema"
SEEDED = "INFO bot.app: loaded "


async def count_rows(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        await engine.dispose()


async def test_four_replicas_start_together_on_an_empty_database(
    replicas: Fleet, telegram: FakeBotApiApart
) -> None:
    replicas.add(4, telegram_webhook_env(telegram.base_url, replicas.proxy.url))
    await replicas.start()
    logs = [replica.log() for replica in replicas.replicas]
    assert sum(MIGRATED in log for log in logs) == 1, "one replica migrates, the others wait"
    assert sum(SEEDED in log for log in logs) == 1, "one replica seeds, the others find it done"
    assert not any("Traceback" in log for log in logs)
    curated = load_briefings()
    assert await count_rows(replicas.database_url, "topics") == len(curated.topics)
    points = sum(len(topic.points) for topic in curated.topics)
    assert await count_rows(replicas.database_url, "key_points") == points
    # Every replica serves: four updates through the proxy reach four different replicas.
    hook = TelegramWebhook(replicas.proxy.url, WEBHOOK_SECRET)
    for n in range(4):
        await hook.deliver(tg.message(ASKER + n, "/treaty"))
    sent = await telegram.wait_sent(4, within=10)
    assert all(call.text.startswith("The partnership treaty") for call in sent)
    assert sorted(replicas.proxy.routed) == sorted(r.port for r in replicas.replicas)


async def test_a_topic_added_on_one_replica_is_a_command_on_another(
    replicas: Fleet, telegram: FakeBotApiApart
) -> None:
    env = telegram_webhook_env(telegram.base_url, replicas.proxy.url, admins=str(ADMIN))
    first, second = replicas.add(2, env)
    await replicas.start()
    hook = TelegramWebhook(replicas.proxy.url, WEBHOOK_SECRET)
    await hook.deliver(tg.message(ADMIN, "/topic add drills Joint military drills"), first.url)
    [added] = await telegram.wait_sent(1, ADMIN, within=10)
    assert added.text.startswith("Added topic /drills")
    # The issue allows 5 s for an edit to reach every replica: ask the other one until it
    # knows the command (each time from a new chat, which Telegram lets answer at once).
    confirmed = time.monotonic()
    for asked in range(1, 100):
        await hook.deliver(tg.message(ASKER + asked, "/drills"), second.url)
        [answer] = await telegram.wait_sent(1, ASKER + asked, within=10)
        if texts.TOPIC_EMPTY in answer.text:
            break
        assert answer.text.startswith("I don't know /drills"), answer.text
        assert time.monotonic() - confirmed < 5, "the other replica did not follow within 5 s"
        await asyncio.sleep(0.25)
    assert "Joint military drills" in answer.text


async def test_a_rolling_restart_loses_no_update(
    replicas: Fleet, telegram: FakeBotApiApart
) -> None:
    replicas.add(2, telegram_webhook_env(telegram.base_url, replicas.proxy.url))
    await replicas.start()
    hook = TelegramWebhook(replicas.proxy.url, WEBHOOK_SECRET)
    restarted = asyncio.Event()
    chats: list[int] = []

    async def traffic() -> None:
        """About ten updates a second, each from a chat of its own, until the restarts are
        over and a little after."""
        deliveries = []
        while not restarted.is_set() or len(chats) < 20:
            chats.append(ASKER + len(chats))
            update = tg.message(chats[-1], "/treaty")
            deliveries.append(asyncio.create_task(hook.deliver(update)))
            await asyncio.sleep(0.1)
        await asyncio.gather(*deliveries)

    sending = asyncio.create_task(traffic())
    for replica in replicas.replicas:
        await asyncio.sleep(1.0)  # updates are flowing to both
        assert await replica.terminate() == 0, replica.log()[-3000:]
        await replica.start()
        await replica.wait_healthy()
    restarted.set()
    await sending
    sent = await telegram.wait_sent(len(chats), within=20)
    per_chat = Counter(call.chat_id for call in sent)
    assert set(per_chat) == set(chats)
    assert set(per_chat.values()) == {1}, "an update answered twice"
    assert await telegram.flood_hits() == 0
    assert all(len(r.logs) == 2 for r in replicas.replicas)
    assert not any("Traceback" in r.log() for r in replicas.replicas)
