"""Request and reply models of the signals actions, shared by the service and the gateway
(the reply models are the HTTP routes' ``response_model``, so OpenAPI shows every reply)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


# -- replies ---------------------------------------------------------------------------------
# Each reply exactly as the service sends it; timestamps are ISO 8601 with an offset. Extra
# keys are refused, so a reply that grows a key fails its schema test.

_REPLY = ConfigDict(extra="forbid")
Direction = Literal["bullish", "bearish", "neutral"]


class RuleSources(BaseModel):
    """What a rule read on the alert's bar (technical alerts, and combined-kind user rules)."""

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
    kind: Literal["technical", "news", "combined"]
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
    kind: Literal["technical", "combined"] = Field(description="the rule's kind")
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
