"""Whole-share allocation of a rupee amount to target weights (greedy).

NSE shares trade in whole units, so weights must become share counts. The greedy rule is
PyPortfolioOpt's ``DiscreteAllocation.greedy_portfolio`` (long-only): buy
``floor(w_i * total / price_i)`` of each asset (largest weight first), then spend what is
left one share at a time on the affordable asset whose weight falls furthest below its
target. Unlike PyPortfolioOpt it does not stop after ten unaffordable assets in a row; it
stops when no asset below its target is affordable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chitti.errors import BadRequest


@dataclass(frozen=True)
class ShareAllocation:
    """Share counts per asset (zero positions omitted) and the rupees left uninvested."""

    shares: dict[str, int]
    leftover_inr: float

    def to_dict(self) -> dict[str, Any]:
        return {"shares": dict(self.shares), "leftover_inr": self.leftover_inr}


def allocate_shares(weights: Sequence[float] | np.ndarray,
                    latest_prices_inr: Sequence[float] | np.ndarray, *, assets: Sequence[str],
                    total_inr: float) -> ShareAllocation:
    """Return whole-share counts that approximate long-only ``weights`` with ``total_inr``.

    Raises
    ------
    BadRequest
        Negative or non-finite weights, non-positive prices, or a non-positive amount.
    """
    w = np.asarray(weights, dtype=np.float64)
    price = np.asarray(latest_prices_inr, dtype=np.float64)
    n = len(assets)
    if w.shape != (n,) or price.shape != (n,):
        raise BadRequest(f"weights, latest_prices_inr: need one value per asset ({n})")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise BadRequest("weights: whole-share allocation is long-only; weights must be "
                         "finite and >= 0")
    if not np.all(np.isfinite(price)) or np.any(price <= 0):
        raise BadRequest("latest_prices_inr: every asset needs a positive last price")
    if not math.isfinite(total_inr) or total_inr <= 0:
        raise BadRequest(f"total_inr: must be a positive amount; got {total_inr}")
    order = sorted(range(n), key=lambda i: w[i], reverse=True)
    w_sorted, p_sorted = w[order], price[order]
    shares = np.floor(w_sorted * total_inr / p_sorted)
    funds = float(total_inr - shares @ p_sorted)
    while funds > 0:
        held = shares * p_sorted
        total_held = float(held.sum())
        current = held / total_held if total_held > 0 else np.zeros(n)
        deficit = w_sorted - current
        eligible = (p_sorted <= funds) & (deficit > 0)
        if not eligible.any():
            break
        i = int(np.argmax(np.where(eligible, deficit, -np.inf)))
        shares[i] += 1
        funds -= float(p_sorted[i])
    out = {assets[order[k]]: int(shares[k]) for k in range(n) if shares[k] > 0}
    return ShareAllocation(shares=out, leftover_inr=funds)
