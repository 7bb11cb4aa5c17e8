"""Metrics and logs of a bot serving Telegram and Slack at once: /metrics in Prometheus' text
format with the series the README lists, one log line per command and delivery (with its
fields in LOG_FORMAT=json), and no token or secret anywhere, in either format, in /metrics or
in an error, after commands, a flood wait, a digest and starts that failed."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.base import ChatAdapter, CredentialsRejected
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.settings import SlackSettings
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.settings import TelegramSettings
from bot.app import App, build_adapters, build_app, start_digests
from bot.config import Settings
from bot.logs import formatter
from bot.supervisor import PlatformRunner
from bot.web import build_web_app
from briefings.actors import Actor
from briefings.models import FULL, utcnow
from briefings.schedule import Schedule
from briefings.subscriptions import SubscriptionRequest
from tests.slack.factories import FORM, SIGNING_SECRET, SlackSender, signature_headers
from tests.slack.fake_web_api import BOT_TOKEN, RESPONSE, FakeSlack
from tests.telegram import fake_bot_api as tg
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi

USER = 5150
SECRETS = (TOKEN, TOKEN.split(":", 1)[1], BOT_TOKEN, SIGNING_SECRET)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[Records]:
    """Every record at every level from every logger, libraries included."""
    handler = Records()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


@dataclass
class Bot:
    app: App
    telegram: TelegramAdapter
    slack: SlackAdapter
    fake_telegram: FakeBotApi
    fake_slack: FakeSlack
    http: httpx.AsyncClient


@pytest.fixture
async def bot(tmp_path: Path, records: Records) -> AsyncIterator[Bot]:
    async with FakeBotApi() as fake_telegram:
        fake_slack = FakeSlack()
        await fake_slack.start()
        settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'bot.db'}")
        app = await build_app(
            settings,
            telegram=TelegramSettings(
                _env_file=None,
                bot_token=TOKEN,  # type: ignore[arg-type]
                api_base_url=fake_telegram.base_url,
            ),
            slack=SlackSettings(
                _env_file=None,
                bot_token=BOT_TOKEN,  # type: ignore[arg-type]
                signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
                api_base_url=fake_slack.api_url,
            ),
        )
        adapters = build_adapters(settings, app)
        telegram, slack = adapters
        assert isinstance(telegram, TelegramAdapter)
        assert isinstance(slack, SlackAdapter)
        for adapter in adapters:
            await adapter.start()
        delivery = await start_digests(app, adapters)
        web = build_web_app([r for a in adapters for r in a.routes()], app.metrics)
        transport = httpx.ASGITransport(app=web)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as http:
                yield Bot(app, telegram, slack, fake_telegram, fake_slack, http)
        finally:
            assert app.scheduler is not None
            await app.scheduler.stop()
            await delivery.stop()
            for adapter in adapters:
                await adapter.stop()
            await app.close()
            await fake_slack.close()


async def exercise(bot: Bot) -> None:
    """Commands on both platforms, a flood wait, a digest, and two starts that fail."""
    fake = bot.fake_telegram
    fake.fail("sendMessage", 429, "Too Many Requests", parameters={"retry_after": 1})
    fake.push(tg.message(USER, "/treaty"), tg.message(USER, "/add treaty Not an admin here."))
    await fake.wait_sent(2, USER, within=15)
    slack = SlackSender(bot.http)
    assert (await slack.command("/brief", "treaty", bot.fake_slack.response_url())).is_success
    await bot.fake_slack.wait_for(RESPONSE)
    unsigned = "command=%2Fbrief&text=treaty"
    forged = {"Content-Type": FORM, **signature_headers(unsigned, "wrong")}
    assert (await bot.http.post("/slack/events", content=unsigned, headers=forged)).status_code
    sub = await bot.app.subscriptions.subscribe(
        SubscriptionRequest(
            "telegram", str(USER), "private", None, Schedule(8, 0, "UTC"), (), FULL
        ),
        Actor.system("tester"),
    )
    delivery_slot = utcnow() - dt.timedelta(minutes=2)
    assert bot.app.scheduler is not None
    assert await bot.app.scheduler.delivery.deliver(sub.id, delivery_slot) == "sent"

    wrong_telegram = TelegramAdapter(
        bot.app.core, bot.app.health, bot.app.store.topics, "999:x" + TOKEN, fake.base_url
    )
    for adapter in (wrong_telegram, _wrong_slack(bot)):
        runner = PlatformRunner(adapter)
        runner.begin()
        await runner.settled.wait()
        assert runner.refused is not None
        assert not any(secret in runner.refused for secret in SECRETS)
    with pytest.raises(CredentialsRejected) as refused:
        await wrong_telegram.start()
    assert not any(secret in str(refused.value) for secret in SECRETS)


def _wrong_slack(bot: Bot) -> ChatAdapter:
    settings = SlackSettings(
        _env_file=None,
        bot_token=BOT_TOKEN + "-revoked",  # type: ignore[arg-type]
        signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        api_base_url=bot.fake_slack.api_url,
    )
    return SlackAdapter(bot.app.core, bot.app.health, settings)


async def test_metrics_parse_and_carry_every_series(bot: Bot) -> None:
    await exercise(bot)
    text = (await bot.http.get("/metrics")).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name, kind in {
        "briefbot_commands": "counter",
        "briefbot_command_duration_seconds": "histogram",
        "briefbot_messages_sent": "counter",
        "briefbot_platform_errors": "counter",
        "briefbot_rate_limited": "counter",
        "briefbot_digest_deliveries": "counter",
        "briefbot_digest_lag_seconds": "histogram",
        "briefbot_digest_queue_depth": "gauge",
        "briefbot_scheduled_jobs": "gauge",
        "process_cpu_seconds": "counter",
        "python_info": "gauge",
    }.items():
        assert families[name].type == kind, name
        assert families[name].documentation, name
        assert f"# HELP {name}" in text
        assert f"# TYPE {name}" in text

    def value(family: str, sample: str, **labels: str) -> float:
        found = [
            s.value
            for s in families[family].samples
            if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
        ]
        return sum(found)

    assert value("briefbot_commands", "briefbot_commands_total", platform="telegram",
                 command="topic", outcome="ok") == 1  # fmt: skip
    assert value("briefbot_commands", "briefbot_commands_total", platform="telegram",
                 command="add", outcome="refused") == 1  # fmt: skip
    assert value("briefbot_commands", "briefbot_commands_total", platform="slack",
                 command="topic", outcome="ok") == 1  # fmt: skip
    timed = value("briefbot_command_duration_seconds", "briefbot_command_duration_seconds_count")
    assert timed == 3
    assert value("briefbot_messages_sent", "briefbot_messages_sent_total", platform="telegram") >= 3
    assert value("briefbot_messages_sent", "briefbot_messages_sent_total", platform="slack") == 1
    assert value("briefbot_rate_limited", "briefbot_rate_limited_total", platform="telegram") == 1
    assert value("briefbot_digest_deliveries", "briefbot_digest_deliveries_total",
                 outcome="sent") == 1  # fmt: skip
    lag_count = value("briefbot_digest_lag_seconds", "briefbot_digest_lag_seconds_count")
    lag_sum = value("briefbot_digest_lag_seconds", "briefbot_digest_lag_seconds_sum")
    assert lag_count == 1
    assert 100 <= lag_sum <= 600  # the slot was two minutes ago
    assert value("briefbot_scheduled_jobs", "briefbot_scheduled_jobs") >= 0


async def test_logs_and_metrics_never_show_a_secret(bot: Bot, records: Records) -> None:
    await exercise(bot)
    metrics = (await bot.http.get("/metrics")).text
    text, as_json = formatter("text", SECRETS), formatter("json", SECRETS)
    lines = [text.format(r) for r in records.records] + [as_json.format(r) for r in records.records]
    assert len(records.records) > 20
    raw = [r.getMessage() for r in records.records]  # before any formatter's redaction
    everything = "\n".join([*lines, *raw, metrics])
    for secret in SECRETS:
        assert secret not in everything

    parsed = [json.loads(line) for line in lines[len(records.records) :]]
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in parsed)
    commands = [e for e in parsed if e["logger"] == "bot.commands"]
    assert {(e["chat"], e["command"], e["outcome"]) for e in commands} == {
        (f"telegram:{USER}", "topic", "ok"),
        (f"telegram:{USER}", "add", "refused"),
        ("slack:C0CHANNEL", "topic", "ok"),
    }
    assert all(isinstance(e["latency_ms"], float) and e["level"] == "INFO" for e in commands)
    [digest] = [e for e in parsed if e["logger"] == "bot.digests"]
    assert (digest["chat"], digest["command"], digest["outcome"]) == (
        f"telegram:{USER}",
        "digest",
        "sent",
    )
    assert digest["latency_ms"] >= 0
    refused = [e for e in parsed if e["logger"] == "bot.supervisor"]
    assert {e["message"] for e in refused} == {
        "Telegram rejected TELEGRAM_BOT_TOKEN; telegram stays stopped",
        "Slack rejected SLACK_BOT_TOKEN: invalid_auth; slack stays stopped",
    }


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_formatter_blanks_secrets_a_library_logs(fmt: str) -> None:
    """The last line of defence: a logger without the Telegram filter, quoting a token in its
    message, its arguments and its traceback."""
    try:
        raise RuntimeError(f"request to /bot{TOKEN}/getMe failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "some.library", logging.ERROR, __file__, 1, "headers %s, secret " + SIGNING_SECRET,
            ({"Authorization": f"Bearer {BOT_TOKEN}"},), (type(exc), exc, exc.__traceback__),
        )  # fmt: skip
    line = formatter(fmt, SECRETS).format(record)
    for secret in SECRETS:
        assert secret not in line
    assert line.count("<redacted>") >= 3
    assert "RuntimeError" in line  # the traceback is still there, without the token
    if fmt == "json":
        assert json.loads(line)["logger"] == "some.library"
