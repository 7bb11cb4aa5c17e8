"""`briefbot check` for Slack: does the Web API accept SLACK_BOT_TOKEN (auth.test), and
SLACK_APP_TOKEN when Socket Mode is configured (apps.connections.open)?"""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.settings import SlackSettings

TIMEOUT = 10  # seconds per call


async def check_token(settings: SlackSettings) -> tuple[bool, str]:
    """(accepted, what was found), never quoting a token."""
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(
            token=settings.secret("bot_token"),
            base_url=settings.api_base_url,
            session=session,
            timeout=TIMEOUT,
        )
        setting = "SLACK_BOT_TOKEN"
        try:
            identity = await client.auth_test()
            found = f"token accepted for {identity.get('user')} in {identity.get('team')}"
            if settings.secret("app_token"):
                setting = "SLACK_APP_TOKEN"
                await client.apps_connections_open(app_token=settings.secret("app_token"))
                return True, found + "; Socket Mode (SLACK_APP_TOKEN accepted)"
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            return (
                False,
                f"Slack rejected {setting}: {data.get('error') or exc.response.status_code}",
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            return (
                False,
                f"cannot reach the Web API at {settings.api_base_url}: {type(exc).__name__}",
            )
    if not settings.secret("signing_secret"):
        return False, found + "; HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN)"
    return True, found + "; HTTP mode on /slack/events"
