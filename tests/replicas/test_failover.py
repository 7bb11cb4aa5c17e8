"""What replicas must do together beyond sharing a database: handle a platform's redelivery to
another replica once (shared de-duplication of Slack event ids and Telegram update ids), let
one leader deliver digests at the pace Telegram allows all of them together, and hand
delivery over when that leader is killed, without sending any digest twice."""

from __future__ import annotations

import time
from collections import Counter

from briefings.db import create_engine
from tests.replicas.due import just_passed, subscribe_chats
from tests.replicas.fleet import WEBHOOK_SECRET, Fleet, slack_http_env, telegram_webhook_env
from tests.replicas.senders import SlackEvents, TelegramWebhook
from tests.slack.factories import direct_message
from tests.slack.fake_web_api import FakeSlack
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import FakeBotApiApart

ASKER = 6000
FIRST_CHAT = 700_000
FAN_OUT = 300  # ten seconds at Telegram's 30 messages/s
LEASE_SECONDS = 5  # short, so a takeover fits in a test; the default is about 15 s


async def test_a_slack_event_retried_to_the_other_replica_is_answered_once(
    replicas: Fleet, slack: FakeSlack
) -> None:
    first, second = replicas.add(2, slack_http_env(slack.api_url))
    await replicas.start()
    events = SlackEvents(replicas.proxy.url)
    asked = direct_message("treaty")
    assert await events.post(asked, "EvRETRIED", base_url=first.url) == 200
    # Slack thought the first ack too slow and retries; the load balancer picks the other.
    assert await events.post(asked, "EvRETRIED", base_url=second.url, retry_num=1) == 200
    later = direct_message("reactions", user="ULATER")
    assert await events.post(later, "EvLATER", base_url=second.url) == 200
    await slack.wait_for("chat.postMessage", 2, within=10)
    # The message text, not its buttons: the second answer offers the treaty as a button.
    posted = [str(call.params.get("text", "")) for call in slack.called("chat.postMessage")]
    assert sum(text.startswith("The partnership treaty") for text in posted) == 1, posted
    assert len(posted) == 2


async def test_a_telegram_update_redelivered_to_the_other_replica_is_answered_once(
    replicas: Fleet, telegram: FakeBotApiApart
) -> None:
    first, second = replicas.add(2, telegram_webhook_env(telegram.base_url, replicas.proxy.url))
    await replicas.start()
    hook = TelegramWebhook(replicas.proxy.url, WEBHOOK_SECRET)
    update = hook.numbered(tg.message(ASKER, "/treaty"))
    assert await hook.post(update, first.url) == 200
    # Telegram did not see the 200 (a timeout) and delivers the same update_id again.
    assert await hook.post(update, second.url) == 200
    # The same chat's next update is handled after it: once answered, the retry is settled.
    await hook.deliver(tg.message(ASKER, "/start"), second.url)
    sent = await telegram.wait_sent(2, ASKER, within=10)
    assert sum(call.text.startswith("The partnership treaty") for call in sent) == 1
    assert len(sent) == 2


async def test_two_replicas_deliver_a_fan_out_once_within_telegrams_limits(
    replicas: Fleet, telegram: FakeBotApiApart
) -> None:
    chats = await subscribe_chats(replicas.database_url, FIRST_CHAT, FAN_OUT, just_passed())
    replicas.add(2, telegram_webhook_env(telegram.base_url, replicas.proxy.url))
    await replicas.start()  # both catch up on the slot: both find every digest due
    sent = await telegram.wait_sent(FAN_OUT, within=60)
    per_chat = Counter(call.chat_id for call in sent)
    assert per_chat == Counter(chats), "each chat gets its digest exactly once"
    assert await telegram.flood_hits() == 0, "the replicas together stayed within 30 messages/s"


async def claims_by_pid(database_url: str) -> Counter[int]:
    """Which process claimed each digest: the ledger's worker names are host:pid:tag."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.exec_driver_sql("SELECT claimed_by FROM deliveries")
            return Counter(int(name.split(":")[1]) for (name,) in rows)
    finally:
        await engine.dispose()


async def test_killing_the_delivering_replica_hands_the_fan_out_over(
    replicas: Fleet, telegram: FakeBotApiApart
) -> None:
    chats = await subscribe_chats(replicas.database_url, FIRST_CHAT, FAN_OUT, just_passed())
    env = telegram_webhook_env(telegram.base_url, replicas.proxy.url)
    replicas.add(2, {**env, "DIGEST_LEASE_SECONDS": str(LEASE_SECONDS)})
    await replicas.start()
    await telegram.wait_sent(FAN_OUT // 3, within=30)
    [(leader_pid, _)] = (await claims_by_pid(replicas.database_url)).most_common(1)
    leader = replicas.by_pid(leader_pid)
    await leader.kill()
    killed = time.monotonic()
    sent = await telegram.wait_sent(FAN_OUT, within=60)
    per_chat = Counter(call.chat_id for call in sent)
    assert per_chat == Counter(chats), "no digest lost, none sent twice"
    resumed = min(call.at for call in sent if call.at > killed)
    # The survivor takes the lease once it runs out: allow it one renewal period's slack.
    assert resumed - killed <= LEASE_SECONDS * 1.5 + 2
    [survivor] = [r for r in replicas.replicas if r is not leader]
    assert survivor.running
    assert "Traceback" not in survivor.log()
