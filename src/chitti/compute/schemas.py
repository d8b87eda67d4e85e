"""Request and reply models of the compute actions, shared by the service and the gateway
(the reply models are the HTTP routes' ``response_model``, so OpenAPI shows every reply)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import core_schema

from chitti.compute.backtest import BacktestConfig, StrategySpec
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.intraday import Interval
from chitti.marketdata.quotes import SPARK_BARS
from chitti.schemas import MAX_ID, REQUEST_CONFIG, request_config

#: The characters of an NSE trading symbol (and of an index name such as ``NIFTY 50``).
SYMBOL_PATTERN = r"^[A-Za-z0-9&\-_. ]+$"
#: An NSE trading symbol as typed by a user: trimmed and upper-cased (``m&m`` -> ``M&M``).
Symbol = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                          min_length=1, max_length=32,
                                          pattern=SYMBOL_PATTERN)]


class SmaRequest(BaseModel):
    """Prices in, simple moving average out (NaN warm-up, as TA-Lib)."""

    model_config = request_config({"prices": [10.0, 10.5, 10.2, 10.8, 11.0], "period": 3})
    prices: list[float] = Field(min_length=1, max_length=5_000_000)
    period: int = Field(default=20, ge=2, le=100_000)


#: How stored prices are adjusted for corporate actions on read (see chitti.marketdata.adjust).
AdjustField = Annotated[Adjust, Field(
    description="split: splits, bonuses, rights and demergers (default); total: also "
                "dividends; none: as the exchange printed")]


class OhlcvRequest(BaseModel):
    model_config = REQUEST_CONFIG
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

    model_config = REQUEST_CONFIG
    symbols: list[Symbol] = Field(min_length=1, max_length=500, examples=[["TCS", "INFY"]])
    adjust: AdjustField = "split"
    threshold_pct: float = Field(default=20.0, ge=1.0, le=100.0,
                                 description="smallest one-day move to list, in percent")


class SymbolsRequest(BaseModel):
    model_config = REQUEST_CONFIG
    q: str | None = Field(default=None, max_length=64)
    index: str | None = Field(default=None, max_length=32)
    with_prices: bool = False
    limit: int = Field(default=100, ge=1, le=5000)
    offset: int = Field(default=0, ge=0, le=10_000_000)


#: Most symbols one quotes request may ask for.
MAX_QUOTE_SYMBOLS = 200


def _symbol_list(value: Any) -> Any:
    # The count and the spelling are checked here so that the message says what to do (the
    # field's own constraints then hold, and still document the parameter in OpenAPI).
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return value  # not a list of text: the field's type check says so
    names = [name.strip().upper() for name in value if name.strip()]
    if not names:
        raise ValueError("give at least one symbol: symbols=RELIANCE&symbols=TCS")
    if len(names) > MAX_QUOTE_SYMBOLS:
        raise ValueError(f"{len(names)} symbols given, at most {MAX_QUOTE_SYMBOLS} per request: "
                         "split the list over several requests")
    for name in names:
        if "," in name:
            raise ValueError(f"{name!r} holds a comma: repeat the parameter for each symbol "
                             "(symbols=RELIANCE&symbols=TCS)")
        if len(name) > 32 or not re.fullmatch(SYMBOL_PATTERN, name):
            raise ValueError(f"{name!r} is not a symbol (up to 32 letters, digits, spaces and "
                             "& - _ .); look symbols up with GET /api/market/symbols?q=")
    return list(dict.fromkeys(names))


class QuotesRequest(BaseModel):
    """``get_quotes``: the last daily bar of each symbol, its move on the day and a
    sparkline of its last closes (a watchlist's rows)."""

    model_config = REQUEST_CONFIG
    symbols: Annotated[list[Symbol], BeforeValidator(_symbol_list)] = Field(
        min_length=1, max_length=MAX_QUOTE_SYMBOLS, examples=[["RELIANCE", "TCS", "INFY"]],
        description=f"1 to {MAX_QUOTE_SYMBOLS} symbols, the parameter repeated once per "
                    "symbol (symbols=RELIANCE&symbols=TCS: an array, as a generated client "
                    "sends it); repeats are dropped")
    adjust: AdjustField = "split"


InputName = Literal["open", "high", "low", "close", "volume"]
#: Parameter values as JSON carries them; each is checked against the catalogue's range.
ParamValues = dict[Annotated[str, StringConstraints(max_length=40)], float | int]


class IndicatorRequest(BaseModel):
    """One indicator on inline series (``inputs``) or on a stored symbol's daily bars."""

    model_config = REQUEST_CONFIG
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
    model_config = REQUEST_CONFIG
    name: str = Field(min_length=1, max_length=40)
    params: ParamValues = Field(default_factory=dict)


class BatchRequest(BaseModel):
    """Many indicators on many series: stored symbols (``symbols`` + dates) or inline
    ``series`` keyed by a name of your choice."""

    model_config = request_config({
        "symbols": ["TCS", "INFY"], "start": "2021-01-01", "end": "2021-03-31",
        "indicators": [{"name": "rsi", "params": {"timeperiod": 14}},
                       {"name": "sma", "params": {"timeperiod": 50}}]})
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


def _set_fields(config: BacktestConfig) -> dict[str, Any]:
    return config.model_dump(exclude_unset=True)


def _copy(config: dict[str, Any]) -> dict[str, Any]:
    return dict(config)


class _ConfigOverrides:
    """Validate a request's ``config`` as a :class:`BacktestConfig` (so OpenAPI shows that
    model and a bad field is refused at once), but keep only the fields the caller set, as a
    dict: the service fills the intraday defaults (costs, square-off, periods a year) into
    the fields left unset, which a complete model would hide."""

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            _set_fields, handler.generate_schema(BacktestConfig),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _copy, return_schema=core_schema.dict_schema(core_schema.str_schema())))


