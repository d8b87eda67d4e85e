"""Market data routes: the symbol master, bars (daily and intraday) and price checks."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from chitti.compute.schemas import (
    AdjustField,
    CheckPricesRequest,
    OhlcvRequest,
    QuoteList,
    QuotesRequest,
    SymbolsRequest,
)
from chitti.gateway.access import Viewer
from chitti.gateway.deps import ComputeClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, OhlcvResult, PriceCheck, SymbolList
from chitti.marketdata.intraday import Interval

router = APIRouter(prefix="/api/market", tags=["market"])


@router.get("/symbols", response_model=SymbolList, responses=ERROR_RESPONSES)
async def list_symbols(
    compute: ComputeClient, params: Annotated[SymbolsRequest, Query()], _: Viewer
) -> OrjsonResponse:
    """Listed symbols (search by ``q``, filter by ``index`` e.g. ``NIFTY 50``)."""
    return OrjsonResponse(await compute.call("list_symbols", params))


@router.get("/quotes", response_model=QuoteList, responses=ERROR_RESPONSES)
async def get_quotes(
    compute: ComputeClient, params: Annotated[QuotesRequest, Query()], _: Viewer
) -> OrjsonResponse:
    """A watchlist's rows: the last daily bar of each symbol (``symbols`` repeated once per
    symbol), its change on the day and a sparkline of its last closes, adjusted by
    ``adjust`` exactly as ``/{symbol}/ohlcv`` is. One query for all symbols; a symbol without
    a quote is named in ``unknown`` or ``missing``, not a 404."""
    return OrjsonResponse(await compute.call("get_quotes", params))


@router.get("/check", response_model=PriceCheck, responses=ERROR_RESPONSES)
async def check_prices(
    compute: ComputeClient, params: Annotated[CheckPricesRequest, Query()], _: Viewer
) -> OrjsonResponse:
    """One-day gaps beyond ``threshold_pct`` that no stored corporate action explains, with
    the share ratio that would (a missing split or bonus), and bad bars
    (``chitti check-prices`` over HTTP)."""
    return OrjsonResponse(await compute.call("check_prices", params))


@router.get("/{symbol}/ohlcv", response_model=OhlcvResult,
            responses={**ERROR_RESPONSES, 404: ERROR_RESPONSES[400] | {
                "description": "Unknown symbol"}})
async def ohlcv(
    symbol: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9&\-_. ]+$",
                                examples=["TCS"])],
    compute: ComputeClient, _: Viewer, start: date | None = None,
    end: date | None = None,
    adjust: AdjustField = "split", interval: Interval = "1d",
) -> OrjsonResponse:
    """Bars of ``symbol`` between ``start`` and ``end`` (inclusive IST days, ISO dates):
    daily, or intraday (``interval=5m``, ``1h``, ...; ``ts`` then an ISO timestamp in IST),
    adjusted for corporate actions (``adjust``), with the symbol's actions."""
    request = OhlcvRequest(symbol=symbol, start=start, end=end, adjust=adjust,
                           interval=interval)
    return OrjsonResponse(await compute.call("get_ohlcv", request))
