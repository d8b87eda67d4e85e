"""Research routes (forwarded to compute): the feature catalogue and panels, model training
(a job), the model registry and predictions, portfolio optimisation and risk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from chitti.compute.research_schemas import (
    FeatureCatalog,
    FeaturePanelReply,
    FeaturesRequest,
    ModelList,
    OptimizeRequest,
    PortfolioReply,
    PredictRequest,
    PredictResult,
    RiskReply,
    RiskRequest,
    TrainRequest,
)
from chitti.gateway.access import Trader, TraderSweep, Viewer, ViewerCompute
from chitti.gateway.deps import ComputeClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.routes.jobs import enqueue
from chitti.gateway.schemas import ERROR_RESPONSES, JobInfo

router = APIRouter(tags=["research"])

#: A universe-wide feature panel or an optimisation over long history takes a while.
RESEARCH_TIMEOUT_S = 300

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: ERROR_RESPONSES[400] | {"description": "Unknown symbol or model"}}


@router.get("/api/features", response_model=FeatureCatalog)
async def list_features(compute: ComputeClient, _: Viewer) -> OrjsonResponse:
    """The feature catalogue: name, group, formula, inputs and lookback of each feature."""
    return OrjsonResponse(await compute.call("list_features"))


@router.post("/api/features", response_model=FeaturePanelReply,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def compute_features(body: FeaturesRequest, compute: ComputeClient,
                           _: ViewerCompute) -> OrjsonResponse:
    """A universe's point-in-time features on adjusted prices (each day's value uses data
    up to that day's close only); ``store_as`` also keeps them in ``ml.features``."""
    return OrjsonResponse(await compute.call("features", body, timeout=RESEARCH_TIMEOUT_S))


@router.post("/api/ml/train", status_code=202, response_model=JobInfo,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def train_model(request: Request, body: TrainRequest, compute: ComputeClient,
                      principal: TraderSweep) -> OrjsonResponse:
    """Queue a training: features, purged walk-forward folds with IC, rank IC and two
    baselines, a backtest of the scores with Indian costs, then the model is registered as
    the next version of ``name``. Answers 202 with the job; ``GET /api/jobs/{id}`` shows its
    progress and, once done, the report."""
    await compute.call("check_train", body)
    owned = {**body.model_dump(mode="json"), "owner": principal.name}
    return await enqueue(request, principal, "train", owned)


@router.get("/api/ml/models", response_model=ModelList)
async def list_models(compute: ComputeClient, _: Viewer) -> OrjsonResponse:
    """Every registered model version (newest first per name) with its out-of-sample
    summary and backtest."""
    return OrjsonResponse(await compute.call("list_models"))


@router.post("/api/ml/predict", response_model=PredictResult,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def predict(body: PredictRequest, compute: ComputeClient,
                  _: Trader) -> OrjsonResponse:
    """A model's scores for a universe (latest day, or a range) stored in ml.predictions
    (what ``ml.<model>`` in rules reads), or for raw feature rows."""
    return OrjsonResponse(await compute.call("predict", body, timeout=RESEARCH_TIMEOUT_S))


@router.post("/api/portfolio/optimize", response_model=PortfolioReply,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def optimize_portfolio(body: OptimizeRequest, compute: ComputeClient,
                             _: ViewerCompute) -> OrjsonResponse:
    """Weights by mean-variance (max Sharpe, min volatility, efficient return or risk), equal
    risk contribution or hierarchical risk parity, with bounds, sector caps and turnover."""
    return OrjsonResponse(await compute.call("optimize_portfolio", body,
                                             timeout=RESEARCH_TIMEOUT_S))


@router.post("/api/risk", response_model=RiskReply, responses={**ERROR_RESPONSES, **NOT_FOUND})
async def risk(body: RiskRequest, compute: ComputeClient, _: ViewerCompute) -> OrjsonResponse:
    """VaR and CVaR (historical, parametric, Monte Carlo; 95/99 %, 1/10 days), volatility,
    beta, drawdown, correlations, risk contributions and stress replays of 2006, 2008, 2013
    and 2020 on today's weights."""
    return OrjsonResponse(await compute.call("risk", body, timeout=RESEARCH_TIMEOUT_S))
