"""Return features: past returns over several horizons, momentum, return shape."""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import BarContext, lag, ratio
from chitti.compute.features.catalog import feature, spec

_RET_BARS = (1, 2, 3, 5, 10, 20, 60, 120, 252)
_MOM = {"mom_126d_skip21d": 126, "mom_252d_skip21d": 252}
_SKIP_BARS = 21
_SHARPE_BARS = (20, 60, 252)
_UP_BARS = (20, 60)
_EXTREME_BARS = 20


@feature([spec(f"ret_{n}d", n, f"Simple return over the last {n} bar(s): "
               f"close_t / close_(t-{n}) - 1, as a fraction.") for n in _RET_BARS]
         + [spec(name, n, f"Momentum skipping the last month: close_(t-{_SKIP_BARS}) / "
                 f"close_(t-{n}) - 1 (the {n // 21}-1 month momentum of the literature).")
            for name, n in _MOM.items()],
         group="returns", inputs=("close",))
def _returns(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    c = ctx.close
    out = {f"ret_{n}d": ratio(c, lag(c, n)) - 1.0 for n in _RET_BARS if f"ret_{n}d" in wanted}
    for name, n in _MOM.items():
        if name in wanted:
            out[name] = ratio(lag(c, _SKIP_BARS), lag(c, n)) - 1.0
    return out


@feature([spec(f"sharpe_{n}d", n, f"Mean over standard deviation (ddof 1) of the last {n} "
               "daily log returns: a per-day Sharpe ratio, not annualised.")
          for n in _SHARPE_BARS]
         + [spec(f"up_days_frac_{n}d", n, f"Fraction of the last {n} bars that closed above "
                 "the previous close.") for n in _UP_BARS]
         + [spec(f"ret_max_1d_{_EXTREME_BARS}d", _EXTREME_BARS,
                 f"Largest one-bar simple return of the last {_EXTREME_BARS} bars "
                 "(the MAX lottery effect)."),
            spec(f"ret_min_1d_{_EXTREME_BARS}d", _EXTREME_BARS,
                 f"Smallest one-bar simple return of the last {_EXTREME_BARS} bars.")],
         group="returns", inputs=("close",))
def _return_shape(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    r = ctx.log_ret()
    for n in _SHARPE_BARS:
        if f"sharpe_{n}d" in wanted:
            m = k.rolling_comoments(r, r, n)
            out[f"sharpe_{n}d"] = ratio(m[3], np.sqrt(m[0] / (n - 1)))
    for n in _UP_BARS:
        if f"up_days_frac_{n}d" in wanted:
            up = np.where(np.isnan(r), np.nan, (r > 0).astype(np.float64))
            out[f"up_days_frac_{n}d"] = k.rolling_mean(up, n)
    s = ctx.simple_ret()
    if f"ret_max_1d_{_EXTREME_BARS}d" in wanted:
        out[f"ret_max_1d_{_EXTREME_BARS}d"] = k.rolling_extreme(s, _EXTREME_BARS, True)[0]
    if f"ret_min_1d_{_EXTREME_BARS}d" in wanted:
        out[f"ret_min_1d_{_EXTREME_BARS}d"] = k.rolling_extreme(s, _EXTREME_BARS, False)[0]
    return out
