"""The one door from the rule language (and the backtest engine) to the indicator engine.

Everything rules and backtests compute from prices goes through :func:`indicator`, a thin call
to ``chitti.compute.indicators.compute`` (catalogue names and parameter names, e.g.
``sma(timeperiod=...)``; outputs named as the catalogue names them). If that API changes,
only this function changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from chitti.compute.indicators import compute, get_spec


def indicator(fn: str, inputs: Mapping[str, np.ndarray], params: Mapping[str, float | int]
              ) -> dict[str, np.ndarray]:
    """Return ``{output name: float64 array}`` of indicator ``fn`` (NaN during warm-up).

    Raises BadRequest (from the catalogue) for an unknown name or parameter.
    """
    out = compute(fn, inputs, **params)
    return {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in out.items()}


def indicator_signature(fn: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (parameter names, output names) of indicator ``fn``; BadRequest if unknown."""
    spec = get_spec(fn)
    return tuple(p.name for p in spec.params), tuple(spec.outputs)


def indicator_lookback(fn: str, params: Mapping[str, float | int]) -> int:
    """Return how many leading bars indicator ``fn`` leaves NaN with these parameters."""
    return get_spec(fn).lookback(params)
