"""Tests of chitti.news.fetch against a real local HTTP server (see conftest.feed_server)."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

import httpx
import pytest

from chitti import __version__
from chitti.news.fetch import USER_AGENT, FeedFetcher, FeedRequest, _is_public, next_try_delay_s
from chitti.news.parse import FeedParseError, parse_feed

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "rss"
SHARED_RSS = REPO.parent / "shared" / "data" / "rss"
RECORDED = sorted(SHARED_RSS.glob("*.xml")) if SHARED_RSS.is_dir() else []
GOOGLE = "googlenews_in_markets.xml"


class RecordingSleep:
    """Stands in for asyncio.sleep: records the back-off instead of waiting it out."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _fetcher(**overrides: object) -> FeedFetcher:
    options: dict[str, object] = {"connect_timeout_s": 1.0, "read_timeout_s": 1.0,
                                  "total_timeout_s": 2.0, "backoff_base_s": 0.01,
                                  "backoff_cap_s": 0.05, "allow_private": True}
    options.update(overrides)
    return FeedFetcher(**options)  # type: ignore[arg-type]


async def test_ok_returns_body_and_validators(feed_server) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(feed_server.url(f"/feed/{GOOGLE}"))
    assert result.status == "ok" and result.ok
    assert result.http_status == 200 and result.attempts == 1
    assert result.body == (FIXTURES / GOOGLE).read_bytes()
    assert result.etag and result.etag.startswith('"')
    assert result.last_modified and result.last_modified.endswith("GMT")
    assert result.elapsed_s > 0
    assert len(parse_feed(result.body).items) == 11


async def test_conditional_get_with_etag_gives_not_modified(feed_server) -> None:
    async with _fetcher() as fetcher:
        first = await fetcher.fetch(feed_server.url(f"/feed/{GOOGLE}"))
        second = await fetcher.fetch(feed_server.url(f"/feed/{GOOGLE}"), etag=first.etag,
                                     last_modified=first.last_modified)
    assert second.status == "not_modified" and second.ok
    assert second.http_status == 304 and second.body is None
    assert second.etag == first.etag


async def test_conditional_get_with_last_modified_only(feed_server) -> None:
    async with _fetcher() as fetcher:
        first = await fetcher.fetch(feed_server.url("/feed/atom_markets.xml"))
        second = await fetcher.fetch(feed_server.url("/feed/atom_markets.xml"),
                                     last_modified=first.last_modified)
    assert second.status == "not_modified"


async def test_stale_etag_gets_the_full_body(feed_server) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(feed_server.url(f"/feed/{GOOGLE}"), etag='"stale"')
    assert result.status == "ok" and result.body


async def test_user_agent_and_accept_headers(feed_server) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(feed_server.url("/echo-headers"))
    assert result.body is not None
    headers = result.body.decode()
    assert f"User-Agent: Trading-Chitti/{__version__} (+https://github.com/trading-chitti)" \
        in headers
    assert USER_AGENT.startswith("Trading-Chitti/")
    assert "gzip" in headers and "application/rss+xml" in headers


async def test_gzip_body_is_decoded(feed_server) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(feed_server.url(f"/gzip/{GOOGLE}"))
    assert result.status == "ok"
    assert result.body == (FIXTURES / GOOGLE).read_bytes()


async def test_500_then_200_is_retried_with_backoff(feed_server) -> None:
    sleep = RecordingSleep()
    path = "/flaky/one"
    feed_server.flaky_failures[path] = 2
    async with _fetcher(sleep=sleep, attempts=3, backoff_base_s=1.0, backoff_cap_s=10.0,
                        rng=lambda: 1.0) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.status == "ok" and result.attempts == 3
    assert feed_server.hits[path] == 3
    assert sleep.waits == [1.0, 2.0]  # exponential: base, 2 * base


async def test_backoff_has_jitter_and_a_cap() -> None:
    fetcher = FeedFetcher(backoff_base_s=1.0, backoff_cap_s=4.0, rng=lambda: 0.0)
    assert [fetcher.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 2.0, 2.0]
    await fetcher.aclose()


