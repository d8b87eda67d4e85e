"""Fetch feeds over HTTP politely and defensively.

Polite: a User-Agent that names the project, conditional GET (``If-None-Match`` /
``If-Modified-Since``) so an unchanged feed costs a 304, gzip, and at most a few concurrent
requests per host. Defensive: connect/read timeouts plus an overall deadline per attempt (a
server that drips one byte a second must not hold a worker), a size cap on the *decoded* body
(so a gzip bomb is cut off too), retries with exponential back-off and jitter for failures that
may be transient (timeouts, connection errors, 5xx, 429) and none for the ones that will not go
away (other 4xx). :meth:`FeedFetcher.fetch` never raises for a feed's failure: it returns a
:class:`FetchResult` with ``status="error"``, so one bad feed never stops the others.

Guarded: any client of the API may name a feed URL, so by default the fetcher refuses hosts
that resolve to loopback, private, link-local or other non-public addresses (every hop of a
redirect is checked), or the server could be made to probe its own network and cloud
metadata endpoint (SSRF). ``allow_private=True`` lifts this for feeds on a local network.

No settings are read here; the service builds a fetcher from its configuration.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from chitti import __version__

__all__ = [
    "USER_AGENT",
    "FeedFetcher",
    "FeedRequest",
    "FetchResult",
    "next_try_delay_s",
]

USER_AGENT = f"Trading-Chitti/{__version__} (+https://github.com/trading-chitti)"
_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
           "text/xml;q=0.9, */*;q=0.5")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})

FetchStatus = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """A feed to fetch, with the validators remembered from its last successful fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of fetching one feed.

    ``status`` is ``"ok"`` (``body`` holds the decoded bytes), ``"not_modified"`` (HTTP 304;
    keep the previous ``etag``/``last_modified``) or ``"error"`` (``error`` says why;
    ``http_status`` is set when the server answered). ``retry_after_s`` is the server's
    ``Retry-After`` when it sent one. ``elapsed_s`` covers all attempts.
    """

    url: str
    status: FetchStatus
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    error: str | None = None
    elapsed_s: float = 0.0
    attempts: int = 1
    content_type: str | None = None
    final_url: str | None = None
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        """True for a fresh body or a 304; False for an error."""
        return self.status != "error"


def next_try_delay_s(consecutive_failures: int, *, base_s: float = 300.0,
                     cap_s: float = 6 * 3600.0) -> float:
    """Return how long to wait before polling a failing feed again: 5 min doubling up to 6 h.

    ``consecutive_failures`` counts the failures including the one just recorded (1 → base).
    """
    if consecutive_failures <= 0:
        return 0.0
    return float(min(cap_s, base_s * 2 ** (consecutive_failures - 1)))


class _TooLarge(Exception):
    pass


class _Refused(Exception):
    """The URL's host resolves to an address the fetcher may not reach (see module doc)."""


