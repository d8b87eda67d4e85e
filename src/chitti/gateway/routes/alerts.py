"""Alert routes (forwarded to signal-service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from chitti.gateway.access import Viewer
from chitti.gateway.deps import RowId, SignalsClient
from chitti.gateway.responses import OrjsonResponse
from chitti.gateway.schemas import ERROR_RESPONSES, NOT_FOUND, StreamQuery
from chitti.gateway.sse import SSE_HEADERS, alert_events
from chitti.schemas import MAX_ID
from chitti.signals.schemas import Alert, AlertIdRequest, AlertPage, AlertsRequest

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get("", response_model=AlertPage, responses=ERROR_RESPONSES)
async def get_alerts(
    signals: SignalsClient, params: Annotated[AlertsRequest, Query()], _: Viewer
) -> OrjsonResponse:
    """Alerts newest first; page with ``before_id`` = the previous page's ``next_before_id``."""
    return OrjsonResponse(await signals.call("get_alerts", params))


@router.get("/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "Server-sent events, one per new alert"}})
async def stream_alerts(
    request: Request,
    signals: SignalsClient,
    _: Viewer,
    query: Annotated[StreamQuery, Query()],
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_ID)] = None,
) -> StreamingResponse:
    """Live alerts as server-sent events (``id:`` = alert id). Reconnect with
    ``Last-Event-ID`` to receive the alerts missed meanwhile, then live ones, each once."""
    body = request.app.state.metrics.track_stream("sse", alert_events(
        request.app.state.alert_feed, signals, query.alert_filter(), last_event_id))
    return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/{alert_id}", response_model=Alert, responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_alert(alert_id: RowId, signals: SignalsClient, _: Viewer) -> OrjsonResponse:
    """One alert with its explanation and sources (articles, indicator values)."""
    reply = await signals.call("get_alert", AlertIdRequest(alert_id=alert_id))
    return OrjsonResponse(reply["alert"])
