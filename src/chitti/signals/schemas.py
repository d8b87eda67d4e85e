"""Request models of the signals actions, shared by the service and the gateway."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class AlertsRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             max_length=32)] | None = None
    kind: str | None = Field(default=None, max_length=32)
    direction: Literal["bullish", "bearish", "neutral"] | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_impact: float | None = Field(default=None, ge=0, le=1)
    min_confidence: float | None = Field(default=None, ge=0, le=1)
    before_id: int | None = Field(default=None, ge=1)
    after_id: int | None = Field(default=None, ge=0)
    limit: int = Field(default=50, ge=1, le=1000)
