"""One article per story: exact identity by link hash, then near-duplicate headlines.

Aggregators (Google News above all) carry the same wire story from several publishers, often
word for word, sometimes with "3%" written "3 per cent" or a trailing clause added. Counting
each copy would inflate a story's weight in the signals, so a batch is grouped:

1. Articles with the same ``link_hash`` are one article (a feed fetched twice, or a story in
   two feeds); repeats are dropped silently, and hashes already stored can be passed in so a
   re-ingested feed yields nothing.
2. Remaining headlines are compared as sets of normalised words (lower-cased, stop-words and
   the " - Publisher" suffix dropped, "per cent" → "%", plural "s" stripped). Two headlines are
   the same story when their Jaccard similarity reaches ``threshold`` (0.75 by default: one
   differing word in a short headline, e.g. Tata *Motors* vs Tata *Steel*, keeps them apart)
   or when one contains nearly all of the other (overlap ≥ 0.9, five words at least), and they
   were published within ``window`` of each other. Two vetoes keep different facts apart:
   when *each* headline has a distinctive word the other lacks (capitalised, or holding a
   digit: Tata *Motors* / Tata *Steel*, profit up *35%* / *25%*), and when either headline has
   fewer than three words (then only identical word sets match). Text is NFKC-normalised and
   tokenised on Unicode word characters, so non-Latin headlines compare too.

Candidates come from an inverted index (word → groups), so a batch costs about
O(articles × words) rather than O(articles²).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chitti.news.parse import ParsedArticle
from chitti.news.text import split_publisher_suffix

__all__ = ["Story", "dedup_articles", "title_similarity", "title_tokens"]

_STOPWORDS = frozenset(
    """a an the of to in on for and or at by with from as is are was were be been it its
    this that these those into over after amid says say said will may can new up""".split()
)
_PERCENT = re.compile(r"\s*(?:per\s*cent|percent|pct)\b|\s+%")
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)*%?|[%₹$]")
_MIN_CONTAINED_WORDS = 5
_DIGIT = re.compile(r"\d")
_MIN_FUZZY_WORDS = 3


@dataclass(frozen=True, slots=True)
class Story:
    """A story kept from a batch, with the copies folded into it.

    ``article`` is the earliest-published copy (input order breaks ties); ``duplicate_count``
    counts the other copies (not exact repeats of the same link); ``publishers`` lists each
    publisher once, the kept one first; ``link_hashes`` holds every copy's hash, so the store
    can recognise all of them later.
    """

    article: ParsedArticle
    duplicate_count: int
    publishers: tuple[str, ...]
    link_hashes: tuple[str, ...]


def title_tokens(title: str, publisher: str | None = None) -> frozenset[str]:
    """Return the normalised word set used to compare headlines (see module docstring)."""
    return _tokens(title, publisher)[0]


def _tokens(title: str, publisher: str | None) -> tuple[frozenset[str], frozenset[str]]:
    # (all words, distinctive words: capitalised or containing a digit)
    if publisher:
        title, _ = split_publisher_suffix(title, publisher)
    text = _PERCENT.sub("%", unicodedata.normalize("NFKC", title).replace("\u2019", "'"))
    words: set[str] = set()
    distinctive: set[str] = set()
    for raw in _WORD.findall(text):
        word = raw.lower()
        if word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
        if raw[0].isupper() or _DIGIT.search(raw):
            distinctive.add(word)
    return frozenset(words), frozenset(distinctive)


def title_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Jaccard similarity of two word sets (0.0 when both are empty)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


@dataclass(slots=True)
class _Group:
    tokens: frozenset[str]
    distinctive: frozenset[str]
    members: list[tuple[int, ParsedArticle]] = field(default_factory=list)


def _same_story(shared: int, size_a: int, size_b: int, threshold: float) -> float:
    # Return the similarity when it qualifies as the same story, else 0.
    jaccard = shared / (size_a + size_b - shared)
    if min(size_a, size_b) < _MIN_FUZZY_WORDS:
        return jaccard if jaccard == 1.0 else 0.0
    if jaccard >= threshold:
        return jaccard
    smaller = min(size_a, size_b)
    if smaller >= _MIN_CONTAINED_WORDS and shared / smaller >= 0.9:
        return jaccard
    return 0.0


def _conflicting(a: frozenset[str], a_distinct: frozenset[str], b: frozenset[str],
                 b_distinct: frozenset[str]) -> bool:
    return bool((a_distinct - b) and (b_distinct - a))


def _close_in_time(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    return a is None or b is None or abs(a - b) <= window


def dedup_articles(
    articles: Iterable[ParsedArticle],
    *,
    threshold: float = 0.75,
    window: timedelta = timedelta(days=2),
    known_link_hashes: Iterable[str] = (),
) -> list[Story]:
    """Group a batch of articles into stories; return one :class:`Story` per story.

    Stories come out in the order their first copy appeared. Articles whose ``link_hash`` is
    in ``known_link_hashes`` (already stored) are dropped first, so ingesting the same feed
    twice returns nothing the second time.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    seen = set(known_link_hashes)
    groups: list[_Group] = []
    index: dict[str, list[int]] = {}
    for position, article in enumerate(articles):
        if article.link_hash in seen:
            continue
        seen.add(article.link_hash)
        tokens, distinctive = _tokens(article.title, article.publisher)
        best, best_score = -1, 0.0
        if tokens:
            shared_by_group: dict[int, int] = {}
            for token in tokens:
                for g in index.get(token, ()):
                    shared_by_group[g] = shared_by_group.get(g, 0) + 1
            # Neither rule can hold below this many shared words: skip the arithmetic.
            floor = min(threshold * len(tokens), 0.9 * _MIN_CONTAINED_WORDS)
            for g, shared in shared_by_group.items():
                if shared < floor:
                    continue
                group = groups[g]
                score = _same_story(shared, len(tokens), len(group.tokens), threshold)
                if (
                    score > best_score
                    and _close_in_time(article.published_at, group.members[0][1].published_at,
                                       window)
                    and not _conflicting(tokens, distinctive, group.tokens, group.distinctive)
                ):
                    best, best_score = g, score
        if best >= 0:
            groups[best].members.append((position, article))
            continue
        groups.append(_Group(tokens=tokens, distinctive=distinctive,
                             members=[(position, article)]))
        for token in tokens:
            index.setdefault(token, []).append(len(groups) - 1)
    return [_story(group) for group in groups]


def _story(group: _Group) -> Story:
    far_future = datetime.max.replace(tzinfo=None)

    def order(member: tuple[int, ParsedArticle]) -> tuple[datetime, int]:
        published = member[1].published_at
        return (published.replace(tzinfo=None) if published else far_future, member[0])

    members = sorted(group.members, key=order)
    kept = members[0][1]
    publishers: list[str] = []
    for _, article in members:
        if article.publisher and article.publisher not in publishers:
            publishers.append(article.publisher)
    return Story(
        article=kept,
        duplicate_count=len(members) - 1,
        publishers=tuple(publishers),
        link_hashes=tuple(article.link_hash for _, article in members),
    )
