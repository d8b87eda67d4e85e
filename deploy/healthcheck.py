"""Health probe of one Trading-Chitti container: ``python healthcheck.py SERVICE``.

Exit 0 when the process of this container answers and reaches the database, 1 otherwise
(with one line on stderr saying why), for Docker's ``HEALTHCHECK`` / compose's
``healthcheck`` and for systemd's ``ExecStartPost`` waits.

* ``compute``, ``news-nlp``, ``signal-service``: the IPC ``health`` action on the service's
  own endpoint (``CHITTI_TRANSPORT``, ``CHITTI_*_ENDPOINTS``; a wildcard bind address is
  probed on loopback), authenticated with ``CHITTI_IPC_SECRET`` when it is set, exactly as
  the gateway calls it.
* ``gateway``: ``GET /health`` on ``127.0.0.1:CHITTI_GATEWAY_PORT``. The gateway is healthy
  when it answers and its own database connection works; its report of the *services* is
  not its own health (each service container has its own probe), so a 503 that only says a
  service is down still counts as a live gateway.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request
from typing import Any, cast

from chitti.config import SERVICES, ServiceName, get_settings
from chitti.errors import ChittiError
from chitti.ipc.client import IpcClient
from chitti.ipc.protocol import Endpoint, as_endpoint

TIMEOUT_S = 5.0
_WILDCARDS = {"0.0.0.0", "::", ""}  # noqa: S104 - bind addresses recognised, not bound


def _local(endpoint: Endpoint) -> Endpoint:
    # A service bound to every address is reached on loopback from inside its container.
    if endpoint.kind == "tcp" and (endpoint.host or "") in _WILDCARDS:
        return as_endpoint(f"tcp:127.0.0.1:{endpoint.port}")
    return endpoint


async def _service(name: ServiceName) -> str | None:
    settings = get_settings()
    endpoints = [_local(as_endpoint(text)) for text in settings.listen_endpoints(name, None)]
    async with IpcClient(endpoints, timeout=TIMEOUT_S, pool_size=1, name=name,
                         secret=settings.ipc_secret_bytes()) as client:
        try:
            reply = await client.call("health")
        except ChittiError as exc:
            return f"{name} does not answer: {exc.message}"
    db = reply.get("db", {})
    if db.get("status") != "ok":
        return f"{name} answers, its database does not: {db.get('error', db)}"
    return None


def _gateway() -> str | None:
    url = f"http://127.0.0.1:{get_settings().gateway_port}/health"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310
            body: Any = json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            body = json.load(exc)
        except ValueError:
            return f"gateway answered {exc.code} without a health report"
    except (OSError, ValueError) as exc:
        return f"gateway does not answer at {url}: {exc}"
    db = body.get("db", {}) if isinstance(body, dict) else {}
    if db.get("status") != "ok":
        return f"gateway answers, its database does not: {db.get('error', db)}"
    return None


def main(argv: list[str]) -> int:
    names = (*SERVICES, "gateway")
    if len(argv) != 1 or argv[0] not in names:
        print(f"usage: healthcheck.py {{{'|'.join(names)}}}", file=sys.stderr)
        return 2
    name = argv[0]
    problem = _gateway() if name == "gateway" else asyncio.run(_service(cast(ServiceName, name)))
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
