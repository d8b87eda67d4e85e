"""Dependencies as ``Annotated`` aliases: short route signatures, easy overrides in tests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from chitti.ipc.client import IpcClient
from chitti.schemas import MAX_ID


def _client(service: str):  # type: ignore[no-untyped-def]
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, on every request
    async def get(request: Request) -> IpcClient:
        return request.app.state.clients[service]  # type: ignore[no-any-return]

    return get


ComputeClient = Annotated[IpcClient, Depends(_client("compute"))]
NewsClient = Annotated[IpcClient, Depends(_client("news-nlp"))]
SignalsClient = Annotated[IpcClient, Depends(_client("signal-service"))]

#: A stored row's id in a path.
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="a stored id (1 or more)")]
