"""Alert rules: versioned, validated definitions in the rule language strategies also use.

An :class:`AlertRule` is data (JSON in ``signals.rules``, or one of :data:`BUILTIN_RULES`).
Its ``condition`` is a rule of :mod:`chitti.compute.conditions` (comparisons,
``cross_above``/``cross_below``, ``and``/``or``/``not``, numbers, ``"$param"``, lookback
references ``{"ref": series, "shift": k}``) over ``indicators`` declared exactly as a
strategy declares them, validated and compiled by that package. An alert fires on bar t
when the condition is true on t (it reads bars <= t only); the rule is then silent for
``cooldown_bars`` bars (t+1 .. t+cooldown_bars) on that symbol.

Series a condition may name, besides ``open``/``high``/``low``/``close``/``volume`` and the
rule's indicator ids (``"rsi"``, ``"macd.macdsignal"``):

``bar.change_pct``
    100 x (close / previous close - 1).
``bar.gap_up_pct``
    100 x (open / previous high - 1): positive when the bar opens above the previous high.
``bar.gap_down_pct``
    100 x (1 - open / previous low): positive when the bar opens below the previous low.
``divergence.rsi_bullish`` / ``divergence.rsi_bearish``
    1 on the bar that confirms an RSI(14) divergence, else 0 (see :data:`DIVERGENCE`).
    Bullish: bar p = t - 3 is a swing low of the close (below the 3 closes before it, not
    above the 3 after it, so it is known at t), the previous swing low q lies 5..60 bars
    earlier, close[p] < close[q] (lower low in price) and RSI[p] > RSI[q] (higher low in
    RSI) with RSI[q] <= 40. Bearish mirrors it with swing highs, a higher high in price, a
    lower high in RSI and RSI[q] >= 60.
``candle.<pattern>``
    A TA-Lib candlestick pattern of ``chitti.compute.candles`` (``candle.cdlengulfing``):
    0, +-80, +-100 or +-200; positive is bullish, negative bearish.
``news.bullish_<N>d`` / ``news.bearish_<N>d`` / ``news.net_<N>d`` (N in 1, 2, 3, 5, 10)
    Bullish / bearish articles about the symbol (and bullish minus bearish) over the last
    N sessions, bar t's included; an article counts on the first session that closes after
    it is published (see ``patterns.news_series``). Zero when no news is supplied.
``ml.<model>``
    The stored prediction of model ``<model>`` (lowercase letters, digits, ``_``) for the
    symbol on each bar, NaN (so every comparison false) on bars without one. The caller
    supplies them (``evaluate_rules(..., series=...)``; :meth:`AlertRule.ml_models` lists
    the models a rule reads); evaluating a rule without them is a BadRequest.

``kind`` says where a rule's evidence comes from, and is checked: ``"combined"`` for a rule
that reads a ``news.*`` series, else ``"model"`` for one that reads an ``ml.*`` series, else
``"technical"`` (prices and indicators only).

``explanation`` is a ``str.format`` template rendered per alert. Placeholders: ``symbol``,
``date``, ``rule``, ``direction``, the price fields, every declared indicator output and
every series the condition names, with "." written "_" (``{macd_macdsignal:.2f}``,
``{news_bullish_2d}``) and a lookback reference k bars back as ``{<name>_prev<k>}``
(``{dc_upperband_prev1}``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chitti.compute.candles import PATTERNS
from chitti.compute.conditions import (
    ML,
    PRICE_FIELDS,
    IndicatorCall,
    Namespace,
    Rule,
    check_indicators,
    check_operands,
    describe_errors,
    indicator_signature,
    ml_models,
    rule_series,
)
from chitti.errors import BadRequest

__all__ = [
    "BAR_SERIES",
    "BUILTIN_RULES",
    "DIVERGENCE",
    "DIVERGENCE_SERIES",
    "NAMESPACES",
    "NEWS_SERIES",
    "NEWS_WINDOWS",
    "ONE_SIDED_PATTERNS",
    "RULE_VERSION",
    "AlertRule",
    "builtin_rule",
    "parse_rule",
    "placeholder",
]

RULE_VERSION = 1
NEWS_WINDOWS = (1, 2, 3, 5, 10)
NEWS_SERIES = tuple(f"news.{k}_{n}d" for k in ("bullish", "bearish", "net") for n in NEWS_WINDOWS)
BAR_SERIES = ("bar.change_pct", "bar.gap_up_pct", "bar.gap_down_pct")
DIVERGENCE_SERIES = ("divergence.rsi_bullish", "divergence.rsi_bearish")
#: The fixed settings of the ``divergence.*`` series (see the module docstring).
DIVERGENCE = {"rsi_period": 14, "pivot_bars": 3, "min_gap": 5, "max_gap": 60,
              "bullish_rsi_max": 40.0, "bearish_rsi_min": 60.0}
#: The namespaced series a condition may read: the alert rules' own, then model predictions.
NAMESPACES: tuple[Namespace, ...] = (
    Namespace(name="bar", hint=str(list(BAR_SERIES)), known=f"known: {list(BAR_SERIES)}",
              members=tuple(s.partition(".")[2] for s in BAR_SERIES)),
    Namespace(name="divergence", hint=str(list(DIVERGENCE_SERIES)),
              known=f"known: {list(DIVERGENCE_SERIES)}",
              members=tuple(s.partition(".")[2] for s in DIVERGENCE_SERIES)),
    Namespace(name="candle", hint="'candle.<name>'",
              known="use 'candle.<name>' with a name of chitti.compute.candles.PATTERNS "
                    "(e.g. 'candle.cdlengulfing')", members=frozenset(PATTERNS)),
    Namespace(name="news", hint="news.*", known=f"known: {list(NEWS_SERIES)}",
              members=tuple(s.partition(".")[2] for s in NEWS_SERIES)),
    ML,
)
_FIXED_PLACEHOLDERS = ("symbol", "date", "rule", "direction", *PRICE_FIELDS)

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Number = int | float


def placeholder(name: str, shift: int = 0) -> str:
    """Return the explanation placeholder (and ``values`` key) of series ``name``."""
    key = name.replace(".", "_")
    return f"{key}_prev{shift}" if shift else key


class AlertRule(BaseModel):
    """One alert rule (see the module docstring for the series and the template)."""

    model_config = _FROZEN
    version: Literal[1] = 1
    name: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field("", max_length=500)
    kind: Literal["technical", "combined", "model"] = "technical"
    direction: Literal["bullish", "bearish"]
    params: dict[str, Number] = Field(default_factory=dict)
    indicators: dict[str, IndicatorCall] = Field(default_factory=dict)
    condition: Rule
    cooldown_bars: int = Field(5, ge=0, le=10_000)
    impact: float = Field(0.5, ge=0.0, le=1.0)
    explanation: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _check(self) -> AlertRule:
        check_indicators(self.indicators, params=self.params, namespaces=NAMESPACES)
        check_operands(self.condition, "condition", params=self.params,
                       indicators=self.indicators, namespaces=NAMESPACES)
        uses_news = any(name.startswith("news.") for name, _ in self.series())
        expected = "combined" if uses_news else "model" if self.ml_models() else "technical"
        if self.kind != expected:
            raise ValueError(_kind_error(self.kind, expected))
        self._check_template()
        return self

    def series(self) -> tuple[tuple[str, int], ...]:
        """Return the (series name, shift) pairs the condition reads, in first-use order."""
        return rule_series(self.condition)

    def ml_models(self) -> tuple[str, ...]:
        """Return the models whose predictions the condition reads (``ml.<model>``): the
        series an evaluation of this rule must be given."""
        return ml_models(self.condition)

    def indicator_outputs(self) -> tuple[str, ...]:
        """Return every declared indicator output as a series name (``"bb.upperband"``)."""
        out = []
        for ind_id, call in self.indicators.items():
            _, outputs = indicator_signature(call.fn)
            out.extend([ind_id] if len(outputs) == 1 else [f"{ind_id}.{o}" for o in outputs])
        return tuple(out)

    def placeholders(self) -> tuple[str, ...]:
        """Return the placeholders the explanation template may use."""
        keys = dict.fromkeys(_FIXED_PLACEHOLDERS)
        keys.update(dict.fromkeys(placeholder(n) for n in self.indicator_outputs()))
        keys.update(dict.fromkeys(placeholder(n, s) for n, s in self.series()))
        return tuple(keys)

    def _check_template(self) -> None:
        if "\n" in self.explanation or "\r" in self.explanation:
            raise ValueError("explanation: must be one line")
        allowed = set(self.placeholders())
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(self.explanation)
                      if f is not None]
        except ValueError as exc:
            raise ValueError(f"explanation: not a valid template ({exc})") from None
        for field in fields:
            if field not in allowed:
                raise ValueError(f"explanation: unknown placeholder {{{field}}}; "
                                 f"known: {sorted(allowed)}")
        sample: dict[str, object] = {k: 1.0 for k in allowed}
        sample.update(symbol="SYMBOL", date="2024-01-01", rule=self.name,
                      direction=self.direction)
        try:
            self.explanation.format(**sample)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise ValueError(f"explanation: does not render ({exc}); numeric placeholders "
                             f"take float formats such as {{rsi:.0f}}") from None


def _kind_error(kind: str, expected: str) -> str:
    if expected == "combined":
        return "kind: a rule that reads news.* series is 'combined'"
    if expected == "model":
        return "kind: a rule that reads ml.* series (and no news.*) is 'model'"
    reads = {"combined": "a news.* series", "model": "an ml.* series"}[kind]
    return f"kind: a {kind!r} rule must read {reads}; use 'technical' otherwise"


def parse_rule(data: AlertRule | Mapping[str, Any] | str | bytes) -> AlertRule:
    """Validate an alert rule from a dict or JSON text; raise BadRequest naming the field."""
    if isinstance(data, AlertRule):
        return data
    try:
        if isinstance(data, (str, bytes)):
            return AlertRule.model_validate_json(data)
        return AlertRule.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(describe_errors(exc, "alert rule")) from exc


# --- built-in rules -------------------------------------------------------------------------

def _cmp(op: str, left: Any, right: Any) -> dict[str, Any]:
    return {"op": op, "left": left, "right": right}


def _prev(name: str, shift: int = 1) -> dict[str, Any]:
    return {"ref": name, "shift": shift}


_SMA50_200 = {"sma50": {"fn": "sma", "params": {"timeperiod": 50}},
              "sma200": {"fn": "sma", "params": {"timeperiod": 200}}}
_RSI = {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}}}
_MACD = {"macd": {"fn": "macd", "params": {"fastperiod": 12, "slowperiod": 26,
                                           "signalperiod": 9}}}
_BB = {"bb": {"fn": "bbands", "params": {"timeperiod": 20, "nbdevup": 2.0, "nbdevdn": 2.0}}}
_DC20 = {"dc": {"fn": "donchian", "params": {"timeperiod": 20}}}
_DC252 = {"hi52": {"fn": "donchian", "params": {"timeperiod": 252}}}
_RVOL = {"rvol": {"fn": "rvol", "params": {"timeperiod": 20}}}

#: Gap rules fire when the open is at least this far (percent) beyond the previous range.
GAP_PCT = 1.0
#: Volume-spike rules fire when volume exceeds this multiple of the previous 20 volumes' mean.
VOLUME_SPIKE_RATIO = 2.0

_BASE: list[dict[str, Any]] = [
    {"name": "golden_cross", "direction": "bullish", "indicators": _SMA50_200,
     "description": "SMA(50) crosses above SMA(200).",
     "condition": _cmp("cross_above", "sma50", "sma200"), "cooldown_bars": 20, "impact": 0.6,
     "explanation": "{symbol}: golden cross, SMA50 {sma50:.2f} crossed above SMA200 "
                    "{sma200:.2f}"},
    {"name": "death_cross", "direction": "bearish", "indicators": _SMA50_200,
     "description": "SMA(50) crosses below SMA(200).",
     "condition": _cmp("cross_below", "sma50", "sma200"), "cooldown_bars": 20, "impact": 0.6,
     "explanation": "{symbol}: death cross, SMA50 {sma50:.2f} crossed below SMA200 "
                    "{sma200:.2f}"},
    {"name": "rsi_oversold", "direction": "bullish", "indicators": _RSI,
     "description": "RSI(14) crosses below 30.",
     "condition": _cmp("cross_below", "rsi", 30), "impact": 0.4,
     "explanation": "{symbol}: RSI(14) {rsi:.0f} crossed below 30 (oversold)"},
    {"name": "rsi_overbought", "direction": "bearish", "indicators": _RSI,
     "description": "RSI(14) crosses above 70.",
     "condition": _cmp("cross_above", "rsi", 70), "impact": 0.4,
     "explanation": "{symbol}: RSI(14) {rsi:.0f} crossed above 70 (overbought)"},
    {"name": "rsi_bullish_divergence", "direction": "bullish", "indicators": _RSI,
     "description": "Price makes a lower swing low while RSI(14) makes a higher low "
                    "(confirmed 3 bars after the low).",
     "condition": _cmp("gt", "divergence.rsi_bullish", 0), "impact": 0.5,
     "explanation": "{symbol}: bullish RSI divergence, lower low in price, higher low in "
                    "RSI(14) (now {rsi:.0f})"},
    {"name": "rsi_bearish_divergence", "direction": "bearish", "indicators": _RSI,
     "description": "Price makes a higher swing high while RSI(14) makes a lower high "
                    "(confirmed 3 bars after the high).",
     "condition": _cmp("gt", "divergence.rsi_bearish", 0), "impact": 0.5,
     "explanation": "{symbol}: bearish RSI divergence, higher high in price, lower high in "
                    "RSI(14) (now {rsi:.0f})"},
    {"name": "macd_bullish_cross", "direction": "bullish", "indicators": _MACD,
     "description": "MACD(12, 26) crosses above its 9-bar signal line.",
     "condition": _cmp("cross_above", "macd.macd", "macd.macdsignal"), "impact": 0.35,
     "explanation": "{symbol}: MACD {macd_macd:.2f} crossed above its signal "
                    "{macd_macdsignal:.2f}"},
    {"name": "macd_bearish_cross", "direction": "bearish", "indicators": _MACD,
     "description": "MACD(12, 26) crosses below its 9-bar signal line.",
     "condition": _cmp("cross_below", "macd.macd", "macd.macdsignal"), "impact": 0.35,
     "explanation": "{symbol}: MACD {macd_macd:.2f} crossed below its signal "
                    "{macd_macdsignal:.2f}"},
    {"name": "bollinger_breakout_up", "direction": "bullish", "indicators": _BB,
     "description": "Close crosses above the upper Bollinger band (20, 2).",
     "condition": _cmp("cross_above", "close", "bb.upperband"), "impact": 0.4,
     "explanation": "{symbol}: close {close:.2f} broke above the upper Bollinger band "
                    "{bb_upperband:.2f}"},
    {"name": "bollinger_breakout_down", "direction": "bearish", "indicators": _BB,
     "description": "Close crosses below the lower Bollinger band (20, 2).",
     "condition": _cmp("cross_below", "close", "bb.lowerband"), "impact": 0.4,
     "explanation": "{symbol}: close {close:.2f} broke below the lower Bollinger band "
                    "{bb_lowerband:.2f}"},
    {"name": "donchian_breakout_up", "direction": "bullish", "indicators": _DC20,
     "description": "Close crosses above the highest high of the previous 20 bars.",
     "condition": _cmp("cross_above", "close", _prev("dc.upperband")), "impact": 0.45,
     "explanation": "{symbol}: close {close:.2f} broke above the 20-day high "
                    "{dc_upperband_prev1:.2f}"},
    {"name": "donchian_breakout_down", "direction": "bearish", "indicators": _DC20,
     "description": "Close crosses below the lowest low of the previous 20 bars.",
     "condition": _cmp("cross_below", "close", _prev("dc.lowerband")), "impact": 0.45,
     "explanation": "{symbol}: close {close:.2f} broke below the 20-day low "
                    "{dc_lowerband_prev1:.2f}"},
    {"name": "new_52w_high", "direction": "bullish", "indicators": _DC252,
     "description": "Close crosses above the highest high of the previous 252 bars.",
     "condition": _cmp("cross_above", "close", _prev("hi52.upperband")), "impact": 0.55,
     "explanation": "{symbol}: new 52-week high, close {close:.2f} above the prior high "
                    "{hi52_upperband_prev1:.2f}"},
    {"name": "new_52w_low", "direction": "bearish", "indicators": _DC252,
     "description": "Close crosses below the lowest low of the previous 252 bars.",
     "condition": _cmp("cross_below", "close", _prev("hi52.lowerband")), "impact": 0.55,
     "explanation": "{symbol}: new 52-week low, close {close:.2f} below the prior low "
                    "{hi52_lowerband_prev1:.2f}"},
    {"name": "volume_spike_up", "direction": "bullish", "indicators": _RVOL,
     "description": f"Volume above {VOLUME_SPIKE_RATIO:g}x the mean of the previous 20 bars "
                    "on an up close (close > previous close).",
     "condition": {"op": "and", "args": [_cmp("gt", "rvol", VOLUME_SPIKE_RATIO),
                                         _cmp("gt", "bar.change_pct", 0)]}, "impact": 0.45,
     "explanation": "{symbol}: volume {rvol:.1f}x its 20-day average on a "
                    "{bar_change_pct:+.1f}% day"},
    {"name": "volume_spike_down", "direction": "bearish", "indicators": _RVOL,
     "description": f"Volume above {VOLUME_SPIKE_RATIO:g}x the mean of the previous 20 bars "
                    "on a down close (close < previous close).",
     "condition": {"op": "and", "args": [_cmp("gt", "rvol", VOLUME_SPIKE_RATIO),
                                         _cmp("lt", "bar.change_pct", 0)]}, "impact": 0.45,
     "explanation": "{symbol}: volume {rvol:.1f}x its 20-day average on a "
                    "{bar_change_pct:+.1f}% day"},
    {"name": "gap_up", "direction": "bullish",
     "description": f"Open at least {GAP_PCT:g}% above the previous bar's high.",
     "condition": _cmp("ge", "bar.gap_up_pct", GAP_PCT), "impact": 0.45,
     "explanation": "{symbol}: gap up, opened {bar_gap_up_pct:.1f}% above the previous high"},
    {"name": "gap_down", "direction": "bearish",
     "description": f"Open at least {GAP_PCT:g}% below the previous bar's low.",
     "condition": _cmp("ge", "bar.gap_down_pct", GAP_PCT), "impact": 0.45,
     "explanation": "{symbol}: gap down, opened {bar_gap_down_pct:.1f}% below the previous "
                    "low"},
]


#: Patterns TA-Lib reports with one sign only (its C code sets +100 or -100, never the
#: other), so they get one built-in rule; every other directional pattern gets two.
ONE_SIDED_PATTERNS: dict[str, str] = {
    **dict.fromkeys(("cdl3starsinsouth", "cdl3whitesoldiers", "cdlconcealbabyswall",
                     "cdlhammer", "cdlhomingpigeon", "cdlinvertedhammer", "cdlladderbottom",
                     "cdlmatchinglow", "cdlmathold", "cdlmorningdojistar", "cdlmorningstar",
                     "cdlpiercing", "cdlsticksandwich", "cdlunique3river"), "bullish"),
    **dict.fromkeys(("cdl2crows", "cdl3blackcrows", "cdladvanceblock", "cdldarkcloudcover",
                     "cdleveningdojistar", "cdleveningstar", "cdlhangingman",
                     "cdlidentical3crows", "cdlinneck", "cdlonneck", "cdlshootingstar",
                     "cdlstalledpattern", "cdlthrusting", "cdlupsidegap2crows"), "bearish"),
}


def _candle_rules() -> list[dict[str, Any]]:
    # one rule per directional pattern and sign it can take; TA-Lib's direction-less ones
    # (dojis...) are left to user rules, which can still name candle.<pattern>
    out = []
    for name, spec in PATTERNS.items():
        if not spec.directional:
            continue
        short = name.removeprefix("cdl")
        for direction, op in (("bullish", "gt"), ("bearish", "lt")):
            if ONE_SIDED_PATTERNS.get(name, direction) != direction:
                continue
            out.append({
                "name": f"candle_{short}_{direction}", "direction": direction,
                "description": f"TA-Lib {spec.talib} ({spec.display_name}) is "
                               f"{'positive' if op == 'gt' else 'negative'}.",
                "condition": _cmp(op, f"candle.{name}", 0), "impact": 0.25,
                "explanation": f"{{symbol}}: {direction} {spec.display_name} candlestick",
            })
    return out


#: Every built-in rule (all ``kind="technical"``), in a stable order.
BUILTIN_RULES: tuple[AlertRule, ...] = tuple(parse_rule(r) for r in (*_BASE, *_candle_rules()))
_BY_NAME = {r.name: r for r in BUILTIN_RULES}
if len(_BY_NAME) != len(BUILTIN_RULES):  # pragma: no cover - a programming error
    raise RuntimeError("built-in alert rule names must be unique")


def builtin_rule(name: str) -> AlertRule:
    """Return the built-in rule ``name``; BadRequest naming close matches if unknown."""
    rule = _BY_NAME.get(name)
    if rule is None:
        near = [n for n in _BY_NAME if re.sub(r"_", "", name) in re.sub(r"_", "", n)][:5]
        raise BadRequest(f"unknown built-in rule {name!r}" +
                         (f"; did you mean {', '.join(near)}?" if near else ""))
    return rule
