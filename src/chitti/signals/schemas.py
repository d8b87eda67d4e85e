"""Request and reply models of the signals actions, shared by the service and the gateway
(the reply models are the HTTP routes' ``response_model``, so OpenAPI shows every reply)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from chitti.marketdata.adjust import Adjust
from chitti.marketdata.intraday import Interval
from chitti.schemas import MAX_ID, REQUEST_CONFIG, request_config
from chitti.signals.rules import AlertRule


class AlertsRequest(BaseModel):
    model_config = REQUEST_CONFIG
    symbol: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                             max_length=32)] | None = None
    kind: str | None = Field(default=None, max_length=32)
    direction: Literal["bullish", "bearish", "neutral"] | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_impact: float | None = Field(default=None, ge=0, le=1)
    min_confidence: float | None = Field(default=None, ge=0, le=1)
    before_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    after_id: int | None = Field(default=None, ge=0, le=MAX_ID)
    ids: list[int] | None = Field(default=None, max_length=1000)
    limit: int = Field(default=50, ge=1, le=1000)


class AlertStreamFilter(BaseModel):
    """Server-side filter of a live alert stream (SSE or IPC ``subscribe``)."""

    model_config = REQUEST_CONFIG
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

    after_id: int | None = Field(default=None, ge=0, le=MAX_ID)


class GenerateRequest(BaseModel):
    """``generate_signals``: evaluate the alert rules over a symbol's stored bars.

    Alerts on bars from ``since`` (default: the last bar) are returned and, with ``store``,
    written (each once: a rule fires at most once per symbol and bar).
    """

    model_config = request_config({"symbol": "TCS", "since": "2021-01-01"})
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
    model_config = REQUEST_CONFIG
    alert_id: int = Field(ge=1, le=MAX_ID)


class OwnerScope(BaseModel):
    """Whose rules an IPC request reaches: ``owner`` (None: everyone's, for an admin)."""

    model_config = REQUEST_CONFIG
    owner: str | None = Field(default=None, max_length=64)


class RuleNameRequest(OwnerScope):
    """``delete_rule``."""

    name: str = Field(min_length=1, max_length=100)


class RuleRequest(BaseModel):
    """A user alert rule: the definition (validated as an AlertRule) and whether it runs."""

    model_config = request_config({"definition": {
        "version": 1, "name": "rsi_oversold_with_bullish_news", "kind": "combined",
        "direction": "bullish", "description": "RSI(14) < 30 and bullish news within 2 days",
        "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}},
        "condition": {"op": "and", "args": [
            {"op": "lt", "left": "rsi", "right": 30},
            {"op": "gt", "left": "news.bullish_2d", "right": 0}]},
        "explanation": "{symbol}: RSI(14) {rsi:.0f} < 30 with bullish news"}})
    definition: dict[str, Any]
    enabled: bool = True


class OwnedRuleRequest(RuleRequest):
    """``add_rule`` over IPC: the rule and its owner (set by the gateway, never by a client);
    ``any_owner`` (admins) may redefine another user's rule."""

    owner: str | None = Field(default=None, max_length=64)
    any_owner: bool = False


def _index_name(value: object) -> object:
    # "nifty  50" is NIFTY 50: case and spacing are not part of an index's name
    return " ".join(value.upper().split()) if isinstance(value, str) else value


#: The indices a screen's universe may be (their members are in ``md.symbols.indices``).
ScreenIndex = Annotated[Literal["NIFTY 50", "NIFTY 100", "NIFTY 200", "NIFTY 500"],
                        BeforeValidator(_index_name)]
ScreenSymbol = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                                min_length=1, max_length=32)]


class ScreenRequest(BaseModel):
    """``screen``: one rule's condition on the latest daily bar of every symbol of a universe.

    ``definition`` is an alert rule (the format of ``POST /api/signals/rules``, validated
    with the same messages) of which ``name`` (default ``"screen"``), ``direction``
    (``"bullish"``) and ``explanation`` (``"{symbol}"``) may be left out. The universe is
    ``index`` or ``symbols``, one of the two.
    """

    model_config = request_config({
        "definition": {
            "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}},
                           "sma50": {"fn": "sma", "params": {"timeperiod": 50}}},
            "condition": {"op": "and", "args": [
                {"op": "lt", "left": "rsi", "right": 45},
                {"op": "gt", "left": "close", "right": "sma50"}]}},
        "index": "NIFTY 50"})
    definition: dict[str, Any] = Field(description="an alert rule; name, direction and "
                                                   "explanation may be left out")
    index: ScreenIndex | None = Field(default=None, description="screen this index's members")
    symbols: list[ScreenSymbol] | None = Field(default=None, max_length=1000,
                                               description="or screen these symbols")
    adjust: Adjust = Field(default="split", description="how prices are adjusted for "
                                                        "corporate actions")

    @model_validator(mode="after")
    def _one_universe(self) -> ScreenRequest:
        if self.index is not None and self.symbols is not None:
            raise ValueError("give index or symbols, not both")
        if self.index is None and not self.symbols:
            raise ValueError("symbols: the universe is empty; give index (NIFTY 50, NIFTY 100, "
                             "NIFTY 200 or NIFTY 500) or a list of symbols")
        return self


# -- replies ---------------------------------------------------------------------------------
# Each reply exactly as the service sends it; timestamps are ISO 8601 with an offset. Extra
# keys are refused, so a reply that grows a key fails its schema test.

