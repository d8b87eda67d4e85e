"""Technical indicators: one catalogue, TA-Lib-exact kernels, panels and live streams.

>>> import numpy as np
>>> from chitti.compute.indicators import compute, get_spec
>>> out = compute("sma", {"close": np.arange(1.0, 6.0)}, timeperiod=3)
>>> out["sma"].tolist()
[nan, nan, 2.0, 3.0, 4.0]
>>> get_spec("SMA").lookback({"timeperiod": 3})
2
"""

from chitti.compute.indicators.catalog import IndicatorSpec, Param, catalog, compute, get_spec
from chitti.compute.indicators.panel import compute_panel
from chitti.compute.indicators.streaming import stream

__all__ = ["IndicatorSpec", "Param", "catalog", "compute", "compute_panel", "get_spec", "stream"]