async def test_persistent_500_gives_up_with_an_error(feed_server) -> None:
    sleep = RecordingSleep()
    async with _fetcher(sleep=sleep, attempts=3) as fetcher:
        result = await fetcher.fetch(feed_server.url("/status/503"))
    assert result.status == "error" and not result.ok
    assert result.http_status == 503 and result.attempts == 3
    assert result.error is not None and "HTTP 503" in result.error
    assert len(sleep.waits) == 2


@pytest.mark.parametrize("code", [404, 403, 410])
async def test_4xx_is_not_retried(feed_server, code: int) -> None:
    path = f"/status/{code}"
    before = feed_server.hits[path]
    async with _fetcher(sleep=RecordingSleep()) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.status == "error" and result.http_status == code
    assert result.attempts == 1 and feed_server.hits[path] - before == 1


async def test_slow_server_times_out_and_is_retried(feed_server) -> None:
    sleep = RecordingSleep()
    before = feed_server.hits["/slow"]
    async with _fetcher(read_timeout_s=0.2, total_timeout_s=0.5, attempts=2,
                        sleep=sleep) as fetcher:
        result = await fetcher.fetch(feed_server.url("/slow"))
    assert result.status == "error" and result.attempts == 2
    # the read or the whole-response deadline, whichever a loaded machine hits first
    assert result.error is not None and ("ReadTimeout" in result.error
                                         or "timed out after 0.5 s" in result.error)
    assert feed_server.hits["/slow"] - before == 2
    assert result.elapsed_s < 3.5  # both attempts cut short: the server takes 2 s each


async def test_connection_refused_is_an_error_not_an_exception() -> None:
    async with _fetcher(attempts=2, sleep=RecordingSleep()) as fetcher:
        result = await fetcher.fetch("http://127.0.0.1:9/feed.xml")
    assert result.status == "error" and result.http_status is None
    assert result.error is not None and "ConnectError" in result.error


async def test_garbage_body_is_fetched_then_refused_by_the_parser(feed_server) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(feed_server.url("/garbage"))
    assert result.status == "ok" and result.body
    with pytest.raises(FeedParseError):
        parse_feed(result.body)


@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/gzip-bomb"])
async def test_oversize_bodies_are_aborted(feed_server, path: str) -> None:
    async with _fetcher(max_bytes=1_000_000) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.status == "error" and result.body is None
    assert result.error is not None and "1000000-byte cap" in result.error
    assert result.attempts == 1


async def test_redirect_is_followed(feed_server) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(feed_server.url("/redirect"))
    assert result.status == "ok"
    assert result.final_url is not None and result.final_url.endswith(f"/feed/{GOOGLE}")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "not a url"])
async def test_non_http_urls_are_refused_without_a_request(url: str) -> None:
    async with _fetcher() as fetcher:
        result = await fetcher.fetch(url)
    assert result.status == "error" and result.attempts == 0
    assert result.error is not None and "only http(s)" in result.error


async def test_fetch_many_one_failure_never_stops_the_others(feed_server) -> None:
    feeds: list[FeedRequest | str] = [
        feed_server.url(f"/feed/{GOOGLE}"),
        feed_server.url("/status/500"),
        FeedRequest(feed_server.url("/slow")),
        feed_server.url("/garbage"),
        feed_server.url("/feed/atom_markets.xml"),
        "http://127.0.0.1:9/refused",
    ]
    async with _fetcher(read_timeout_s=0.2, total_timeout_s=0.4, attempts=2,
                        sleep=RecordingSleep()) as fetcher:
        results = await fetcher.fetch_many(feeds)
    assert [r.status for r in results] == ["ok", "error", "error", "ok", "ok", "error"]
    assert [r.url for r in results] == [f if isinstance(f, str) else f.url for f in feeds]