_REPLY = ConfigDict(extra="forbid")
Direction = Literal["bullish", "bearish", "neutral"]


class RuleSources(BaseModel):
    """What a rule read on the alert's bar (technical and model alerts, and combined-kind
    user rules)."""

    model_config = _REPLY
    rule: str
    values: dict[str, float | None] = Field(
        description="each series the rule read, keyed as the explanation's placeholders "
                    "(null: no value on that bar)")
    confirmations: dict[str, bool | None] = Field(
        description="the votes behind the confidence: trend, momentum, volume, news "
                    "(null: could not be judged)")


class NewsSources(BaseModel):
    model_config = _REPLY
    articles: list[int] = Field(description="ids of the stored articles (GET /api/news)")
    event_type: str = Field(description="results, order_win, ... or other")
    publishers: int = Field(description="how many publishers carried the story")


class CombinedSources(BaseModel):
    model_config = _REPLY
    alerts: list[int] = Field(description="the news alert's id, then the technical alerts' "
                                          "it was combined with")
    flagged: bool = Field(description="the technical alerts disagree with the news")


class NoSources(BaseModel):
    """``{}``: an alert written without sources (the column's default)."""

    model_config = _REPLY


class Alert(BaseModel):
    """A stored alert."""

    model_config = _REPLY
    id: int
    created_at: datetime
    ts: datetime = Field(description="when the event happened: the bar's close (daily), its "
                                     "opening instant (intraday) or the news' publication")
    symbol: str
    kind: Literal["technical", "news", "combined", "model"] = Field(
        description="technical: a rule on prices and indicators; model: a rule that reads a "
                    "model's predictions (ml.<model>); news: an article; combined: news with "
                    "technical alerts, or a rule that reads news.* series")
    rule: str | None = Field(description="the alert rule, news_<event type> or "
                                         "combined_<agreement> (null: written without one)")
    direction: Direction
    impact: float = Field(description="in [0, 1]")
    confidence: float = Field(description="in [0, 1]")
    explanation: str
    sources: RuleSources | NewsSources | CombinedSources | NoSources


class AlertPage(BaseModel):
    model_config = _REPLY
    alerts: list[Alert]
    count: int = Field(description="alerts in this page")
    next_before_id: int | None = Field(description="pass as before_id for the next page "
                                                   "(null: no alerts, or paging by after_id)")


class RuleAlert(BaseModel):
    """An alert a rule raised (stored once per symbol, rule and bar when ``store``)."""

    model_config = _REPLY
    ts: datetime = Field(description="the bar's close (daily) or opening instant "
                                     "(intraday), in IST")
    symbol: str
    kind: Literal["technical", "combined", "model"] = Field(description="the rule's kind")
    rule: str
    direction: Literal["bullish", "bearish"]
    impact: float
    confidence: float
    explanation: str
    sources: RuleSources
    dedup_key: str = Field(description="one alert per key is stored")


class GenerateReport(BaseModel):
    model_config = _REPLY
    symbol: str
    adjust: Literal["split"] = Field(description="the rules read split-adjusted bars")
    bars: int = Field(description="bars read in the range")
    alerts: list[RuleAlert] = Field(description="alerts from since on (stored or not)")
    stored_ids: list[int] = Field(description="alerts stored now (not before)")
    combined_ids: list[int] = Field(description="combined alerts stored now with the news "
                                                "alerts near the new ones")
    warnings: list[str]


class StoredRule(BaseModel):
    """A user rule (``version`` counts its definitions)."""

    model_config = _REPLY
    id: int
    name: str
    version: int
    definition: AlertRule
    enabled: bool
    owner: str | None = Field(description="the user it belongs to (null: stored before "
                                          "there were users)")
    created_at: datetime
    updated_at: datetime


class RuleList(BaseModel):
    model_config = _REPLY
    builtin: list[AlertRule]
    user: list[StoredRule]


class RuleSaved(BaseModel):
    model_config = _REPLY
    rule: StoredRule


Day = date  # a field named "date" hides the type inside its class


class ScreenRow(BaseModel):
    """One screened symbol, on its latest bar (prices adjusted as the request asked)."""

    model_config = _REPLY
    symbol: str
    date: Day = Field(description="the day of the symbol's latest bar")
    close: float
    change_pct: float | None = Field(description="100 x (close / previous close - 1) (null: "
                                                 "no previous bar)")
    matched: bool = Field(description="the condition holds on that bar")
    values: dict[str, float | None] = Field(
        description="each series the condition names and each declared indicator output on "
                    "that bar, keyed as an alert's sources.values (\".\" written \"_\", a "
                    "lookback reference k bars back as <name>_prev<k>; null: no value)")


class ScreenCounts(BaseModel):
    model_config = _REPLY
    universe: int = Field(description="symbols in the universe")
    screened: int = Field(description="symbols with bars (rows)")
    matched: int
    missing: int = Field(description="symbols without bars")


class ScreenReport(BaseModel):
    model_config = _REPLY
    rule: str = Field(description="the rule's name")
    universe: str = Field(description="the index, or \"symbols\" for a list")
    adjust: Adjust
    as_of: date | None = Field(description="the latest bar day among the rows (null: none)")
    bars: int = Field(description="bars read per symbol, its latest included: the warm-up "
                                  "of the rule's indicators (a symbol with a shorter history "
                                  "has all of it)")
    rows: list[ScreenRow] = Field(description="matched first, then by symbol")
    missing: list[str] = Field(description="universe symbols without bars, sorted")
    counts: ScreenCounts
