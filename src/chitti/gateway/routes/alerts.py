"""Alert routes (forwarded to signal-service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chitti.gateway.deps import SignalsClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES
from chitti.signals.schemas import AlertsRequest

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get("", responses=ERROR_RESPONSES)
async def get_alerts(
    signals: SignalsClient, params: Annotated[AlertsRequest, Query()]
) -> OrjsonResponse:
    """Alerts newest first; page with ``before_id`` = the previous page's ``next_before_id``."""
    return OrjsonResponse(await signals.call("get_alerts", params))
