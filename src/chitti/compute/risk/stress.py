"""Stress tests: replay real market episodes on today's weights.

Each episode is a dated window from :data:`STRESS_EPISODES` (the one catalogue; a caller may
pass its own :class:`StressEpisode`). The replay is buy-and-hold from the close of the
episode's first trading day (on or after ``start``) to the close of its last (on or before
``end``): today's weights become positions at the first close and are not rebalanced; cash
(``1 - sum(weights)``) earns nothing. Reported per episode: the cumulative return, the
maximum drawdown inside the window, the worst day, and each asset's return and contribution
(``weight * asset return``; contributions sum to the portfolio return).

Assets without data in the episode (no close on its first or last trading day: not yet
listed, delisted, suspended) are never silently zero. They are listed, and:
  * with a benchmark that has data in the episode, each is **proxied by the benchmark**:
    its daily return is ``beta * benchmark daily return`` (beta from ``proxy_betas``, the
    risk window's estimate in :func:`risk_report`; 1 where unknown), compounded;
  * without one, they are **excluded and the other held positions are scaled up** pro rata
    to the same invested total (cash unchanged).
Inside the window a day without a bar keeps the asset's last close (it could not be traded).
The window must lie inside the data (the first date on or before ``start``, the last on or
after ``end``); otherwise the episode is reported with status ``"no_data"`` and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np

from chitti.compute.risk._convert import day as _day
from chitti.compute.risk._convert import iso as _iso
from chitti.compute.risk._convert import json_float as _json
from chitti.compute.risk._inputs import check_prices
from chitti.compute.risk.measures import Drawdown, max_drawdown

MissingTreatment = Literal["benchmark_proxy", "excluded_renormalised"]


@dataclass(frozen=True)
class StressEpisode:
    """A named market episode: ``start`` and ``end`` are inclusive calendar dates."""

    key: str
    name: str
    start: date
    end: date
    description: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """JSON-able, dates as ISO strings."""
        return {"key": self.key, "name": self.name, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "description": self.description,
                "source": self.source}


_INDEX_FILE = ("NIFTY 50 closes, data/demo/nifty50_index_2000_2019.csv.gz (Yahoo Finance "
               "^NSEI, NSE data)")

#: The episode catalogue. Windows run NIFTY 50 peak close to trough close where the demo
#: index covers them, so each replays the market's whole fall.
STRESS_EPISODES: tuple[StressEpisode, ...] = (
    StressEpisode(
        key="may_2006_selloff", name="May 2006 emerging-market sell-off",
        start=date(2006, 5, 10), end=date(2006, 6, 14),
        description="NIFTY 50 from its closing high of 3,754.25 (2006-05-10) to its closing "
                    "low of 2,632.80 (2006-06-14), -29.9 %, in the global sell-off of "
                    "emerging-market equities on fears of higher US and world interest rates.",
        source=_INDEX_FILE),
    StressEpisode(
        key="gfc_2008", name="2008 global financial crisis",
        start=date(2008, 1, 8), end=date(2008, 10, 27),
        description="NIFTY 50 from its closing high of 6,287.85 (2008-01-08) to its closing "
                    "low of 2,524.20 (2008-10-27), -59.9 %; Lehman Brothers failed on "
                    "2008-09-15. (The S&P 500's trough was 2009-03-09; NIFTY's March 2009 "
                    "close, 2,573.15, stayed above its October low.)",
        source=_INDEX_FILE),
    StressEpisode(
        key="taper_tantrum_2013", name="2013 taper tantrum",
        start=date(2013, 5, 17), end=date(2013, 8, 28),
        description="NIFTY 50 from its closing high of 6,187.30 (2013-05-17, the last close "
                    "before Ben Bernanke's 2013-05-22 testimony that the Federal Reserve "
                    "could taper its bond purchases) to its closing low of 5,285.00 "
                    "(2013-08-28, as the rupee hit a record low against the US dollar), "
                    "-14.6 %.",
        source=_INDEX_FILE),
    StressEpisode(
        key="covid_2020", name="March 2020 COVID crash",
        start=date(2020, 2, 20), end=date(2020, 3, 23),
        description="From the last NSE close before the global COVID-19 sell-off (2020-02-20; "
                    "NSE was shut on 2020-02-21, the fall began on 2020-02-24) to NIFTY 50's "
                    "closing low of 7,610.25 on 2020-03-23, its largest one-day fall "
                    "(-12.98 %). Not NIFTY's peak-to-trough: its closing high was in January "
                    "2020.",
        source="NSE closes (the demo stocks, data/demo/nifty_sample_daily_2000_2021.csv.gz, "
               "show the fall; the demo index file ends 2019-12-02)"),
)


@dataclass(frozen=True)
class StressResult:
    """One episode replayed. Fractions are of the portfolio value at the episode's start.

    ``return_fraction`` is signed (-0.42 = lost 42 %); drawdown is positive. Per-asset
    arrays follow the caller's columns; assets not held have weight 0 and treatment
    ``"not_held"``. ``weights_used`` differs from the input only under
    ``"excluded_renormalised"``. Undefined figures are NaN (None in ``to_dict``).
    """

    episode: StressEpisode
    status: Literal["ok", "no_data"]
    reason: str | None
    first_date: date | None
    last_date: date | None
    return_fraction: float
    drawdown: Drawdown
    worst_day_date: date | None
    worst_day_return_fraction: float
    benchmark_return_fraction: float
    missing_treatment: MissingTreatment | None
    symbols: tuple[str, ...]
    weights: np.ndarray
    weights_used: np.ndarray
    treatment: tuple[str, ...]
    asset_return_fraction: np.ndarray
    contribution_fraction: np.ndarray
    proxy_beta: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the episode, the portfolio figures and one entry per held asset."""
        assets = [
            {"symbol": s, "weight": float(self.weights[j]),
             "weight_used": float(self.weights_used[j]), "treatment": self.treatment[j],
             "return_fraction": _json(self.asset_return_fraction[j]),
             "contribution_fraction": _json(self.contribution_fraction[j]),
             "proxy_beta": _json(self.proxy_beta[j])}
            for j, s in enumerate(self.symbols) if self.treatment[j] != "not_held"]
        return {
            **self.episode.to_dict(), "status": self.status, "reason": self.reason,
            "first_date": _iso(self.first_date), "last_date": _iso(self.last_date),
            "return_fraction": _json(self.return_fraction),
            "max_drawdown": self.drawdown.to_dict(),
            "worst_day": {"date": _iso(self.worst_day_date),
                          "return_fraction": _json(self.worst_day_return_fraction)},
            "benchmark_return_fraction": _json(self.benchmark_return_fraction),
            "missing_treatment": self.missing_treatment,
            "missing_symbols": [a["symbol"] for a in assets if a["treatment"] != "data"],
            "assets": assets,
        }


