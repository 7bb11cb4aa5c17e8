"""Fetching an article by URL for `/ingest <url>`: one page, within a time and size budget, from
public addresses only (`bot/url_safety.py` decides which links and addresses are allowed).

How the address checks hold:
- The host is resolved once per hop and every address it returns is checked; the request then
  goes to a checked address (the URL is rewritten to it) with the original name in the Host
  header, as the TLS SNI (httpcore's `sni_hostname` request extension) and for certificate
  verification. httpx never resolves the name itself, so a DNS answer that changes between
  the check and the connection (DNS rebinding) is never used.
- Redirects are followed here, not by httpx, so each new location passes the same checks
  before it is requested.
- Proxy variables and .netrc are ignored (`trust_env=False`): a proxy would resolve the name
  again, out of our sight. Keep-alive is off, so no connection made for one name is reused for
  another name on the same address.
- The whole fetch (resolving, connecting, every redirect, the body) shares one deadline, and
  the body is read in chunks and dropped as soon as it passes `max_bytes` (gzip is decoded with
  a bounded output, so a small compressed chunk cannot expand past the limit)."""

from __future__ import annotations

import asyncio
import email.message
import zlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import unquote

import httpx

from bot.url_safety import (
    FETCH_REASONS,
    FetchRefused,
    IPAddress,
    Resolver,
    Target,
    check_url,
    checked_addresses,
    system_resolver,
)

__all__ = ["FETCH_REASONS", "FetchPolicy", "FetchRefused", "FetchedArticle", "fetch_article"]

TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
# A body without a content type is taken as text when its start has no control bytes
# besides whitespace and escape; binary formats have plenty of them early on.
_SNIFF_BYTES = 8192
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")
_CONTROLS = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"
# Largest piece of decompressed body produced at a time (a network read is at most 64 KB too).
_STEP = 64 * 1024


def _user_agent() -> str:
    try:
        own = version("briefbot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        own = "0"
    return f"briefbot/{own} (+article fetch)"


HEADERS = {
    "User-Agent": _user_agent(),
    "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8",
    "Accept-Encoding": "gzip",
}


@dataclass(frozen=True)
class FetchedArticle:
    url: str  # after redirects, ASCII (IDN hosts in punycode)
    body: bytes  # decoded from any transfer compression, at most max_bytes
    content_type: str | None  # the header as sent, charset included; None when absent
    filename: str | None  # from Content-Disposition, else the URL's last path segment


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # seconds for the whole fetch, redirects and body included
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False  # tests and intranets: INGEST_ALLOW_PRIVATE_URLS
    resolver: Resolver = field(default=system_resolver)


async def fetch_article(url: str, *, policy: FetchPolicy) -> FetchedArticle:
    """The page at `url`, or FetchRefused saying why not. Nothing else escapes."""
    try:
        async with asyncio.timeout(policy.timeout):
            return await _fetch(url, policy)
    except (TimeoutError, httpx.TimeoutException):
        raise FetchRefused("timeout", seconds=policy.timeout) from None
    except (httpx.TransportError, httpx.InvalidURL):
        raise FetchRefused("unreachable") from None


async def _fetch(url: str, policy: FetchPolicy) -> FetchedArticle:
    target = check_url(url)
    async with httpx.AsyncClient(
        headers=HEADERS,
        timeout=policy.timeout,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:
        for _ in range(policy.max_redirects + 1):
            addresses = await checked_addresses(
                target, policy.resolver, allow_private=policy.allow_private
            )
            response = await _send(client, target, addresses)
            try:
                if response.is_redirect:
                    target = _next_target(target, response.headers["Location"])
                    continue
                if not response.is_success:
                    raise FetchRefused("status", status=response.status_code)
                return await _article(target, response, policy.max_bytes)
            finally:
                await response.aclose()
    raise FetchRefused("redirects")


async def _send(
    client: httpx.AsyncClient, target: Target, addresses: list[IPAddress]
) -> httpx.Response:
    """Sends the request to the first checked address that accepts a connection."""
    extensions = {"sni_hostname": target.host} if target.literal is None else {}
    for address in addresses:
        request = client.build_request(
            "GET",
            target.url.copy_with(host=str(address)),
            headers={"Host": target.url.netloc.decode("ascii")},
            extensions=extensions,
        )
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError:
            continue
    raise FetchRefused("unreachable")


def _next_target(current: Target, location: str) -> Target:
    try:
        joined = current.url.join(location)
    except (httpx.InvalidURL, ValueError):
        raise FetchRefused("bad_url") from None
    return check_url(str(joined))


async def _article(target: Target, response: httpx.Response, max_bytes: int) -> FetchedArticle:
    content_type = response.headers.get("Content-Type")
    media_type = content_type.split(";", 1)[0].strip().lower() if content_type else ""
    # A declared type is judged before the body is read; a missing one by the body itself.
    if media_type and media_type not in TEXT_TYPES:
        raise FetchRefused("not_text")
    body = await _read_capped(response, max_bytes)
    if not media_type and any(b in _CONTROLS for b in body[:_SNIFF_BYTES]):
        raise FetchRefused("not_text")
    return FetchedArticle(
        url=str(target.url),
        body=body,
        content_type=content_type or None,
        filename=_filename(response.headers.get("Content-Disposition"), target.url),
    )


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    too_large = FetchRefused("too_large", limit=_size(max_bytes))
    encoding = _encoding(response)
    declared = response.headers.get("Content-Length", "")
    # Compressed, the declared length says little about the page's size; the loop decides.
    if declared.isdigit() and int(declared) > max_bytes and not encoding:
        raise too_large
    inflate = _inflater(encoding)
    body = bytearray()
    async for received in response.aiter_raw():
        pending = received
        while pending:
            if inflate is None:
                piece, pending = pending, b""
            else:
                try:
                    # A bounded step: 64 KB of compressed zeros would expand to 64 MB at once.
                    piece = inflate.decompress(pending, _STEP)
                except zlib.error:
                    raise FetchRefused("garbled") from None
                pending = inflate.unconsumed_tail
            body += piece
            if len(body) > max_bytes:
                raise too_large
    return bytes(body)


def _encoding(response: httpx.Response) -> str:
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    return "" if encoding == "identity" else encoding


def _inflater(encoding: str) -> zlib._Decompress | None:
    if not encoding:
        return None
    if encoding in {"gzip", "x-gzip", "deflate"}:
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    raise FetchRefused("garbled")  # we asked for gzip only; br, zstd or a chain of them


def _filename(disposition: str | None, url: httpx.URL) -> str | None:
    name: str | None = None
    if disposition:
        header = email.message.Message()
        header["Content-Disposition"] = disposition
        # get_filename decodes RFC 2231 forms (filename*=UTF-8''...).
        name = header.get_filename()
    if not name:
        name = unquote(url.path.rsplit("/", 1)[-1])
    # Only a name: no directories, no control characters, a length a file system accepts.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:255]
    return name if name not in {"", ".", ".."} else None


def _size(count: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"
