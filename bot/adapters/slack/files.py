"""Files people share with the bot in a DM (an article for /ingest), downloaded only when a
command asks for one, with the bot token (scope files:read), and never past the limit asked."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.messages import Attachment, AttachmentTooLarge, AttachmentUnavailable

CHUNK = 64 * 1024
DOWNLOAD_TIMEOUT = 10.0


def shared_file(event: dict[str, Any], client: AsyncWebClient) -> Attachment | None:
    files = event.get("files") or []
    first = files[0] if files and isinstance(files[0], dict) else None
    if first is None:
        return None
    url = first.get("url_private_download") or first.get("url_private")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    size = first.get("size")

    async def download(limit: int) -> bytes:
        if isinstance(size, int) and size > limit:
            raise AttachmentTooLarge()
        headers = {"Authorization": f"Bearer {client.token}"}
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url, headers=headers, allow_redirects=True) as response,
            ):
                if response.status != 200:
                    raise AttachmentUnavailable(f"http_{response.status}")
                body = bytearray()
                async for chunk in response.content.iter_chunked(CHUNK):
                    body.extend(chunk)
                    if len(body) > limit:  # chunked or lying about its length: stop reading
                        raise AttachmentTooLarge()
                return bytes(body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AttachmentUnavailable(type(exc).__name__) from exc

    return Attachment(
        str(first.get("name") or "file"),
        first.get("mimetype") if isinstance(first.get("mimetype"), str) else None,
        size if isinstance(size, int) else None,
        download,
    )
