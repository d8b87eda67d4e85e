"""What ``train`` returns: fold tables for the model and the baselines, as text and JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chitti.compute.ml.model import TrainedModel


def _day(d: np.datetime64 | None) -> str | None:
    return None if d is None else str(np.asarray(d).astype("datetime64[D]"))


def _num(x: float | int | None) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return int(x)
    f = float(x)
    return f if math.isfinite(f) else None


@dataclass(frozen=True)
class FoldRow:
    """Out-of-sample metrics of one score (``name``: "model" or a baseline) in one fold.

    ``fold`` is None for the row that pools every test window. ``ic`` and ``rank_ic`` hold
    ``mean``, ``std``, ``t_stat`` and ``n_dates`` (see :func:`~chitti.compute.ml.metrics.
    ic_summary`). ``accuracy`` (model only) and ``auc`` are set for a ``sign`` target.
    Baselines are not trained: their ``train_*`` are None and ``n_train`` 0.
    """

    name: str
    fold: int | None
    train_start: np.datetime64 | None
    train_end: np.datetime64 | None
    test_start: np.datetime64
    test_end: np.datetime64
    n_train: int
    n_test: int
    ic: dict[str, float | int | None]
    rank_ic: dict[str, float | int | None]
    accuracy: float | None = None
    auc: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "fold": "all" if self.fold is None else self.fold,
            "train_start": _day(self.train_start), "train_end": _day(self.train_end),
            "test_start": _day(self.test_start), "test_end": _day(self.test_end),
            "n_train": self.n_train, "n_test": self.n_test,
            "ic_mean": _num(self.ic["mean"]), "ic_std": _num(self.ic["std"]),
            "ic_t_stat": _num(self.ic["t_stat"]), "rank_ic_mean": _num(self.rank_ic["mean"]),
            "rank_ic_std": _num(self.rank_ic["std"]),
            "rank_ic_t_stat": _num(self.rank_ic["t_stat"]), "n_dates": self.ic["n_dates"],
            "accuracy": _num(self.accuracy), "auc": _num(self.auc),
        }


def _fmt(x: float | int | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


@dataclass(frozen=True, eq=False)
class TrainReport:
    """Everything ``train`` learned, with the final model to register.

    ``folds`` are the model's rows (one per fold, then the pooled row); ``baselines`` maps
    each baseline to rows over the same test windows. ``oos_scores`` is the out-of-sample
    score panel ``(n_dates, n_symbols)`` on ``dates`` (NaN outside the test windows).
    ``feature_importance`` is each feature's share of the total split gain (LightGBM) or
    the estimator's ``feature_importances_``; None when the estimator has none.
    ``backtests`` maps "model" and "momentum_12_1" to engine metrics when bars were given
    (``{"skipped": reason}`` for a score with no value in the test windows, e.g. momentum
    without 252 sessions of history).
    """

    target: str
    horizon_days: int
    estimator: str
    feature_names: tuple[str, ...]
    symbols: tuple[str, ...]
    data_start: np.datetime64
    data_end: np.datetime64
    folds: tuple[FoldRow, ...]
    baselines: dict[str, tuple[FoldRow, ...]]
    feature_importance: dict[str, float] | None
    oos_scores: np.ndarray
    dates: np.ndarray
    model: TrainedModel
    backtests: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, dict[str, Any]]:
        """Return the pooled out-of-sample row of the model and of each baseline."""
        out = {"model": self.folds[-1].to_dict()}
        out.update({name: rows[-1].to_dict() for name, rows in self.baselines.items()})
        return out

    def lines(self) -> list[str]:
        """Return the fold table (model, then baselines) and summary lines, for a terminal."""
        head = (f"{'score':<15}{'fold':>5} {'test':<23}{'n_train':>9}{'n_test':>8}"
                f"{'IC':>8}{'t':>7}{'rankIC':>8}{'t':>7}{'acc':>7}{'AUC':>7}")
        out = [f"target {self.target} over {self.horizon_days} sessions, {self.estimator}, "
               f"{len(self.feature_names)} features, {len(self.symbols)} symbols, labelled "
               f"{_day(self.data_start)}..{_day(self.data_end)}", head]
        for rows in (self.folds, *self.baselines.values()):
            for r in rows:
                out.append(
                    f"{r.name:<15}{'all' if r.fold is None else r.fold:>5} "
                    f"{_day(r.test_start)}..{_day(r.test_end)} {r.n_train:>8}{r.n_test:>8}"
                    f"{_fmt(r.ic['mean'], '.4f'):>8}{_fmt(r.ic['t_stat'], '.2f'):>7}"
                    f"{_fmt(r.rank_ic['mean'], '.4f'):>8}{_fmt(r.rank_ic['t_stat'], '.2f'):>7}"
                    f"{_fmt(r.accuracy, '.3f'):>7}{_fmt(r.auc, '.3f'):>7}")
        for name, m in self.backtests.items():
            if "skipped" in m:
                out.append(f"backtest {name}: skipped ({m['skipped']})")
                continue
            out.append(f"backtest {name}: return {_fmt(m.get('total_return_pct'), '.1f')} %, "
                       f"CAGR {_fmt(m.get('cagr_pct'), '.1f')} %, Sharpe "
                       f"{_fmt(m.get('sharpe_ratio'), '.2f')}, max drawdown "
                       f"{_fmt(m.get('max_drawdown_pct'), '.1f')} %, costs "
                       f"{_fmt(m.get('total_costs_inr'), ',.0f')} INR, "
                       f"{m.get('trade_count')} trades")
        if self.feature_importance:
            top = sorted(self.feature_importance.items(), key=lambda kv: -kv[1])[:10]
            out.append("top features by gain: " + ", ".join(f"{k} {v:.1%}" for k, v in top))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict (no arrays, no model; undefined numbers are None)."""
        return {
            "target": self.target, "horizon_days": self.horizon_days,
            "estimator": self.estimator, "params": self.model.params,
            "feature_names": list(self.feature_names), "symbols": list(self.symbols),
            "data_start": _day(self.data_start), "data_end": _day(self.data_end),
            "folds": [r.to_dict() for r in self.folds],
            "baselines": {k: [r.to_dict() for r in v] for k, v in self.baselines.items()},
            "summary": self.summary,
            "feature_importance": self.feature_importance,
            "backtests": {k: {m: _num(v) if not isinstance(v, str) else v
                              for m, v in d.items()} for k, d in self.backtests.items()},
        }
