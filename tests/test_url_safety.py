"""Which links /ingest may fetch: the URL's form and every address its host stands for, decided
without any network access (the resolver is a test double or the hosts file)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.url_safety import (
    FETCH_REASONS,
    MAX_URL_LENGTH,
    FetchRefused,
    check_url,
    checked_addresses,
    is_public,
    system_resolver,
)


def answers(*addresses: str) -> object:
    async def resolve(host: str) -> Sequence[str]:
        assert host == "news.example"
        return addresses

    return resolve


async def no_dns(host: str) -> Sequence[str]:
    raise AssertionError(f"an address in the URL was looked up: {host}")


def refused(reason: str) -> object:
    return pytest.raises(FetchRefused, match=f"^{reason}$")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://news.example/article.txt",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "gopher://news.example/",
        "news.example/article",  # no scheme at all
    ],
)
def test_only_http_and_https(url: str) -> None:
    with refused("scheme"):
        check_url(url)


@pytest.mark.parametrize(
    "url", ["http://user:pass@news.example/", "https://user@news.example/a", "http://:x@n.example/"]
)
def test_credentials_in_the_url_are_refused(url: str) -> None:
    with refused("credentials"):
        check_url(url)


def test_length_limit_is_2000_characters() -> None:
    base = "https://news.example/"
    assert check_url(base + "a" * (MAX_URL_LENGTH - len(base))).host == "news.example"
    with refused("too_long"):
        check_url(base + "a" * (MAX_URL_LENGTH - len(base) + 1))


@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "http:///path",
        "http://[::1/",
        "http://exa mple.com/",
        "http://127.0.0.%31/",
        "http://news.example:99999/",
        "http://news.example:0/",
        "http://0177.0.0.1/",  # httpx takes a dotted quad as decimal and refuses leading zeros
    ],
)
def test_malformed_links_are_refused(url: str) -> None:
    with refused("bad_url"):
        check_url(url)


def test_idn_hosts_become_punycode_and_whitespace_is_trimmed() -> None:
    target = check_url("  https://Bücher.example/Straße?q=1 \n")
    assert target.host == "xn--bcher-kva.example"
    assert str(target.url) == "https://xn--bcher-kva.example/Stra%C3%9Fe?q=1"
    assert target.literal is None


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://2130706433/", "127.0.0.1"),  # decimal
        ("http://0x7f.1/", "127.0.0.1"),  # hex, short form
        ("http://0x7F000001/", "127.0.0.1"),
        ("http://0177.1/", "127.0.0.1"),  # octal
        ("http://127.1/", "127.0.0.1"),
        ("http://0/", "0.0.0.0"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),  # IPv4-mapped IPv6 is judged as IPv4
        ("http://[::ffff:a9fe:a9fe]/", "169.254.169.254"),
    ],
)
def test_other_spellings_of_an_ipv4_address_are_normalised(url: str, address: str) -> None:
    assert check_url(url).literal == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.1/",
        "http://0.0.0.0/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://172.31.255.255/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://224.0.0.1/",  # multicast, which is_global alone lets through
        "http://240.0.0.1/",  # reserved
        "http://255.255.255.255/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[ff02::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::127.0.0.1]/",  # IPv4-compatible, deprecated
        "http://[2002:7f00:1::]/",  # 6to4 carrying 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 carrying 169.254.169.254
        "http://[64:ff9b::808:808]/",  # NAT64 at all: inside the reserved ::/8
    ],
)
async def test_non_public_literal_addresses_are_refused(url: str) -> None:
    target = check_url(url)
    with refused("private"):
        await checked_addresses(target, no_dns, allow_private=False)
    assert await checked_addresses(target, no_dns, allow_private=True)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "resolved",
    [
        ["127.0.0.1"],
        ["93.184.216.34", "10.0.0.7"],  # every address counts, not just the first
        ["::ffff:169.254.169.254"],
        ["fe80::1%2"],
    ],
)
async def test_a_public_looking_name_resolving_to_a_private_address_is_refused(
    resolved: list[str],
) -> None:
    with refused("private"):
        await checked_addresses(
            check_url("https://news.example/"), answers(*resolved), allow_private=False
        )


async def test_checked_addresses_are_returned_once_each_in_resolver_order() -> None:
    found = await checked_addresses(
        check_url("https://news.example/"),
        answers("93.184.216.34", "2606:2800:220:1::", "93.184.216.34"),
        allow_private=False,
    )
    assert [str(a) for a in found] == ["93.184.216.34", "2606:2800:220:1::"]


async def test_names_that_do_not_resolve() -> None:
    async def gaierror(host: str) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    target = check_url("https://news.example/")
    for resolver in (gaierror, answers()):
        with refused("unknown_host"):
            await checked_addresses(target, resolver, allow_private=False)  # type: ignore[arg-type]


async def test_the_system_resolver_sees_localhost_as_loopback() -> None:
    target = check_url("http://localhost:8080/")
    with refused("private"):
        await checked_addresses(target, system_resolver, allow_private=False)


def test_every_reason_has_a_sentence() -> None:
    details = {"seconds": 10.0, "status": 404, "limit": "5 MB"}
    for reason in FETCH_REASONS:
        sentence = FetchRefused(reason, **details).sentence
        assert sentence.endswith("."), reason
        assert "{" not in sentence, reason
    assert FetchRefused("timeout", seconds=10.0).sentence == (
        "The site did not answer within 10 seconds."
    )
    assert FetchRefused("status", status=503).sentence.endswith("(HTTP 503).")
    with pytest.raises(ValueError, match="nonsense"):
        FetchRefused("nonsense")


# Every code point, with URL punctuation and lone surrogates (which cannot be encoded: httpx.URL
# raises UnicodeEncodeError on one in a path) drawn often enough to matter. Joined from lists
# because st.text() draws surrogates only rarely.
ANY_TEXT = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),
        st.characters(categories=["Cs"]),
        st.sampled_from(":/@[]%.?#\\0x"),
    ),
    max_size=60,
).map("".join)
URLISH = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "HTTP", "ftp", "", "javascript"]),
    st.one_of(
        st.sampled_from(["news.example", "[::1]", "0x7f.1", "u:p@news.example", "bücher.example"]),
        ANY_TEXT,
    ),
    ANY_TEXT,
)


@given(st.one_of(ANY_TEXT, URLISH))
def test_check_url_refuses_but_never_crashes(raw: str) -> None:
    try:
        target = check_url(raw)
    except FetchRefused:  # its constructor accepts only FETCH_REASONS keys
        return
    assert target.url.scheme in {"http", "https"}
    assert not target.url.userinfo
    assert target.host.isascii()
    assert target.host
    assert len(raw.strip()) <= MAX_URL_LENGTH
