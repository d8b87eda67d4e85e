"""The result of every optimiser: weights, their expected risk and return, risk contributions."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _json_num(x: float | int | None) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, (int, np.integer)):
        return int(x)
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """Weights of one optimised portfolio and what they imply under the inputs used.

    All figures are annual fractions (0.12 = 12 % a year) in the object and percentages in
    :meth:`to_dict` (``*_pct`` keys). ``expected_annual_return`` and ``sharpe_ratio`` are NaN
    (``None`` in JSON) when no expected returns were given (``min_volatility``, ``hrp`` and
    ``erc`` do not need them). ``risk_contributions[i] = w_i (Σw)_i / w'Σw``: each asset's
    share of the portfolio variance, summing to 1 (negative for a hedge).
    """

    method: str
    assets: tuple[str, ...]
    weights: np.ndarray
    expected_annual_return: float
    annual_volatility: float
    sharpe_ratio: float
    risk_contributions: np.ndarray
    risk_free_rate: float
    details: Mapping[str, str | float | int | None] = field(default_factory=dict)

    def weights_by_asset(self) -> dict[str, float]:
        """Return ``{asset: weight}`` in the order of ``assets``."""
        return {a: float(w) for a, w in zip(self.assets, self.weights, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict; undefined numbers are ``None``."""
        return {
            "method": self.method,
            "weights": self.weights_by_asset(),
            "expected_annual_return_pct": _json_num(self.expected_annual_return * 100.0),
            "annual_volatility_pct": _json_num(self.annual_volatility * 100.0),
            "sharpe_ratio": _json_num(self.sharpe_ratio),
            "risk_free_rate_pct": _json_num(self.risk_free_rate * 100.0),
            "risk_contributions": {a: _json_num(float(c)) for a, c in
                                   zip(self.assets, self.risk_contributions, strict=True)},
            "details": {k: _json_num(v) if not isinstance(v, str) else v
                        for k, v in self.details.items()},
        }


def risk_contributions(weights: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Return each asset's share of the portfolio variance, ``w_i (Σw)_i / w'Σw``.

    The shares sum to 1 (Euler's theorem for the homogeneous volatility); NaN when the
    portfolio variance is 0.
    """
    w = np.asarray(weights, dtype=np.float64)
    marginal = cov @ w
    var = float(w @ marginal)
    if var <= 0.0:
        return np.full(w.shape, np.nan)
    return np.asarray(w * marginal / var)


def build_result(method: str, assets: Sequence[str], weights: np.ndarray, cov: np.ndarray,
                 expected_returns: np.ndarray | None, *, risk_free_rate: float,
                 details: Mapping[str, str | float | int | None] | None = None
                 ) -> PortfolioResult:
    """Compute the figures of ``weights`` under ``cov`` and ``expected_returns``."""
    w = np.asarray(weights, dtype=np.float64)
    vol = math.sqrt(max(float(w @ cov @ w), 0.0))
    ret = math.nan if expected_returns is None else float(w @ expected_returns)
    sharpe = (ret - risk_free_rate) / vol if vol > 0 and not math.isnan(ret) else math.nan
    return PortfolioResult(method=method, assets=tuple(assets), weights=w,
                           expected_annual_return=ret, annual_volatility=vol,
                           sharpe_ratio=sharpe, risk_contributions=risk_contributions(w, cov),
                           risk_free_rate=risk_free_rate, details=dict(details or {}))
