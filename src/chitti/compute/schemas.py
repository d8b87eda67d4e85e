"""Request models of the compute actions, shared by the service and the gateway."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from chitti.marketdata.adjust import Adjust
from chitti.marketdata.intraday import Interval

#: An NSE trading symbol as typed by a user: trimmed and upper-cased (``m&m`` -> ``M&M``).
Symbol = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                          min_length=1, max_length=32,
                                          pattern=r"^[A-Za-z0-9&\-_. ]+$")]


class SmaRequest(BaseModel):
    """Prices in, simple moving average out (NaN warm-up, as TA-Lib)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    prices: list[float] = Field(min_length=1, max_length=5_000_000)
    period: int = Field(default=20, ge=2, le=100_000)


#: How stored prices are adjusted for corporate actions on read (see chitti.marketdata.adjust).
AdjustField = Annotated[Adjust, Field(
    description="split: splits, bonuses, rights and demergers (default); total: also "
                "dividends; none: as the exchange printed")]


class OhlcvRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: Symbol
    start: date | None = None
    end: date | None = None
    adjust: AdjustField = "split"
    interval: Interval = "1d"

    @model_validator(mode="after")
    def _ordered(self) -> OhlcvRequest:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class CheckPricesRequest(BaseModel):
    """One-day gaps no stored action explains (with the share ratio that would), and bad
    bars, in the series of ``symbols`` as adjusted by ``adjust``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    symbols: list[Symbol] = Field(min_length=1, max_length=500, examples=[["TCS", "INFY"]])
    adjust: AdjustField = "split"
    threshold_pct: float = Field(default=20.0, ge=1.0, le=100.0,
                                 description="smallest one-day move to list, in percent")


class SymbolsRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    q: str | None = Field(default=None, max_length=64)
    index: str | None = Field(default=None, max_length=32)
    with_prices: bool = False
    limit: int = Field(default=100, ge=1, le=5000)
    offset: int = Field(default=0, ge=0, le=10_000_000)


InputName = Literal["open", "high", "low", "close", "volume"]
#: Parameter values as JSON carries them; each is checked against the catalogue's range.
ParamValues = dict[Annotated[str, StringConstraints(max_length=40)], float | int]


class IndicatorRequest(BaseModel):
    """One indicator on inline series (``inputs``) or on a stored symbol's daily bars."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=40, examples=["rsi"])
    params: ParamValues = Field(default_factory=dict, examples=[{"timeperiod": 14}])
    inputs: dict[InputName, list[float]] | None = Field(
        default=None, examples=[{"close": [10.0, 10.5, 10.2, 10.8]}])
    symbol: Symbol | None = None
    start: date | None = None
    end: date | None = None
    adjust: AdjustField = "split"
    interval: Interval = Field(default="1d", description="bar length of a stored symbol")

    @model_validator(mode="after")
    def _one_source(self) -> IndicatorRequest:
        if (self.inputs is None) == (self.symbol is None):
            raise ValueError("give either inputs (inline series) or symbol (stored bars)")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class BatchIndicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    params: ParamValues = Field(default_factory=dict)


class BatchRequest(BaseModel):
    """Many indicators on many series: stored symbols (``symbols`` + dates) or inline
    ``series`` keyed by a name of your choice."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    indicators: list[BatchIndicator] = Field(min_length=1, max_length=100)
    symbols: list[Symbol] | None = Field(default=None, min_length=1, max_length=1000)
    start: date | None = None
    end: date | None = None
    adjust: AdjustField = "split"
    interval: Interval = Field(default="1d", description="bar length of the stored symbols")
    series: dict[Annotated[str, StringConstraints(max_length=64)],
                 dict[InputName, list[float]]] | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _one_source(self) -> BatchRequest:
        if (self.series is None) == (self.symbols is None):
            raise ValueError("give either symbols (stored bars) or series (inline)")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


#: A strategy: the name of a shipped example (GET /api/strategies) or a full spec object.
StrategyRef = Annotated[str, StringConstraints(min_length=1, max_length=64)] | dict[str, Any]


class _BacktestBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    strategy: StrategyRef = Field(examples=["sma_crossover"])
    start: date | None = None
    end: date | None = None
    adjust: AdjustField = "split"
    interval: Interval = Field(
        default="1d", description="bar length; intraday runs default to the intraday cost "
        "profile, a 15:20 IST square-off and 252 x bars-per-session periods a year")
    config: dict[str, Any] = Field(
        default_factory=dict, examples=[{"costs": "nse_delivery_discount"}],
        description="BacktestConfig fields: fill, slippage_bps, sizing, stops, costs, "
                    "square_off_ist, ...")

    @model_validator(mode="after")
    def _ordered(self) -> Any:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class BacktestRequest(_BacktestBase):
    """One backtest: a single symbol, or a portfolio sharing one cash account."""

    symbols: list[Symbol] = Field(min_length=1, max_length=200, examples=[["TCS"]])
    params: ParamValues = Field(default_factory=dict, examples=[{"fast": 10, "slow": 50}])
    benchmark: Symbol | None = Field(default="NIFTY 50",
                                     description="symbol of the benchmark series (null: none)")


class SweepRequest(_BacktestBase):
    """A parameter grid on one symbol; ``constraints`` like ``"fast < slow"``."""

    symbol: Symbol
    grid: dict[Annotated[str, StringConstraints(max_length=40)], list[float]] = Field(
        min_length=1, examples=[{"fast": [5, 10, 20], "slow": [50, 100, 200]}])
    constraints: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=10, examples=[["fast < slow"]])
    metric: str = Field(default="sharpe_ratio", max_length=40)
    table: bool = Field(default=True, description="include every combination's metrics")


class WalkForwardRequest(SweepRequest):
    in_sample_bars: int = Field(ge=20, le=100_000, examples=[504])
    out_of_sample_bars: int = Field(ge=5, le=100_000, examples=[126])


class BacktestIdRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    backtest_id: int = Field(ge=1)
