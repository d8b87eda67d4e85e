"""Request and reply models of the news actions, shared by the service and the gateway
(the reply models are the HTTP routes' ``response_model``, so OpenAPI shows every reply)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from chitti.news.entities import MentionKind
from chitti.news.fetch import FetchStatus
from chitti.schemas import MAX_ID, REQUEST_CONFIG, request_config


class ArticlesRequest(BaseModel):
    model_config = REQUEST_CONFIG
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             max_length=32)] | None = None
    since: datetime | None = None
    sentiment: Literal["positive", "negative", "neutral"] | None = None
    source: str | None = Field(default=None, max_length=200)
    q: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=100_000)


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _check_feed_url(url: str) -> str:
    """An http(s) URL whose host is an IP address or a DNS name, with a valid port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:  # a host name: ASCII labels (an international name in its IDNA form)
            ascii_host = host if host.isascii() else host.encode("idna").decode()
        except UnicodeError:
            ascii_host = ""
        labels = ascii_host.split(".")
        if not ascii_host or len(ascii_host) > 253 or not all(map(_HOST_LABEL.match, labels)):
            raise ValueError(f"{url!r} has no valid host name: give a URL such as "
                             "https://example.com/feed.xml") from None
    if port == 0:
        raise ValueError(f"{url!r} has an invalid port")
    return url


FeedUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000,
                                           pattern=r"^https?://\S+$"),
                    AfterValidator(_check_feed_url)]


class IngestRequest(BaseModel):
    """``ingest_rss``: one URL, one stored feed, a feed body given inline, or every feed
    (``due_only`` limits that to feeds whose next poll time has come)."""

    model_config = request_config({"feed_id": 1})
    url: FeedUrl | None = None
    feed_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    xml: str | None = Field(default=None, max_length=5 * 1024 * 1024,
                            description="a feed body (at most 5 MiB, as a fetched one)")
    source: str | None = Field(default=None, max_length=2000, description="name for xml")
    due_only: bool = False

    @model_validator(mode="after")
    def _at_most_one(self) -> IngestRequest:
        if sum(v is not None for v in (self.url, self.feed_id, self.xml)) > 1:
            raise ValueError("give at most one of url, feed_id and xml")
        return self


class SentimentRequest(BaseModel):
    """Texts to score; with ``targets`` (one company per text) also its direction."""

    model_config = REQUEST_CONFIG
    texts: list[Annotated[str, StringConstraints(max_length=20_000)]] = Field(
        min_length=1, max_length=2000, examples=[["Infosys Q2 profit beats estimates"]])
    targets: list[Annotated[str, StringConstraints(max_length=200)]] | None = None

    @model_validator(mode="after")
    def _paired(self) -> SentimentRequest:
        if self.targets is not None and len(self.targets) != len(self.texts):
            raise ValueError(f"targets has {len(self.targets)} items, texts has "
                             f"{len(self.texts)}: give one target per text")
        return self


class EntitiesRequest(BaseModel):
    model_config = REQUEST_CONFIG
    text: str = Field(max_length=100_000, examples=["HDFC Bank and Infosys lift Sensex"])


class FeedRequestBody(BaseModel):
    model_config = request_config(
        {"url": "https://example.com/markets.rss", "title": "Markets", "poll_interval_s": 600})
    url: FeedUrl
    title: str | None = Field(default=None, max_length=300)
    poll_interval_s: int = Field(default=300, ge=30, le=7 * 86400)


class FeedChange(BaseModel):
    """What an admin may change of a stored feed: stop or resume polling it, its title, its
    interval."""

    model_config = request_config({"enabled": False})
    enabled: bool | None = None
    title: str | None = Field(default=None, max_length=300)
    poll_interval_s: int | None = Field(default=None, ge=30, le=7 * 86400)


class FeedIdRequest(BaseModel):
    """``delete_feed`` (its articles stay, without the feed)."""

    model_config = REQUEST_CONFIG
    feed_id: int = Field(ge=1, le=MAX_ID)


class FeedUpdate(FeedChange):
    """``update_feed``: the feed and the change."""

    feed_id: int = Field(ge=1, le=MAX_ID)


# -- replies ---------------------------------------------------------------------------------
# Each reply exactly as the service sends it; timestamps are ISO 8601 with an offset. A key
# left out in some cases (rather than sent as null) is ``X | SkipJsonSchema[None] =
# absent()``. Extra keys are refused, so a reply that grows a key fails its schema test.

