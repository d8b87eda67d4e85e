"""Models on feature panels: targets, purged folds, metrics, training, serving, artefacts.

Public API::

    train(features, close, *, dates, symbols, feature_names, target="forward_return",
          horizon_days=5, estimator="lightgbm", params=None, n_folds=5, ...) -> TrainReport
    TrainedModel.predict(rows) -> scores            # the serving path
    to_bytes(model) / from_bytes(data)              # the ml.models artefact
    compile_lightgbm(booster) -> CompiledForest     # LightGBM as flat arrays + Numba
    forward_return / forward_sign / cross_sectional_rank / make_target
    purged_folds(n_dates, *, n_folds, horizon_days, embargo_days, scheme, window, ...)
    daily_ic / daily_rank_ic / ic_summary / accuracy / roc_auc
    momentum_12_1 / reversal_5d / baseline_scores
    select_top_k / backtest_scores                  # scores -> engine backtest, Indian costs

Inputs are plain arrays: features ``(n_dates, n_symbols, n_features)``, adjusted closes
``(n_dates, n_symbols)``, NaN where undefined. lightgbm and scikit-learn are imported only
when a model is trained or loaded.
"""

from chitti.compute.ml.artefact import from_bytes, to_bytes
from chitti.compute.ml.baselines import BASELINES, baseline_scores, momentum_12_1, reversal_5d
from chitti.compute.ml.folds import Fold, purged_folds
from chitti.compute.ml.metrics import (
    accuracy,
    daily_ic,
    daily_rank_ic,
    ic_summary,
    roc_auc,
)
from chitti.compute.ml.model import TrainedModel
from chitti.compute.ml.report import FoldRow, TrainReport
from chitti.compute.ml.strategy import backtest_scores, select_top_k
from chitti.compute.ml.targets import (
    TARGETS,
    cross_sectional_rank,
    forward_return,
    forward_sign,
    make_target,
)
from chitti.compute.ml.train import LIGHTGBM_DEFAULTS, train
from chitti.compute.ml.trees import CompiledForest, compile_dump, compile_lightgbm

__all__ = [
    "BASELINES",
    "LIGHTGBM_DEFAULTS",
    "TARGETS",
    "CompiledForest",
    "Fold",
    "FoldRow",
    "TrainReport",
    "TrainedModel",
    "accuracy",
    "backtest_scores",
    "baseline_scores",
    "compile_dump",
    "compile_lightgbm",
    "cross_sectional_rank",
    "daily_ic",
    "daily_rank_ic",
    "forward_return",
    "forward_sign",
    "from_bytes",
    "ic_summary",
    "make_target",
    "momentum_12_1",
    "purged_folds",
    "reversal_5d",
    "roc_auc",
    "select_top_k",
    "to_bytes",
    "train",
]
