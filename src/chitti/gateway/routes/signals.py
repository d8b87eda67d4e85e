"""Signal routes (forwarded to signal-service): generate technical alerts, alert rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from chitti.gateway.access import Access, Trader, Viewer
from chitti.gateway.auth import Principal
from chitti.gateway.deps import SignalsClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, NOT_FOUND
from chitti.signals.schemas import (
    GenerateReport,
    GenerateRequest,
    RuleList,
    RuleRequest,
    RuleSaved,
)

router = APIRouter(prefix="/api/signals", tags=["signals"])

#: Generating evaluates every rule over a symbol's bars and stores the alerts.
TraderCompute = Annotated[Principal, Depends(Access("trader", "compute"))]


@router.post("/generate", response_model=GenerateReport,
             responses={**ERROR_RESPONSES, **NOT_FOUND})
async def generate(body: GenerateRequest, signals: SignalsClient,
                   _: TraderCompute) -> OrjsonResponse:
    """Evaluate the alert rules over a symbol's bars; alerts from ``since`` (default: the
    last bar) are returned and stored once each."""
    return OrjsonResponse(await signals.call("generate_signals", body, timeout=120))


@router.get("/rules", response_model=RuleList)
async def list_rules(signals: SignalsClient, _: Viewer) -> OrjsonResponse:
    """Built-in rules and the user's rules (with versions)."""
    return OrjsonResponse(await signals.call("list_rules"))


@router.post("/rules", response_model=RuleSaved, responses=ERROR_RESPONSES, status_code=201)
async def add_rule(body: RuleRequest, signals: SignalsClient, _: Trader) -> OrjsonResponse:
    """Add or redefine a user rule (validated; redefining bumps its version)."""
    return OrjsonResponse(await signals.call("add_rule", body), status_code=201)
