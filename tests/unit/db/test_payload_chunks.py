"""NOTIFY payloads: every item once, in order, each payload under the limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chitti.db.notify import payload_chunks


@given(items=st.lists(st.integers(0, 10**12) | st.text("ABCDEFGHIJ&-", min_size=1,
                                                          max_size=20), max_size=3000),
       limit=st.integers(25, 8000))
def test_chunks_split_only_between_items(items: list[object], limit: int) -> None:
    chunks = payload_chunks(items, limit)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert [part for chunk in chunks for part in chunk.split(",")] == [str(i) for i in items]