async def _resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _Retryable(Exception):
    def __init__(self, message: str, *, http_status: int | None = None,
                 retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after_s = retry_after_s


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


class FeedFetcher:
    """Fetch feeds with httpx: per-host concurrency limit, retries, conditional GET, size cap.

    Use as ``async with FeedFetcher() as fetcher: result = await fetcher.fetch(url)``. Pass
    ``client`` to share a connection pool (the fetcher then does not close it). ``sleep`` and
    ``rng`` exist so tests can observe the back-off without waiting.

    Parameters
    ----------
    connect_timeout_s, read_timeout_s:
        httpx timeouts for connecting and for each read.
    total_timeout_s:
        Deadline for one attempt, headers to last byte.
    max_bytes:
        Largest decoded body accepted; larger responses are aborted mid-stream.
    attempts:
        Tries per feed, the first included (so ``attempts=3`` retries twice).
    backoff_base_s, backoff_cap_s:
        The n-th retry waits ``min(cap, base * 2**(n-1))`` scaled by a random 50–100%.
    per_host_limit, total_limit:
        Concurrent requests to one host, and overall (also the pool size).
    allow_private:
        Fetch from hosts that resolve to non-public addresses too (off by default; see the
        module doc). Checked by a request hook of the fetcher's own client only.
    """

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 10.0,
        total_timeout_s: float = 30.0,
        max_bytes: int = 5 * 1024 * 1024,
        attempts: int = 3,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 8.0,
        per_host_limit: int = 2,
        total_limit: int = 16,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        allow_private: bool = False,
        resolve: Callable[[str, int], Awaitable[list[str]]] = _resolve,
    ) -> None:
        if attempts < 1 or per_host_limit < 1 or total_limit < 1 or max_bytes < 1:
            raise ValueError("attempts, per_host_limit, total_limit and max_bytes must be >= 1")
        self._owns_client = client is None
        self._resolve = resolve
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            limits=httpx.Limits(max_connections=total_limit,
                                max_keepalive_connections=total_limit),
            follow_redirects=True,
            max_redirects=5,
            event_hooks={} if allow_private else {"request": [self._refuse_private]},
        )
        self._headers = {"User-Agent": user_agent, "Accept": _ACCEPT,
                         "Accept-Encoding": "gzip, deflate"}
        self._total_timeout_s = total_timeout_s
        self._max_bytes = max_bytes
        self._attempts = attempts
        self._backoff_base_s = backoff_base_s
        self._backoff_cap_s = backoff_cap_s
        self._per_host_limit = per_host_limit
        self._total = asyncio.Semaphore(total_limit)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._sleep = sleep
        self._rng = rng

    async def __aenter__(self) -> FeedFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this fetcher created it."""
        if self._owns_client:
            await self._client.aclose()

    async def _refuse_private(self, request: httpx.Request) -> None:
        # Runs before every request the client sends, each redirect hop included.
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            addresses = await self._resolve(host, port)
        except OSError:
            return  # unresolvable: the connection attempt reports it
        blocked = sorted({a for a in addresses if not _is_public(a)})
        if blocked:
            raise _Refused(f"refused: {host} resolves to a non-public address "
                           f"({', '.join(blocked)}); set CHITTI_NEWS_FETCH_PRIVATE=true to "
                           "allow feeds on private networks")

    def backoff_s(self, retry: int) -> float:
        """Return the wait before retry number ``retry`` (1-based): exponential, 50–100% jitter."""
        ceiling = min(self._backoff_cap_s, self._backoff_base_s * 2.0 ** (retry - 1))
        return float(ceiling * (0.5 + 0.5 * self._rng()))

    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None) -> FetchResult:
        """Fetch one feed; return its result (never raises for network or HTTP failures)."""
        started = time.perf_counter()
        host = (urlsplit(url).hostname or "").lower()
        if urlsplit(url).scheme not in ("http", "https") or not host:
            return FetchResult(url=url, status="error", attempts=0,
                               error="unsupported URL: only http(s) feeds can be fetched")
        headers = dict(self._headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        semaphore = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host_limit))
        last_error: _Retryable | None = None
        attempt = 0
        for attempt in range(1, self._attempts + 1):
            if attempt > 1:
                wait = self.backoff_s(attempt - 1)
                if last_error is not None and last_error.retry_after_s is not None:
                    wait = max(wait, min(last_error.retry_after_s, self._backoff_cap_s))
                await self._sleep(wait)
            outcome = await self._guarded_attempt(url, headers, semaphore)
            if isinstance(outcome, _Retryable):
                last_error = outcome
                continue
            return replace(outcome, elapsed_s=time.perf_counter() - started, attempts=attempt)
        assert last_error is not None
        return FetchResult(url=url, status="error", http_status=last_error.http_status,
                           error=f"{last_error} (gave up after {attempt} attempts)",
                           attempts=attempt, elapsed_s=time.perf_counter() - started,
                           retry_after_s=last_error.retry_after_s)

    async def fetch_many(self, feeds: Iterable[FeedRequest | str]) -> list[FetchResult]:
        """Fetch feeds concurrently; return one result per feed, in the order given."""
        requests = [FeedRequest(f) if isinstance(f, str) else f for f in feeds]
        return list(await asyncio.gather(*(
            self.fetch(r.url, etag=r.etag, last_modified=r.last_modified) for r in requests
        )))

    async def _guarded_attempt(self, url: str, headers: dict[str, str],
                               semaphore: asyncio.Semaphore) -> FetchResult | _Retryable:
        # One attempt under both limits and the overall deadline; failures become values:
        # a _Retryable for transient ones, an error FetchResult for the rest.
        try:
            async with self._total, semaphore:
                return await asyncio.wait_for(self._attempt(url, headers), self._total_timeout_s)
        except _Retryable as error:
            return error
        except TimeoutError:
            return _Retryable(f"timed out after {self._total_timeout_s:g} s (whole response)")
        except (_TooLarge, _Refused) as error:
            message = str(error)
        except httpx.TooManyRedirects:
            message = "too many redirects"
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            message = f"bad URL: {error}"
        except httpx.HTTPError as error:  # anything else httpx raises: not worth retrying
            message = f"{type(error).__name__}: {error}"
        return FetchResult(url=url, status="error", error=message)

    async def _attempt(self, url: str, headers: dict[str, str]) -> FetchResult:
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304:
                    return FetchResult(
                        url=url, status="not_modified", http_status=304,
                        etag=response.headers.get("ETag") or headers.get("If-None-Match"),
                        last_modified=response.headers.get("Last-Modified")
                        or headers.get("If-Modified-Since"),
                        final_url=str(response.url),
                    )
                if status in _RETRY_STATUSES:
                    raise _Retryable(f"HTTP {status}", http_status=status,
                                     retry_after_s=_retry_after(response.headers.get("Retry-After")))
                if status >= 400 or status < 200:
                    return FetchResult(url=url, status="error", http_status=status,
                                       error=f"HTTP {status}", final_url=str(response.url))
                body = await self._read_capped(response)
                return FetchResult(
                    url=url, status="ok", body=body, http_status=status,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type"),
                    final_url=str(response.url),
                )
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
            raise _Retryable(f"{type(error).__name__}: {error or 'no detail'}") from error

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity") != "identity"
        if declared and declared.isdigit() and not encoded and int(declared) > self._max_bytes:
            raise _TooLarge(f"body of {declared} bytes is over the {self._max_bytes}-byte cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: the cap also stops gzip bombs
            size += len(chunk)
            if size > self._max_bytes:
                raise _TooLarge(f"body exceeds the {self._max_bytes}-byte cap (aborted)")
            chunks.append(chunk)
        return b"".join(chunks)
