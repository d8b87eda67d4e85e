"""Request models of the news actions, shared by the service and the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator


class ArticlesRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             max_length=32)] | None = None
    since: datetime | None = None
    sentiment: Literal["positive", "negative", "neutral"] | None = None
    source: str | None = Field(default=None, max_length=200)
    q: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=100_000)


FeedUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000,
                                           pattern=r"^https?://\S+$")]


class IngestRequest(BaseModel):
    """``ingest_rss``: one URL, one stored feed, a feed body given inline, or every feed
    (``due_only`` limits that to feeds whose next poll time has come)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    url: FeedUrl | None = None
    feed_id: int | None = Field(default=None, ge=1)
    xml: str | None = Field(default=None, max_length=32 * 1024 * 1024)
    source: str | None = Field(default=None, max_length=2000, description="name for xml")
    due_only: bool = False

    @model_validator(mode="after")
    def _at_most_one(self) -> IngestRequest:
        if sum(v is not None for v in (self.url, self.feed_id, self.xml)) > 1:
            raise ValueError("give at most one of url, feed_id and xml")
        return self


class SentimentRequest(BaseModel):
    """Texts to score; with ``targets`` (one company per text) also its direction."""

    model_config = ConfigDict(frozen=True, extra="forbid")
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
    model_config = ConfigDict(frozen=True, extra="forbid")
    text: str = Field(max_length=100_000, examples=["HDFC Bank and Infosys lift Sensex"])


class FeedRequestBody(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    url: FeedUrl
    title: str | None = Field(default=None, max_length=300)
    poll_interval_s: int = Field(default=300, ge=30, le=7 * 86400)