def stress_test(close: np.ndarray, dates: np.ndarray, weights: np.ndarray, *,
                episode: StressEpisode, symbols: Sequence[str],
                benchmark: np.ndarray | None = None,
                proxy_betas: np.ndarray | None = None) -> StressResult:
    """Replay ``episode`` on ``weights`` (fractions of value, rest cash); see module docstring.

    ``close`` is ``(n_dates, n_assets)`` adjusted closes with NaN where no bar, ``dates``
    datetime64[D], ``benchmark`` the benchmark's closes on the same dates (NaN where none)
    and ``proxy_betas`` one beta per asset for the benchmark proxy (NaN -> 1).
    """
    px, days = check_prices(close, dates, symbols)
    w = np.asarray(weights, dtype=np.float64)
    held = w != 0.0
    rows = np.flatnonzero((days >= np.datetime64(episode.start, "D"))
                          & (days <= np.datetime64(episode.end, "D")))
    base = _Base(episode, tuple(symbols), w, held)
    if days.size == 0 or days[0] > np.datetime64(episode.start, "D") \
            or days[-1] < np.datetime64(episode.end, "D") or rows.size < 2:
        span = f"{days[0]}..{days[-1]}" if days.size else "empty"
        return base.no_data(f"the data ({span}) does not cover {episode.start}..{episode.end}")
    rel = _forward_filled(px[rows]) / px[rows[0]]
    have = np.isfinite(px[rows[0]]) & np.isfinite(px[rows[-1]])
    bench_rel = None
    if benchmark is not None:
        b = np.asarray(benchmark, dtype=np.float64)[rows]
        if np.isfinite(b[0]) and np.isfinite(b[-1]):
            bench_rel = _forward_filled(b[:, None])[:, 0] / b[0]
    missing = held & ~have
    betas = np.full(w.shape, np.nan)
    mode: MissingTreatment | None = None
    w_used = w.copy()
    if missing.any() and bench_rel is not None:
        mode = "benchmark_proxy"
        given = np.ones(w.shape) if proxy_betas is None else np.asarray(proxy_betas, float)
        betas[missing] = np.where(np.isfinite(given[missing]), given[missing], 1.0)
        rel[:, missing] = _proxy_paths(bench_rel, betas[missing])
    elif missing.any():
        mode = "excluded_renormalised"
        scaled = _renormalised(w, held & have, held)
        if scaled is None:
            return base.no_data("no held asset with data in the episode to carry the weight "
                                "of the missing ones, and no benchmark to proxy them")
        w_used = scaled
    return base.replay(days[rows], rel, w_used, missing, mode, betas, bench_rel)


