"""Screens: one alert rule's condition on the latest bar of every symbol of a universe.

A screen reads the last :func:`bars_needed` daily bars of each symbol (not its whole history:
a NIFTY 500 screen then reads 125,000 rows instead of millions) and evaluates the rule with
:func:`chitti.signals.patterns.condition_at_last_bar`, the alert rules' own compiled program.
Indicators without memory (SMA, Bollinger, Donchian, ...) are exact once their lookback is
covered; those with memory (EMA, RSI, MACD, ATR, ...) start from the first bar read, so their
distance from a whole-history chart is what is left of the starting error: RSI(14) over 250
bars agrees within 1e-6, while a long EMA converges slowly (EMA(200) over its 650 bars keeps
about 1 % of its starting error, typically hundredths of a percent of the price). The report
says how many bars were read, so a reference can recompute exactly the same values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from chitti.compute.conditions import warmup_bars
from chitti.errors import BadRequest
from chitti.marketdata.series import Bars, change_pct
from chitti.signals.patterns import condition_at_last_bar
from chitti.signals.rules import AlertRule, parse_rule

__all__ = ["MAX_BARS", "MIN_BARS", "SCREEN_DEFAULTS", "bars_needed", "screen_bars",
           "screen_rule", "warm_up"]

#: What a screen's rule may leave out of an alert rule's definition.
SCREEN_DEFAULTS: dict[str, Any] = {"name": "screen", "direction": "bullish",
                                   "explanation": "{symbol}"}
#: The fewest bars a screen reads per symbol (a year of sessions and a little more).
MIN_BARS = 250
#: Bars read beyond three times the rule's warm-up.
MARGIN_BARS = 50
#: The most bars a screen reads per symbol (40 years of sessions).
MAX_BARS = 10_000


def screen_rule(definition: Mapping[str, Any]) -> AlertRule:
    """Validate a screen's rule: an alert rule with :data:`SCREEN_DEFAULTS` filled in.

    BadRequest with :func:`~chitti.signals.rules.parse_rule`'s messages; a rule that reads
    ``news.*`` or ``ml.*`` is refused (a screen reads prices only).
    """
    rule = parse_rule({**SCREEN_DEFAULTS, **definition})
    for name, _ in rule.series():
        what = {"news": "a news series", "ml": "a model's predictions"}.get(name.split(".")[0])
        if what is not None:
            raise BadRequest(f"definition.condition: a screen reads prices only; {name!r} is "
                             f"{what} (use it in an alert rule, POST /api/signals/rules)")
    return rule


def bars_needed(rule: AlertRule) -> int:
    """Return how many bars per symbol a screen of ``rule`` reads (its latest included):
    three times the rule's warm-up plus :data:`MARGIN_BARS`, at least :data:`MIN_BARS`."""
    warmup = warmup_bars(rule.indicators, (rule.condition,), rule.params)
    return min(MAX_BARS, max(MIN_BARS, 3 * warmup + MARGIN_BARS))


def screen_bars(bars: Iterable[Bars], rule: AlertRule, *, window: int) -> list[dict[str, Any]]:
    """Return one row per symbol: its latest bar, whether ``rule`` holds there and the
    values it read, evaluated on the last ``window`` bars; matched rows first, then by
    symbol. ``change_pct`` is the close's change from the previous bar
    (:func:`~chitti.marketdata.series.change_pct`; None without one).
    """
    rows = []
    for b in bars:
        if len(b) > window:
            b = Bars(ts=b.ts[-window:], open=b.open[-window:], high=b.high[-window:],
                     low=b.low[-window:], close=b.close[-window:], volume=b.volume[-window:],
                     symbol=b.symbol)
        matched, values = condition_at_last_bar(b, rule)
        close = float(b.close[-1])
        prev = float(b.close[-2]) if len(b) > 1 else None
        rows.append({"symbol": b.symbol, "date": b.ts[-1].item(), "close": close,
                     "change_pct": change_pct(close, prev),
                     "matched": matched, "values": values})
    rows.sort(key=lambda r: (not r["matched"], r["symbol"]))
    return rows


#: The screen :func:`warm_up` runs: RSI(14) below 50 above SMA(50).
WARM_UP_RULE: dict[str, Any] = {
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}},
                   "sma50": {"fn": "sma", "params": {"timeperiod": 50}}},
    "condition": {"op": "and", "args": [{"op": "lt", "left": "rsi", "right": 50},
                                        {"op": "gt", "left": "close", "right": "sma50"}]},
}


def warm_up() -> None:
    """Screen made-up bars once, so a process's first screen finds the Numba kernels of the
    rule program, RSI and SMA loaded (from the on-disk cache: about a second) or, in a fresh
    clone, compiled (tens of seconds, once per machine)."""
    close = 100.0 + 10.0 * np.sin(np.arange(MIN_BARS) / 9.0)
    bars = Bars(ts=np.datetime64("2020-01-01") + np.arange(MIN_BARS), open=close,
                high=close * 1.01, low=close * 0.99, close=close, volume=np.ones(MIN_BARS),
                symbol="WARMUP")
    screen_bars([bars], screen_rule(WARM_UP_RULE), window=MIN_BARS)