async def test_per_host_limit_caps_concurrency() -> None:
    active = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        return httpx.Response(200, content=b"<rss/>")

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    fetcher = FeedFetcher(client=client, per_host_limit=2, total_limit=10)
    results = await fetcher.fetch_many([f"https://one.example/{i}" for i in range(8)])
    await client.aclose()
    assert all(r.status == "ok" for r in results)
    assert peak == 2


async def test_retry_after_header_is_reported() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "120"})

    sleep = RecordingSleep()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    fetcher = FeedFetcher(client=client, attempts=2, sleep=sleep, backoff_cap_s=3.0)
    result = await fetcher.fetch("https://busy.example/feed")
    await client.aclose()
    assert result.status == "error" and result.http_status == 429
    assert result.retry_after_s == 120.0
    assert sleep.waits == [3.0]  # honoured, but never longer than the cap


@pytest.mark.needs_shared
@pytest.mark.skipif(not RECORDED, reason=f"recorded feeds missing: {SHARED_RSS}")
async def test_every_recorded_feed_fetches_gzipped_and_parses(feed_server) -> None:
    urls = [feed_server.url(f"/gzip/{path.name}") for path in RECORDED]
    async with _fetcher() as fetcher:
        results = await fetcher.fetch_many(urls)
    for path, result in zip(RECORDED, results, strict=True):
        assert result.status == "ok" and result.body == path.read_bytes()
        assert len(parse_feed(result.body, source_url=result.url).items) > 0


def test_next_try_delay_doubles_to_a_cap() -> None:
    assert [next_try_delay_s(n) for n in (0, 1, 2, 3)] == [0.0, 300.0, 600.0, 1200.0]
    assert next_try_delay_s(50) == 6 * 3600.0


def test_gzip_fixture_round_trip_sanity() -> None:
    data = (FIXTURES / GOOGLE).read_bytes()
    assert gzip.decompress(gzip.compress(data)) == data


# --- the SSRF guard: by default only hosts that resolve to public addresses are fetched ---


async def test_default_fetcher_refuses_loopback_without_sending(feed_server) -> None:
    path = f"/feed/{GOOGLE}"
    before = feed_server.hits[path]
    async with _fetcher(allow_private=False) as fetcher:
        result = await fetcher.fetch(feed_server.url(path))
    assert result.status == "error" and result.attempts == 1  # refused, not retried
    assert "non-public address (127.0.0.1)" in (result.error or "")
    assert "CHITTI_NEWS_FETCH_PRIVATE" in (result.error or "")
    assert feed_server.hits[path] == before


async def test_every_redirect_hop_is_checked(feed_server) -> None:
    # The first resolution says public, the next private (as DNS rebinding would): the
    # redirect hop must be refused although the first request went out.
    answers = iter([["93.184.216.34"], ["10.1.2.3"]])

    async def resolve(host: str, port: int) -> list[str]:
        return next(answers)

    before = dict(feed_server.hits)
    async with _fetcher(allow_private=False, resolve=resolve) as fetcher:
        result = await fetcher.fetch(feed_server.url("/redirect"))
    assert result.status == "error" and "10.1.2.3" in (result.error or "")
    assert feed_server.hits["/redirect"] == before.get("/redirect", 0) + 1
    assert feed_server.hits[f"/feed/{GOOGLE}"] == before.get(f"/feed/{GOOGLE}", 0)


async def test_public_resolution_is_fetched(feed_server) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    async with _fetcher(allow_private=False, resolve=resolve) as fetcher:
        result = await fetcher.fetch(feed_server.url("/redirect"))
    assert result.status == "ok" and result.body


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2606:4700::1111", True), ("127.0.0.1", False), ("10.0.0.7", False),
    ("172.16.5.4", False), ("192.168.1.1", False), ("169.254.169.254", False),
    ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False), ("fe80::1%eth0", False),
    ("fd00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False),
])
def test_public_address_classification(address: str, public: bool) -> None:
    assert _is_public(address) is public