#: The config fields a request sets (validated as BacktestConfig; unset fields absent).
ConfigOverrides = Annotated[dict[str, Any], _ConfigOverrides]


class _BacktestBase(BaseModel):
    model_config = REQUEST_CONFIG
    strategy: StrategyRef = Field(examples=["sma_crossover"])
    start: date | None = None
    end: date | None = None
    adjust: AdjustField = "split"
    interval: Interval = Field(
        default="1d", description="bar length; intraday runs default to the intraday cost "
        "profile, a 15:20 IST square-off and 252 x bars-per-session periods a year")
    config: ConfigOverrides = Field(
        default_factory=dict, examples=[{"costs": "nse_delivery_discount"}],
        description="the BacktestConfig fields to set (fill, slippage_bps, sizing, stops, "
                    "costs, square_off_ist, ...); the others keep their defaults")

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


class OwnedBacktestRequest(BacktestRequest):
    """``backtest`` over IPC: the request and the user it is stored for (set by the gateway,
    never by a client)."""

    owner: str | None = Field(default=None, max_length=64)


class BacktestIdRequest(BaseModel):
    """``get_backtest``: one stored backtest of ``owner`` (None: anyone's, for an admin)."""

    model_config = REQUEST_CONFIG
    backtest_id: int = Field(ge=1, le=MAX_ID)
    owner: str | None = Field(default=None, max_length=64)


class BacktestListRequest(BaseModel):
    """``list_backtests``: ``owner``'s stored backtests, newest first, a page at a time."""

    model_config = REQUEST_CONFIG
    owner: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=50, ge=1, le=500)
    before_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                  description="the previous page's next_before_id")


# -- replies ---------------------------------------------------------------------------------
# Each reply exactly as the service sends it. A key that a reply leaves out in some cases
# (rather than sending null) is ``X | SkipJsonSchema[None] = absent()``: optional in OpenAPI,
# never null. Extra keys are refused, so a reply that grows a key fails its schema test.

