"""Compute routes: the indicator catalogue and computations (forwarded to compute)."""

from __future__ import annotations

from fastapi import APIRouter

from chitti.compute.schemas import (
    BatchRequest,
    BatchResult,
    IndicatorCatalog,
    IndicatorRequest,
    IndicatorResult,
    SmaRequest,
)
from chitti.gateway.access import Viewer, ViewerCompute
from chitti.gateway.deps import ComputeClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, SmaResult

router = APIRouter(tags=["compute"])


@router.get("/api/indicators", response_model=IndicatorCatalog)
async def list_indicators(compute: ComputeClient, _: Viewer) -> OrjsonResponse:
    """The indicator catalogue: group, inputs, parameters (type, default, range), outputs."""
    return OrjsonResponse(await compute.call("list_indicators"))


@router.post("/api/compute/sma", response_model=SmaResult, responses=ERROR_RESPONSES)
async def compute_sma(body: SmaRequest, compute: ComputeClient, _: ViewerCompute) -> OrjsonResponse:
    """Simple moving average of ``prices`` (null for the warm-up, as TA-Lib)."""
    return OrjsonResponse(await compute.call("compute_sma", body))


@router.post("/api/compute/indicator", response_model=IndicatorResult,
             responses=ERROR_RESPONSES)
async def compute_indicator(body: IndicatorRequest, compute: ComputeClient,
                            _: ViewerCompute) -> OrjsonResponse:
    """Any catalogue indicator on inline series or a stored symbol (null during warm-up)."""
    return OrjsonResponse(await compute.call("compute_indicator", body))


@router.post("/api/compute/batch", response_model=BatchResult, responses=ERROR_RESPONSES)
async def compute_batch(body: BatchRequest, compute: ComputeClient,
                        _: ViewerCompute) -> OrjsonResponse:
    """Many indicators on many symbols (or inline series) in one call."""
    return OrjsonResponse(await compute.call("compute_batch", body))
