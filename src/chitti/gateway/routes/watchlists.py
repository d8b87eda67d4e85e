"""Watchlists: several named, ordered lists of symbols per user (admins reach every list)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from chitti.gateway import store
from chitti.gateway.access import Trader, Viewer
from chitti.gateway.deps import RowId
from chitti.gateway.schemas import (
    CONFLICT,
    ERROR_RESPONSES,
    Watchlist,
    WatchlistBody,
    WatchlistChange,
    WatchlistList,
)

router = APIRouter(prefix="/api/watchlists", tags=["watchlists"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: ERROR_RESPONSES[400] | {"description": "No such watchlist of yours"}}



@router.get("", response_model=WatchlistList, responses=ERROR_RESPONSES)
async def list_watchlists(request: Request, principal: Viewer) -> WatchlistList:
    """Your watchlists in your order."""
    async with request.app.state.db_pool.connection() as conn:
        rows = await store.list_watchlists(conn, principal.user_id)
    return WatchlistList(watchlists=[Watchlist(**r) for r in rows])


@router.post("", response_model=Watchlist, status_code=201,
             responses={**ERROR_RESPONSES, **CONFLICT})
async def add_watchlist(request: Request, body: WatchlistBody, principal: Trader) -> Watchlist:
    """A new list (names are unique per user); symbols keep the order given."""
    async with request.app.state.db_pool.connection() as conn:
        row = await store.add_watchlist(conn, principal.user_id, body.name,
                                        list(dict.fromkeys(body.symbols)), body.position)
    return Watchlist(**row)


@router.get("/{watchlist_id}", response_model=Watchlist,
            responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_watchlist(request: Request, principal: Viewer, watchlist_id: RowId) -> Watchlist:
    """One of your lists."""
    async with request.app.state.db_pool.connection() as conn:
        return Watchlist(**await store.get_watchlist(conn, watchlist_id, principal.user_scope))


@router.put("/{watchlist_id}", response_model=Watchlist,
            responses={**ERROR_RESPONSES, **NOT_FOUND, **CONFLICT})
async def change_watchlist(request: Request, body: WatchlistChange, principal: Trader,
                           watchlist_id: RowId) -> Watchlist:
    """Rename a list, replace its symbols (their order is the list's order) or move it."""
    changes = body.model_dump(exclude_none=True)
    if "symbols" in changes:
        changes["symbols"] = list(dict.fromkeys(changes["symbols"]))
    async with request.app.state.db_pool.connection() as conn:
        row = await store.update_watchlist(conn, watchlist_id, principal.user_scope, changes)
    return Watchlist(**row)


@router.delete("/{watchlist_id}", status_code=204, responses={**ERROR_RESPONSES, **NOT_FOUND})
async def delete_watchlist(request: Request, principal: Trader,
                           watchlist_id: RowId) -> Response:
    """Delete one of your lists."""
    async with request.app.state.db_pool.connection() as conn:
        await store.delete_watchlist(conn, watchlist_id, principal.user_scope)
    return Response(status_code=204)
