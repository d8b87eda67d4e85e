"""TA-Lib's 61 candlestick patterns, served through the indicator catalogue.

The kernels live in :mod:`chitti.compute.candles`; this module only registers each pattern
(group ``pattern``) so the catalogue, ``compute`` and the HTTP API offer them like any other
indicator. Values are TA-Lib's: 0, ±80, ±100 or ±200 (as floats here), positive for bullish;
for the patterns that are not directional (dojis, rickshaw man, takuri) +100 means "found".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chitti.compute.candles import PATTERNS, PatternSpec
from chitti.compute.indicators.catalog import IndicatorSpec, register


def _kernel(pattern: PatternSpec) -> Any:
    def run(o: np.ndarray, h: np.ndarray, low: np.ndarray, c: np.ndarray,
            **params: Any) -> tuple[np.ndarray]:
        return (pattern.run(o, h, low, c, params).astype(np.float64),)

    return run


for _pattern in PATTERNS.values():
    register(IndicatorSpec(
        name=_pattern.name, group="pattern", display_name=_pattern.display_name,
        inputs=("open", "high", "low", "close"), params=_pattern.params,
        outputs=(_pattern.name,), fn=_kernel(_pattern),
        lookback_fn=_pattern.lookback, talib=_pattern.talib,
        description=_pattern.description or (
            f"{_pattern.display_name}: TA-Lib {_pattern.talib}"
            + ("" if _pattern.directional else " (+100 = found; not directional)"))))