_REPLY = ConfigDict(extra="forbid")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(description: str | None = None) -> Any:
    """A reply key that is sometimes left out: no null default shown in OpenAPI."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


#: A parameter value: an integer for an int parameter, a number for a float one.
Number = int | float
#: One value per bar; null during the warm-up (NaN in the engine).
Series = list[float | None]
#: Metrics by name, the unit in the name (``total_return_pct``; GET /api/strategies lists
#: each unit); null where undefined (no trades, zero volatility, no benchmark). Counts
#: (``trade_count``, ``bar_count``, ``open_trade_count``) are integers.
Metrics = dict[str, int | float | None]


class Quote(BaseModel):
    """One symbol's last daily bar and its move on the day, adjusted by the reply's
    ``adjust``: the same numbers as ``GET /api/market/{symbol}/ohlcv`` gives for those days."""

    model_config = _REPLY
    symbol: str
    last_date: date = Field(description="the day of the last stored bar")
    close: float = Field(description="the close of last_date")
    prev_close: float | None = Field(description="the close of the bar before (null: the "
                                                 "symbol has a single bar)")
    change: float | None = Field(description="close - prev_close, in rupees (points for an "
                                             "index); null without prev_close")
    change_pct: float | None = Field(description="close / prev_close - 1, in percent; null "
                                                 "without prev_close")
    volume: int = Field(description="shares traded on last_date (in today's shares, as the "
                                    "prices)")
    spark: list[float] = Field(description=f"the last {SPARK_BARS} closes (fewer when fewer "
                                           "are stored), oldest first; the last is close")


class QuoteList(BaseModel):
    """Quotes in the order the symbols were asked for; a symbol without one is named in
    ``unknown`` or ``missing`` instead."""

    model_config = _REPLY
    adjust: Adjust = Field(description="the adjustment the prices carry")
    quotes: list[Quote]
    unknown: list[str] = Field(description="symbols neither listed nor with stored bars "
                                           "(see GET /api/market/symbols)")
    missing: list[str] = Field(description="listed symbols without stored daily bars "
                                           "(chitti update-eod or load-market loads them)")


class IndicatorParam(BaseModel):
    model_config = _REPLY
    name: str
    type: Literal["int", "float"]
    default: Number
    min: Number = Field(description="smallest valid value (inclusive)")
    max: Number = Field(description="largest valid value (inclusive)")
    description: str


class IndicatorInfo(BaseModel):
    """One catalogue entry (the request's ``name`` and ``params`` refer to it)."""

    model_config = _REPLY
    name: str
    group: str = Field(description="overlap, momentum, volatility, volume, price_transform, "
                                   "statistic, trend, support_resistance or pattern")
    display_name: str
    description: str
    inputs: list[str] = Field(description="bar fields it reads: open, high, low, close, "
                                          "volume (periods: a per-bar period series)")
    params: list[IndicatorParam]
    outputs: list[str] = Field(description="keys of the reply's outputs")
    lookback_default: int = Field(description="leading bars without a value (warm-up) with "
                                              "the default parameters")
    talib: str | None = Field(description="the TA-Lib function it equals (null: TA-Lib has "
                                          "no such function)")
    streaming: bool = Field(description="also computed bar by bar on live bars")


class IndicatorCatalog(BaseModel):
    model_config = _REPLY
    indicators: list[IndicatorInfo]
    count: int


class IndicatorResult(BaseModel):
    """One indicator's outputs; ``symbol``, ``ts``, ``adjust`` and ``warnings`` only for a
    stored symbol (not for inline ``inputs``)."""

    model_config = _REPLY
    name: str
    params: dict[str, Number] = Field(description="every parameter, defaults filled in")
    lookback: int = Field(description="leading bars without a value for these parameters")
    outputs: dict[str, Series] = Field(description="each output (see the catalogue's "
                                                   "outputs), one value per bar")
    symbol: str | SkipJsonSchema[None] = absent()
    ts: list[str] | SkipJsonSchema[None] = absent(
        "bar times: ISO dates (daily) or ISO timestamps in IST (intraday)")
    adjust: Adjust | SkipJsonSchema[None] = absent()
    warnings: list[str] | SkipJsonSchema[None] = absent(
        "where the bars miss the range or the warm-up history is too short")


class BatchIndicatorResult(BaseModel):
    model_config = _REPLY
    name: str
    params: dict[str, Number]
    outputs: dict[str, Series]


class BatchSeriesResult(BaseModel):
    model_config = _REPLY
    ts: list[str] | None = Field(description="bar times of a stored symbol (null for an "
                                             "inline series)")
    indicators: list[BatchIndicatorResult] = Field(description="in the request's order")


class BatchResult(BaseModel):
    """Results by symbol (or by the inline series' names); ``adjust`` and ``warnings`` only
    for stored symbols. A symbol without bars in the range is left out and warned about."""

    model_config = _REPLY
    results: dict[str, BatchSeriesResult]
    adjust: Adjust | SkipJsonSchema[None] = absent()
    warnings: list[str] | SkipJsonSchema[None] = absent()


class StrategyInfo(BaseModel):
    model_config = _REPLY
    name: str = Field(description="pass as the request's strategy")
    description: str
    spec: StrategySpec


class StrategyCatalog(BaseModel):
    model_config = _REPLY
    strategies: list[StrategyInfo]
    cost_profiles: list[str] = Field(description="names for config.costs")
    metric_units: dict[str, str] = Field(description="the unit of each metric")


class BacktestTrade(BaseModel):
    """One round trip; prices include slippage, ``pnl_inr`` is net of both legs' costs."""

    model_config = _REPLY
    symbol: str
    direction: Literal["long", "short"]
    entry_time: str = Field(description="bar time of the entry fill (as the curves' ts)")
    exit_time: str | None = Field(description="null: still open at the end")
    quantity: float
    entry_price_inr: float
    exit_price_inr: float = Field(description="the last close for an open trade")
    pnl_inr: float = Field(description="unrealised for an open trade")
    return_pct: float | None = Field(description="null for a zero notional")
    costs_inr: float
    exit_reason: Literal["signal", "stop_loss", "take_profit", "trailing_stop", "open"]
    bars_held: int


class CostPeriod(BaseModel):
    """Dated statutory rates the run charged in one period, with their sources."""

    model_config = _REPLY
    from_: str = Field(alias="from", description="first day (ISO date)")
    to: str = Field(description="last day (ISO date)")
    rates_pct: dict[str, float] = Field(description="scheduled rate by cost field")
    sources: dict[str, str] = Field(description="the statute or circular behind each rate")


class EquitySeries(BaseModel):
    model_config = _REPLY
    ts: list[str] = Field(description="bar times: ISO dates (daily) or ISO timestamps in "
                                      "IST (intraday)")
    equity_inr: Series


class EquityCurve(EquitySeries):
    drawdown_pct: Series = Field(description="below the running peak, in % (<= 0)")


class BacktestRun(BaseModel):
    """A backtest just run and stored (``id``)."""

    model_config = _REPLY
    id: int = Field(description="GET /api/backtest/results/{id} returns it again")
    adjust: Adjust
    strategy: str = Field(description="the spec's name")
    params: dict[str, Number] = Field(description="every strategy parameter as run")
    symbols: list[str]
    config: BacktestConfig = Field(description="the config as run, defaults filled in")
    metrics: Metrics
    trades: list[BacktestTrade]
    cost_schedule: list[CostPeriod] = Field(description="empty for an undated cost profile")
    equity_curve: EquityCurve
    warnings: list[str]


class StoredBacktest(BaseModel):
    """A stored backtest, as run (reopen it without running it again)."""

    model_config = _REPLY
    id: int
    created_at: datetime
    owner: str | None = Field(description="who ran it (null: stored before there were users)")
    adjust: Adjust | None = Field(description="null: stored before it was kept")
    interval: str | None = Field(description="null: stored before it was kept")
    warnings: list[str]
    strategy: str
    spec: StrategySpec
    params: dict[str, Number]
    symbols: list[str]
    start_date: date | None = Field(description="as requested (null: from the first bar)")
    end_date: date | None = Field(description="as requested (null: to the last bar)")
    metrics: Metrics
    config: BacktestConfig
    cost_schedule: list[CostPeriod]
    equity_curve: EquityCurve
    trades: list[BacktestTrade]


class BacktestSummary(BaseModel):
    model_config = _REPLY
    id: int
    created_at: datetime
    strategy: str
    symbols: list[str]
    start_date: date | None
    end_date: date | None
    owner: str | None
    adjust: Adjust | None
    interval: str | None
    metrics: Metrics


class BacktestList(BaseModel):
    """Stored backtests, newest first."""

    model_config = _REPLY
    backtests: list[BacktestSummary]
    count: int
    next_before_id: int | None = Field(description="pass as before_id for the next page")


class SweepBest(BaseModel):
    model_config = _REPLY
    params: dict[str, Number] = Field(description="the swept parameters' best values")
    metrics: Metrics


class SweepReport(BaseModel):
    """A grid's best combination; with ``table`` (the default) also every combination's
    parameters and metrics, column by column."""

    model_config = _REPLY
    adjust: Adjust
    strategy: str
    metric: str = Field(description="what best maximises")
    combination_count: int
    best: SweepBest | None = Field(description="null: the metric is undefined for every "
                                               "combination")
    params: dict[str, list[Number]] | SkipJsonSchema[None] = absent(
        "each swept parameter's value per combination")
    metrics: dict[str, list[float | None]] | SkipJsonSchema[None] = absent(
        "each metric per combination (counts as numbers too)")
    warnings: list[str]


class WalkForwardWindow(BaseModel):
    model_config = _REPLY
    in_sample_start: str
    in_sample_end: str
    out_of_sample_start: str
    out_of_sample_end: str
    best_params: dict[str, Number] | None = Field(
        description="every strategy parameter as tested out of sample (null: no in-sample "
                    "best, the window kept the spec's values)")
    in_sample_metric: float | None
    out_of_sample_return_pct: float | None


class WalkForwardReport(BaseModel):
    """Rolling windows and the out-of-sample equity stitched over them."""

    model_config = _REPLY
    adjust: Adjust
    strategy: str
    metric: str
    windows: list[WalkForwardWindow]
    metrics: Metrics = Field(description="of the stitched out-of-sample run")
    trades: list[BacktestTrade]
    equity_curve: EquitySeries
    warnings: list[str]
