"""A subscriber that falls behind is dropped without a gap: what it saw is a prefix of what
was delivered, so resuming after its last id (SSE Last-Event-ID) loses nothing."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from chitti.db.notify import NotifyFeed


async def _nothing(*_: object) -> list[dict[str, object]]:
    return []


def _feed(limit: int) -> NotifyFeed:
    return NotifyFeed("postgresql://unused", "test", fetch_by_ids=_nothing,
                      fetch_after=_nothing, latest_id=lambda: _nothing(),  # type: ignore[arg-type,return-value]
                      queue_limit=limit)


@given(limit=st.integers(1, 8),
       steps=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1,
                      max_size=30))
def test_a_dropped_subscriber_saw_a_gap_free_prefix(limit: int,
                                                    steps: list[tuple[int, int]]) -> None:
    """Alternate bursts of delivered rows with reads of a few rows, as a slow reader does."""

    async def run() -> tuple[list[int], bool, int]:
        feed = _feed(limit)
        seen: list[int] = []
        delivered, most_behind = 0, 0
        with feed.subscribe() as sub:
            for burst, reads in steps:
                feed.deliver([{"id": delivered + i + 1} for i in range(burst)])
                delivered += burst
                most_behind = max(most_behind, delivered - len(seen))
                for _ in range(min(reads, sub.queue.qsize())):
                    row = await sub.get()
                    if row is None:
                        return seen, True, most_behind
                    seen.append(int(row["id"]))
        return seen, False, most_behind

    seen, dropped, most_behind = asyncio.run(run())
    assert seen == list(range(1, len(seen) + 1))  # in order, no gap, no repeat
    assert not dropped or most_behind > limit  # only a reader too far behind is dropped
