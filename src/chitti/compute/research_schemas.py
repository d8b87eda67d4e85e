"""Requests of compute's research actions: features, model training and prediction, portfolio
optimisation and risk (shared by the service and the gateway, as ``compute.schemas``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from chitti.compute.schemas import Symbol
from chitti.schemas import REQUEST_CONFIG, request_config

#: The NSE indices whose members a universe may be given as.
Index = Literal["NIFTY 50", "NIFTY 100", "NIFTY 200", "NIFTY 500"]
#: What rules call a model (``ml.<name>``): lower-case letters, digits and underscores.
ModelName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
#: A stored feature set's name.
FeatureSetName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
#: Features are computed on adjusted prices only: unadjusted prices put fake crashes in them.
FeatureAdjust = Annotated[Literal["split", "total"], Field(
    description="split: splits, bonuses, rights and demergers (default); total: also "
                "dividends. Features are never computed on unadjusted prices")]


class _Universe(BaseModel):
    """A universe given as ``index`` or ``symbols`` (one of the two), over [start, end]."""

    model_config = REQUEST_CONFIG
    index: Index | None = Field(default=None, description="the members of this index")
    symbols: list[Symbol] | None = Field(default=None, max_length=500,
                                         description="or these symbols")
    start: date | None = Field(default=None, description="first day (default: all history)")
    end: date | None = Field(default=None, description="last day (default: the latest bar)")

    @model_validator(mode="after")
    def _one_universe(self) -> Any:
        if self.index is not None and self.symbols is not None:
            raise ValueError("give index or symbols, not both")
        if self.index is None and not self.symbols:
            raise ValueError("symbols: the universe is empty; give index (NIFTY 50, NIFTY 100, "
                             "NIFTY 200 or NIFTY 500) or a list of symbols")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class FeaturesRequest(_Universe):
    """``features``: the feature panel of a universe, returned and/or stored as a set."""

    model_config = request_config({"symbols": ["TCS", "INFY"], "start": "2021-01-01",
                                   "names": ["ret_5d", "rsi_14"]})
    names: list[str] | None = Field(default=None, max_length=1000,
                                    description="features to compute (default: all of "
                                                "GET /api/features)")
    adjust: FeatureAdjust = "split"
    news: bool = Field(default=True, description="read stored news for the news features")
    store_as: FeatureSetName | None = Field(
        default=None, description="also store the panel in ml.features under this name")
    from_set: FeatureSetName | None = Field(
        default=None, description="read this stored set back instead of computing")
    values: bool = Field(default=True, description="return the values (false: only store)")

    @model_validator(mode="after")
    def _read_or_compute(self) -> FeaturesRequest:
        if self.from_set is not None and (self.store_as is not None or self.names):
            raise ValueError("from_set: a stored set is read back as stored; leave out "
                             "store_as and names")
        return self


class TrainRequest(_Universe):
    """``train``: fit a model on a universe's features with purged walk-forward folds."""

    model_config = request_config({"name": "demo_lgbm", "index": "NIFTY 50",
                                   "start": "2005-01-01", "end": "2020-12-31"})
    name: ModelName = Field(description="what rules call it: ml.<name>")
    target: Literal["forward_return", "sign", "rank"] = Field(
        default="forward_return",
        description="forward return over horizon_days, its sign, or its cross-sectional rank")
    horizon_days: int = Field(default=5, ge=1, le=60)
    features: list[str] | None = Field(default=None, max_length=1000,
                                       description="feature names (default: all)")
    estimator: Literal["lightgbm", "hist_gradient_boosting", "random_forest", "linear"] = Field(
        default="lightgbm",
        description="lightgbm, or a scikit-learn estimator: hist_gradient_boosting, "
                    "random_forest, linear (ridge / logistic regression after median "
                    "imputation and scaling); regressor or classifier chosen by the target")
    params: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="the estimator's parameters")
    folds: int = Field(default=5, ge=2, le=20, description="walk-forward test windows")
    embargo_days: int | None = Field(default=None, ge=0, le=250,
                                     description="days dropped after each test window "
                                                 "(default: horizon_days)")
    top_k: int = Field(default=3, ge=1, le=100,
                       description="the model backtest holds the top_k symbols by score")
    costs: str = Field(default="nse_delivery_discount",
                       description="cost profile of the model backtest")
    seed: int = Field(default=7, ge=0, le=2**31 - 1)
    news: bool = True
    owner: str | None = Field(default=None, description="set by the gateway")


