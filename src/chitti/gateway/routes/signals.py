"""Signal routes (forwarded to signal-service): generate technical alerts, alert rules,
screens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from chitti.gateway.access import Access, Trader, Viewer, ViewerCompute
from chitti.gateway.auth import Principal
from chitti.gateway.deps import SignalsClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import CONFLICT, ERROR_RESPONSES, NOT_FOUND
from chitti.signals.schemas import (
    GenerateReport,
    GenerateRequest,
    OwnedRuleRequest,
    OwnerScope,
    RuleList,
    RuleNameRequest,
    RuleRequest,
    RuleSaved,
    ScreenReport,
    ScreenRequest,
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
async def list_rules(signals: SignalsClient, principal: Viewer) -> OrjsonResponse:
    """Built-in rules and your rules (an admin: everyone's), with versions."""
    return OrjsonResponse(await signals.call("list_rules",
                                             OwnerScope(owner=principal.owner_scope)))


@router.post("/rules", response_model=RuleSaved, status_code=201,
             responses={**ERROR_RESPONSES, **CONFLICT})
async def add_rule(body: RuleRequest, signals: SignalsClient,
                   principal: Trader) -> OrjsonResponse:
    """Add or redefine one of your rules (validated; redefining bumps its version). A name
    another user's rule has is a 409."""
    owned = OwnedRuleRequest(**body.model_dump(), owner=principal.name,
                             any_owner=principal.is_admin)
    return OrjsonResponse(await signals.call("add_rule", owned), status_code=201)


@router.delete("/rules/{name}", status_code=204, responses={**ERROR_RESPONSES, **NOT_FOUND})
async def delete_rule(name: Annotated[str, Path(max_length=100)], signals: SignalsClient,
                      principal: Trader) -> Response:
    """Delete one of your rules (an admin: anyone's)."""
    await signals.call("delete_rule", RuleNameRequest(name=name, owner=principal.owner_scope))
    return Response(status_code=204)


@router.post("/screen", response_model=ScreenReport, responses={**ERROR_RESPONSES})
async def screen(body: ScreenRequest, signals: SignalsClient,
                 _: ViewerCompute) -> OrjsonResponse:
    """Evaluate a rule's condition on the latest daily bar of every symbol of an index
    (``index``: NIFTY 50, 100, 200 or 500) or a list (``symbols``, up to 1000).

    ``definition`` is an alert rule (as ``POST /api/signals/rules`` takes it; ``name``,
    ``direction`` and ``explanation`` may be left out); it is not stored. Each symbol with
    bars gets a row: its latest bar's day, close and change, whether the condition holds
    and the values it read; matched rows come first, then by symbol. Symbols without bars
    are listed in ``missing``. 400 (the message names the field): an invalid rule (with the
    message an alert rule gets), an unknown index, both or neither of ``index`` and
    ``symbols``, an index the symbol master has no member of, a rule that reads news.
    Unknown symbols are not an error: they are missing.
    """
    return OrjsonResponse(await signals.call("screen", body, timeout=120))