@dataclass(frozen=True)
class _Base:
    episode: StressEpisode
    symbols: tuple[str, ...]
    weights: np.ndarray
    held: np.ndarray

    def no_data(self, reason: str) -> StressResult:
        nan = np.full(self.weights.shape, np.nan)
        treatment = tuple("not_held" if not h else "no_data" for h in self.held)
        return StressResult(self.episode, "no_data", reason, None, None, math.nan,
                            Drawdown(math.nan, None, None, None), None, math.nan, math.nan,
                            None, self.symbols, self.weights, self.weights, treatment, nan,
                            nan, nan)

    def replay(self, days: np.ndarray, rel: np.ndarray, w_used: np.ndarray,
               missing: np.ndarray, mode: MissingTreatment | None, betas: np.ndarray,
               bench_rel: np.ndarray | None) -> StressResult:
        use = w_used != 0.0
        value = (1.0 - w_used.sum()) + rel[:, use] @ w_used[use]
        daily = value[1:] / value[:-1] - 1.0
        worst = int(np.argmin(daily))
        excluded = missing if mode == "excluded_renormalised" else np.zeros_like(missing)
        asset_return = np.where(self.held & ~excluded, rel[-1] - 1.0, np.nan)
        contribution = np.where(use, w_used * np.nan_to_num(asset_return), 0.0)
        treatment = tuple(_treatment(bool(h), bool(m), mode)
                          for h, m in zip(self.held, missing, strict=True))
        return StressResult(
            episode=self.episode, status="ok", reason=None,
            first_date=_day(days[0]), last_date=_day(days[-1]),
            return_fraction=float(value[-1] / value[0] - 1.0),
            drawdown=max_drawdown(value, days),
            worst_day_date=_day(days[worst + 1]),
            worst_day_return_fraction=float(daily[worst]),
            benchmark_return_fraction=math.nan if bench_rel is None
            else float(bench_rel[-1] - 1.0),
            missing_treatment=mode, symbols=self.symbols, weights=self.weights,
            weights_used=w_used, treatment=treatment, asset_return_fraction=asset_return,
            contribution_fraction=contribution, proxy_beta=betas)


def _treatment(held: bool, missing: bool, mode: MissingTreatment | None) -> str:
    if not held:
        return "not_held"
    if not missing:
        return "data"
    return "benchmark_proxy" if mode == "benchmark_proxy" else "excluded"


def _forward_filled(px: np.ndarray) -> np.ndarray:
    # Carry each column's last close over days without a bar (NaN before its first one).
    idx = np.where(np.isfinite(px), np.arange(px.shape[0])[:, None], 0)
    np.maximum.accumulate(idx, axis=0, out=idx)
    filled: np.ndarray = px[idx, np.arange(px.shape[1])]
    return filled


def _proxy_paths(bench_rel: np.ndarray, betas: np.ndarray) -> np.ndarray:
    daily = bench_rel[1:] / bench_rel[:-1] - 1.0
    growth = np.cumprod(1.0 + daily[:, None] * betas[None, :], axis=0)
    return np.vstack([np.ones((1, betas.size)), growth])


def _renormalised(w: np.ndarray, available: np.ndarray, held: np.ndarray) -> np.ndarray | None:
    # Scale the available positions so that they hold what all held positions held.
    have, want = float(w[available].sum()), float(w[held].sum())
    if not available.any() or have <= 0.0 or want <= 0.0:
        return None
    return np.where(available, w * (want / have), 0.0)