class PredictRequest(BaseModel):
    """``predict``: a model's scores for a universe's latest (or given) days, or for raw
    feature rows; stored in ml.predictions unless ``rows`` are given."""

    model_config = request_config({"model": "demo_lgbm", "symbols": ["TCS", "INFY"]})
    model: ModelName
    version: str | None = Field(default=None, max_length=16,
                                description="default: the newest")
    index: Index | None = None
    symbols: list[Symbol] | None = Field(default=None, max_length=500)
    start: date | None = Field(default=None, description="default: the latest day only")
    end: date | None = None
    rows: list[list[float | None]] | None = Field(
        default=None, max_length=100_000,
        description="raw feature rows in the model's feature order (null: missing)")
    store: bool = Field(default=True, description="store the scores in ml.predictions")

    @model_validator(mode="after")
    def _one_input(self) -> PredictRequest:
        given = sum(x is not None for x in (self.index, self.symbols, self.rows))
        if given != 1:
            raise ValueError("give exactly one of index, symbols or rows")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


Method = Literal["max_sharpe", "min_volatility", "efficient_return", "efficient_risk",
                 "equal_risk_contribution", "hierarchical_risk_parity"]


class OptimizeRequest(BaseModel):
    """``optimize_portfolio``: weights for a universe from its price history."""

    model_config = request_config({"symbols": ["TCS", "INFY", "HDFCBANK", "ITC", "RELIANCE"],
                                   "method": "max_sharpe", "start": "2018-01-01",
                                   "end": "2020-12-31", "max_weight": 0.4})
    symbols: list[Symbol] = Field(min_length=1, max_length=200)
    start: date | None = Field(default=None, description="default: 3 years before end")
    end: date | None = Field(default=None, description="default: the latest bar")
    method: Method = "max_sharpe"
    covariance: Literal["sample", "ledoit_wolf", "ewma"] = "ledoit_wolf"
    expected_returns: Literal["mean", "ema", "model"] = Field(
        default="mean", description="historical mean, exponentially weighted mean, or a "
                                    "forward_return model's latest stored scores, annualised")
    model: ModelName | None = Field(default=None,
                                    description="with expected_returns=model: whose scores")
    risk_free_rate: float = Field(default=0.065, ge=-0.5, le=1.0,
                                  description="annual, as a fraction (6.5 %: about the "
                                              "91-day T-bill)")
    target_return: float | None = Field(default=None, ge=-1.0, le=10.0,
                                        description="annual, for efficient_return")
    target_volatility: float | None = Field(default=None, gt=0.0, le=10.0,
                                            description="annual, for efficient_risk")
    min_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    max_weight: float = Field(default=1.0, gt=0.0, le=1.0)
    sector_caps: dict[str, float] | None = Field(
        default=None, description="sector (as in md.symbols) -> largest total weight")
    current_weights: dict[Symbol, float] | None = Field(
        default=None, description="today's weights, for max_turnover")
    max_turnover: float | None = Field(default=None, gt=0.0, le=2.0,
                                       description="sum of |new - current| weights at most")
    adjust: FeatureAdjust = "split"

    @model_validator(mode="after")
    def _consistent(self) -> OptimizeRequest:
        if self.min_weight > self.max_weight:
            raise ValueError(f"min_weight {self.min_weight} is above max_weight "
                             f"{self.max_weight}")
        if (self.expected_returns == "model") != (self.model is not None):
            raise ValueError("model: give a model exactly when expected_returns is 'model'")
        if (self.max_turnover is None) != (self.current_weights is None):
            raise ValueError("current_weights: max_turnover needs today's weights, and "
                             "today's weights are only read with max_turnover")
        return self


class RiskRequest(BaseModel):
    """``risk``: VaR/CVaR, volatility, beta, drawdown, correlations, risk contributions and
    stress tests of a portfolio of weights (conventions in the reply's ``conventions``)."""

    model_config = request_config({"weights": {"TCS": 0.3, "INFY": 0.3, "HDFCBANK": 0.4},
                                   "value_inr": 1_000_000})
    weights: dict[Symbol, float] = Field(
        min_length=1, max_length=200,
        description="symbol -> fraction of the portfolio (the rest is cash; negative: short)")
    value_inr: float | None = Field(default=None, gt=0, description="portfolio value, for "
                                                                     "rupee figures")
    end: date | None = Field(default=None, description="as of this day (default: the latest "
                                                       "bar)")
    window_days: int = Field(default=500, ge=250, le=5000,
                             description="daily returns the VaR, volatility and beta read")
    benchmark: Symbol = "NIFTY 50"
    simulations: int = Field(default=50_000, ge=1_000, le=200_000,
                             description="Monte-Carlo paths (antithetic pairs)")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    adjust: FeatureAdjust = "split"


