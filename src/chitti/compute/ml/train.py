"""Train a model on a feature panel with purged walk-forward validation, beside baselines.

``train`` turns ``(n_dates, n_symbols, n_features)`` features and adjusted closes into:

1. a label panel (:func:`~chitti.compute.ml.targets.make_target`);
2. rows = (date, symbol) pairs with at least one finite feature; training rows also need a
   finite label;
3. purged folds over the labelled dates (:func:`~chitti.compute.ml.folds.purged_folds`):
   per fold, fit on the training rows and score every row of the test window;
4. per fold, the information coefficients of those out-of-sample scores against the
   realised forward return (and accuracy / ROC AUC for a ``sign`` target), and the same
   for the baselines (12-1 momentum, 5-day reversal) on the same test dates;
5. a final model fitted on every labelled row: the one registered and served;
6. optionally, backtests of the out-of-sample scores and of momentum through the engine
   with Indian costs (:func:`~chitti.compute.ml.strategy.backtest_scores`).

Estimators: ``"lightgbm"`` (defaults in :data:`LIGHTGBM_DEFAULTS`, overridable through
``params``; LightGBM handles NaN natively) or any scikit-learn estimator instance (cloned
per fold). A scikit-learn estimator whose ``allow_nan`` tag is False is refused when a
training or test row has a NaN feature: use ``HistGradientBoosting*`` or put a
``SimpleImputer`` first in a Pipeline. Everything is deterministic for a given ``seed``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chitti.compute.backtest import Bars
from chitti.compute.cluster import Executor, LocalExecutor
from chitti.compute.ml.baselines import baseline_scores
from chitti.compute.ml.folds import Fold, Scheme, Window, purged_folds
from chitti.compute.ml.metrics import (
    accuracy,
    daily_ic,
    daily_rank_ic,
    ic_summary,
    roc_auc,
)
from chitti.compute.ml.model import TrainedModel, allows_nan, nan_refusal, sklearn_scores
from chitti.compute.ml.report import FoldRow, TrainReport
from chitti.compute.ml.strategy import backtest_scores
from chitti.compute.ml.targets import TARGETS, Target, forward_return, make_target
from chitti.compute.ml.trees import compile_lightgbm
from chitti.errors import BadRequest

ProgressFn = Callable[[float, str], None]

#: LightGBM settings for daily equity panels: small data (thousands to a few hundred
#: thousand rows) and a low signal-to-noise ratio, so shallow-ish trees with large leaves,
#: a small learning rate, row and column subsampling and an L2 penalty. ``num_threads`` is 1:
#: the compute service shares its cores with the other services, and LightGBM's OpenMP
#: threads spin-wait for each other: on this project's 2-core machine, with one other busy
#: process, 100 rounds on 10,000 rows took 0.22 s on 1 thread and 2.2-13 s on 2 (measured
#: 2026-12). Raise it on a dedicated machine. ``deterministic`` + ``force_row_wise`` make a
#: seed reproduce the model bit for bit.
LIGHTGBM_DEFAULTS: dict[str, Any] = {
    "num_boost_round": 300,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 255,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbosity": -1,
}
_OBJECTIVE = {"forward_return": "regression", "rank": "regression", "sign": "binary"}
_LGB_BAD_NAME = re.compile(r'[\[\]{}":,\s]')


@dataclass(frozen=True, eq=False)
class _Panel:
    features: np.ndarray      # (n_dates, n_symbols, n_features)
    label: np.ndarray         # (n_dates, n_symbols)
    realised: np.ndarray      # forward return, (n_dates, n_symbols)
    has_x: np.ndarray         # any finite feature, (n_dates, n_symbols)
    first: int                # first labelled date position
    n_labelled: int           # labelled dates span [first, first + n_labelled)


def _check_inputs(features: np.ndarray, close: np.ndarray, dates: np.ndarray,
                  symbols: Sequence[str], feature_names: Sequence[str]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float64)
    c = np.asarray(close, dtype=np.float64)
    d = np.asarray(dates).astype("datetime64[D]")
    if x.ndim != 3:
        raise BadRequest(f"features: shape {x.shape}; expected (n_dates, n_symbols, "
                         "n_features)")
    if c.shape != x.shape[:2]:
        raise BadRequest(f"close: shape {c.shape} differs from the features' (n_dates, "
                         f"n_symbols) {x.shape[:2]}")
    if d.shape != (x.shape[0],) or (d.size > 1 and not (np.diff(d.astype("int64")) > 0).all()):
        raise BadRequest(f"dates: {d.size} dates for {x.shape[0]} rows; give one strictly "
                         "increasing date per row")
    if len(symbols) != x.shape[1] or len(set(symbols)) != len(symbols):
        raise BadRequest(f"symbols: {len(symbols)} names for {x.shape[1]} columns; give each "
                         "symbol once, in column order")
    if len(feature_names) != x.shape[2] or len(set(feature_names)) != len(feature_names):
        raise BadRequest(f"feature_names: {len(feature_names)} names for {x.shape[2]} "
                         "features; give each feature once, in order")
    if x.shape[1] < 2:
        raise BadRequest("symbols: a universe of one has no cross-section (IC, rank); give "
                         "at least 2 symbols, ideally 10 or more")
    return x, c, d


def _panel(x: np.ndarray, c: np.ndarray, target: Target, horizon_days: int) -> _Panel:
    label = make_target(c, target=target, horizon_days=horizon_days)
    realised = forward_return(c, horizon_days=horizon_days)
    has_x = np.isfinite(x).any(axis=2)
    labelled = np.nonzero((has_x & np.isfinite(label)).any(axis=1))[0]
    if labelled.size == 0:
        raise BadRequest(f"features: no date has both features and a {horizon_days}-day "
                         "forward return; give a longer date range")
    first, last = int(labelled[0]), int(labelled[-1])
    return _Panel(x, label, realised, has_x, first, last - first + 1)


def _lgb_names(names: Sequence[str]) -> list[str]:
    clean = [_LGB_BAD_NAME.sub("_", n) for n in names]
    return clean if len(set(clean)) == len(clean) else [f"f{i}" for i in range(len(names))]


def _lgb_params(target: Target, params: Mapping[str, Any] | None,
                seed: int) -> tuple[dict[str, Any], int]:
    merged: dict[str, Any] = {**LIGHTGBM_DEFAULTS, "objective": _OBJECTIVE[target],
                              "seed": seed}
    merged.update(params or {})
    rounds = int(merged.pop("num_boost_round", merged.pop("n_estimators", 300)))
    merged.pop("n_estimators", None)
    if rounds < 1:
        raise BadRequest(f"params.num_boost_round: {rounds}; give at least 1")
    return merged, rounds


class _Fitter:
    """Fits the chosen estimator on rows and scores rows; one instance per train() call."""

    def __init__(self, estimator: Any, target: Target, params: Mapping[str, Any] | None,
                 seed: int, feature_names: Sequence[str]) -> None:
        self.target = target
        self.feature_names = tuple(feature_names)
        self.seed = seed
        if isinstance(estimator, str):
            if estimator != "lightgbm":
                raise BadRequest(f"estimator: {estimator!r}; use 'lightgbm' or a "
                                 "scikit-learn estimator instance")
            self.kind = "lightgbm"
            self.lgb_params, self.rounds = _lgb_params(target, params, seed)
            self.name = "lightgbm"
        else:
            self._check_sklearn(estimator, params)
            self.kind = "sklearn"
            self.proto = estimator
            self.name = type(estimator).__name__

    def _check_sklearn(self, estimator: Any, params: Mapping[str, Any] | None) -> None:
        if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
            raise BadRequest(f"estimator: {type(estimator).__name__} is not a scikit-learn "
                             "estimator (needs fit/predict/get_params)")
        if params:
            raise BadRequest("params: set a scikit-learn estimator's parameters on the "
                             "instance; params applies to estimator='lightgbm'")
        from sklearn.base import is_classifier
        if is_classifier(estimator) and self.target != "sign":
            raise BadRequest(f"estimator: {type(estimator).__name__} is a classifier; use "
                             "target='sign' or a regressor")

    def fit(self, x: np.ndarray, y: np.ndarray, where: str) -> Any:
        if self.kind == "lightgbm":
            import lightgbm

            data = lightgbm.Dataset(x, label=y, feature_name=_lgb_names(self.feature_names),
                                    params={"verbosity": -1})
            try:
                return lightgbm.train(self.lgb_params, data, num_boost_round=self.rounds)
            except lightgbm.basic.LightGBMError as exc:  # a parameter LightGBM refuses
                raise BadRequest(f"params: LightGBM refused them ({exc}); see LightGBM's "
                                 "parameter documentation") from exc
        from sklearn.base import clone

        est = clone(self.proto)
        if "random_state" in est.get_params() and est.get_params()["random_state"] is None:
            est.set_params(random_state=self.seed)
        if not allows_nan(est):
            bad = int(np.isnan(x).any(axis=1).sum())
            if bad:
                raise nan_refusal(est, where, bad)
        est.fit(x, y.astype(np.int64) if self.target == "sign" else y)
        return est

    def score(self, fitted: Any, x: np.ndarray, where: str) -> np.ndarray:
        if self.kind == "lightgbm":
            return compile_lightgbm(fitted).predict(x)
        return sklearn_scores(fitted, x, where=where)

    def model(self, fitted: Any, horizon_days: int) -> TrainedModel:
        if self.kind == "lightgbm":
            forest = compile_lightgbm(fitted, feature_names=self.feature_names)
            params = {**self.lgb_params, "num_boost_round": self.rounds}
            return TrainedModel(kind="lightgbm", estimator=fitted,
                                feature_names=self.feature_names, target=self.target,
                                horizon_days=horizon_days, estimator_name="lightgbm",
                                params=_jsonable(params), forest=forest)
        return TrainedModel(kind="sklearn", estimator=fitted, feature_names=self.feature_names,
                            target=self.target, horizon_days=horizon_days,
                            estimator_name=self.name,
                            params=_jsonable(fitted.get_params(deep=False)))

    def importance(self, fitted: Any) -> dict[str, float] | None:
        if self.kind == "lightgbm":
            gain = np.asarray(fitted.feature_importance(importance_type="gain"), dtype=float)
        elif hasattr(fitted, "feature_importances_"):
            gain = np.asarray(fitted.feature_importances_, dtype=float)
        else:
            return None
        total = gain.sum()
        share = gain / total if total > 0 else gain
        return {n: float(v) for n, v in zip(self.feature_names, share, strict=True)}


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, (bool, int, float, str)) or v is None:
            out[k] = v
        elif isinstance(v, np.generic):
            out[k] = v.item()
        else:
            out[k] = repr(v)
    return out


def _fold_row(name: str, fold: Fold | None, dates: np.ndarray, test: np.ndarray,
              ic: np.ndarray, rank_ic: np.ndarray, n_train: int, n_test: int,
              acc: float | None, auc: float | None, train: np.ndarray | None) -> FoldRow:
    return FoldRow(
        name=name, fold=None if fold is None else fold.index,
        train_start=None if train is None else dates[train[0]],
        train_end=None if train is None else dates[train[-1]],
        test_start=dates[test[0]], test_end=dates[test[-1]], n_train=n_train, n_test=n_test,
        ic=ic_summary(ic[test]), rank_ic=ic_summary(rank_ic[test]),
        accuracy=None if acc is None or math.isnan(acc) else acc,
        auc=None if auc is None or math.isnan(auc) else auc,
    )


def _evaluate(name: str, scores: np.ndarray, p: _Panel, folds: Sequence[Fold],
              dates: np.ndarray, target: Target, min_symbols: int,
              counts: Sequence[tuple[int, int]] | None) -> tuple[FoldRow, ...]:
    """One row per fold and a pooled row; ``counts`` (train, test rows) for the model,
    None for an untrained baseline (no training range, no accuracy: it has no cut-off)."""
    ic = daily_ic(scores, p.realised, min_symbols=min_symbols)
    ric = daily_rank_ic(scores, p.realised, min_symbols=min_symbols)
    windows: list[tuple[Fold | None, np.ndarray, tuple[int, int] | None]] = [
        (f, f.test + p.first, None if counts is None else counts[i])
        for i, f in enumerate(folds)]
    pooled = None if counts is None else (sum(c[0] for c in counts), sum(c[1] for c in counts))
    windows.append((None, np.concatenate([f.test for f in folds]) + p.first, pooled))
    rows = []
    for fold, test, count in windows:
        acc = auc = None
        if target == "sign":
            auc = roc_auc(scores[test], p.label[test])
            acc = None if counts is None else accuracy(scores[test], p.label[test])
        n_train, n_test = count if count is not None else (
            0, int(np.isfinite(scores[test]).sum()))
        train = None if fold is None or counts is None else fold.train + p.first
        rows.append(_fold_row(name, fold, dates, test, ic, ric, n_train, n_test, acc, auc,
                              train))
    return tuple(rows)


def _fold_rows(p: _Panel, f: Fold) -> tuple[np.ndarray, np.ndarray]:
    # (training rows, test rows) of a fold, as (n_dates, n_symbols) masks
    n_dates = p.label.shape[0]
    train_dates = np.zeros(n_dates, dtype=np.bool_)
    train_dates[f.train + p.first] = True
    test_dates = np.zeros(n_dates, dtype=np.bool_)
    test_dates[f.test + p.first] = True
    return train_dates[:, None] & p.has_x & np.isfinite(p.label), test_dates[:, None] & p.has_x


def _fit_fold(f: Fold, fitter: _Fitter, p: _Panel) -> tuple[np.ndarray, tuple[int, int]]:
    # One fold (a task on a cluster): fit on its training rows, score its test rows.
    tr, te = _fold_rows(p, f)
    fitted = fitter.fit(p.features[tr], p.label[tr], where=f"fold {f.index} training")
    return (fitter.score(fitted, p.features[te], where=f"fold {f.index} test"),
            (int(tr.sum()), int(te.sum())))


def _run_folds(fitter: _Fitter, p: _Panel, folds: Sequence[Fold], progress: ProgressFn,
               steps: int, executor: Executor | None
               ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    scores = np.full(p.label.shape, np.nan)
    done = (executor or LocalExecutor()).map(
        _fit_fold, folds, fitter, p,
        on_done=lambda i, n: progress(i / steps, f"fold {i}/{n} fitted"))
    for f, (fold_scores, _) in zip(folds, done, strict=True):
        scores[_fold_rows(p, f)[1]] = fold_scores
    return scores, [counts for _, counts in done]


def train(features: np.ndarray, close: np.ndarray, *, dates: np.ndarray,
          symbols: Sequence[str], feature_names: Sequence[str],
          target: Target = "forward_return", horizon_days: int = 5,
          estimator: Any = "lightgbm", params: Mapping[str, Any] | None = None,
          n_folds: int = 5, embargo_days: int = 0, scheme: Scheme = "walk_forward",
          window: Window = "expanding", train_days: int | None = None,
          min_train_days: int | None = None, min_symbols: int = 3, seed: int = 0,
          bars: Mapping[str, Bars] | None = None,
          backtest: Mapping[str, Any] | None = None,
          progress: ProgressFn | None = None,
          executor: Executor | None = None) -> TrainReport:
    """Train, validate out of sample in purged folds, compare with baselines, fit the final model.

    Parameters
    ----------
    features
        float64 ``(n_dates, n_symbols, n_features)``, NaN where undefined.
    close
        Adjusted closes ``(n_dates, n_symbols)`` on the same calendar, NaN where no bar.
    dates, symbols, feature_names
        Labels of the three axes (``dates`` as ``datetime64[D]``, strictly increasing).
    target, horizon_days
        ``"forward_return"``, ``"sign"`` or ``"rank"`` of the ``horizon_days``-row return.
    estimator, params
        ``"lightgbm"`` with ``params`` over :data:`LIGHTGBM_DEFAULTS`, or a scikit-learn
        estimator instance (set its parameters on the instance).
    n_folds, embargo_days, scheme, window, train_days, min_train_days
        The folds (:func:`~chitti.compute.ml.folds.purged_folds`), over the span of dates
        that have a label.
    min_symbols
        Dates with fewer scored symbols have no IC.
    seed
        Seeds LightGBM (bagging, feature fraction) or a scikit-learn ``random_state`` left
        at None.
    bars, backtest
        With ``bars`` (each symbol's :class:`Bars`), also backtest the out-of-sample scores
        and the 12-1 momentum baseline through the engine; ``backtest`` holds options of
        :func:`~chitti.compute.ml.strategy.backtest_scores` (``top_k``, ``threshold``,
        ``rebalance_days``, ``config``, ``benchmark``).
    progress
        Called with (fraction done, message) after each step, for a job's progress.
    executor
        Fits the folds as tasks on a cluster (:mod:`chitti.compute.cluster`), with the
        same result; the final model is fitted here.

    Returns
    -------
    TrainReport
        Fold tables (model and baselines), summaries, importances, the out-of-sample score
        panel, the final :class:`TrainedModel` and any backtest metrics.

    Raises
    ------
    BadRequest
        For inconsistent shapes, too little history for the folds, a universe of one, or
        NaN features given to a scikit-learn estimator that cannot take them.
    """
    if target not in TARGETS:
        raise BadRequest(f"target: {target!r} is not one of {', '.join(TARGETS)}")
    report_progress: ProgressFn = progress or (lambda _f, _m: None)
    x, c, d = _check_inputs(features, close, dates, symbols, feature_names)
    p = _panel(x, c, target, horizon_days)
    folds = purged_folds(p.n_labelled, n_folds=n_folds, horizon_days=horizon_days,
                         embargo_days=embargo_days, scheme=scheme, window=window,
                         train_days=train_days, min_train_days=min_train_days)
    fitter = _Fitter(estimator, target, params, seed, feature_names)
    steps = len(folds) + 1 + (1 if bars is not None else 0)
    oos, counts = _run_folds(fitter, p, folds, report_progress, steps, executor)
    model_rows = _evaluate("model", oos, p, folds, d, target, min_symbols, counts)
    base = baseline_scores(c)
    baseline_rows = {name: _evaluate(name, s, p, folds, d, target, min_symbols, None)
                     for name, s in base.items()}
    report_progress(len(folds) / steps, "final model: fitting all labelled rows")
    all_rows = p.has_x & np.isfinite(p.label)
    final = fitter.fit(x[all_rows], p.label[all_rows], where="final training")
    backtests: dict[str, dict[str, Any]] = {}
    if bars is not None:
        report_progress((len(folds) + 1) / steps, "backtests: model and momentum")
        backtests = _backtests(oos, base["momentum_12_1"], d, tuple(symbols), bars,
                               dict(backtest or {}))
    report_progress(1.0, "done")
    labelled = d[p.first:p.first + p.n_labelled]
    return TrainReport(
        target=target, horizon_days=horizon_days, estimator=fitter.name,
        feature_names=tuple(feature_names), symbols=tuple(symbols),
        data_start=labelled[0], data_end=labelled[-1], folds=model_rows,
        baselines=baseline_rows, feature_importance=fitter.importance(final),
        oos_scores=oos, dates=d, model=fitter.model(final, horizon_days), backtests=backtests,
    )


def _backtests(oos: np.ndarray, momentum: np.ndarray, dates: np.ndarray,
               symbols: tuple[str, ...], bars: Mapping[str, Bars],
               opts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, s in (("model", oos), ("momentum_12_1", _only_where(momentum, oos))):
        if not np.isfinite(s).any():
            # Momentum needs 252 sessions of history before the first test window.
            out[name] = {"skipped": f"{name}: no score in the test windows"}
            continue
        result = backtest_scores(s, dates=dates, symbols=symbols, bars=bars, **opts)
        out[name] = dict(result.metrics)
    return out


def _only_where(score: np.ndarray, oos: np.ndarray) -> np.ndarray:
    # The baseline traded over the same dates as the model: NaN outside its test windows.
    live = np.isfinite(oos).any(axis=1)
    return np.where(live[:, None], score, np.nan)
