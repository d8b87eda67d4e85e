"""Evaluate alert rules over a symbol's whole history at once: bars in, candidate alerts out.

Every series a rule reads (indicators, ``bar.*``, ``divergence.*``, ``candle.*``, ``news.*``,
``ml.*``) is computed (or taken from the caller) once per call over all bars and shared by
the rules, in one :class:`chitti.compute.conditions.SeriesBank`; each rule's condition is
compiled and evaluated over all bars by the rule language's compiler and Numba evaluator.
The only Python loop runs over the bars where a rule fired, to apply its cooldown and build
alerts.

No lookahead: every series at bar t is a function of bars <= t (indicators are causal,
swing points are used only once confirmed, candle patterns look back), the cooldown depends
on earlier alerts only, so changing bars after t never changes the alerts at or before t.
``start_index`` only filters the output: cooldowns still run from the first bar, so the
alerts of a call over new bars equal those of a full re-evaluation.

Confidence of a technical alert. There is no calibrated probability behind a chart pattern,
so confidence is a plain vote of independent confirmations on the alert's bar, each counted
only when it can be judged:

* ``trend``: close on the alert's side of SMA(50);
* ``momentum``: close on the alert's side of the close 20 bars earlier;
* ``volume``: volume at or above the mean of the previous 20 volumes (participation);
* ``news``: when news series are supplied and there was news in the last 2 sessions, net
  bullish minus bearish articles on the alert's side.

``confidence = 0.30 + 0.45 x agreeing / judged`` (0.30 when none can be judged), so it stays
within [0.30, 0.75]: a technical pattern alone never claims more. ``python -m
chitti.signals.evaluate`` shows what each rule has actually been worth.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from chitti.compute.candles import detect, detect_all
from chitti.compute.conditions import ML, SeriesBank, compile_rules, const_values, eval_program
from chitti.errors import BadRequest
from chitti.marketdata.series import Bars
from chitti.marketdata.sessions import IST, NSE_CLOSE, ist_days
from chitti.signals.rules import (
    BUILTIN_RULES,
    DIVERGENCE,
    NEWS_SERIES,
    NEWS_WINDOWS,
    AlertRule,
    parse_rule,
    placeholder,
)

__all__ = [
    "CONFIDENCE_BASE",
    "CONFIDENCE_SPAN",
    "IST",
    "NSE_CLOSE",
    "CandidateAlert",
    "condition_at_last_bar",
    "evaluate_rules",
    "news_series",
    "rsi_divergence",
]

CONFIDENCE_BASE = 0.30
CONFIDENCE_SPAN = 0.45
_PRICE = ("open", "high", "low", "close", "volume")


class CandidateAlert(NamedTuple):
    """One alert a rule raised on one bar (not yet stored); immutable.

    ``values`` holds the series the rule read at that bar (JSON-able; ``None`` for a missing
    value), keyed as the explanation placeholders are; ``confirmations`` the votes behind
    ``confidence`` (``None``: could not be judged).
    """

    symbol: str
    bar_index: int
    ts: date
    rule: str
    kind: str
    direction: str
    impact: float
    confidence: float
    explanation: str
    values: dict[str, float | None]
    confirmations: dict[str, bool | None]

    @property
    def dedup_key(self) -> str:
        """Key of the stored alert: one per symbol, rule and bar."""
        return f"{self.kind}:{self.symbol}:{self.rule}:{self.ts.isoformat()}"

    def to_record(self) -> dict[str, Any]:
        """Return the ``signals.alerts`` row (``ts`` is the NSE close of a daily bar's day, or
        an intraday bar's opening instant)."""
        when = (self.ts if isinstance(self.ts, datetime)  # an intraday bar's opening instant
                else datetime.combine(self.ts, NSE_CLOSE, tzinfo=IST))
        return {
            "ts": when,
            "symbol": self.symbol, "kind": self.kind, "rule": self.rule,
            "direction": self.direction, "impact": self.impact,
            "confidence": self.confidence, "explanation": self.explanation,
            "sources": {"rule": self.rule, "values": self.values,
                        "confirmations": self.confirmations},
            "dedup_key": self.dedup_key,
        }


# --- news series --------------------------------------------------------------------------

def _session_day(when: object, close_time: time) -> date:
    if isinstance(when, np.datetime64):
        if np.datetime_data(when.dtype)[0] in ("Y", "M", "W", "D"):
            day: date = when.astype("datetime64[D]").item()
            return day
        when = when.astype("datetime64[us]").item()
    if isinstance(when, datetime):
        local = when.astimezone(IST) if when.tzinfo is not None else when
        # published at the close itself: too late for that session's bar (as news features)
        return local.date() + timedelta(days=1) if local.time() >= close_time else local.date()
    if isinstance(when, date):
        return when
    raise BadRequest(f"news event time must be a date or datetime, got {when!r}")


def news_series(ts: Any, events: Iterable[tuple[object, str]], *,
                close_time: time = NSE_CLOSE) -> dict[str, np.ndarray]:
    """Return every ``news.*`` series, aligned to bars with dates ``ts``.

    ``events`` are ``(published, direction)`` pairs for one symbol, direction "bullish",
    "bearish" or "neutral" (ignored). An article counts on the first session that closes
    after its publication: a ``date`` counts on that day's session (or the next one), a
    ``datetime`` at or after ``close_time`` (15:30 IST) on the next session. Naive datetimes are
    taken as IST. Articles published before the first bar or after the last are left out.

    On intraday bars (``ts`` instants, not dates) an article counts from the first bar that
    opens at or after its publication (no bar sees news published during it), and an N-day
    series sums the articles of the bar's session so far and of the N-1 sessions before.
    """
    stamps = np.asarray(ts)
    if stamps.dtype.kind == "M" and stamps.dtype != np.dtype("datetime64[D]"):
        return _intraday_news_series(stamps, events)
    days = stamps.astype("datetime64[D]")
    n = days.shape[0]
    counts = {"bullish": np.zeros(n), "bearish": np.zeros(n)}
    for when, direction in _directed(events):
        session = np.datetime64(_session_day(when, close_time), "D")
        if n == 0 or session < days[0]:
            continue
        i = int(np.searchsorted(days, session, side="left"))
        if i < n:
            counts[direction][i] += 1.0
    return _windows(counts, _trailing_sum)


def _directed(events: Iterable[tuple[object, str]]) -> Iterator[tuple[object, str]]:
    for when, direction in events:
        if direction == "neutral":
            continue
        if direction not in ("bullish", "bearish"):
            raise BadRequest(f"news event direction must be bullish, bearish or neutral, "
                             f"got {direction!r}")
        yield when, direction


def _windows(counts: Mapping[str, np.ndarray],
             trailing: Callable[[np.ndarray, int], np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for window in NEWS_WINDOWS:
        bull = trailing(counts["bullish"], window)
        bear = trailing(counts["bearish"], window)
        out[f"news.bullish_{window}d"] = bull
        out[f"news.bearish_{window}d"] = bear
        out[f"news.net_{window}d"] = bull - bear
    return out


def _instant(when: object) -> np.datetime64:
    if isinstance(when, np.datetime64):
        when = when.astype("datetime64[us]").item()
    if isinstance(when, datetime):
        aware = when if when.tzinfo is not None else when.replace(tzinfo=IST)
        return np.datetime64(int(aware.timestamp()), "s")
    if isinstance(when, date):  # a day without a time: from that session's first bar
        return np.datetime64(int(datetime.combine(when, time(), IST).timestamp()), "s")
    raise BadRequest(f"news event time must be a date or datetime, got {when!r}")


def _intraday_news_series(ts: np.ndarray, events: Iterable[tuple[object, str]]
                          ) -> dict[str, np.ndarray]:
    instants = ts.astype("datetime64[s]")
    n = instants.shape[0]
    counts = {"bullish": np.zeros(n), "bearish": np.zeros(n)}
    if n == 0:
        return _windows(counts, _trailing_sum)
    # as on daily bars, news from before the first bar's session day is left out
    first_day = _instant(ist_days(instants[:1])[0].item())
    for when, direction in _directed(events):
        published = _instant(when)
        i = int(np.searchsorted(instants, published, side="left"))
        if i < n and published >= first_day:
            counts[direction][i] += 1.0
    session = np.unique(ist_days(instants), return_inverse=True)[1]
    last_of = np.r_[np.flatnonzero(session[1:] != session[:-1]), n - 1]  # per session

    def trailing(count: np.ndarray, window: int) -> np.ndarray:
        cum = np.cumsum(count)
        before = session - window  # the session just outside the window
        base = np.where(before >= 0, cum[last_of[np.maximum(before, 0)]], 0.0)
        return cum - base

    return _windows(counts, trailing)


def _trailing_sum(x: np.ndarray, window: int) -> np.ndarray:
    c = np.cumsum(x)
    out = c.copy()
    out[window:] -= c[:-window]
    return out


# --- derived series -----------------------------------------------------------------------

def rsi_divergence(close: np.ndarray, rsi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (bullish, bearish) float arrays: 1.0 on bars confirming an RSI divergence.

    See ``DIVERGENCE`` and the ``divergence.*`` entry of ``chitti.signals.rules``: swing
    points of the close with ``pivot_bars`` bars on each side, consecutive swing lows
    (highs) ``min_gap``..``max_gap`` bars apart, price lower low (higher high) with RSI
    higher low (lower high) from an RSI at most ``bullish_rsi_max`` (at least
    ``bearish_rsi_min``). Reported ``pivot_bars`` bars after the swing point, when it is known.
    """
    k = int(DIVERGENCE["pivot_bars"])
    lo_gap, hi_gap = int(DIVERGENCE["min_gap"]), int(DIVERGENCE["max_gap"])
    n = close.shape[0]
    bull, bear = np.zeros(n), np.zeros(n)
    if n < 2 * k + 1:
        return bull, bear
    win = sliding_window_view(close, 2 * k + 1)
    mid = close[k:n - k]
    left, right = win[:, :k], win[:, k + 1:]
    for out, pivots, worse, better, ok_rsi in (
        (bull, (mid < left.min(axis=1)) & (mid <= right.min(axis=1)), np.less, np.greater,
         rsi <= DIVERGENCE["bullish_rsi_max"]),
        (bear, (mid > left.max(axis=1)) & (mid >= right.max(axis=1)), np.greater, np.less,
         rsi >= DIVERGENCE["bearish_rsi_min"]),
    ):
        piv = np.flatnonzero(pivots) + k
        p, q = piv[1:], piv[:-1]
        gap = p - q
        hit = ((gap >= lo_gap) & (gap <= hi_gap) & worse(close[p], close[q])
               & better(rsi[p], rsi[q]) & ok_rsi[q])
        out[p[hit] + k] = 1.0
    return bull, bear


# --- compiled rules -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: AlertRule
    code: np.ndarray                  # the compiled program of the condition
    series: tuple[str, ...]           # its series slots
    consts: np.ndarray
    values: tuple[tuple[str, str, int], ...]   # (values key, series, shift)
    fields: tuple[str, ...]           # placeholders the template uses


_CACHE: dict[int, tuple[AlertRule, _Compiled]] = {}


def _compiled(rule: AlertRule) -> _Compiled:
    hit = _CACHE.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    program = compile_rules((rule.condition,))
    refs: dict[str, tuple[str, str, int]] = {}
    for name, shift in rule.series():
        refs[placeholder(name, shift)] = (placeholder(name, shift), name, shift)
    for name in (*rule.indicator_outputs(), "close"):
        refs.setdefault(placeholder(name), (placeholder(name), name, 0))
    fields = tuple(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(rule.explanation)
                                 if f))
    out = _Compiled(rule, program.code[0], program.series, const_values(program, rule.params),
                    tuple(refs.values()), fields)
    if len(_CACHE) > 4096:
        _CACHE.clear()
    _CACHE[id(rule)] = (rule, out)
    return out


_CANDLE_PREFETCH = 8  # more candle.* series than this: detect every pattern in one pass


def _special(bank: SeriesBank, name: str) -> np.ndarray:
    # the provider of the bar.* and candle.* series (news.* not supplied: zero; divergence.*
    # are supplied by _bank, as a pair)
    b = bank.bars
    nan1 = np.array([math.nan])
    if name == "bar.change_pct":
        return np.concatenate([nan1, 100.0 * (b.close[1:] / b.close[:-1] - 1.0)])
    if name == "bar.gap_up_pct":
        return np.concatenate([nan1, 100.0 * (b.open[1:] / b.high[:-1] - 1.0)])
    if name == "bar.gap_down_pct":
        return np.concatenate([nan1, 100.0 * (1.0 - b.open[1:] / b.low[:-1])])
    if name.startswith("candle."):
        return detect(name[7:], b.open, b.high, b.low, b.close).astype(np.float64)
    return np.zeros(len(b))


_PROVIDERS = dict.fromkeys(("bar", "candle", "news"), _special)


def _bank(b: Bars, compiled: Sequence[_Compiled], news: Mapping[str, np.ndarray] | None,
          supplied: Mapping[str, np.ndarray] | None) -> SeriesBank:
    """The one bank of an evaluation: news and supplied (ml.*) series as given, both RSI
    divergences from one pass, and, when the rules read many candle patterns, all of them
    from one pass (the built-ins use 55 of 61)."""
    bank = SeriesBank(b, series={**(news or {}), **(supplied or {})}, providers=_PROVIDERS)
    names = {name for c in compiled for name in c.series}
    if any(name.startswith("divergence.") for name in names):
        rsi = bank.indicator("rsi", "close", {"timeperiod": DIVERGENCE["rsi_period"]})["rsi"]
        bull, bear = rsi_divergence(b.close, rsi)
        bank.supply({"divergence.rsi_bullish": bull, "divergence.rsi_bearish": bear})
    candles = {name for name in names if name.startswith("candle.")}
    if len(candles) > _CANDLE_PREFETCH:
        found = detect_all(b.open, b.high, b.low, b.close)
        bank.supply({name: found[name[7:]].astype(np.float64) for name in candles})
    return bank


def _row(bank: SeriesBank, rule: AlertRule, name: str) -> int:
    try:
        return bank.row(name, indicators=rule.indicators, params=rule.params)
    except BadRequest as exc:
        raise BadRequest(f"{rule.name}: {exc.message}") from exc


def _as_bars(bars: Bars | Mapping[str, Any], symbol: str | None) -> Bars:
    if isinstance(bars, Bars):
        return bars
    missing = [k for k in ("ts", *_PRICE) if k not in bars]
    if missing:
        raise BadRequest(f"bars: missing column(s) {missing}; give ts, open, high, low, close "
                         "and volume arrays")
    return Bars(ts=bars["ts"], open=bars["open"], high=bars["high"], low=bars["low"],
                close=bars["close"], volume=bars["volume"], symbol=symbol or "")


def _check_news(news: Mapping[str, Any] | None, n: int) -> dict[str, np.ndarray] | None:
    if news is None:
        return None
    out = {}
    for name, values in news.items():
        if name not in NEWS_SERIES:
            raise BadRequest(f"news_series.{name}: unknown series; known: {list(NEWS_SERIES)}")
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape != (n,):
            raise BadRequest(f"news_series.{name}: {arr.shape[0] if arr.ndim else 0} values "
                             f"for {n} bars; align it with news_series(bars.ts, events)")
        out[name] = arr
    return out


def _check_supplied(series: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    # only model predictions come this way (news.* through news_series, the rest computed)
    for name in series or {}:
        if not name.startswith("ml."):
            raise BadRequest(f"series.{name}: only ml.<model> series are supplied here; "
                             "news.* go in news_series, other series are computed")
        try:
            ML.check(name, f"series.{name}")
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    return series


class _Votes:
    """Per-bar confirmations (+1 bullish side, -1 bearish side, 0 not judged)."""

    def __init__(self, bank: SeriesBank, news: Mapping[str, np.ndarray] | None) -> None:
        b = bank.bars
        sma = bank.indicator("sma", "close", {"timeperiod": 50})["sma"]
        rvol = bank.indicator("rvol", "close", {"timeperiod": 20})["rvol"]
        prev20 = np.concatenate([np.full(min(20, len(b)), np.nan), b.close[:-20]])
        self.trend = np.nan_to_num(np.sign(b.close - sma)).astype(np.int8)
        self.momentum = np.nan_to_num(np.sign(b.close - prev20)).astype(np.int8)
        # participation agrees with either direction: +1 at or above the average volume
        self.volume = np.where(np.isnan(rvol), 0, np.where(rvol >= 1.0, 1, -1)).astype(np.int8)
        self.news = (np.sign(news.get("news.net_2d", np.zeros(len(b)))).astype(np.int8)
                     if news is not None else None)
        self._conf: dict[int, np.ndarray] = {}

    def confidence(self, sign: int) -> np.ndarray:
        conf = self._conf.get(sign)
        if conf is None:
            votes = [self.trend * sign, self.momentum * sign, self.volume]
            if self.news is not None:
                votes.append(self.news * sign)
            stack = np.stack(votes)
            judged = (stack != 0).sum(axis=0)
            agree = (stack > 0).sum(axis=0)
            conf = np.round(CONFIDENCE_BASE + CONFIDENCE_SPAN * np.divide(
                agree, judged, out=np.zeros(len(agree)), where=judged > 0), 4)
            self._conf[sign] = conf
        return conf

    def at(self, t: int, sign: int) -> dict[str, bool | None]:
        out = {"trend": _VOTE[int(self.trend[t]) * sign],
               "momentum": _VOTE[int(self.momentum[t]) * sign],
               "volume": _VOTE[int(self.volume[t])]}
        if self.news is not None:
            out["news"] = _VOTE[int(self.news[t]) * sign]
        return out


_VOTE: dict[int, bool | None] = {-1: False, 0: None, 1: True}


def _cooldown(idx: np.ndarray, bars: int) -> list[int]:
    # after an alert at t the rule is silent on t+1 .. t+bars
    fired: list[int] = idx.tolist()
    if bars == 0:
        return fired
    keep = []
    last = -bars - 1
    for t in fired:
        if t - last > bars:
            keep.append(t)
            last = t
    return keep


def evaluate_rules(
    bars: Bars | Mapping[str, Any],
    rules: Sequence[AlertRule | Mapping[str, Any]] = BUILTIN_RULES,
    *,
    symbol: str | None = None,
    news_series: Mapping[str, Any] | None = None,
    series: Mapping[str, Any] | None = None,
    start_index: int = 0,
) -> list[CandidateAlert]:
    """Return the alerts ``rules`` raise over ``bars``, ordered by bar then rule order.

    ``bars`` is a :class:`~chitti.compute.backtest.Bars` or a mapping of arrays ``ts``
    (datetime64[D]), ``open``, ``high``, ``low``, ``close``, ``volume``; ``symbol`` defaults
    to ``bars.symbol``. ``news_series`` holds ``news.*`` arrays aligned to the bars (see
    :func:`news_series`); missing ones are zero. ``series`` holds the ``ml.<model>`` arrays
    the rules read (``AlertRule.ml_models``), aligned to the bars, NaN where a bar has no
    prediction; a rule that reads one not given raises BadRequest. Only alerts on bars
    ``>= start_index`` are returned, but cooldowns count from the first bar (see the module
    docstring).
    """
    b = _as_bars(bars, symbol)
    sym = symbol or b.symbol
    if not sym:
        raise BadRequest("symbol: name the symbol (or set bars.symbol)")
    if not 0 <= start_index:
        raise BadRequest(f"start_index: must be >= 0, got {start_index}")
    compiled = [_compiled(parse_rule(r)) for r in rules]
    news = _check_news(news_series, len(b))
    bank = _bank(b, compiled, news, _check_supplied(series))
    slots = [_slots(bank, c) for c in compiled]
    refs = [_value_rows(bank, c) for c in compiled]
    votes = _Votes(bank, news)
    matrix = bank.matrix()
    n = len(b)
    if b.ts.dtype == np.dtype("datetime64[D]"):
        days: list[date] = b.ts.tolist()
    else:  # intraday: alerts carry the bar's opening instant, in IST
        days = [datetime.fromtimestamp(int(s), IST)
                for s in b.ts.astype("datetime64[s]").astype(np.int64)]
    found: list[tuple[int, int, CandidateAlert]] = []
    for order, (c, slot_rows, value_refs) in enumerate(zip(compiled, slots, refs, strict=True)):
        fired = _cooldown(np.flatnonzero(eval_program(c.code, matrix, slot_rows, c.consts, n)),
                          c.rule.cooldown_bars)
        if start_index:
            fired = [t for t in fired if t >= start_index]
        if not fired:
            continue
        rule = c.rule
        sign = 1 if rule.direction == "bullish" else -1
        conf = votes.confidence(sign)
        cols = [(key, bank.values(r), shift) for key, r, shift in value_refs]
        symbol_only = c.fields == ("symbol",)
        for t in fired:
            values = {key: _value(col, t - shift) for key, col, shift in cols}
            day = days[t]
            text = (rule.explanation.format(symbol=sym) if symbol_only
                    else _render(rule, c.fields, values, b, t, sym, day))
            found.append((t, order, CandidateAlert(
                sym, t, day, rule.name, rule.kind, rule.direction, rule.impact,
                float(conf[t]), text, values, votes.at(t, sign))))
    found.sort(key=lambda x: (x[0], x[1]))
    return [a for _, _, a in found]


def condition_at_last_bar(
    bars: Bars | Mapping[str, Any],
    rule: AlertRule | Mapping[str, Any],
    *,
    news_series: Mapping[str, Any] | None = None,
    series: Mapping[str, Any] | None = None,
) -> tuple[bool, dict[str, float | None]]:
    """Return whether ``rule``'s condition holds on the last bar, and the values read there.

    The condition is compiled and evaluated exactly as :func:`evaluate_rules` does (same
    series, same program), without the cooldown: this asks about one bar, not a history
    of alerts. ``values`` holds every series the condition names (a lookback reference at
    its shift), every declared indicator output and ``close``, keyed as an alert's
    ``sources.values`` (the explanation placeholders: ``"macd_macdsignal"``,
    ``"dc_upperband_prev1"``); ``None`` where there is no value (warm-up, NaN).
    ``news_series`` and ``series`` as for :func:`evaluate_rules`.
    """
    b = _as_bars(bars, None)
    c = _compiled(parse_rule(rule))
    bank = _bank(b, (c,), _check_news(news_series, len(b)), _check_supplied(series))
    slot_rows = _slots(bank, c)
    value_rows = _value_rows(bank, c)
    n = len(b)
    fired = eval_program(c.code, bank.matrix(), slot_rows, c.consts, n)
    values = {key: _value(bank.values(r), n - 1 - shift) for key, r, shift in value_rows}
    return bool(fired[n - 1]), values


def _slots(bank: SeriesBank, c: _Compiled) -> np.ndarray:
    # the matrix row of each series slot of the compiled condition
    return np.array([_row(bank, c.rule, s) for s in c.series], dtype=np.int64)


def _value_rows(bank: SeriesBank, c: _Compiled) -> list[tuple[str, int, int]]:
    # (values key, matrix row, shift) of every value an alert (or a screen) reports
    return [(key, _row(bank, c.rule, name), shift) for key, name, shift in c.values]


def _value(row: np.ndarray, t: int) -> float | None:
    if t < 0:
        return None
    v = float(row[t])
    return v if math.isfinite(v) else None


def _render(rule: AlertRule, fields: tuple[str, ...], values: Mapping[str, float | None],
            b: Bars, t: int, symbol: str, day: date) -> str:
    ctx: dict[str, object] = {}
    for f in fields:
        if f == "symbol":
            ctx[f] = symbol
        elif f == "date":
            ctx[f] = day.isoformat()
        elif f == "rule":
            ctx[f] = rule.name
        elif f == "direction":
            ctx[f] = rule.direction
        elif f in values:
            v = values[f]
            ctx[f] = math.nan if v is None else v
        else:  # a price field or an indicator output the condition does not read
            ctx[f] = float(getattr(b, f)[t])
    return rule.explanation.format(**ctx)
