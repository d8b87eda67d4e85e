"""Price-series checks: one-day gaps no stored action explains, and the share ratio that
would explain each, so a user can find the splits and bonuses the data lacks.

Pure: arrays in, findings out. Run on adjusted series, a gap left over is either a real
market move (an election result, a results shock) or a missing action; the proposed ratio
tells which is likely: a 2.0x fall is a 1:1 bonus or a 1:2 split far more often than news.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from chitti.marketdata.sessions import ist_days

#: Share multipliers of the actions NSE companies announce, with how NSE words them.
#: Bonus a:b multiplies the shares by (a+b)/b; a split from Rs F1 to Rs F2 by F1/F2.
SHARE_RATIOS: tuple[tuple[float, str], ...] = (
    (1.2, "bonus 1:5"),
    (1.25, "bonus 1:4"),
    (4 / 3, "bonus 1:3"),
    (1.5, "bonus 1:2"),
    (5 / 3, "bonus 2:3"),
    (2.0, "bonus 1:1, or split 1:2 (Rs 10 -> Rs 5, Rs 2 -> Re 1)"),
    (2.5, "bonus 3:2, or split Rs 5 -> Rs 2"),
    (3.0, "bonus 2:1"),
    (4.0, "bonus 3:1"),
    (5.0, "split 1:5 (Rs 10 -> Rs 2, Rs 5 -> Re 1)"),
    (10.0, "split 1:10 (Rs 10 -> Re 1)"),
    (15.0, "split 1:10 with bonus 1:2"),
    (20.0, "split 1:10 with bonus 1:1"),
    (0.5, "consolidation 2:1"),
    (0.2, "consolidation 5:1"),
    (0.1, "consolidation 10:1 (Re 1 -> Rs 10)"),
)
#: How far (in log terms) an observed ratio may sit from a share ratio and still match it:
#: the market moves on an ex-date too, rarely by more than this.
RATIO_TOLERANCE = 0.12


@dataclass(frozen=True)
class Gap:
    """A one-day close-to-close move beyond the threshold."""

    symbol: str
    ex_date: str
    prev_close: float
    close: float
    #: the move in percent
    change_pct: float
    #: prev_close / close: the share multiplier an action would need to explain the move
    observed_ratio: float
    #: the closest share ratio of :data:`SHARE_RATIOS` within tolerance (None: no simple
    #: ratio; a real market move, a demerger, or an action with an unusual ratio)
    proposed_ratio: float | None
    proposal: str | None

    def to_dict(self) -> dict[str, object]:
        return {"symbol": self.symbol, "ex_date": self.ex_date, "prev_close": self.prev_close,
                "close": self.close, "change_pct": round(self.change_pct, 2),
                "observed_ratio": round(self.observed_ratio, 4),
                "proposed_ratio": self.proposed_ratio, "proposal": self.proposal}


def explain_ratio(observed: float) -> tuple[float, str] | None:
    """The share ratio closest to ``observed`` (prev close / close) within tolerance."""
    if not observed > 0:
        return None
    ratio, label = min(SHARE_RATIOS, key=lambda item: abs(math.log(observed / item[0])))
    return (ratio, label) if abs(math.log(observed / ratio)) <= RATIO_TOLERANCE else None


def find_gaps(symbol: str, ts: np.ndarray, close: np.ndarray, *,
              threshold_pct: float = 20.0) -> list[Gap]:
    """Every one-day move of ``close`` beyond +/- ``threshold_pct`` percent, oldest first."""
    if close.shape[0] < 2:
        return []
    change = close[1:] / close[:-1] - 1.0
    gaps = []
    for i in np.flatnonzero(np.abs(change) * 100.0 > threshold_pct):
        observed = float(close[i] / close[i + 1])
        explained = explain_ratio(observed)
        gaps.append(Gap(symbol, str(ts[i + 1]), float(close[i]), float(close[i + 1]),
                        float(change[i] * 100.0), observed,
                        explained[0] if explained else None,
                        explained[1] if explained else None))
    return gaps


def find_bad_bars(ts: np.ndarray, open_: np.ndarray, high: np.ndarray, low: np.ndarray,
                  close: np.ndarray) -> list[tuple[str, str]]:
    """(date, what is wrong) for bars whose prices are not positive or whose high/low do not
    contain open and close: a stop or a range indicator would read nonsense from them."""
    prices = np.vstack([open_, high, low, close])
    unpriced = ~(np.isfinite(prices).all(axis=0) & (prices > 0).all(axis=0))
    uncontained = (high < low) | (high < np.maximum(open_, close)) | (
        low > np.minimum(open_, close))
    bad = []
    for i in np.flatnonzero(unpriced | uncontained):
        what = ("non-positive or missing price" if unpriced[i]
                else "high/low do not contain open/close")
        bad.append((str(ts[i]), f"{what} (open={open_[i]}, high={high[i]}, low={low[i]}, "
                                f"close={close[i]})"))
    return bad


def coverage_warnings(label: str, ts: np.ndarray, start: date | None, end: date | None, *,
                      slack_days: int = 7, gap_days: int = 10) -> list[str]:
    """Sentences for a reply's ``warnings``: where the bars of ``label`` do not cover what
    was asked. A week of slack at either end absorbs weekends and holiday runs (NSE's
    longest, 2014-10-01..07, is seven days); a hole of more than ``gap_days`` calendar days
    between two bars is a gap in the data, not a holiday."""
    if ts.size == 0:
        return [f"{label}: no bars between {start or 'the start'} and {end or 'the end'}"]
    days = ts.astype("datetime64[D]") if ts.dtype.kind != "M" or ts.dtype == np.dtype(
        "datetime64[D]") else ist_days(ts)
    first, last = days[0].item(), days[-1].item()
    out = []
    if start is not None and (first - start).days > slack_days:
        out.append(f"{label}: bars start on {first}, after the requested start {start}")
    if end is not None and (end - last).days > slack_days:
        out.append(f"{label}: bars end on {last}, before the requested end {end}")
    holes = np.flatnonzero(np.diff(days).astype(np.int64) > gap_days)
    if holes.size:
        spans = ", ".join(f"{days[i]}..{days[i + 1]}" for i in holes[:3])
        more = f" and {holes.size - 3} more" if holes.size > 3 else ""
        out.append(f"{label}: {holes.size} gaps of over {gap_days} days in the bars "
                   f"({spans}{more})")
    return out
