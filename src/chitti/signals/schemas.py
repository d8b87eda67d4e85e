"""Request models of the signals actions, shared by the service and the gateway."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chitti.marketdata.intraday import Interval


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
    ids: list[int] | None = Field(default=None, max_length=1000)
    limit: int = Field(default=50, ge=1, le=1000)


class AlertStreamFilter(BaseModel):
    """Server-side filter of a live alert stream (SSE or IPC ``subscribe``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             max_length=32)] | None = None
    direction: Literal["bullish", "bearish", "neutral"] | None = None
    min_impact: float | None = Field(default=None, ge=0, le=1)

    def matches(self, alert: dict[str, Any]) -> bool:
        return ((self.symbol is None or alert["symbol"] == self.symbol)
                and (self.direction is None or alert["direction"] == self.direction)
                and (self.min_impact is None or alert["impact"] >= self.min_impact))

    def query(self, **extra: Any) -> dict[str, Any]:
        """The same filter as ``get_alerts`` parameters (for replays)."""
        return {**self.model_dump(exclude_none=True), **extra}


class SubscribeRequest(AlertStreamFilter):
    """``subscribe``: the filter, plus ``after_id`` to replay what a client missed first."""

    after_id: int | None = Field(default=None, ge=0)


class GenerateRequest(BaseModel):
    """``generate_signals``: evaluate the alert rules over a symbol's stored bars.

    Alerts on bars from ``since`` (default: the last bar) are returned and, with ``store``,
    written (each once: a rule fires at most once per symbol and bar).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             min_length=1, max_length=32)]
    start: date | None = Field(default=None, description="first bar read (default: all)")
    end: date | None = None
    since: date | None = Field(default=None, description="first bar to alert on")
    interval: Interval = Field(default="1d", description="bar length: daily, or intraday "
                               "bars resampled from the stored minute bars")
    rules: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(
        default=None, max_length=500, description="rule names (default: all enabled)")
    min_impact: float | None = Field(default=None, ge=0, le=1)
    store: bool = True


class AlertIdRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    alert_id: int = Field(ge=1)


class RuleRequest(BaseModel):
    """A user alert rule: the definition (validated as an AlertRule) and whether it runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    definition: dict[str, Any]
    enabled: bool = True
