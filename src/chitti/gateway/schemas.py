"""Response models of the gateway, for OpenAPI (request models live with their domain)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from chitti.marketdata.adjust import Adjust


class ComponentHealth(BaseModel):
    status: Literal["ok", "down"]
    latency_ms: float | None = None
    error: str | None = None
    detail: dict[str, Any] | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "down"]
    version: str
    uptime_s: float
    db: ComponentHealth
    services: dict[str, ComponentHealth]


class SmaResult(BaseModel):
    period: int
    sma: list[float | None]


class AppliedAction(BaseModel):
    """A corporate action of the symbol and what the adjustment did with it."""

    ex_date: str
    kind: str
    purpose: str
    price_factor: float = Field(description="prices before ex_date were multiplied by this")
    volume_factor: float = Field(description="volumes before ex_date were multiplied by this")
    applied: bool
    note: str | None = Field(description="why the action was not applied")


class OhlcvResult(BaseModel):
    symbol: str
    interval: str = Field(description="bar length: 1d, or an intraday interval")
    adjust: Adjust = Field(description="the adjustment these prices carry")
    count: int
    ts: list[str]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    volume: list[int]
    actions: list[AppliedAction] = Field(
        description="every corporate action of the symbol, applied or not")
    warnings: list[str] = Field(
        description="where the bars do not cover the requested range (late start, early "
                    "end, holes of over 10 days)")


class PriceGap(BaseModel):
    symbol: str
    ex_date: str
    prev_close: float
    close: float
    change_pct: float
    observed_ratio: float = Field(description="prev_close / close")
    proposed_ratio: float | None = Field(description="the NSE share ratio that would explain "
                                                     "the gap (null: none does)")
    proposal: str | None


class BadBar(BaseModel):
    where: str
    problem: str


class PriceCheck(BaseModel):
    adjust: Adjust
    checked: int
    gaps: list[PriceGap]
    bad_bars: list[BadBar]
    missing: list[str] = Field(description="symbols asked for that have no stored bars")


class SymbolInfo(BaseModel):
    symbol: str
    name: str
    isin: str | None
    sector: str | None
    indices: list[str]
    first_date: str | None
    last_date: str | None
    bar_count: int


class SymbolList(BaseModel):
    symbols: list[SymbolInfo]
    count: int = Field(description="symbols in this page")
    total: int = Field(description="symbols matching the query in all (page with offset)")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid request: the message names the field"},
    503: {"model": ErrorBody, "description": "A service or the database is unavailable"},
    504: {"model": ErrorBody, "description": "A service did not answer in time"},
}
