"""A trained model as served: the estimator, what it was trained for, and its predict path.

LightGBM models are served by the compiled Numba forest (:mod:`chitti.compute.ml.trees`;
equal to ``Booster.predict`` to the last bit in the tests). scikit-learn estimators are
served by their own ``predict_proba`` (classifiers, class 1) or ``predict``: there is no
compilation step for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from chitti.compute.ml.targets import Target
from chitti.compute.ml.trees import CompiledForest
from chitti.errors import BadRequest

Kind = Literal["lightgbm", "sklearn"]


def allows_nan(estimator: Any) -> bool:
    """Return whether a scikit-learn estimator accepts NaN inputs (its ``allow_nan`` tag;
    for a Pipeline, its first step's, which scikit-learn does not pass up)."""
    steps = [s for _, s in getattr(estimator, "steps", ()) if s not in (None, "passthrough")]
    if steps:
        return allows_nan(steps[0])
    try:
        from sklearn.utils import get_tags
        return bool(get_tags(estimator).input_tags.allow_nan)
    except (ImportError, AttributeError, TypeError, ValueError):
        return False


def nan_refusal(estimator: Any, where: str, n_rows: int) -> BadRequest:
    """The error for NaN features given to an estimator that cannot take them."""
    name = type(estimator).__name__
    return BadRequest(
        f"{where}: {n_rows} rows have NaN features and {name} does not accept NaN; use "
        "estimator='lightgbm' or HistGradientBoostingRegressor/Classifier (both handle NaN), "
        "or wrap it in a Pipeline that starts with SimpleImputer")


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A fitted model with the metadata needed to serve and register it.

    Attributes
    ----------
    kind
        ``"lightgbm"`` (``estimator`` is a ``lightgbm.Booster``) or ``"sklearn"``.
    estimator
        The fitted booster or scikit-learn estimator.
    feature_names
        Input columns in order; rows given to :meth:`predict` must follow it.
    target, horizon_days
        What it predicts: the forward return, its sign (a probability of "up") or its
        cross-sectional percentile rank, over ``horizon_days`` sessions.
    estimator_name
        ``"lightgbm"`` or the scikit-learn class name.
    params
        The estimator's parameters (JSON-able).
    forest
        The compiled LightGBM forest (None for scikit-learn).
    """

    kind: Kind
    estimator: Any
    feature_names: tuple[str, ...]
    target: Target
    horizon_days: int
    estimator_name: str
    params: dict[str, Any] = field(default_factory=dict)
    forest: CompiledForest | None = None

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Return one score per row of ``rows`` (float64 ``(n, n_features)``, NaN = missing).

        The score is the predicted return or rank, or the probability that the return is
        positive for a ``sign`` model.
        """
        if self.forest is not None:
            return self.forest.predict(rows)
        x = np.asarray(rows, dtype=np.float64)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != len(self.feature_names):
            raise BadRequest(f"rows: shape {x.shape}; expected (n, {len(self.feature_names)}) "
                             "with the model's features in its order")
        return sklearn_scores(self.estimator, x, where="rows")


def sklearn_scores(estimator: Any, x: np.ndarray, *, where: str) -> np.ndarray:
    """Score rows with a fitted scikit-learn estimator: P(class 1) for a classifier with
    ``predict_proba``, else ``decision_function``, else ``predict``."""
    if not allows_nan(estimator):
        bad = int(np.isnan(x).any(axis=1).sum())
        if bad:
            raise nan_refusal(estimator, where, bad)
    if hasattr(estimator, "predict_proba") and hasattr(estimator, "classes_"):
        classes = list(estimator.classes_)
        proba = np.asarray(estimator.predict_proba(x), dtype=np.float64)
        return proba[:, classes.index(1)] if 1 in classes else proba[:, -1]
    if hasattr(estimator, "decision_function") and hasattr(estimator, "classes_"):
        return np.asarray(estimator.decision_function(x), dtype=np.float64).ravel()
    return np.asarray(estimator.predict(x), dtype=np.float64).ravel()