_REPLY = ConfigDict(extra="forbid")
SentimentLabel = Literal["positive", "negative", "neutral"]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(description: str | None = None) -> Any:
    """A reply key that is sometimes left out: no null default shown in OpenAPI."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


class Article(BaseModel):
    """A stored story (one per group of near-duplicate headlines)."""

    model_config = _REPLY
    id: int
    title: str
    summary: str
    link: str | None
    publisher: str | None
    publishers: list[str] = Field(description="every publisher that carried the story")
    duplicate_count: int = Field(description="further copies of the story seen")
    published_at: datetime | None = Field(description="null when the feed gave no date")
    fetched_at: datetime
    sentiment: SentimentLabel | None = Field(description="of the headline (null: not scored)")
    sentiment_score: float | None = Field(description="in [-1, 1]")
    sentiment_confidence: float | None = Field(description="in [0, 1]")
    symbols: list[str] = Field(description="listed companies the story mentions")


class ArticlePage(BaseModel):
    model_config = _REPLY
    articles: list[Article]
    count: int = Field(description="articles in this page (page with offset)")


class FeedReport(BaseModel):
    """What one ingest did with one feed. ``feed_id`` only for stored feeds; ``items`` and
    ``new_copies_of_stored`` only when a body was read; ``error`` only when it failed."""

    model_config = _REPLY
    feed_id: int | SkipJsonSchema[None] = absent()
    url: str | None = Field(description="the feed's URL, or the source named for an inline "
                                        "body (null: none named)")
    status: FetchStatus
    items: int | SkipJsonSchema[None] = absent("entries in the feed")
    new_article_ids: list[int]
    new_copies_of_stored: int | SkipJsonSchema[None] = absent(
        "entries that were further copies of stored stories")
    error: str | None = absent("why the fetch or the parse failed")


class IngestReport(BaseModel):
    model_config = _REPLY
    feeds: list[FeedReport]
    new_article_ids: list[int] = Field(description="of every feed")


class FeedInfo(BaseModel):
    """A stored feed."""

    model_config = _REPLY
    id: int
    url: str
    title: str | None
    enabled: bool = Field(description="polled on its interval (false: never polled)")
    poll_interval_s: int = Field(description="seconds between two polls after a success")
    next_fetch_at: datetime = Field(description="when the next scheduled poll is due")


class FeedState(FeedInfo):
    """A feed with its polling state, as an operator checks it: when it was last fetched,
    how that went and why it failed, and how many articles it has brought in. Polls of the
    stored feed update it (scheduled ones, and ``POST /api/news/ingest`` with its
    ``feed_id`` or with no source at all); an ingest of a ``url`` or of ``xml`` does not."""

    etag: str | None = Field(description="the server's ETag from the last successful fetch "
                                         "(sent back as If-None-Match)")
    last_modified: str | None = Field(description="the server's Last-Modified header from "
                                                  "the last successful fetch")
    last_status: FetchStatus | None = Field(
        description="how the last poll went: ok (read and stored), not_modified (HTTP 304, "
                    "nothing new) or error (see last_error); null: never fetched")
    last_error: str | None = Field(description="why the last poll failed (HTTP status, "
                                               "timeout, unreadable feed); null after a "
                                               "poll that did not fail")
    failure_count: int = Field(description="failures in a row (the retry delay grows); 0 "
                                           "after a poll that did not fail")
    last_fetched_at: datetime | None = Field(description="when the last poll ended, whatever "
                                                         "its outcome (null: never fetched)")
    article_count: int = Field(description="stored articles first seen in this feed (a "
                                           "later copy of a stored story, from any feed, "
                                           "raises that article's duplicate_count instead)")


class FeedList(BaseModel):
    model_config = _REPLY
    feeds: list[FeedState]


class FeedAdded(BaseModel):
    model_config = _REPLY
    feed: FeedInfo = Field(description="the new feed, or the stored one with that URL")


class TargetDirection(BaseModel):
    model_config = _REPLY
    label: Literal["bullish", "bearish", "neutral"]
    score: float = Field(description="in [-1, 1], bearish to bullish")
    confidence: float = Field(description="probability of the label")
    target_found: bool = Field(description="whether the target was recognised in the text")


class TextSentiment(BaseModel):
    """One text's sentiment; ``target`` and ``direction`` only when targets were given."""

    model_config = _REPLY
    label: SentimentLabel
    score: float = Field(description="in [-1, 1], negative to positive")
    confidence: float = Field(description="probability of the label (0 for empty text)")
    target: str | SkipJsonSchema[None] = absent()
    direction: TargetDirection | SkipJsonSchema[None] = absent()


class SentimentReport(BaseModel):
    model_config = _REPLY
    results: list[TextSentiment] = Field(description="one per text, in order")
    model: str = Field(description="the model name stored with article sentiment")


class EntityMention(BaseModel):
    model_config = _REPLY
    symbol: str | None = Field(description="NSE symbol of a company, the name of an index; "
                                           "null for a sector")
    name: str
    sector: str | None
    kind: MentionKind
    mention: str = Field(description="the text as written")
    start: int = Field(description="offset of the mention's first character")
    end: int = Field(description="offset just past the mention")


class EntityList(BaseModel):
    model_config = _REPLY
    entities: list[EntityMention]
