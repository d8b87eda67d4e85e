"""Compute routes: indicators (forwarded to the compute service)."""

from __future__ import annotations

from fastapi import APIRouter

from chitti.compute.schemas import SmaRequest
from chitti.gateway.deps import ComputeClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, SmaResult

router = APIRouter(prefix="/api/compute", tags=["compute"])


@router.post("/sma", response_model=SmaResult, responses=ERROR_RESPONSES)
async def compute_sma(body: SmaRequest, compute: ComputeClient) -> OrjsonResponse:
    """Simple moving average of ``prices`` (null for the warm-up, as TA-Lib)."""
    return OrjsonResponse(await compute.call("compute_sma", body))
