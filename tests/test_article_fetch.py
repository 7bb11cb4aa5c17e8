"""fetch_article against servers on 127.0.0.1 that misbehave on purpose. A resolver double maps
public-looking names to the test server, so no test touches DNS or the network."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import ssl
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import certifi
import pytest

from bot import article_fetch
from bot.article_fetch import FetchedArticle, FetchPolicy, FetchRefused, fetch_article
from bot.config import Settings
from bot.url_safety import IPAddress, Resolver, Target
from tests.raw_http import Handler, RawServer, head, redirect, respond

TLS = Path(__file__).parent / "fixtures" / "tls"
PAGE = b"<html><body><p>The treaty was signed on Wednesday.</p></body></html>"
HTML = ("Content-Type", "text/html; charset=utf-8")
SIX_MB = 6 * 1024 * 1024


class Names:
    """A resolver double: each name's answers, and every name it was asked for."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


def local(resolver: Resolver | None = None, **overrides: float) -> FetchPolicy:
    """The policy for the success paths: the test server lives on loopback."""
    resolver = resolver or Names({"news.example": ["127.0.0.1"]})
    return FetchPolicy(allow_private=True, resolver=resolver, timeout=overrides.get("timeout", 5.0))


async def fetch(server: RawServer, path: str, policy: FetchPolicy | None = None) -> FetchedArticle:
    return await fetch_article(server.url(path, host="news.example"), policy=policy or local())


async def refusal(url: str, policy: FetchPolicy) -> str:
    with pytest.raises(FetchRefused) as caught:
        await fetch_article(url, policy=policy)
    return caught.value.reason


def chunked(total: int | None, content_type: str = "text/plain") -> Handler:
    """A chunked body of `total` bytes, or one that never ends (None)."""
    block = b"a" * 65536

    async def handler(writer: asyncio.StreamWriter) -> None:
        writer.write(
            head(headers=[("Content-Type", content_type), ("Transfer-Encoding", "chunked")])
        )
        sent = 0
        while total is None or sent < total:
            writer.write(b"%x\r\n%s\r\n" % (len(block), block))
            sent += len(block)
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return handler


async def trickle(writer: asyncio.StreamWriter) -> None:
    """Headers at once, then a byte every 50 ms: no single read ever waits long."""
    writer.write(head(headers=[HTML, ("Content-Length", "1000")]))
    for _ in range(1000):
        writer.write(b"a")
        await writer.drain()
        await asyncio.sleep(0.05)