# -- replies ---------------------------------------------------------------------------------
# The top level of each reply exactly (extra keys refused); nested report sections whose
# layout each domain module documents (``to_dict``) are typed as JSON objects.

_REPLY = ConfigDict(extra="forbid")
JsonObject = dict[str, Any]


class FeatureInfo(BaseModel):
    model_config = _REPLY
    name: str
    group: str
    description: str
    inputs: list[str]
    lookback: int = Field(description="bars of history before the first value")
    depends: list[str] = Field(description="features a cross-sectional one is built from")


class FeatureCatalog(BaseModel):
    model_config = _REPLY
    features: list[FeatureInfo]
    count: int
    groups: list[str]


class FeaturePanelReply(BaseModel):
    model_config = _REPLY
    symbols: list[str] = Field(description="symbols with bars, in the panel's order")
    names: list[str]
    missing: list[str] = Field(description="asked-for symbols without bars")
    dates: list[str]
    stored: JsonObject | None = Field(description="feature_set and rows, when stored")
    values: dict[str, dict[str, list[float | None]]] | None = Field(
        default=None, description="symbol -> feature -> one value per date (null: undefined)")


class ModelInfo(BaseModel):
    """A registered model version (``ml.models``), without its artefact."""

    model_config = _REPLY
    id: int
    name: str
    version: str
    kind: str
    target: str | None
    horizon_days: int | None
    features: list[str]
    symbols: list[str]
    data_start: date | None
    data_end: date | None
    params: JsonObject
    owner: str | None
    created_at: str
    summary: JsonObject | None = Field(description="out-of-sample IC, rank IC and baselines")
    backtests: JsonObject | None = Field(description="the model's and momentum's backtest "
                                                     "metrics with Indian costs")


class ModelList(BaseModel):
    model_config = _REPLY
    models: list[ModelInfo]


class TrainResult(BaseModel):
    """A finished training job's result."""

    model_config = _REPLY
    model: ModelInfo
    report: JsonObject = Field(description="folds, baselines, summary, feature importance, "
                                           "backtests")
    lines: list[str] = Field(description="the fold table as `chitti ml train` prints it")
    predictions_stored: int


class Prediction(BaseModel):
    model_config = _REPLY
    symbol: str
    ts: date
    score: float


class PredictResult(BaseModel):
    model_config = _REPLY
    model: ModelInfo
    predictions: list[Prediction] | None = None
    scores: list[float | None] | None = Field(default=None,
                                              description="one per raw row, when rows given")
    missing: list[str] | None = None
    stored: int | None = None


class PortfolioReply(BaseModel):
    """Weights and what they are expected to give (annual, in percent)."""

    model_config = _REPLY
    method: str
    weights: dict[str, float]
    expected_annual_return_pct: float | None
    annual_volatility_pct: float | None
    sharpe_ratio: float | None
    risk_free_rate_pct: float | None
    risk_contributions: dict[str, float | None] = Field(
        description="each asset's share of the portfolio variance (sums to 1)")
    details: dict[str, float | str | None]
    start: date = Field(description="first day of the history read")
    end: date
    days: int


class RiskReply(BaseModel):
    """A portfolio's risk; ``conventions`` states how each figure is computed."""

    model_config = _REPLY
    as_of: date | None
    window: JsonObject
    portfolio_value_inr: float | None
    invested_fraction: float
    cash_fraction: float
    gross_exposure_fraction: float
    var: list[JsonObject] = Field(description="VaR and CVaR by method, confidence, horizon")
    annual_volatility_fraction: float | None
    beta: float | None
    tracking_error_annual_fraction: float | None
    benchmark_return_days: int
    max_drawdown: JsonObject
    positions: list[JsonObject]
    correlation: JsonObject
    stress: list[JsonObject]
    settings: JsonObject
    conventions: dict[str, str]
    notes: list[str]
