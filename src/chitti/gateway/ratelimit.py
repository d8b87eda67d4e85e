"""Token buckets per route class, per user (or API key) and per client IP.

Each route class has a rate per minute (``CHITTI_RATE_LIMIT_*_PER_MIN``); a bucket holds at
most one minute of tokens, so a burst of that size passes and then requests flow at the
rate. Buckets live in this process (``memory``, the default: one gateway) or in PostgreSQL
(``postgres``: every gateway process shares them, one row update per request).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Literal

from chitti.config import Settings
from chitti.errors import RateLimited

LimitClass = Literal["read", "compute", "backtest", "auth"]

#: A client IP may make this many times a user's rate: several users can share one address
#: (an office behind NAT), and the per-IP bucket is a coarse guard against floods.
IP_FACTOR = 4

#: Buckets a memory limiter keeps before it forgets full ones (bounded memory).
MAX_BUCKETS = 100_000

SharedTake = Callable[[str, float, float, float], Awaitable[float]]


def rates_per_min(settings: Settings) -> dict[LimitClass, int]:
    return {"read": settings.rate_limit_read_per_min,
            "compute": settings.rate_limit_compute_per_min,
            "backtest": settings.rate_limit_backtest_per_min,
            "auth": settings.rate_limit_auth_per_min}


class MemoryBuckets:
    """Token buckets in this process: ``take`` returns 0 or the seconds to wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._clock = clock

    async def take(self, key: str, cost: float, capacity: float, rate_per_s: float) -> float:
        now = self._clock()
        tokens, then = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - then) * rate_per_s)
        if tokens >= cost:
            self._remember(key, tokens - cost, now)
            return 0.0
        self._remember(key, tokens, now)
        return (cost - tokens) / rate_per_s

    def _remember(self, key: str, tokens: float, now: float) -> None:
        if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
            self._buckets.clear()  # every bucket refills in a minute: forgetting is safe
        self._buckets[key] = (tokens, now)


class RateLimiter:
    """Charge a request to each of its buckets; :class:`RateLimited` when one is empty."""

    def __init__(self, settings: Settings, shared: SharedTake | None = None,
                 on_reject: Callable[[LimitClass], None] = lambda _: None) -> None:
        self.enabled = settings.rate_limit_store != "off"
        self.rates = rates_per_min(settings)
        self._take: SharedTake = (shared if settings.rate_limit_store == "postgres"
                                  and shared is not None else MemoryBuckets().take)
        self._on_reject = on_reject

    async def charge(self, limit: LimitClass, keys: list[str], cost: float = 1.0) -> None:
        """Take ``cost`` from each bucket (keys starting ``ip:`` hold ``IP_FACTOR`` times
        more) and raise :class:`RateLimited` at the first empty one."""
        if not self.enabled:
            return
        for key in keys:
            per_min = self.rates[limit] * (IP_FACTOR if key.startswith("ip:") else 1)
            wait = await self._take(f"{limit}:{key}", min(cost, per_min), float(per_min),
                                    per_min / 60.0)
            if wait > 0:
                self._on_reject(limit)
                raise RateLimited(
                    f"too many {limit} requests: {per_min} per minute are allowed; retry in "
                    f"{wait:.1f} s", retry_after_s=wait)
