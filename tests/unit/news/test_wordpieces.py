"""Word pieces tried only up to the longest piece are the pieces of the full greedy search."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chitti.news._model import wordpieces

VOCAB = ["[UNK]", "a", "ab", "abc", "##a", "##b", "##c", "##bc", "##abc", "b", "c", "'", "##'"]
INDEX = {piece: i for i, piece in enumerate(VOCAB)}
LONGEST = max(map(len, VOCAB))


@given(word=st.text("abcx'", max_size=60))
def test_bounded_search_equals_the_full_search(word: str) -> None:
    assert wordpieces(word, INDEX, 0, LONGEST) == wordpieces(word, INDEX, 0)


def test_a_very_long_word_is_segmented() -> None:
    assert wordpieces("abc" * 20_000, INDEX, 0, LONGEST) == (3, *([8] * 19_999))
