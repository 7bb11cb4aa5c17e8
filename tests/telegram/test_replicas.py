"""Telegram beside other replicas on one database: an update Telegram sends twice is answered
once whichever replicas it reaches; one replica polls and a second refuses until the first
stops or its lease runs out; a webhook with a made-up secret is one replica's, with a
configured secret any number run; stopping a webhook replica leaves the webhook set; and a
replica refuses to start beside a live one in another mode, before touching Telegram."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.base import Replicas, StartRefused
from bot.adapters.held_lease import TTL
from bot.adapters.telegram import replicas as replication
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.replicas import (
    MADE_UP_SECRET,
    POLLING_RUNS,
    POLLING_TAKEN,
    SECRET_TAKEN,
    SHARED_SECRET,
    SHARED_SECRET_RUNS,
    WEBHOOK_RUNS,
)
from bot.adapters.telegram.webhook import WEBHOOK_PATH
from bot.app import App
from bot.web import WebServer
from briefings.db import create_engine
from briefings.leases import LeaseStore
from tests.shared_database import SharedDatabase
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import BOT_ID, TOKEN, FakeBotApi
from tests.telegram.support import FAST
from tests.telegram.test_startup import check
from tests.telegram.test_webhook import free_port, post, serve

pytestmark = pytest.mark.postgresql

SECRET = "shared_-secret"
USER = 1301
POLLING = f"telegram:polling:{BOT_ID}"
# Renewal is driven by the tests (renew_once), never by the clock on the wall.
NO_BACKGROUND_RENEWAL = 3600.0


@pytest.fixture
async def shared(database_url: str) -> AsyncIterator[SharedDatabase]:
    async with SharedDatabase(database_url) as database:
        yield database


@pytest.fixture
async def adapters(app: App, fake: FakeBotApi) -> AsyncIterator[list[TelegramAdapter]]:
    """Adapters made by `replica_bot`; each stopped after the test (twice is harmless)."""
    made: list[TelegramAdapter] = []
    yield made
    for adapter in reversed(made):
        await adapter.stop()


def replica_bot(
    app: App, fake: FakeBotApi, made: list[TelegramAdapter], replicas: Replicas, **options: Any
) -> TelegramAdapter:
    """One replica's adapter, as `briefbot run` builds it (with an event log and leases)."""
    adapter = TelegramAdapter(
        app.core,
        app.health,
        app.store.topics,
        TOKEN,
        fake.base_url,
        replace(FAST, lease_renew_seconds=NO_BACKGROUND_RENEWAL, **options),
        app.metrics,
        replicas,
    )
    made.append(adapter)
    return adapter


def hook_url() -> str:
    return f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}"


