"""Back-adjustment of prices and volumes for corporate actions.

Pure: bar dates and actions in, one price factor and one volume factor per bar out. Prices
are stored as the exchange printed them; a read multiplies each bar's prices by its price
factor and its volume by its volume factor, so a new action takes effect without reloading a
single bar. The factor of a bar is the product of the factors of every action whose ex-date
is after it: the latest bars are as printed, older ones are expressed in today's shares.

Per action (``C`` is the close on the last trading day before the ex-date):

* split from face value ``F1`` to ``F2``: price x ``F2/F1``, volume x ``F1/F2``;
* bonus ``a:b`` (a new for b held): price x ``b/(a+b)``, volume x ``(a+b)/b``;
* rights ``a:b`` at price ``P``: the theoretical ex-rights price ``(b*C + a*P)/(a+b)`` over
  ``C``, volume by the inverse; no adjustment when ``P >= C`` (nobody takes up the issue);
* demerger: NSE's purpose text carries no value for the demerged business, so the factor is
  market-implied: the ex-date's close over ``C`` (the ex-date shows no move). When the ex-date
  closes at or above ``C`` there is nothing to attribute, and the factor is 1;
* dividend ``D`` (``total`` only): price x ``(1 - D/C)``, volume unchanged.

Modes: ``split`` (splits, bonuses, rights, demergers: the default for everything analytic),
``total`` (also dividends: total-return series) and ``none`` (as printed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal, get_args

import numpy as np

Adjust = Literal["split", "total", "none"]
ADJUST_MODES: tuple[str, ...] = get_args(Adjust)

_CAPITAL_KINDS = frozenset({"split", "bonus", "rights", "demerger"})


@dataclass(frozen=True)
class PricedAction:
    """An action with the prices its factor needs (looked up by the store)."""

    ex_date: date
    kind: str
    purpose: str
    ratio_num: float | None = None
    ratio_den: float | None = None
    amount: float | None = None
    #: close on the last trading day before the ex-date (None: no bar before it)
    close_before: float | None = None
    #: close on the ex-date (None: no bar that day)
    close_on: float | None = None


@dataclass(frozen=True)
class AppliedAction:
    """One action as a read applied it: its factors, or why it was not applied."""

    ex_date: date
    kind: str
    purpose: str
    price_factor: float
    volume_factor: float
    applied: bool
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"ex_date": self.ex_date.isoformat(), "kind": self.kind, "purpose": self.purpose,
                "price_factor": self.price_factor, "volume_factor": self.volume_factor,
                "applied": self.applied, "note": self.note}


def _done(action: PricedAction, price: float, volume: float | None = None) -> AppliedAction:
    return AppliedAction(action.ex_date, action.kind, action.purpose, price,
                         1.0 / price if volume is None else volume, True)


def _skipped(action: PricedAction, note: str | None) -> AppliedAction:
    return AppliedAction(action.ex_date, action.kind, action.purpose, 1.0, 1.0, False, note)


def _split(a: PricedAction, num: float, den: float, _: float) -> AppliedAction:
    return _done(a, den / num)


def _bonus(a: PricedAction, num: float, den: float, _: float) -> AppliedAction:
    return _done(a, den / (num + den))


def _rights(a: PricedAction, num: float, den: float, before: float) -> AppliedAction:
    if a.amount is None:
        return _skipped(a, "rights issue price unknown")
    if a.amount >= before:
        return _skipped(a, f"issue price {a.amount} is not below the close {before}")
    return _done(a, (den * before + num * a.amount) / ((num + den) * before))


def _demerger(a: PricedAction, _num: float, _den: float, before: float) -> AppliedAction:
    if a.close_on is None:
        return _skipped(a, f"no bar on the ex-date {a.ex_date}")
    if a.close_on >= before:
        return _skipped(a, "the ex-date closed at or above the previous close")
    return _done(a, a.close_on / before, 1.0)


def _dividend(a: PricedAction, _num: float, _den: float, before: float) -> AppliedAction:
    if a.amount is None or not 0 < a.amount < before:
        return _skipped(a, f"dividend {a.amount} is not between 0 and the close {before}")
    return _done(a, 1.0 - a.amount / before, 1.0)


# kind -> (needs a share ratio, needs the close before the ex-date, factor)
_FACTORS: dict[str, tuple[bool, bool, Callable[[PricedAction, float, float, float],
                                                AppliedAction]]] = {
    "split": (True, False, _split),
    "bonus": (True, False, _bonus),
    "rights": (True, True, _rights),
    "demerger": (False, True, _demerger),
    "dividend": (False, True, _dividend),
}


def action_factors(action: PricedAction, mode: Adjust) -> AppliedAction:
    """The price and volume factors one action contributes under ``mode``."""
    if mode == "none":
        return _skipped(action, "adjust=none")
    if action.kind == "dividend" and mode != "total":
        return _skipped(action, "dividends adjust only with adjust=total")
    if action.kind not in _FACTORS:
        return _skipped(action, None)
    needs_ratio, needs_close, factor = _FACTORS[action.kind]
    num, den, before = action.ratio_num or 0.0, action.ratio_den or 0.0, action.close_before
    if needs_ratio and not (num > 0 and den > 0):
        return _skipped(action, f"{action.kind} without its ratio")
    if needs_close and before is None:
        return _skipped(action, f"no close before {action.ex_date} to price the {action.kind}")
    return factor(action, num, den, before or 0.0)


def adjustment_factors(
    ts: np.ndarray, actions: list[PricedAction], mode: Adjust
) -> tuple[np.ndarray, np.ndarray, list[AppliedAction]]:
    """Price and volume factor of every bar (``ts`` ascending ``datetime64[D]``), and the
    actions as applied. A bar is adjusted by every action with an ex-date after it."""
    n = ts.shape[0]
    price_steps, volume_steps = np.ones(n + 1), np.ones(n + 1)
    applied = [action_factors(a, mode) for a in sorted(actions, key=lambda a: a.ex_date)]
    if n and applied:
        ex_dates = np.array([a.ex_date for a in applied], dtype="datetime64[D]")
        first_after = np.searchsorted(ts.astype("datetime64[D]"), ex_dates, side="left")
        for position, action in zip(first_after, applied, strict=True):
            price_steps[position] *= action.price_factor
            volume_steps[position] *= action.volume_factor
    # factor[t] = product of steps[t+1 .. n]: every action whose first bar is after t.
    price = np.cumprod(price_steps[::-1])[::-1][1:]
    volume = np.cumprod(volume_steps[::-1])[::-1][1:]
    return price, volume, applied


def apply_adjustment(
    block: dict[str, np.ndarray], ts: np.ndarray, actions: list[PricedAction], mode: Adjust
) -> tuple[dict[str, np.ndarray], list[AppliedAction]]:
    """Column arrays (``open``..``volume``) adjusted by ``mode``; volumes stay whole shares
    (rounded after scaling). Other keys pass through unchanged."""
    price, volume, applied = adjustment_factors(ts, actions, mode)
    if not any(a.applied for a in applied):
        return block, applied
    out = dict(block)
    for name in ("open", "high", "low", "close"):
        out[name] = block[name] * price
    out["volume"] = np.rint(block["volume"] * volume).astype(np.int64)
    return out, applied


def adjust_tail(
    block: dict[str, np.ndarray], ts: np.ndarray, actions: list[PricedAction], mode: Adjust
) -> dict[str, np.ndarray]:
    """The last bars of a series (``block``, days ``ts``) adjusted by ``mode`` exactly as
    the same days of the whole series are: ``actions`` (the series' own, their closes
    ignored) are priced from the block's closes. An action with an ex-date after ``ts[0]``
    finds there the close before its ex-date and the ex-date's own, as the whole series
    would give them; an earlier one goes unpriced, and adjusts none of the bars anyway."""
    close = block["close"]
    priced = []
    for action in actions:
        before = int(np.searchsorted(ts, np.datetime64(action.ex_date, "D")))
        on = before < ts.size and ts[before] == np.datetime64(action.ex_date, "D")
        priced.append(replace(action, close_before=float(close[before - 1]) if before else None,
                              close_on=float(close[before]) if on else None))
    adjusted, _ = apply_adjustment(block, ts, priced, mode)
    return adjusted
