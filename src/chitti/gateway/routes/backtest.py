"""Backtest routes (forwarded to compute): run, fetch stored results, sweep, walk-forward."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from chitti.compute.schemas import (
    BacktestIdRequest,
    BacktestList,
    BacktestListRequest,
    BacktestRequest,
    BacktestRun,
    StoredBacktest,
    StrategyCatalog,
    SweepRequest,
    WalkForwardRequest,
)
from chitti.gateway.access import TraderBacktest, TraderSweep, Viewer
from chitti.gateway.auth import Principal
from chitti.gateway.deps import ComputeClient, RowId
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.routes.jobs import enqueue
from chitti.gateway.schemas import ERROR_RESPONSES, JobInfo
from chitti.ipc.client import IpcClient
from chitti.schemas import MAX_ID

router = APIRouter(tags=["backtest"])

#: Long computations: a large sweep or walk-forward on a cold cache takes a while.
BACKTEST_TIMEOUT_S = 600

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: ERROR_RESPONSES[400] | {"description": "Unknown symbol or backtest"}}


@router.get("/api/strategies", response_model=StrategyCatalog)
async def list_strategies(compute: ComputeClient, _: Viewer) -> OrjsonResponse:
    """The shipped example strategies (their specs), cost profiles and metric units."""
    return OrjsonResponse(await compute.call("list_strategies"))


@router.post("/api/backtest", response_model=BacktestRun,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def run_backtest(request: Request, body: BacktestRequest, compute: ComputeClient,
                       principal: TraderBacktest) -> OrjsonResponse:
    """Run and store a backtest; the reply carries its ``id``, metrics, trades and curves."""
    owned = {**body.model_dump(mode="json", exclude_unset=True), "owner": principal.name}
    async with request.app.state.auth.long_job(principal):
        reply = await compute.call("backtest", owned, timeout=BACKTEST_TIMEOUT_S)
    return OrjsonResponse(reply["backtest"])


@router.get("/api/backtest/results", response_model=BacktestList,
            responses=ERROR_RESPONSES)
async def list_backtests(compute: ComputeClient, principal: Viewer,
                         limit: Annotated[int, Query(ge=1, le=500)] = 50,
                         before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                         ) -> OrjsonResponse:
    """Your stored backtests (an admin: everyone's), newest first, with their metrics; page
    with ``before_id`` = the previous page's ``next_before_id``."""
    return OrjsonResponse(await compute.call("list_backtests", BacktestListRequest(
        owner=principal.owner_scope, limit=limit, before_id=before_id)))


@router.get("/api/backtest/results/{backtest_id}", response_model=StoredBacktest,
            responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_backtest(backtest_id: RowId, compute: ComputeClient,
                       principal: Viewer) -> OrjsonResponse:
    """One of your stored backtests: spec, parameters, data range, metrics, equity curve,
    trades, and how it was run (adjustment, bar length, warnings)."""
    reply = await compute.call("get_backtest", BacktestIdRequest(
        backtest_id=backtest_id, owner=principal.owner_scope))
    return OrjsonResponse(reply["backtest"])


async def _queue(request: Request, compute: IpcClient, principal: Principal, kind: str,
                 body: SweepRequest | WalkForwardRequest) -> OrjsonResponse:
    """Refuse at once what would fail (compute checks spec, metric, grid size, symbol),
    else queue the job and answer 202."""
    await compute.call("check_sweep", SweepRequest.model_validate(
        body.model_dump(include=set(SweepRequest.model_fields))))
    return await enqueue(request, principal, kind, body.model_dump(mode="json"))


@router.post("/api/backtest/sweep", status_code=202, response_model=JobInfo,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def sweep(request: Request, body: SweepRequest, compute: ComputeClient,
                principal: TraderSweep) -> OrjsonResponse:
    """Queue a sweep: metrics for every parameter combination of a grid, and the best by
    ``metric``. Answers 202 with the job; ``GET /api/jobs/{id}`` gives its result (an
    unknown symbol or strategy fails the job with that error)."""
    return await _queue(request, compute, principal, "sweep", body)


@router.post("/api/backtest/walk-forward", status_code=202, response_model=JobInfo,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def walk_forward(request: Request, body: WalkForwardRequest, compute: ComputeClient,
                       principal: TraderSweep) -> OrjsonResponse:
    """Queue a walk-forward (rolling in-sample optimisation, out-of-sample tests, stitched
    equity); answers 202 with the job, as a sweep does."""
    return await _queue(request, compute, principal, "walk_forward", body)
