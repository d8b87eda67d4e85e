"""From parsed feed items to what the store writes: stories, entities, sentiment, direction.

Pure: articles in, a plan out. A batch is folded into stories together with the articles
stored in the last two days, so a copy of a stored story from another publisher raises that
article's duplicate count instead of becoming a second article; copies already stored (by
link hash) are dropped, so ingesting the same feed twice plans nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chitti.news import direction, sentiment
from chitti.news.dedup import Story, dedup_articles
from chitti.news.entities import EntityMatcher, EntityMention
from chitti.news.parse import ParsedArticle
from chitti.news.sentiment import Sentiment

#: Name stored with each sentiment row and returned by the API, so rows of a retrained model
#: can be told apart: change it with the weights (v2: the headline model's convolutional part).
MODEL_NAME = "chitti-news-v2"


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """A stored article recent enough that a new copy may be the same story."""

    article_id: int
    article: ParsedArticle


@dataclass(frozen=True, slots=True)
class CompanyDirection:
    symbol: str
    label: str
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class NewStory:
    story: Story
    text: str                            # what mention offsets refer to
    mentions: tuple[EntityMention, ...]
    sentiment: Sentiment
    directions: tuple[CompanyDirection, ...]


@dataclass(frozen=True, slots=True)
class ExtraCopies:
    """New copies (other publishers) of an already stored article."""

    article_id: int
    link_hashes: tuple[str, ...]
    publishers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IngestPlan:
    new_stories: tuple[NewStory, ...]
    extra_copies: tuple[ExtraCopies, ...]


def article_text(article: ParsedArticle) -> str:
    """Title, then the summary unless it only repeats the title (as Google News does)."""
    summary = article.summary.strip()
    if not summary or summary.startswith(article.title):
        return article.title
    return f"{article.title}\n{summary}"


def _analyse(stories: Sequence[Story], matcher: EntityMatcher) -> list[NewStory]:
    if not stories:
        return []
    # Headline sentiment: the models are trained on headlines, and summaries of aggregator
    # feeds are mostly the headline again.
    moods = sentiment.analyze_many([s.article.title for s in stories])
    texts = [article_text(s.article) for s in stories]
    mentions = [tuple(matcher.extract(text)) for text in texts]
    pairs: list[tuple[str, str]] = []
    owners: list[tuple[int, str]] = []
    for i, (story, found) in enumerate(zip(stories, mentions, strict=True)):
        title_len = len(story.article.title)
        seen: set[str] = set()
        for m in found:
            if m.kind != "company" or m.symbol is None or m.symbol in seen:
                continue
            seen.add(m.symbol)
            # Judge the direction in the sentence that names the company.
            pairs.append((story.article.title if m.end <= title_len else texts[i], m.mention))
            owners.append((i, m.symbol))
    per_story: list[list[CompanyDirection]] = [[] for _ in stories]
    for (i, symbol), result in zip(owners, direction.assess_many(pairs), strict=True):
        per_story[i].append(CompanyDirection(symbol, result.label, result.score,
                                             result.confidence))
    return [NewStory(s, t, m, mood, tuple(d))
            for s, t, m, mood, d in zip(stories, texts, mentions, moods, per_story, strict=True)]


def plan_ingest(
    items: Sequence[ParsedArticle], *, matcher: EntityMatcher,
    known_link_hashes: Iterable[str] = (), recent: Sequence[KnownArticle] = (),
) -> IngestPlan:
    """Plan what a batch adds: new stories (analysed) and new copies of stored ones.

    ``known_link_hashes`` are hashes of the batch already stored; ``recent`` are stored
    articles a new copy may duplicate.
    """
    stored_by_hash = {k.article.link_hash: k.article_id for k in recent}
    known = set(known_link_hashes) - stored_by_hash.keys()
    stories = dedup_articles([k.article for k in recent] + list(items), known_link_hashes=known)
    new: list[Story] = []
    extra: list[ExtraCopies] = []
    for story in stories:
        stored = [stored_by_hash[h] for h in story.link_hashes if h in stored_by_hash]
        if not stored:
            new.append(story)
            continue
        added = tuple(h for h in story.link_hashes if h not in stored_by_hash)
        if added:
            extra.append(ExtraCopies(stored[0], added, story.publishers))
    return IngestPlan(tuple(_analyse(new, matcher)), tuple(extra))
