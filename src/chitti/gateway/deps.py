"""Dependencies as ``Annotated`` aliases: short route signatures, easy overrides in tests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chitti.ipc.client import IpcClient


def _client(service: str):  # type: ignore[no-untyped-def]
    def get(request: Request) -> IpcClient:
        return request.app.state.clients[service]  # type: ignore[no-any-return]

    return get


ComputeClient = Annotated[IpcClient, Depends(_client("compute"))]
NewsClient = Annotated[IpcClient, Depends(_client("news-nlp"))]
SignalsClient = Annotated[IpcClient, Depends(_client("signal-service"))]
