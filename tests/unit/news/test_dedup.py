"""Tests of chitti.news.dedup: exact identity, near-duplicate headlines, re-ingestion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.feed_server import FIXTURES, RECORDED, needs_shared

from chitti.news.dedup import dedup_articles, title_similarity, title_tokens
from chitti.news.parse import ParsedArticle, link_hash, parse_feed

T0 = datetime(2024, 7, 4, 5, 0, tzinfo=UTC)


def _article(title: str, publisher: str, *, minutes: int = 0, url: str | None = None
             ) -> ParsedArticle:
    link = url or f"https://{publisher.lower().replace(' ', '')}.example/{abs(hash(title))}"
    return ParsedArticle(title=title, summary="", link=link, guid=None, publisher=publisher,
                         publisher_url=None, published_at=T0 + timedelta(minutes=minutes),
                         link_hash=link_hash(link, None))


def test_google_feed_same_headline_from_three_publishers_is_one_story() -> None:
    feed = parse_feed((FIXTURES / "googlenews_in_markets.xml").read_bytes())
    stories = dedup_articles(feed.items)
    assert len(feed.items) == 11
    assert len(stories) == 8  # 3 copies + 1 exact repeat of the Reliance story fold into one
    reliance = stories[0]
    assert reliance.duplicate_count == 2
    assert reliance.publishers == ("The Economic Times", "Moneycontrol", "Business Standard")
    assert reliance.article.publisher == "The Economic Times"  # earliest: 10:15 IST = 04:45 UTC
    assert len(set(reliance.link_hashes)) == 3
    assert all(s.duplicate_count == 0 for s in stories[1:])


def test_ingesting_the_same_feed_twice_adds_nothing() -> None:
    feed = parse_feed((FIXTURES / "googlenews_in_markets.xml").read_bytes())
    first = dedup_articles(feed.items)
    stored = {h for story in first for h in story.link_hashes}
    assert dedup_articles(feed.items, known_link_hashes=stored) == []
    twice = dedup_articles(feed.items + feed.items)
    assert [(s.article, s.duplicate_count) for s in twice] == \
        [(s.article, s.duplicate_count) for s in first]


def test_kept_copy_is_the_earliest_published() -> None:
    late = _article("Infosys wins $1.5 billion deal from European client", "Mint", minutes=30)
    early = _article("Infosys wins $1.5 billion deal from European client", "ET", minutes=5)
    (story,) = dedup_articles([late, early])
    assert story.article is early and story.publishers == ("ET", "Mint")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tata Motors shares fall 2% on weak JLR sales",
         "Tata Steel shares fall 2% on weak JLR sales"),
        ("Sensex falls 500 points as IT stocks drag", "Sensex gains 500 points as IT stocks rally"),
        ("RBI keeps repo rate unchanged at 6.5%", "RBI cuts repo rate by 25 bps to 6.25%"),
        ("Sensex ends 200 points higher at 80,100 on IT rally",
         "Sensex ends 300 points higher at 80,100 on IT rally"),
        ("Gold rises", "Gold falls"),
    ],
)
def test_different_stories_stay_apart(a: str, b: str) -> None:
    stories = dedup_articles([_article(a, "ET"), _article(b, "Mint")])
    assert len(stories) == 2


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Reliance shares jump 3% after Jio tariff hike",
         "Reliance shares jump 3 per cent after Jio tariff hike"),
        ("HDFC Bank Q1 profit rises 35% to Rs 16,175 crore",
         "HDFC Bank Q1 profit rises 35% to Rs 16,175 crore; NII up 2.6%"),
        ("Infosys raises FY25 revenue guidance - Mint", "Infosys raises FY25 revenue guidance"),
    ],
)
def test_near_duplicates_are_grouped(a: str, b: str) -> None:
    stories = dedup_articles([_article(a, "Mint"), _article(b, "Business Standard")])
    assert len(stories) == 1 and stories[0].duplicate_count == 1


def test_same_headline_days_apart_is_a_new_story() -> None:
    a = _article("Sensex ends 200 points higher", "ET")
    b = replace(_article("Sensex ends 200 points higher", "Mint"),
                published_at=T0 + timedelta(days=5))
    assert len(dedup_articles([a, b])) == 2
    assert len(dedup_articles([a, b], window=timedelta(days=7))) == 1


def test_non_latin_headlines_compare_after_nfkc() -> None:
    a = _article("米ＦＲＢ5月に利下げ着手と予想 労働市場堅調", "ロイター")
    b = _article("米FRB5月に利下げ着手と予想 労働市場堅調", "日経")
    c = _article("米FRB議長 利下げ急がない姿勢", "NHK")
    stories = dedup_articles([a, b, c])
    assert [s.duplicate_count for s in stories] == [1, 0]


def test_title_tokens_normalise() -> None:
    assert title_tokens("Shares JUMP 3 per cent - Moneycontrol", "Moneycontrol") == \
        frozenset({"share", "jump", "3%"})
    assert title_similarity(frozenset(), frozenset({"a"})) == 0.0
    assert title_similarity(frozenset({"a", "b"}), frozenset({"a", "c"})) == pytest.approx(1 / 3)


def test_empty_and_bad_threshold() -> None:
    assert dedup_articles([]) == []
    with pytest.raises(ValueError, match="threshold"):
        dedup_articles([], threshold=0.0)


@needs_shared
def test_recorded_feeds_have_no_false_merges() -> None:
    items = [item for path in RECORDED for item in parse_feed(path.read_bytes()).items]
    stories = dedup_articles(items)
    # The recorded feeds hold distinct stories (checked by hand): nothing may be merged.
    assert len(stories) == len({i.link_hash for i in items})


_HEADLINE_WORDS = st.sampled_from(
    "Reliance Infosys TCS shares jump fall 3% 5% after results Sensex Nifty gains record "
    "profit loss Q1 Q2 crore Rs rises slips".split()
)


@given(st.lists(st.tuples(st.lists(_HEADLINE_WORDS, min_size=1, max_size=8),
                          st.sampled_from(["ET", "Mint", "BS"]),
                          st.integers(0, 5)), max_size=30))
@settings(max_examples=100, deadline=None)
def test_stories_partition_the_distinct_articles(
    rows: list[tuple[list[str], str, int]],
) -> None:
    articles = [_article(" ".join(words), publisher, url=f"https://n.example/{n}")
                for words, publisher, n in rows]
    stories = dedup_articles(articles)
    hashes = [h for story in stories for h in story.link_hashes]
    assert sorted(hashes) == sorted({a.link_hash for a in articles})  # each exactly once
    for story in stories:
        assert story.duplicate_count == len(story.link_hashes) - 1
        assert story.article.link_hash == story.link_hashes[0]
    assert dedup_articles(articles, known_link_hashes=hashes) == []
