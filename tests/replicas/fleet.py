"""Several replicas of the bot on one database behind one round-robin proxy, and the settings
that put them in the modes replicas need: Telegram webhook mode (every replica told the proxy's
URL and the same secret) and Slack HTTP mode (events arrive at the proxy)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from bot.adapters.telegram.webhook import WEBHOOK_PATH
from tests.replicas.proxy import RoundRobinProxy
from tests.replicas.replica import Replica
from tests.slack.factories import SIGNING_SECRET
from tests.slack.fake_web_api import BOT_TOKEN as SLACK_TOKEN
from tests.telegram.fake_bot_api import TOKEN as TELEGRAM_TOKEN

WEBHOOK_SECRET = "shared-webhook-secret"


def telegram_webhook_env(api_base_url: str, proxy_url: str, admins: str = "") -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_BASE_URL": api_base_url,
        "TELEGRAM_WEBHOOK_URL": proxy_url + WEBHOOK_PATH,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_ADMIN_IDS": admins,
    }


def slack_http_env(api_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": api_url,
        "SLACK_APP_TOKEN": "",  # HTTP mode, not Socket Mode
    }


class Fleet:
    def __init__(self, folder: Path, database_url: str, proxy: RoundRobinProxy) -> None:
        self.folder = folder
        self.database_url = database_url
        self.proxy = proxy
        self.replicas: list[Replica] = []

    def add(self, count: int, env: dict[str, str]) -> list[Replica]:
        """New replicas (not started) behind the proxy."""
        added = [
            Replica(
                f"replica{len(self.replicas) + n}",
                self.folder,
                {"DATABASE_URL": self.database_url, **env},
            )
            for n in range(count)
        ]
        self.replicas.extend(added)
        self.proxy.ports.extend(r.port for r in added)
        return added

    async def start(self, replicas: list[Replica] | None = None) -> None:
        """Starts them all at once and waits until each serves /healthz."""
        chosen = self.replicas if replicas is None else replicas
        for replica in chosen:
            await replica.start()
        await asyncio.gather(*(r.wait_healthy() for r in chosen))

    def by_pid(self, pid: int) -> Replica:
        [found] = [r for r in self.replicas if r.running and r.pid == pid]
        return found

    async def close(self) -> None:
        for replica in self.replicas:
            await replica.kill()


@contextlib.asynccontextmanager
async def fleet(folder: Path, database_url: str) -> AsyncIterator[Fleet]:
    proxy = await RoundRobinProxy().start()
    group = Fleet(folder, database_url, proxy)
    try:
        yield group
    finally:
        await group.close()
        await proxy.stop()
