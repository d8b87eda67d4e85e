"""Graceful restarts and authentication of the IPC layer, over real sockets.

A successor takes the endpoint over while the old server still answers, the old one drains
(``goaway``), and a client calling without pause through the whole hand-over sees no error.
With ``CHITTI_IPC_SECRET``, only a peer that proves the secret is served.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from tests.integration.test_ipc import build_server, run_dir  # noqa: F401 (fixture)

from chitti.errors import Unavailable
from chitti.ipc import IpcClient, IpcServer, encode_frame, read_frame
from chitti.ipc import auth as ipc_auth

SECRET = os.urandom(32)


async def _hammer(client: IpcClient, stop: asyncio.Event, seen: list[str],
                  errors: list[BaseException]) -> None:
    """Call without pause until ``stop``; each call takes 0.15 s, so connections always
    have replies due when the service says goaway."""
    while not stop.is_set():
        try:
            reply = await client.call("sleep", {"seconds": 0.15, "tag": "x"})
            seen.append(reply["service"])
        except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
            errors.append(exc)


async def _hand_over(endpoint: str, client_endpoints: list[str], *, drain_s: float) -> None:
    old = build_server("old")
    await old.start([endpoint])
    new = build_server("new")
    stop = asyncio.Event()
    seen: list[str] = []
    errors: list[BaseException] = []
    async with IpcClient(client_endpoints, timeout=5, pool_size=2) as client:
        workers = [asyncio.create_task(_hammer(client, stop, seen, errors)) for _ in range(16)]
        await asyncio.sleep(0.3)
        await new.start([endpoint], takeover=True)
        await asyncio.sleep(0.1)
        await old.close(drain_s=drain_s)
        old_count = seen.count("old")
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.gather(*workers)
    await new.close()
    assert errors == []
    assert old_count > 0 and seen.count("new") > 0
    assert seen[-16:] == ["new"] * 16  # after the hand-over, only the successor answers


async def test_a_unix_endpoint_changes_hands_without_a_failed_call(run_dir: Path) -> None:  # noqa: F811
    path = run_dir / "svc.sock"
    await _hand_over(f"unix:{path}", [f"unix:{path}"], drain_s=5)
    assert not path.exists()  # the successor's close removed its own socket


async def test_a_tcp_endpoint_changes_hands_without_a_failed_call() -> None:
    probe = build_server("probe")
    await probe.start(["tcp:127.0.0.1:0"])
    port = probe.endpoints[0].port
    await probe.close()
    await _hand_over(f"tcp:127.0.0.1:{port}", [f"tcp:127.0.0.1:{port}"], drain_s=5)


async def test_drain_lets_a_slow_request_finish_and_the_old_socket_file_stays_the_new_ones(
    run_dir: Path,  # noqa: F811
) -> None:
    path = run_dir / "svc.sock"
    old, new = build_server("old"), build_server("new")
    await old.start([path])
    async with IpcClient([f"unix:{path}"], timeout=5) as client:
        slow = asyncio.create_task(client.call("sleep", {"seconds": 0.5, "tag": "slow"}))
        await asyncio.sleep(0.1)
        await new.start([path], takeover=True)
        inode = path.stat().st_ino
        await old.close(drain_s=5)
        assert (await slow)["service"] == "old"
        assert path.stat().st_ino == inode  # the old server did not unlink the successor's
        assert (await client.call("health"))["service"] == "new"
    await new.close()


async def test_without_takeover_a_live_server_is_not_stolen(run_dir: Path) -> None:  # noqa: F811
    path = run_dir / "svc.sock"
    first = build_server("first")
    await first.start([path])
    port_server = build_server("tcp")
    await port_server.start(["tcp:127.0.0.1:0"])
    try:
        with pytest.raises(Unavailable, match="in use"):
            await build_server("second").start([path])
        with pytest.raises(Unavailable, match="a server answers there"):
            await build_server("second").start([str(port_server.endpoints[0])])
    finally:
        await first.close()
        await port_server.close()


async def test_drain_gives_up_after_its_limit_and_cancels_what_is_left(
    run_dir: Path,  # noqa: F811
) -> None:
    server = build_server("old")
    await server.start([run_dir / "svc.sock"])
    async with IpcClient([server.endpoints[0]], timeout=10) as client:
        stuck = asyncio.create_task(client.call("sleep", {"seconds": 9}))
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        await server.close(drain_s=0.5)
        assert asyncio.get_running_loop().time() - started < 2
        with pytest.raises(Unavailable):
            await stuck


# ------------------------------------------------------------------- authentication

@asynccontextmanager
async def _tcp_server(secret: bytes | None) -> AsyncIterator[IpcServer]:
    server = IpcServer("svc", "1", secret=secret)

    @server.action("echo")
    async def echo(params: dict[str, Any]) -> dict[str, Any]:
        return {"echo": params}

    await server.start(["tcp:127.0.0.1:0"])
    try:
        yield server
    finally:
        await server.close()


async def test_a_client_with_the_secret_is_served() -> None:
    async with _tcp_server(SECRET) as server:
        async with IpcClient([server.endpoints[0]], timeout=5, secret=SECRET) as client:
            assert await client.call("echo", {"a": 1}) == {"echo": {"a": 1}}
            assert (await client.call("health"))["pid"] == os.getpid()


@pytest.mark.parametrize("secret", [None, b"another secret of enough length....."])
async def test_a_client_without_the_right_secret_is_refused_and_told_what_to_set(
    secret: bytes | None,
) -> None:
    async with _tcp_server(SECRET) as server:
        async with IpcClient([server.endpoints[0]], timeout=5, secret=secret) as client:
            with pytest.raises(Unavailable, match="CHITTI_IPC_SECRET"):
                await client.call("echo", {"a": 1})


async def test_a_raw_peer_gets_nothing_but_the_challenge_and_a_refusal() -> None:
    async with _tcp_server(SECRET) as server:
        endpoint = server.endpoints[0]
        reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
        challenge = await read_frame(reader, max_bytes=4096)
        assert challenge["status"] == "challenge"
        # a replayed or guessed proof is refused, and no action runs
        writer.write(encode_frame({"id": 0, "action": "auth", "nonce": "00",
                                   "mac": "0" * 64}))
        writer.write(encode_frame({"id": 1, "action": "echo", "a": 1}))
        await writer.drain()
        refusal = await read_frame(reader, max_bytes=4096)
        assert refusal["status"] == "error" and refusal["error"]["code"] == "unavailable"
        async with asyncio.timeout(3):
            assert await reader.read() == b""  # closed; the echo never ran
        writer.close()


async def test_a_client_with_a_secret_refuses_a_service_that_asks_for_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ipc_auth, "HANDSHAKE_TIMEOUT_S", 0.3)
    async with _tcp_server(None) as server:
        async with IpcClient([server.endpoints[0]], timeout=5, secret=SECRET) as client:
            with pytest.raises(Unavailable, match="did not ask for authentication"):
                await client.call("echo", {"a": 1})
