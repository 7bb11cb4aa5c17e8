"""Which links the bot may fetch, decided before a byte is sent: the URL's form (http or https,
no credentials, at most 2,000 characters, IDN hosts in their ASCII form) and every address its
host stands for (public unicast only, unless private addresses are allowed). A refusal is a
`FetchRefused` whose `reason` is a key of `FETCH_REASONS`, the sentence a user is shown."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host (ASCII, no brackets) -> the addresses it stands for, as text ("192.0.2.7", "2001:db8::1").
Resolver = Callable[[str], Awaitable[Sequence[str]]]

MAX_URL_LENGTH = 2000

FETCH_REASONS: dict[str, str] = {
    "bad_url": "That does not look like a web link.",
    "too_long": "That link is longer than 2,000 characters.",
    "scheme": "Only http and https links can be fetched.",
    "credentials": "Links with a user name or password in them are not fetched.",
    "unknown_host": "I could not find a site with that name.",
    "private": "That link points to a private or local address, which I don't fetch.",
    "unreachable": "I could not reach that site.",
    "timeout": "The site did not answer within {seconds:g} seconds.",
    "status": "The site answered with an error (HTTP {status}).",
    "redirects": "That link redirects too many times.",
    "too_large": "That page is over {limit}.",
    "not_text": "That link is not a web page or a text file.",
    "garbled": "The site sent the page in a form I could not read.",
}

# Hosts made only of these characters may be an IPv4 address in a spelling that resolvers
# accept and `ipaddress` does not: 2130706433, 0x7f.1, 0177.0.0.1, 127.1.
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
# What a host name may hold once httpx has lower-cased it and turned IDN labels into punycode;
# anything else ("%31", "!") means nothing to a resolver, or something different to each one.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


class FetchRefused(Exception):
    """Why a link was not fetched: `reason` is a key of FETCH_REASONS, `details` fill its
    placeholders (`seconds`, `status`, `limit`)."""

    def __init__(self, reason: str, **details: object) -> None:
        if reason not in FETCH_REASONS:
            raise ValueError(f"unknown fetch refusal reason {reason!r}")
        super().__init__(reason)
        self.reason = reason
        self.details = details

    @property
    def sentence(self) -> str:
        return FETCH_REASONS[self.reason].format(**self.details)


@dataclass(frozen=True)
class Target:
    """A link that passed the form checks. `host` is ASCII (punycode for IDN names), the name
    for DNS, the Host header and TLS; `literal` is set when the link names an address."""

    url: httpx.URL
    host: str
    literal: IPAddress | None


def check_url(raw: str) -> Target:
    """The link's form, without any network access. Raises FetchRefused only."""
    text = raw.strip()
    if len(text) > MAX_URL_LENGTH:
        raise FetchRefused("too_long")
    try:
        url = httpx.URL(text)
        host = url.raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError):  # UnicodeError and idna's errors are ValueErrors
        raise FetchRefused("bad_url") from None
    if url.scheme not in {"http", "https"}:
        raise FetchRefused("scheme")
    if url.userinfo:
        raise FetchRefused("credentials")
    if url.port is not None and not 0 < url.port < 65536:
        raise FetchRefused("bad_url")
    literal = _literal_address(host)
    if literal is None and not _HOST_NAME.fullmatch(host):
        raise FetchRefused("bad_url")
    return Target(url, host, literal)


def _literal_address(host: str) -> IPAddress | None:
    try:
        return _unmapped(ipaddress.ip_address(host))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):
        try:
            # The same rules getaddrinfo applies to such names, so the check sees what a
            # resolver would connect to.
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:a.b.c.d is checked, and connected to, as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address. `is_global` is the base; the explicit checks cover
    what it lets through (multicast, reserved ranges) and differences between Python versions.
    IPv6 forms that carry an IPv4 address (mapped, 6to4) are judged by that address as well;
    NAT64 (64:ff9b::/96) falls in the reserved ::/8 and is refused whole."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = (address.ipv4_mapped, address.sixtofour)
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def system_resolver(host: str) -> list[str]:
    """The operating system's resolver (hosts file, DNS), without blocking the loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def checked_addresses(
    target: Target, resolver: Resolver, *, allow_private: bool
) -> list[IPAddress]:
    """Every address the host stands for, each checked; the caller connects to these and never
    asks the resolver again, so a second answer (DNS rebinding) cannot slip past the check."""
    if target.literal is not None:
        found = [target.literal]
    else:
        try:
            answers = await resolver(target.host)
            found = [_unmapped(ipaddress.ip_address(answer)) for answer in answers]
        except (OSError, ValueError):  # gaierror is an OSError; a label too long a ValueError
            raise FetchRefused("unknown_host") from None
    if not found:
        raise FetchRefused("unknown_host")
    if not allow_private and not all(is_public(address) for address in found):
        raise FetchRefused("private")
    return list(dict.fromkeys(found))
