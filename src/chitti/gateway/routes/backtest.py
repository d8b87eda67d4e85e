"""Backtest routes (forwarded to compute): run, fetch stored results, sweep, walk-forward."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from chitti.compute.schemas import (
    BacktestIdRequest,
    BacktestRequest,
    SweepRequest,
    WalkForwardRequest,
)
from chitti.gateway.access import TraderBacktest, TraderSweep, Viewer
from chitti.gateway.deps import ComputeClient, RowId
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES

router = APIRouter(tags=["backtest"])

#: Long computations: a large sweep or walk-forward on a cold cache takes a while.
BACKTEST_TIMEOUT_S = 600

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: ERROR_RESPONSES[400] | {"description": "Unknown symbol or backtest"}}


@router.get("/api/strategies")
async def list_strategies(compute: ComputeClient, _: Viewer) -> OrjsonResponse:
    """The shipped example strategies (their specs), cost profiles and metric units."""
    return OrjsonResponse(await compute.call("list_strategies"))


@router.post("/api/backtest", responses={**ERROR_RESPONSES, **NOT_FOUND})
async def run_backtest(request: Request, body: BacktestRequest, compute: ComputeClient,
                       principal: TraderBacktest) -> OrjsonResponse:
    """Run and store a backtest; the reply carries its ``id``, metrics, trades and curves."""
    async with request.app.state.auth.long_job(principal):
        reply = await compute.call("backtest", body, timeout=BACKTEST_TIMEOUT_S)
    return OrjsonResponse(reply["backtest"])


@router.get("/api/backtest/results/{backtest_id}", responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_backtest(backtest_id: RowId, compute: ComputeClient,
                       _: Viewer) -> OrjsonResponse:
    """A stored backtest: spec, parameters, data range, metrics, equity curve and trades."""
    reply = await compute.call("get_backtest", BacktestIdRequest(backtest_id=backtest_id))
    return OrjsonResponse(reply["backtest"])


@router.post("/api/backtest/sweep", responses={**ERROR_RESPONSES, **NOT_FOUND})
async def sweep(request: Request, body: SweepRequest, compute: ComputeClient,
                principal: TraderSweep) -> OrjsonResponse:
    """Metrics for every parameter combination of a grid, and the best by ``metric``."""
    async with request.app.state.auth.long_job(principal):
        return OrjsonResponse(await compute.call("sweep", body, timeout=BACKTEST_TIMEOUT_S))


@router.post("/api/backtest/walk-forward", responses={**ERROR_RESPONSES, **NOT_FOUND})
async def walk_forward(request: Request, body: WalkForwardRequest, compute: ComputeClient,
                       principal: TraderSweep) -> OrjsonResponse:
    """Rolling in-sample optimisation, out-of-sample tests, and the stitched equity."""
    async with request.app.state.auth.long_job(principal):
        return OrjsonResponse(
            await compute.call("walk_forward", body, timeout=BACKTEST_TIMEOUT_S))
