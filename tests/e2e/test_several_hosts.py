"""The same code as several "hosts": services on TCP at different addresses (127.0.0.2 and
127.0.0.3 stand for two machines), two gateways, and a shared secret between them.

What a deployment over a network relies on: every gateway reaches every service instance,
calls are spread over the compute hosts, an alert reaches the stream clients of every gateway
(NOTIFY fan-out), and nobody without ``CHITTI_IPC_SECRET`` gets a service to do anything.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import httpx
import pytest
from tests.e2e.harness import System, extra_gateway, free_port
from tests.e2e.test_alert_stream import insert_alert, sse
from tests.helpers import private_tmp_dir

from chitti.errors import Unavailable
from chitti.ipc import read_frame
from chitti.ipc.client import IpcClient
from chitti.runtime import check_ipc_exposure

SECRET = secrets.token_urlsafe(32)
HOSTS = ("127.0.0.2", "127.0.0.3")


def endpoints() -> dict[str, str]:
    return {
        "CHITTI_NEWS_NLP_ENDPOINTS": f"tcp:{HOSTS[0]}:{free_port()}",
        "CHITTI_SIGNAL_SERVICE_ENDPOINTS": f"tcp:{HOSTS[1]}:{free_port()}",
        "CHITTI_COMPUTE_ENDPOINTS": ",".join(f"tcp:{host}:{free_port()}" for host in HOSTS),
    }


@pytest.fixture(scope="module")
def hosts() -> Iterator[System]:
    with private_tmp_dir("chitti-hosts-") as base:
        running = System(base / "var", free_port(), base / "system.log", extra_env={
            **endpoints(), "CHITTI_COMPUTE_INSTANCES": "2", "CHITTI_IPC_SECRET": SECRET})
        running.start()
        yield running
        if running.process and running.process.poll() is None:
            running.stop()


def compute_endpoints(system: System) -> list[str]:
    return system.extra_env["CHITTI_COMPUTE_ENDPOINTS"].split(",")


def test_each_compute_host_serves_through_the_gateway(hosts: System) -> None:
    async def pids_of(endpoint: str) -> set[int]:
        async with IpcClient([endpoint], timeout=5, secret=SECRET.encode()) as client:
            return {(await client.call("health"))["pid"] for _ in range(3)}

    per_host = [asyncio.run(pids_of(ep)) for ep in compute_endpoints(hosts)]
    assert all(len(p) == 1 for p in per_host) and per_host[0] != per_host[1]
    body = {"prices": [float(x) for x in range(1, 60)], "period": 5}
    for _ in range(4):  # (the spread itself: test_ipc.py, calls_are_spread_over...)
        assert hosts.http.post("/api/compute/sma", json=body).status_code == 200


def test_a_second_gateway_with_the_secret_serves_and_streams_every_alert(
    hosts: System,
) -> None:
    env = {**{k: v for k, v in hosts.extra_env.items() if k.endswith("_ENDPOINTS")},
           "CHITTI_IPC_SECRET": SECRET}
    with extra_gateway(hosts, **env) as other:
        key = {"X-API-Key": hosts.admin_key}
        reply = httpx.get(other + "/api/alerts?limit=1", headers=key, timeout=10)
        assert reply.status_code == 200, reply.text
        with sse(hosts) as first, sse(hosts, url=other) as second:
            alert = insert_alert(hosts, "HDFCBANK")
            assert first.next()[0] == alert and second.next()[0] == alert


def test_a_gateway_without_the_secret_gets_503_naming_it(hosts: System) -> None:
    env = {k: v for k, v in hosts.extra_env.items() if k.endswith("_ENDPOINTS")}
    with extra_gateway(hosts, health=503, **env) as stranger:
        reply = httpx.post(stranger + "/api/compute/sma", timeout=10,
                           headers={"X-API-Key": hosts.admin_key},
                           json={"prices": [1.0, 2.0, 3.0], "period": 2})
    assert reply.status_code == 503
    assert "CHITTI_IPC_SECRET" in reply.json()["error"]["message"]


def test_a_raw_connection_to_a_service_gets_a_challenge_and_nothing_else(
    hosts: System,
) -> None:
    host, port = compute_endpoints(hosts)[0].removeprefix("tcp:").split(":")

    async def probe() -> tuple[dict[str, object], bytes]:
        reader, writer = await asyncio.open_connection(host, int(port))
        challenge = await read_frame(reader, max_bytes=4096)
        writer.write(b"\x00\x00\x00\x1d" + b'{"id":1,"action":"health"}   ')
        await writer.drain()
        async with asyncio.timeout(10):
            rest = await reader.read()  # the refusal frame, then the close
        writer.close()
        return challenge, rest

    challenge, rest = asyncio.run(probe())
    assert challenge["status"] == "challenge"
    assert b"CHITTI_IPC_SECRET" in rest and b'"pid"' not in rest


@pytest.mark.parametrize(("endpoints", "refused"), [
    (["tcp:0.0.0.0:6004"], True),
    (["tcp:10.1.2.3:6004", "unix:/run/x.sock"], True),
    (["tcp:127.0.0.1:6004", "tcp:[::1]:6004", "tcp:localhost:6004", "unix:/run/x.sock"], False),
])
def test_a_service_refuses_unauthenticated_ipc_beyond_loopback(endpoints: list[str],
                                                               refused: bool) -> None:
    if refused:
        with pytest.raises(Unavailable, match="CHITTI_IPC_SECRET"):
            check_ipc_exposure(endpoints, None)
    else:
        check_ipc_exposure(endpoints, None)
    check_ipc_exposure(endpoints, b"s" * 32)  # with a secret, any address is fine


def test_behind_a_trusted_proxy_the_gateway_sees_the_client_not_the_proxy(
    hosts: System,
) -> None:
    env = {**{k: v for k, v in hosts.extra_env.items() if k.endswith("_ENDPOINTS")},
           "CHITTI_IPC_SECRET": SECRET, "CHITTI_TRUSTED_PROXIES": "127.0.0.1"}
    with extra_gateway(hosts, **env) as behind:
        httpx.get(behind + "/api/no-such-route", headers={"X-Forwarded-For": "203.0.113.7"})
    # the main gateway trusts nobody: the same header is the client's own claim, ignored
    httpx.get(hosts.url + "/api/no-such-route", headers={"X-Forwarded-For": "198.51.100.9"})
    logs = "".join(p.read_text() for p in hosts.log_path.parent.glob("gateway-*.log"))
    assert '"client":"203.0.113.7"' in logs
    assert '"client":"198.51.100.9"' not in hosts.log()
