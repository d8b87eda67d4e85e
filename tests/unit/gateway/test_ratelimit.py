"""The token bucket against GCRA, an independent formulation of the same contract (ITU-T
I.371's virtual scheduling): a request at t passes iff the theoretical arrival time is at
most the burst tolerance ahead of t."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from chitti.gateway.ratelimit import MemoryBuckets


def gcra(times: list[float], capacity: int, rate_per_s: float) -> list[bool]:
    interval, tolerance = 1 / rate_per_s, (capacity - 1) / rate_per_s
    tat, passed = 0.0, []
    for t in times:
        ok = tat - t <= tolerance
        if ok:
            tat = max(tat, t) + interval
        passed.append(ok)
    return passed


@given(gaps=st.lists(st.integers(0, 8).map(lambda n: n / 4), min_size=1, max_size=60),
       capacity=st.integers(1, 6), rate=st.sampled_from([0.5, 1.0, 2.0, 4.0]))
def test_memory_buckets_pass_what_gcra_passes(gaps: list[float], capacity: int,
                                              rate: float) -> None:
    times = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    now = [0.0]
    buckets = MemoryBuckets(clock=lambda: now[0])

    async def run() -> list[bool]:
        passed = []
        for t in times:
            now[0] = t
            passed.append(await buckets.take("k", 1, capacity, rate) == 0)
        return passed

    assert asyncio.run(run()) == gcra(times, capacity, rate)


def test_the_wait_is_the_time_until_the_next_token() -> None:
    now = [100.0]
    buckets = MemoryBuckets(clock=lambda: now[0])

    async def run() -> list[float]:
        return [await buckets.take("k", 1, 2, 0.5) for _ in range(3)]

    assert asyncio.run(run()) == [0.0, 0.0, 2.0]
    now[0] += 2.0
    assert asyncio.run(buckets.take("k", 1, 2, 0.5)) == 0.0