@pytest.fixture
def news_example_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lets the test server's name count as public, so a redirect away from it meets the real
    checks with private addresses refused. Every other host goes through them unchanged."""
    real = article_fetch.checked_addresses

    async def checked(
        target: Target, resolver: Resolver, *, allow_private: bool
    ) -> list[IPAddress]:
        if target.host == "news.example":
            return [ipaddress.ip_address("127.0.0.1")]
        return await real(target, resolver, allow_private=allow_private)

    monkeypatch.setattr(article_fetch, "checked_addresses", checked)


async def test_a_page_is_fetched_with_honest_headers() -> None:
    routes = {
        "/2024/06/visit.html": respond(
            headers=[HTML, ("Content-Length", str(len(PAGE)))], body=PAGE
        )
    }
    async with RawServer(routes) as server:
        article = await fetch(server, "/2024/06/visit.html")
    assert article == FetchedArticle(
        url=server.url("/2024/06/visit.html", host="news.example"),
        body=PAGE,
        content_type="text/html; charset=utf-8",
        filename="visit.html",
    )
    (request,) = server.received
    assert request.headers["user-agent"].startswith("briefbot/")
    assert request.headers["user-agent"].endswith(" (+article fetch)")
    assert request.headers["accept"].startswith("text/html")
    assert request.headers["host"] == f"news.example:{server.port}"


async def test_a_public_name_that_resolves_to_loopback_is_refused() -> None:
    names = Names({"news.example": ["127.0.0.1"]})
    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}) as server:
        reason = await refusal(server.url(host="news.example"), FetchPolicy(resolver=names))
    assert reason == "private"
    assert server.received == []


async def test_localhost_is_refused_by_default() -> None:
    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}) as server:
        assert await refusal(server.url(host="localhost"), FetchPolicy()) == "private"
    assert server.received == []


async def test_the_checked_address_is_the_one_connected_to() -> None:
    """A rebinding name answers loopback once, then an address nothing listens on. The fetch
    succeeds only if the name is resolved once and that answer is connected to (httpx cannot
    resolve news.example itself)."""
    answers = [["127.0.0.1"], ["10.255.255.1"]]
    asked: list[str] = []

    async def rebinding(host: str) -> Sequence[str]:
        asked.append(host)
        return answers[min(len(asked), 2) - 1]

    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}) as server:
        article = await fetch(server, "/", local(rebinding))
    assert article.body == PAGE
    assert asked == ["news.example"]


async def test_an_idn_host_is_sent_in_punycode() -> None:
    names = Names({"xn--bcher-kva.example": ["127.0.0.1"]})
    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}) as server:
        article = await fetch_article(server.url(host="bücher.example"), policy=local(names))
    assert article.url == server.url(host="xn--bcher-kva.example")
    assert server.received[0].headers["host"] == f"xn--bcher-kva.example:{server.port}"


async def test_redirects_are_followed_and_the_final_url_reported() -> None:
    async with RawServer({}) as server:
        server.routes["/short"] = redirect("/r/2")
        server.routes["/r/2"] = redirect(server.url("/story.txt", host="news.example"), "301 Moved")
        server.routes["/story.txt"] = respond(headers=[("Content-Type", "text/plain")], body=b"hi")
        article = await fetch(server, "/short")
    assert article.url == server.url("/story.txt", host="news.example")
    assert article.body == b"hi"
    assert article.filename == "story.txt"
    assert [r.target for r in server.received] == ["/short", "/r/2", "/story.txt"]


async def test_five_redirects_are_followed_and_a_sixth_is_refused() -> None:
    routes = {f"/r{i}": redirect(f"/r{i + 1}") for i in range(6)}
    routes["/r5"] = respond(headers=[HTML], body=PAGE)
    async with RawServer(routes) as server:
        assert (await fetch(server, "/r0")).body == PAGE
        server.routes["/r5"] = redirect("/r6")
        server.received.clear()
        assert await refusal(server.url("/r0", host="news.example"), local()) == "redirects"
    assert len(server.received) == 6  # the first request and five redirects, then no more


@pytest.mark.usefixtures("news_example_is_public")
@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/secret",
        "http://0x7f.1:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.internal/computeMetadata/v1/",
    ],
)
async def test_a_redirect_to_a_private_address_is_refused(location: str) -> None:
    names = Names({"metadata.internal": ["169.254.169.254"]})
    async with RawServer({}) as server:
        server.routes["/go"] = redirect(location.format(port=server.port))
        server.routes["/secret"] = respond(headers=[HTML], body=b"secret")
        reason = await refusal(server.url("/go", host="news.example"), FetchPolicy(resolver=names))
    assert reason == "private"
    assert [r.target for r in server.received] == ["/go"]


@pytest.mark.parametrize(
    ("location", "reason"),
    [("file:///etc/passwd", "scheme"), ("http://admin:pw@news.example/", "credentials")],
)
async def test_a_redirect_is_checked_for_its_form(location: str, reason: str) -> None:
    async with RawServer({"/go": redirect(location)}) as server:
        assert await refusal(server.url("/go", host="news.example"), local()) == reason


async def test_an_error_status_is_reported_with_its_code() -> None:
    async with RawServer({}) as server:
        with pytest.raises(FetchRefused) as caught:
            await fetch(server, "/missing")
    assert caught.value.reason == "status"
    assert caught.value.sentence == "The site answered with an error (HTTP 404)."


async def test_a_declared_size_over_the_limit_is_refused_before_the_body() -> None:
    async def announces_six_mb(writer: asyncio.StreamWriter) -> None:
        writer.write(head(headers=[HTML, ("Content-Length", str(SIX_MB))]))
        await writer.drain()
        await asyncio.sleep(1)  # and sends nothing: waiting for the body would time out

    async with RawServer({"/big": announces_six_mb}) as server:
        with pytest.raises(FetchRefused) as caught:
            await fetch(server, "/big", local(timeout=0.5))
    assert caught.value.reason == "too_large"
    assert caught.value.sentence == "That page is over 5 MB."


@pytest.mark.parametrize("total", [SIX_MB, None], ids=["6MB", "endless"])
async def test_a_chunked_body_stops_at_the_limit(total: int | None) -> None:
    async with RawServer({"/feed": chunked(total)}) as server:
        # An endless body refused as too large (not timed out) shows the read stopped.
        assert await refusal(server.url("/feed", host="news.example"), local()) == "too_large"


async def test_a_body_without_length_or_chunks_stops_at_the_limit() -> None:
    async def until_close(writer: asyncio.StreamWriter) -> None:
        writer.write(head(headers=[HTML]))
        for _ in range(SIX_MB // 65536):
            writer.write(b"a" * 65536)
            await writer.drain()

    async with RawServer({"/": until_close}) as server:
        assert await refusal(server.url(host="news.example"), local()) == "too_large"


async def test_a_lying_content_length_gets_no_more_than_it_declared() -> None:
    async def lies(writer: asyncio.StreamWriter) -> None:
        writer.write(head(headers=[HTML, ("Content-Length", "100")]) + b"a" * SIX_MB)
        await writer.drain()

    async with RawServer({"/": lies}) as server:
        article = await fetch(server, "/")
    assert article.body == b"a" * 100


async def test_gzip_is_decoded_and_a_small_gzip_bomb_is_refused() -> None:
    packed = gzip.compress(PAGE)
    bomb = gzip.compress(b"\0" * SIX_MB)
    assert len(bomb) < 10_000  # Content-Length is honest about the compressed size
    routes = {
        path: respond(
            headers=[HTML, ("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))],
            body=body,
        )
        for path, body in (("/page", packed), ("/bomb", bomb))
    }
    async with RawServer(routes) as server:
        assert (await fetch(server, "/page")).body == PAGE
        assert await refusal(server.url("/bomb", host="news.example"), local()) == "too_large"
    assert server.received[0].headers["accept-encoding"] == "gzip"


async def test_memory_stays_near_the_limit_even_for_a_gzip_bomb() -> None:
    """100 MB of zeros in about 100 KB: each compressed chunk could expand to tens of MB if it
    were decoded whole. With a 1 MB limit the fetch may hold the limit and a chunk or so."""
    bomb = gzip.compress(b"\0" * (100 * 1024 * 1024), compresslevel=9)
    headers = [HTML, ("Content-Encoding", "gzip"), ("Content-Length", str(len(bomb)))]
    async with RawServer({"/": respond(headers=headers, body=bomb)}) as server:
        policy = FetchPolicy(
            allow_private=True, resolver=Names({"news.example": ["127.0.0.1"]}), max_bytes=1 << 20
        )
        tracemalloc.start()
        try:
            reason = await refusal(server.url(host="news.example"), policy)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert reason == "too_large"
    assert peak < 4 * (1 << 20), f"peak {peak / (1 << 20):.1f} MB"


async def test_an_encoding_we_did_not_ask_for_is_refused() -> None:
    headers = [HTML, ("Content-Encoding", "br"), ("Content-Length", "4")]
    async with RawServer({"/": respond(headers=headers, body=b"\x0b\x02\x80x")}) as server:
        assert await refusal(server.url(host="news.example"), local()) == "garbled"


async def test_a_slow_trickle_is_cut_off_by_the_total_timeout() -> None:
    async with RawServer({"/slow": trickle}) as server:
        started = time.monotonic()
        with pytest.raises(FetchRefused) as caught:
            await fetch(server, "/slow", local(timeout=0.5))
        elapsed = time.monotonic() - started
    assert caught.value.reason == "timeout"
    assert caught.value.sentence == "The site did not answer within 0.5 seconds."
    assert elapsed < 1.5


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "application/json"])
async def test_content_that_is_not_a_page_is_refused(content_type: str) -> None:
    headers = [("Content-Type", content_type), ("Content-Length", "4")]
    async with RawServer({"/": respond(headers=headers, body=b"\x89PNG")}) as server:
        assert await refusal(server.url(host="news.example"), local()) == "not_text"


async def test_a_missing_content_type_is_judged_by_the_body() -> None:
    routes = {
        "/notes": respond(headers=[("Content-Length", "12")], body=b"Plain notes\n"),
        "/blob": respond(headers=[("Content-Length", "8")], body=b"PK\x03\x04\x14\x00\x00\x00"),
    }
    async with RawServer(routes) as server:
        notes = await fetch(server, "/notes")
        assert await refusal(server.url("/blob", host="news.example"), local()) == "not_text"
    assert notes.content_type is None
    assert notes.body == b"Plain notes\n"


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        ("attachment; filename*=UTF-8''K%C3%BCrz%20notes.txt", "Kürz notes.txt"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("inline", "download.txt"),  # no name in the header: the URL's
    ],
)
async def test_the_filename_comes_from_content_disposition(disposition: str, filename: str) -> None:
    headers = [("Content-Type", "text/plain"), ("Content-Disposition", disposition)]
    async with RawServer({"/download.txt": respond(headers=headers, body=b"x")}) as server:
        assert (await fetch(server, "/download.txt")).filename == filename


async def test_no_filename_when_the_path_has_none() -> None:
    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}) as server:
        assert (await fetch(server, "/")).filename is None


async def test_a_refused_connection_is_unreachable() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    assert await refusal(f"http://news.example:{port}/", local()) == "unreachable"


async def test_the_next_checked_address_is_tried_when_one_refuses_the_connection() -> None:
    # The server listens on 127.0.0.1 only, so 127.0.0.2 refuses the connection.
    names = Names({"news.example": ["127.0.0.2", "127.0.0.1"]})
    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}) as server:
        assert (await fetch(server, "/", local(names))).body == PAGE
    assert len(server.received) == 1


async def test_an_unknown_name_is_reported() -> None:
    assert await refusal("https://nowhere.example/", local()) == "unknown_host"


async def test_https_sends_the_name_as_sni_and_verifies_the_certificate_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The client trusts only the test CA; its certificate names news.example alone.
    monkeypatch.setattr(certifi, "where", lambda: str(TLS / "ca.pem"))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(TLS / "news.example.pem", TLS / "news.example.key")
    names = Names({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    async with RawServer({"/": respond(headers=[HTML], body=PAGE)}, tls=tls) as server:
        article = await fetch_article(
            server.url(host="news.example", scheme="https"), policy=local(names)
        )
        # The same address under a name the certificate does not cover fails verification.
        mismatch = await refusal(server.url(host="other.example", scheme="https"), local(names))
    assert article.body == PAGE
    assert server.sni_names == ["news.example", "other.example"]
    assert server.received[0].headers["host"] == f"news.example:{server.port}"
    assert mismatch == "unreachable"


def test_private_links_are_off_unless_the_setting_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INGEST_ALLOW_PRIVATE_URLS", raising=False)
    assert Settings(_env_file=None).ingest_allow_private_urls is False
    assert FetchPolicy().allow_private is False
    monkeypatch.setenv("INGEST_ALLOW_PRIVATE_URLS", "true")
    assert Settings(_env_file=None).ingest_allow_private_urls is True
