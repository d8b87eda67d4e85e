"""Candlestick patterns: TA-Lib's 61 ``CDL*`` functions, bar-for-bar equal, in Numba.

>>> import numpy as np
>>> from chitti.compute.candles import PATTERNS, detect
>>> PATTERNS["cdlengulfing"].display_name
'Engulfing Pattern'
>>> o = np.array([10.0, 10.0, 9.0]); c = np.array([10.5, 9.5, 10.5])  # white engulfs black
>>> detect("cdlengulfing", o, np.maximum(o, c), np.minimum(o, c), c).tolist()
[0, 0, 100]
>>> PATTERNS["cdlengulfing"].lookback()
2
"""

from chitti.compute.candles import double, multi, single  # noqa: F401  (register the kernels)
from chitti.compute.candles._core import CANDLE_SETTINGS
from chitti.compute.candles.catalog import (
    PATTERNS,
    PatternSpec,
    detect,
    detect_all,
    direction,
    get_pattern,
)

# TA-Lib's (alphabetical) order, whatever order the modules registered in
_ordered = sorted(PATTERNS.items())
PATTERNS.clear()
PATTERNS.update(_ordered)
del _ordered

__all__ = [
    "CANDLE_SETTINGS",
    "PATTERNS",
    "PatternSpec",
    "detect",
    "detect_all",
    "direction",
    "get_pattern",
]
