"""Request models of the news actions, shared by the service and the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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