async def test_an_update_sent_to_two_webhook_replicas_is_answered_once(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    urls = [hook_url(), hook_url()]  # two replicas behind one load balancer
    first, second = (
        replica_bot(
            app, fake, adapters, shared.replica(host), webhook_url=url, webhook_secret=SECRET
        )
        for host, url in zip(("a", "b"), urls, strict=True)
    )
    await first.start()
    await second.start()  # a configured secret: any number of replicas may serve the webhook
    webs: list[WebServer] = [
        await serve(app, bot, url) for bot, url in zip(adapters, urls, strict=True)
    ]
    try:
        update = json.dumps({"update_id": 7001, **tg.message(USER, "/treaty")}).encode()
        assert await post(urls[0], update, SECRET) == 200
        await fake.wait_sent(1, USER)
        assert await post(urls[1], update, SECRET) == 200  # Telegram sent it again
        assert await post(urls[0], update, SECRET) == 200  # and again, to the first
        # Another user: each replica paces its own sends here, 1/s per chat across them is
        # not this test's subject.
        later = json.dumps({"update_id": 7002, **tg.message(USER + 1, "/start")}).encode()
        assert await post(urls[1], later, SECRET) == 200
        await fake.wait_sent(1, USER + 1)
        await first.stop()  # answers what each replica took before returning
        await second.stop()
    finally:
        for web in webs:
            await web.stop()
    texts = [call.text for call in fake.sent(USER)]
    assert len(texts) == 1, texts
    assert texts[0].startswith("The partnership treaty")
    assert len(fake.sent(USER + 1)) == 1
    # A rolling restart must not deafen the other replicas: nobody deleted the webhook.
    assert fake.requests("deleteWebhook") == []
    assert fake.webhook is not None
    assert fake.webhook["url"] == urls[1]


async def test_a_second_polling_replica_refuses_until_the_first_stops(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    first = replica_bot(app, fake, adapters, shared.replica("hosta"))
    await first.start()
    with pytest.raises(StartRefused) as refused:
        await replica_bot(app, fake, adapters, shared.replica("hostb")).start()
    assert str(refused.value) == POLLING_TAKEN.format(holder="hosta:2")
    assert str(refused.value) == (
        "Telegram: another replica (hosta:2) is already polling this bot; several replicas "
        "need webhook mode (TELEGRAM_WEBHOOK_URL)"
    )
    assert first.health().state == "polling"
    await first.stop()  # a clean stop gives the lease back at once
    third = replica_bot(app, fake, adapters, shared.replica("hostc"))
    await third.start()
    assert third.health().state == "polling"
    fake.push(tg.message(USER, "/start"))
    await fake.wait_sent(1, USER)


async def test_a_dead_pollers_lease_runs_out_and_then_a_replica_starts(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    leases = shared.leases()
    # A replica that was killed: its lease stays until it expires.
    assert await leases.acquire(POLLING, "deadhost:77:abc", TTL)
    with pytest.raises(StartRefused, match=r"another replica \(deadhost:77\)"):
        await replica_bot(app, fake, adapters, shared.replica("b")).start()
    shared.clock.advance(TTL.total_seconds() + 1)
    survivor = replica_bot(app, fake, adapters, shared.replica("c"))
    await survivor.start()
    assert survivor.health().state == "polling"


async def test_a_poller_that_lost_its_lease_stops_polling_and_says_so(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    poller = replica_bot(app, fake, adapters, shared.replica("a"))
    await poller.start()
    assert poller.lease is not None
    assert await poller.lease.renew_once()  # still ours
    shared.clock.advance(TTL.total_seconds() + 1)  # the replica stalled past its lease...
    assert await shared.leases().acquire(POLLING, "other:9:x", TTL)  # ...and was replaced
    assert not await poller.lease.renew_once()
    health = poller.health()
    assert not health.ok
    assert health.state == "stopped"
    assert "taken over by other:9" in health.reason
    assert poller.application.updater is not None
    assert not poller.application.updater.running


async def test_a_made_up_webhook_secret_is_one_replicas_and_a_configured_one_is_shared(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    first = replica_bot(app, fake, adapters, shared.replica("a"), webhook_url=hook_url())
    await first.start()
    made_up = fake.webhook and fake.webhook["secret_token"]
    with pytest.raises(StartRefused) as refused:
        await replica_bot(app, fake, adapters, shared.replica("b"), webhook_url=hook_url()).start()
    assert "another replica (a:2)" in str(refused.value)
    assert "TELEGRAM_WEBHOOK_SECRET" in str(refused.value)
    assert fake.webhook is not None
    assert fake.webhook["secret_token"] == made_up, "the refused replica set no webhook"
    await first.stop()
    # With the secret configured the lease is not needed: two replicas start.
    for host in ("c", "d"):
        await replica_bot(
            app, fake, adapters, shared.replica(host), webhook_url=hook_url(), webhook_secret=SECRET
        ).start()
    assert all(adapter.health().state == "webhook" for adapter in adapters[2:])


async def test_run_exits_with_one_sentence_while_another_replica_polls(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    migrated = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:  # a live replica on another host polls this bot (real clock: it holds for minutes)
        assert await LeaseStore(engine).acquire(POLLING, "otherhost:4242:ab12cd", 20 * TTL)
    finally:
        await engine.dispose()
    done = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "run")
    assert done.returncode == 2, done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == (
        "briefbot: " + POLLING_TAKEN.format(holder="otherhost:4242")
    )
    assert "Traceback" not in done.stderr
    assert fake.requests("getUpdates") == []


async def test_a_start_that_fails_after_taking_the_lease_gives_it_back(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    fake.fail("setWebhook", 502, "Bad Gateway", times=1)
    bot = replica_bot(app, fake, adapters, shared.replica("a"), webhook_url=hook_url())
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.start()
    assert bot.lease is None
    assert await shared.leases().current(f"telegram:webhook-secret:{BOT_ID}") is None
    await bot.start()  # the supervisor's next try: the lease is taken again, and kept
    lease = await shared.leases().current(f"telegram:webhook-secret:{BOT_ID}")
    assert lease is not None
    assert lease.holder.startswith("a:")


# ----- modes that do not mix ---------------------------------------------------------------

WEBHOOK = f"telegram:webhook:{BOT_ID}:"
MODES = {
    replication.POLLING: {},
    MADE_UP_SECRET: {"webhook_url": "yes"},
    SHARED_SECRET: {"webhook_url": "yes", "webhook_secret": SECRET},
}


def mode_options(mode: str) -> dict[str, Any]:
    return {key: hook_url() if value == "yes" else value for key, value in MODES[mode].items()}


@pytest.mark.parametrize(
    ("first", "second", "refusal"),
    [
        (replication.POLLING, SHARED_SECRET, POLLING_RUNS),
        (replication.POLLING, MADE_UP_SECRET, POLLING_RUNS),
        (SHARED_SECRET, replication.POLLING, WEBHOOK_RUNS),
        (MADE_UP_SECRET, replication.POLLING, WEBHOOK_RUNS),
        (SHARED_SECRET, MADE_UP_SECRET, SHARED_SECRET_RUNS),
        (MADE_UP_SECRET, SHARED_SECRET, SECRET_TAKEN),
    ],
)
async def test_a_replica_refuses_beside_one_in_another_mode_and_takes_nothing(
    app: App,
    fake: FakeBotApi,
    shared: SharedDatabase,
    adapters: list[TelegramAdapter],
    first: str,
    second: str,
    refusal: str,
) -> None:
    running = replica_bot(app, fake, adapters, shared.replica("hosta"), **mode_options(first))
    await running.start()
    calls = len(fake.calls)
    late = replica_bot(app, fake, adapters, shared.replica("hostb"), **mode_options(second))
    with pytest.raises(StartRefused) as refused:
        await late.start()
    assert str(refused.value) == refusal.format(holder="hosta:2")
    assert late.lease is None
    # Only getMe reached Telegram: no setWebhook, deleteWebhook, getUpdates or command menu.
    # (A running poller's own getUpdates go on.)
    later = [call.method for call in fake.calls[calls:]]
    assert [method for method in later if method != "getUpdates"] == ["getMe"]
    assert first == replication.POLLING or "getUpdates" not in later
    # The refused replica took its lease and gave it back: only the first one's is left.
    holders = [view.holder for view in await shared.leases().live("telegram:")]
    assert len(holders) == 1
    assert holders[0].startswith("hosta:")
    assert running.health().ok


async def test_a_webhook_replica_refuses_beside_a_poller_which_keeps_polling(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    poller = replica_bot(app, fake, adapters, shared.replica("hosta"))
    await poller.start()
    url = hook_url()
    hook = replica_bot(
        app, fake, adapters, shared.replica("hostb"), webhook_url=url, webhook_secret=SECRET
    )
    with pytest.raises(StartRefused) as refused:
        await hook.start()
    assert str(refused.value) == (
        "Telegram: another replica (hosta:2) is polling this bot, which a webhook would cut "
        "off; stop it before starting replicas in webhook mode"
    )
    assert fake.requests("setWebhook") == []
    assert fake.webhook is None
    fake.push(tg.message(USER, "/start"))  # the poller still gets updates
    await fake.wait_sent(1, USER)
    assert poller.health().state == "polling"
    await poller.stop()  # switching modes: once the poller is gone, webhook replicas start
    await hook.start()
    assert fake.webhook is not None
    assert fake.webhook["url"] == url


async def test_a_poller_refuses_beside_a_webhook_replica_whose_webhook_stays(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    url = hook_url()
    hook = replica_bot(
        app, fake, adapters, shared.replica("hosta"), webhook_url=url, webhook_secret=SECRET
    )
    await hook.start()
    web = await serve(app, hook, url)
    try:
        with pytest.raises(StartRefused) as refused:
            await replica_bot(app, fake, adapters, shared.replica("hostb")).start()
        assert str(refused.value) == (
            "Telegram: another replica (hosta:2) serves this bot's webhook, which polling "
            "would delete; run this replica in webhook mode too (TELEGRAM_WEBHOOK_URL), or "
            "stop the webhook replicas first"
        )
        assert fake.requests("deleteWebhook") == []
        assert fake.requests("getUpdates") == []
        assert fake.webhook is not None
        assert fake.webhook["url"] == url
        assert await fake.deliver_webhook({"update_id": 7101, **tg.message(USER, "/start")}) == 200
        await fake.wait_sent(1, USER)
        assert hook.health().state == "webhook"
        await hook.stop()  # its lease goes with it: now a poller may start
    finally:
        await web.stop()
    poller = replica_bot(app, fake, adapters, shared.replica("hostc"))
    await poller.start()
    assert poller.health().state == "polling"


async def test_a_killed_webhook_replicas_lease_runs_out_and_then_a_poller_starts(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    assert await shared.leases().acquire(WEBHOOK + "deadhost:77:abc", "deadhost:77:abc", TTL)
    with pytest.raises(StartRefused, match=r"another replica \(deadhost:77\) serves"):
        await replica_bot(app, fake, adapters, shared.replica("b")).start()
    shared.clock.advance(TTL.total_seconds() + 1)
    poller = replica_bot(app, fake, adapters, shared.replica("c"))
    await poller.start()
    assert poller.health().state == "polling"


class StartingTogether:
    """Leases as two replicas starting at the same moment see them: each takes its own lease,
    then both look for the other's."""

    def __init__(self, leases: LeaseStore, barrier: asyncio.Barrier) -> None:
        self._leases = leases
        self._barrier = barrier

    async def acquire(self, name: str, holder: str, ttl: Any) -> bool:
        taken = await self._leases.acquire(name, holder, ttl)
        await self._barrier.wait()
        return taken

    def __getattr__(self, name: str) -> Any:
        return getattr(self._leases, name)


async def test_two_replicas_starting_together_in_clashing_modes_never_both_run(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    barrier = asyncio.Barrier(2)
    bots = [
        replica_bot(
            app,
            fake,
            adapters,
            replace(replica, leases=StartingTogether(shared.leases(), barrier)),
            **options,
        )
        for replica, options in (
            (shared.replica("a"), {}),
            (shared.replica("b"), {"webhook_url": hook_url(), "webhook_secret": SECRET}),
        )
    ]
    results = await asyncio.gather(*(bot.start() for bot in bots), return_exceptions=True)
    # Whichever looks last sees the other's lease. Both refuse when both look before either
    # gives its lease back; one runs when the other refused and let go before it looked.
    refused = [isinstance(result, StartRefused) for result in results]
    assert all(refused) or (sum(refused) == 1 and None in results), results
    running = [bot for bot, no in zip(bots, refused, strict=True) if not no]
    assert [bot.lease.name for bot in running if bot.lease] == [
        view.name for view in await shared.leases().live("telegram:")
    ]
    if not running or running[0] is bots[1]:
        assert fake.requests("getUpdates") == []
    if not running or running[0] is bots[0]:
        assert fake.requests("setWebhook") == []


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_run_exits_with_one_sentence_beside_a_replica_in_the_other_mode(
    tmp_path: Path, fake: FakeBotApi, mode: str
) -> None:
    migrated = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    other = "otherhost:4242:ab12cd"  # live on another host (real clock: for minutes)
    held, refusal = (
        (WEBHOOK + other, WEBHOOK_RUNS) if mode == "polling" else (POLLING, POLLING_RUNS)
    )
    try:
        assert await LeaseStore(engine).acquire(held, other, 20 * TTL)
    finally:
        await engine.dispose()
    settings = {}
    if mode == "webhook":
        settings = {"TELEGRAM_WEBHOOK_URL": hook_url(), "TELEGRAM_WEBHOOK_SECRET": SECRET}
    done = await asyncio.to_thread(check, tmp_path, fake, TOKEN, "run", **settings)
    assert done.returncode == 2, done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == (
        "briefbot: " + refusal.format(holder="otherhost:4242")
    )
    assert "Traceback" not in done.stderr
    assert [call.method for call in fake.calls] == ["getMe"]


async def test_a_webhook_replica_whose_lease_lapsed_stops_if_a_poller_started_meanwhile(
    app: App, fake: FakeBotApi, shared: SharedDatabase, adapters: list[TelegramAdapter]
) -> None:
    hook = replica_bot(
        app, fake, adapters, shared.replica("a"), webhook_url=hook_url(), webhook_secret=SECRET
    )
    await hook.start()
    assert hook.lease is not None
    lease = hook.lease
    # Renewals failed for longer than the lease (the database was away): others saw it expire.
    lease._renewed_at -= TTL.total_seconds() + 1
    assert await lease.renew_once(), "nobody in another mode started: it goes on"
    assert hook.health().state == "webhook"
    lease._renewed_at -= TTL.total_seconds() + 1
    assert await shared.leases().acquire(POLLING, "other:9:x", TTL)  # a poller started
    assert not await lease.renew_once()
    health = hook.health()
    assert health.state == "stopped"
    assert health.reason == (
        f"stopped taking updates: while lease {lease.name} had lapsed: "
        + POLLING_RUNS.format(holder="other:9")
    )
    assert await shared.leases().live(WEBHOOK) == [], "its lease was given back"
