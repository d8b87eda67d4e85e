"""Cross-sectional features: each symbol against the rest of the universe on the same day.

Ranks and z-scores of a chosen set of base features, deviations from the sector mean, and
a few universe-wide aggregates (the same for every symbol). On date *t* they read the base
features of the symbols that have a bar on *t* and nothing else, so they inherit the
bases' point-in-time property. They depend on the universe passed in: a model trained on
ranks within NIFTY 50 expects ranks within a similar universe.
"""

from __future__ import annotations

import numpy as np

from chitti.compute.features import _kernels as k
from chitti.compute.features._context import DateContext
from chitti.compute.features.catalog import feature, spec

#: base features ranked and z-scored across the universe each day
BASES = (
    "ret_1d", "ret_5d", "ret_20d", "ret_60d", "ret_120d", "mom_252d_skip21d",
    "vol_20d", "vol_60d", "volume_ratio_20d", "turnover_20d_crore", "amihud_20d",
    "dist_high_252d", "rsi_14d", "gap_1d", "natr_14d_pct", "beta_252d",
)
_SECTOR_BASES = ("ret_5d", "ret_20d", "ret_60d")


@feature([d for b in BASES for d in (
    spec(f"{b}_cs_rank", None, f"Percentile rank of {b} among the universe's symbols on the "
         "day (average rank of ties / count: 1/n for the smallest, 1 for the largest).",
         depends=(b,)),
    spec(f"{b}_cs_z", None, f"Cross-sectional z-score of {b} on the day: (x - mean) / std "
         "(ddof 1) over the universe's symbols; NaN with fewer than two.", depends=(b,)))],
         group="cross_section", inputs=(), layout="dates")
def _ranks(ctx: DateContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for b in BASES:
        if f"{b}_cs_rank" in wanted:
            out[f"{b}_cs_rank"] = k.cs_rank_pct(ctx.feature(b))
        if f"{b}_cs_z" in wanted:
            out[f"{b}_cs_z"] = k.cs_zscore(ctx.feature(b))
    return out


@feature([spec(f"{b}_sector_dev", None, f"{b} minus the mean {b} of the symbol's sector on the "
               "day (NaN without a sector or with fewer than two sector members trading).",
               depends=(b,)) for b in _SECTOR_BASES],
         group="cross_section", inputs=("sectors",), layout="dates")
def _sectors(ctx: DateContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    names = sorted({s for s in (ctx.sectors or ()) if s is not None})
    code_of = {s: i for i, s in enumerate(names)}
    codes = np.array([-1 if s is None else code_of[s]
                      for s in (ctx.sectors or (None,) * len(ctx.symbols))], dtype=np.int64)
    return {f"{b}_sector_dev": k.cs_group_dev(ctx.feature(b), codes, max(len(names), 1))
            for b in _SECTOR_BASES if f"{b}_sector_dev" in wanted}


@feature([spec("universe_ret_1d", None, "Mean one-bar return of the universe's symbols that "
               "traded on the day (an equal-weight market return).", depends=("ret_1d",)),
          spec("universe_breadth_sma_50d", None, "Share of the universe's symbols trading above "
               "their 50-bar simple moving average on the day (market breadth).",
               depends=("close_to_sma_50d",)),
          spec("universe_dispersion_20d", None, "Cross-sectional standard deviation (ddof 1) of "
               "ret_20d on the day (how differently the symbols move).", depends=("ret_20d",))],
         group="cross_section", inputs=(), layout="dates")
def _universe(ctx: DateContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if "universe_ret_1d" in wanted:
        out["universe_ret_1d"] = ctx.on_bars(k.cs_mean(ctx.feature("ret_1d")))
    if "universe_breadth_sma_50d" in wanted:
        x = ctx.feature("close_to_sma_50d")
        above = np.where(np.isnan(x), np.nan, (x > 0).astype(np.float64))
        out["universe_breadth_sma_50d"] = ctx.on_bars(k.cs_mean(above))
    if "universe_dispersion_20d" in wanted:
        out["universe_dispersion_20d"] = ctx.on_bars(k.cs_std(ctx.feature("ret_20d")))
    return out
