"""IpcServer over real Unix and TCP sockets: raw frames, socket files, robustness.

The client-side behaviour (pool, endpoints, reconnect, streams) is in test_ipc_client.py;
both use the small demo service built by :func:`build_server`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import stat
import struct
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict, Field

from chitti.errors import BadRequest, NotFound, Timeout, Unavailable
from chitti.ipc import DEFAULT_MAX_FRAME_BYTES, IpcClient, IpcServer, encode_frame, read_frame

SMALL_LIMIT = 64 * 1024


class SleepParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    seconds: float = Field(ge=0, le=10)
    tag: str = ""


class SmaParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    symbol: str
    period: int = Field(ge=1)


class CountParams(BaseModel):
    n: int = Field(ge=0)
    delay_s: float = 0.0


class Probe:
    """What the demo handlers report back to the test."""

    def __init__(self) -> None:
        self.cancelled = asyncio.Event()
        self.stream_closed = asyncio.Event()


def build_server(name: str = "svc", *, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
                 probe: Probe | None = None) -> IpcServer:
    """A demo service with one action per behaviour under test."""
    probe = probe or Probe()
    server = IpcServer(name, "1.2.3", max_frame_bytes=max_frame_bytes)

    async def db_health() -> dict[str, Any]:
        return {"db": {"status": "ok", "latency_ms": 1.2}}

    server.set_health_hook(db_health)

    @server.action("echo")
    async def echo(params: dict[str, Any]) -> dict[str, Any]:
        return {"echo": params}

    @server.action("compute_sma", params=SmaParams)
    async def compute_sma(req: SmaParams) -> SmaParams:
        return req  # a pydantic model is a valid result too

    @server.action("fail")
    async def fail(_: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("secret detail")

    @server.action("missing")
    async def missing(_: dict[str, Any]) -> dict[str, Any]:
        raise NotFound("no such symbol XYZ")

    @server.action("series")
    async def series(_: dict[str, Any]) -> dict[str, Any]:
        return {"values": np.array([1.0, np.nan, 3.0])}

    @server.action("blob")
    async def blob(params: dict[str, Any]) -> dict[str, Any]:
        return {"data": "x" * int(params["size"]), "n": params.get("n")}

    add_slow_actions(server, probe)
    return server


def add_slow_actions(server: IpcServer, probe: Probe) -> None:
    """Actions that take time and tell ``probe`` when they are cancelled or closed."""

    @server.action("sleep", params=SleepParams)
    async def sleep(req: SleepParams) -> dict[str, Any]:
        try:
            await asyncio.sleep(req.seconds)
        except asyncio.CancelledError:
            probe.cancelled.set()
            raise
        return {"tag": req.tag, "service": server.name}

    @server.action("count", params=CountParams)
    async def count(req: CountParams) -> AsyncIterator[dict[str, Any]]:
        try:
            for i in range(req.n):
                if req.delay_s:
                    await asyncio.sleep(req.delay_s)
                yield {"event": "new_alert", "data": {"i": i}}
        finally:
            probe.stream_closed.set()


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """A not-yet-existing directory for sockets, under a short path (sun_path is 108 bytes)."""
    base = Path(tempfile.mkdtemp(prefix="ipc-", dir="/tmp"))
    yield base / "run"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture
async def server(run_dir: Path, probe: Probe) -> AsyncIterator[IpcServer]:
    srv = build_server(max_frame_bytes=SMALL_LIMIT, probe=probe)
    await srv.start([f"unix:{run_dir / 'svc.sock'}"])
    yield srv
    await srv.close()


class Raw:
    """A bare connection speaking frames by hand, to send what a real client never would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, path: Path) -> Raw:
        return cls(*await asyncio.open_unix_connection(os.fspath(path)))

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_bytes(encode_frame(message))

    async def send_bytes(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def recv(self) -> dict[str, Any]:
        async with asyncio.timeout(3):
            return await read_frame(self.reader, max_bytes=DEFAULT_MAX_FRAME_BYTES)

    async def assert_closed_by_peer(self) -> None:
        async with asyncio.timeout(3):
            assert await self.reader.read() == b""

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def raw(server: IpcServer) -> AsyncIterator[Raw]:
    conn = await Raw.connect(Path(server.endpoints[0].path or ""))
    yield conn
    await conn.close()


async def assert_healthy(path: Path) -> None:
    """A fresh connection still gets a health reply: the server survived."""
    conn = await Raw.connect(path)
    try:
        await conn.send({"id": "h", "action": "health"})
        reply = await conn.recv()
        assert reply["status"] == "ok" and reply["service"] == "svc"
    finally:
        await conn.close()


def socket_path(server: IpcServer) -> Path:
    return Path(server.endpoints[0].path or "")


# ------------------------------------------------------------------- replies
async def test_health_reports_name_version_uptime_and_hook(raw: Raw) -> None:
    await raw.send({"id": 1, "action": "health"})
    reply = await raw.recv()
    assert reply.pop("uptime_s") >= 0
    assert reply.pop("pid") == os.getpid()  # how `chitti reload` knows the successor answers
    assert reply == {"id": 1, "status": "ok", "service": "svc", "version": "1.2.3",
                     "db": {"status": "ok", "latency_ms": 1.2}}


async def test_params_reach_the_handler_without_id_action_and_timeout(raw: Raw) -> None:
    await raw.send({"id": "abc", "action": "echo", "x": [1, 2], "timeout_s": 5})
    assert await raw.recv() == {"id": "abc", "status": "ok", "echo": {"x": [1, 2]}}


async def test_numpy_results_arrive_as_lists_with_nan_as_null(raw: Raw) -> None:
    await raw.send({"id": 1, "action": "series"})
    assert (await raw.recv())["values"] == [1.0, None, 3.0]


async def test_pipelined_requests_are_answered_out_of_order(raw: Raw) -> None:
    # One write carrying a slow request then a fast one: the fast reply must come first.
    await raw.send_bytes(encode_frame({"id": 1, "action": "sleep", "seconds": 0.4})
                         + encode_frame({"id": 2, "action": "echo"}))
    first, second = await raw.recv(), await raw.recv()
    assert (first["id"], second["id"]) == (2, 1)
    assert second["status"] == "ok"


async def test_requests_of_one_connection_run_concurrently(raw: Raw) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i in range(10):
        await raw.send({"id": i, "action": "sleep", "seconds": 0.3})
    ids = {(await raw.recv())["id"] for _ in range(10)}
    assert ids == set(range(10))
    assert loop.time() - started < 1.5  # serial execution would take 3 s


# ------------------------------------------------------------------- errors
def error_of(reply: dict[str, Any]) -> tuple[str, str]:
    assert reply["status"] == "error", reply
    return reply["error"]["code"], reply["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "expected_id", "words"),
    [
        (b"this is not json", None, "not valid UTF-8 JSON"),
        (b"[1, 2, 3]", None, "must be a JSON object"),
        (b'{"action": "health"}', None, "'id' must be an integer or a string"),
        (b'{"id": true, "action": "health"}', None, "'id' must be"),
        (b'{"id": 1.5, "action": "health"}', None, "'id' must be"),
        (b'{"id": 7}', 7, "'action' must be"),
        (b'{"id": "q", "action": 3}', "q", "'action' must be"),
        (b'{"id": 8, "action": "health", "timeout_s": -1}', 8, "timeout_s"),
    ],
    ids=["garbage", "array", "no-id", "bool-id", "float-id", "no-action", "bad-action",
         "bad-timeout"],
)
async def test_malformed_request_gets_bad_request_and_the_connection_stays_usable(
    raw: Raw, server: IpcServer, payload: bytes, expected_id: Any, words: str,
) -> None:
    await raw.send_bytes(struct.pack(">I", len(payload)) + payload)
    reply = await raw.recv()
    assert reply["id"] == expected_id
    code, message = error_of(reply)
    assert code == "bad_request" and words in message
    await raw.send({"id": "after", "action": "health"})
    assert (await raw.recv())["status"] == "ok"


async def test_garbage_length_gets_bad_request_then_the_connection_is_closed(
    raw: Raw, server: IpcServer,
) -> None:
    await raw.send_bytes(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    reply = await raw.recv()
    assert reply["id"] is None
    code, message = error_of(reply)
    assert code == "bad_request"
    assert f"{int.from_bytes(b'GET ', 'big')} bytes" in message and str(SMALL_LIMIT) in message
    await raw.assert_closed_by_peer()
    await assert_healthy(socket_path(server))


async def test_oversize_frame_is_refused_with_size_and_limit_then_closed(
    raw: Raw, server: IpcServer,
) -> None:
    size = 4 * SMALL_LIMIT
    await raw.send_bytes(struct.pack(">I", size) + b"{" + b" " * 5000)  # a body that never ends
    code, message = error_of(await raw.recv())
    assert code == "bad_request"
    assert str(size) in message and str(SMALL_LIMIT) in message
    await raw.assert_closed_by_peer()
    await assert_healthy(socket_path(server))


async def test_unknown_action_is_not_found_and_lists_the_known_ones(raw: Raw) -> None:
    await raw.send({"id": 3, "action": "compute_rsi"})
    reply = await raw.recv()
    assert reply["id"] == 3
    code, message = error_of(reply)
    assert code == "not_found"
    assert "'compute_rsi'" in message and "compute_sma" in message and "health" in message


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"symbol": "TCS", "period": 0}, ["period: Input should be greater than or equal to 1"]),
        ({"period": "x"}, ["symbol: Field required", "period: Input should be a valid integer"]),
        ({"symbol": "TCS", "period": 5, "colour": 1}, ["colour: Extra inputs are not permitted"]),
    ],
    ids=["too-small", "missing-and-wrong-type", "extra-field"],
)
async def test_invalid_params_get_bad_request_naming_each_field(
    raw: Raw, server: IpcServer, params: dict[str, Any], words: list[str],
) -> None:
    await raw.send({"id": 4, "action": "compute_sma", **params})
    code, message = error_of(await raw.recv())
    assert code == "bad_request"
    for phrase in words:
        assert phrase in message
    assert "errors.pydantic.dev" not in message
    await assert_healthy(socket_path(server))


async def test_valid_params_reach_the_handler_as_the_model(raw: Raw) -> None:
    await raw.send({"id": 5, "action": "compute_sma", "symbol": "TCS", "period": 20})
    assert await raw.recv() == {"id": 5, "status": "ok", "symbol": "TCS", "period": 20}


async def test_chitti_error_from_a_handler_keeps_its_code(raw: Raw) -> None:
    await raw.send({"id": 6, "action": "missing"})
    assert error_of(await raw.recv()) == ("not_found", "no such symbol XYZ")


async def test_unexpected_exception_is_internal_logged_and_not_leaked(
    raw: Raw, server: IpcServer, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="chitti.ipc.server"):
        await raw.send({"id": 7, "action": "fail"})
        code, message = error_of(await raw.recv())
    assert code == "internal"
    assert "secret detail" not in message and "fail" in message
    assert any(record.exc_info and "secret detail" in str(record.exc_info[1])
               for record in caplog.records)
    await assert_healthy(socket_path(server))


async def test_reply_over_the_frame_limit_becomes_bad_request(raw: Raw) -> None:
    await raw.send({"id": 8, "action": "blob", "size": 2 * SMALL_LIMIT})
    code, message = error_of(await raw.recv())
    assert code == "bad_request" and str(SMALL_LIMIT) in message and "less" in message
    await raw.send({"id": 9, "action": "blob", "size": 10})
    assert (await raw.recv())["data"] == "x" * 10


async def test_timeout_s_cancels_the_handler_and_replies_timeout(raw: Raw, probe: Probe) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await raw.send({"id": 10, "action": "sleep", "seconds": 5, "timeout_s": 0.2})
    code, message = error_of(await raw.recv())
    assert code == "timeout" and "0.2" in message
    assert loop.time() - started < 2
    assert probe.cancelled.is_set()


async def test_closing_the_connection_cancels_its_in_flight_handlers(
    raw: Raw, probe: Probe,
) -> None:
    await raw.send({"id": 11, "action": "sleep", "seconds": 5})
    await asyncio.sleep(0.05)
    await raw.close()
    async with asyncio.timeout(2):
        await probe.cancelled.wait()


async def test_stream_frames_then_end_on_the_wire(raw: Raw, probe: Probe) -> None:
    await raw.send({"id": "s", "action": "count", "n": 2})
    frames = [await raw.recv() for _ in range(3)]
    assert frames == [
        {"id": "s", "status": "ok", "event": "new_alert", "data": {"i": 0}},
        {"id": "s", "status": "ok", "event": "new_alert", "data": {"i": 1}},
        {"id": "s", "status": "ok", "end": True},
    ]
    assert probe.stream_closed.is_set()


# ------------------------------------------------------------------- registry
def test_registering_an_action_twice_or_a_sync_handler_is_refused() -> None:
    srv = build_server()
    with pytest.raises(ValueError, match="already registered"):
        srv.action("echo")(lambda req: req)
    with pytest.raises(TypeError, match="async"):
        srv.action("sync")(lambda req: req)
    assert "health" in srv.actions and "echo" in srv.actions


# ------------------------------------------------------------------- socket files
async def test_new_socket_directory_is_0700_and_socket_is_0600(server: IpcServer,
                                                                run_dir: Path) -> None:
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    path = socket_path(server)
    assert stat.S_ISSOCK(path.stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_existing_open_socket_directory_is_made_private(run_dir: Path) -> None:
    run_dir.mkdir()
    run_dir.chmod(0o755)
    srv = build_server()
    await srv.start([run_dir / "svc.sock"])
    try:
        assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    finally:
        await srv.close()


async def test_stale_socket_file_of_a_dead_process_is_replaced(run_dir: Path) -> None:
    run_dir.mkdir(mode=0o700)
    path = run_dir / "svc.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(os.fspath(path))
    dead.close()  # the file stays, nobody listens: what a killed process leaves behind
    assert stat.S_ISSOCK(path.stat().st_mode)
    srv = build_server()
    await srv.start([f"unix:{path}"])
    try:
        await assert_healthy(path)
    finally:
        await srv.close()


async def test_live_socket_is_not_stolen(server: IpcServer) -> None:
    path = socket_path(server)
    intruder = build_server("intruder")
    with pytest.raises(Unavailable, match="in use"):
        await intruder.start([path])
    await assert_healthy(path)  # still the first server ("svc") answering


async def test_a_regular_file_in_the_way_is_not_deleted(run_dir: Path) -> None:
    run_dir.mkdir(mode=0o700)
    path = run_dir / "svc.sock"
    path.write_text("precious")
    with pytest.raises(BadRequest, match="not a socket"):
        await build_server().start([path])
    assert path.read_text() == "precious"


async def test_close_removes_the_socket_file(server: IpcServer) -> None:
    path = socket_path(server)
    await server.close()
    assert not path.exists()


async def test_run_serves_until_cancelled_and_cleans_up(run_dir: Path) -> None:
    path = run_dir / "svc.sock"
    task = asyncio.create_task(build_server().run([f"unix:{path}"]))
    async with asyncio.timeout(3):
        while not path.exists():
            await asyncio.sleep(0.01)
    await assert_healthy(path)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not path.exists()


async def test_tcp_port_zero_binds_a_free_port_that_answers() -> None:
    srv = build_server("tcp-svc")
    await srv.start(["tcp:127.0.0.1:0"])
    try:
        (endpoint,) = srv.endpoints
        assert endpoint.kind == "tcp" and endpoint.port
        async with IpcClient([endpoint], timeout=3) as client:
            assert (await client.call("health"))["service"] == "tcp-svc"
    finally:
        await srv.close()


async def test_tcp_port_in_use_is_unavailable() -> None:
    srv = build_server()
    await srv.start(["tcp:127.0.0.1:0"])
    try:
        with pytest.raises(Unavailable, match="cannot listen"):
            await build_server("other").start([srv.endpoints[0]])
    finally:
        await srv.close()


# =================================================================== IpcClient
def unix(path: Path) -> str:
    return f"unix:{path}"


@pytest.fixture
async def client(server: IpcServer) -> AsyncIterator[IpcClient]:
    async with IpcClient([unix(socket_path(server))], timeout=3, pool_size=1,
                         max_frame_bytes=SMALL_LIMIT, name="svc") as ipc:
        yield ipc


async def test_call_returns_the_result_without_id_and_status(client: IpcClient) -> None:
    assert await client.call("echo", {"a": 1}) == {"echo": {"a": 1}}
    health = await client.call("health")
    assert health["service"] == "svc" and health["db"]["status"] == "ok"
    assert "id" not in health and "status" not in health


async def test_call_accepts_a_pydantic_model_as_params(client: IpcClient) -> None:
    reply = await client.call("compute_sma", SmaParams(symbol="INFY", period=14))
    assert reply == {"symbol": "INFY", "period": 14}


async def test_error_frames_raise_the_matching_chitti_error(client: IpcClient) -> None:
    with pytest.raises(NotFound, match="no such symbol XYZ"):
        await client.call("missing")
    with pytest.raises(BadRequest, match="period: Input should be greater than or equal to 1"):
        await client.call("compute_sma", {"symbol": "TCS", "period": 0})
    with pytest.raises(NotFound, match="compute_rsi"):
        await client.call("compute_rsi")


async def test_concurrent_calls_share_one_connection_and_finish_out_of_order(
    client: IpcClient,
) -> None:
    finished: list[str] = []

    async def call(tag: str, seconds: float) -> None:
        await client.call("sleep", {"seconds": seconds, "tag": tag})
        finished.append(tag)

    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(call("slow", 0.4), *(call(f"fast{i}", 0.05) for i in range(20)))
    assert finished[-1] == "slow"
    assert loop.time() - started < 1.5  # 20 fast calls did not queue behind each other
    pool_connections = [c for pool in client._pools for c in pool.slots if c is not None]
    assert len(pool_connections) == 1  # pool_size=1: all of it multiplexed on one socket


async def test_many_large_concurrent_replies_arrive_whole(client: IpcClient) -> None:
    size = SMALL_LIMIT // 2
    replies = await asyncio.gather(*(client.call("blob", {"size": size, "n": n})
                                     for n in range(40)))
    assert [reply["n"] for reply in replies] == list(range(40))
    assert all(reply["data"] == "x" * size for reply in replies)


async def test_timeout_raises_timeout_and_the_connection_stays_usable(
    client: IpcClient, probe: Probe,
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(Timeout, match="sleep"):
        await client.call("sleep", {"seconds": 3}, timeout=0.2)
    assert loop.time() - started < 1
    assert await client.call("echo", {"after": True}) == {"echo": {"after": True}}
    async with asyncio.timeout(2):  # the timeout was also sent: the server gave up too
        await probe.cancelled.wait()


async def test_request_over_the_frame_limit_is_refused_before_sending(
    client: IpcClient,
) -> None:
    with pytest.raises(BadRequest, match="frame limit"):
        await client.call("echo", {"data": "x" * SMALL_LIMIT})
    assert await client.call("echo", {"b": 2}) == {"echo": {"b": 2}}


async def test_call_reconnects_after_the_service_restarts(run_dir: Path) -> None:
    path = run_dir / "svc.sock"
    first = build_server("first")
    await first.start([path])
    async with IpcClient([unix(path)], timeout=3, pool_size=1) as client:
        assert (await client.call("health"))["service"] == "first"
        await first.close()
        second = build_server("second")
        await second.start([path])
        try:
            for _ in range(3):
                assert (await client.call("health"))["service"] == "second"
        finally:
            await second.close()


async def test_close_cancels_in_flight_handlers_without_logging_errors(
    server: IpcServer, client: IpcClient, probe: Probe, caplog: pytest.LogCaptureFixture,
) -> None:
    call = asyncio.create_task(client.call("sleep", {"seconds": 5}))
    await asyncio.sleep(0.1)
    with caplog.at_level(logging.WARNING):
        await server.close()
        await asyncio.sleep(0.05)
    assert probe.cancelled.is_set()
    with pytest.raises(Unavailable):
        await call
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_in_flight_calls_fail_unavailable_when_the_service_goes_away(
    server: IpcServer, client: IpcClient,
) -> None:
    call = asyncio.create_task(client.call("sleep", {"seconds": 5}))
    await asyncio.sleep(0.1)
    await server.close()
    with pytest.raises(Unavailable, match="closed by the service"):
        await call


async def test_all_endpoints_down_raises_unavailable_naming_them(run_dir: Path) -> None:
    dead = [unix(run_dir / "a.sock"), "tcp:127.0.0.1:1"]
    async with IpcClient(dead, timeout=2, name="compute") as client:
        with pytest.raises(Unavailable) as info:
            await client.call("health")
    message = str(info.value)
    assert "compute" in message and dead[0] in message and dead[1] in message


async def test_a_dead_endpoint_is_skipped_while_a_live_one_answers(server: IpcServer,
                                                                    run_dir: Path) -> None:
    endpoints = [unix(run_dir / "dead.sock"), unix(socket_path(server))]
    async with IpcClient(endpoints, timeout=2) as client:
        replies = [await client.call("health") for _ in range(6)]
        assert {reply["service"] for reply in replies} == {"svc"}
        dead_pool = client._pools[0]
        assert dead_pool.retry_at > asyncio.get_running_loop().time() - 1  # backing off
        assert all(slot is None for slot in dead_pool.slots)


async def test_calls_are_spread_over_every_live_endpoint(run_dir: Path) -> None:
    servers = [build_server("a"), build_server("b")]
    for srv in servers:
        await srv.start([run_dir / f"{srv.name}.sock"])
    try:
        async with IpcClient([s.endpoints[0] for s in servers], timeout=2) as client:
            replies = await asyncio.gather(*(client.call("health") for _ in range(8)))
        names = [reply["service"] for reply in replies]
        assert names.count("a") == names.count("b") == 4
    finally:
        for srv in servers:
            await srv.close()


async def test_an_endpoint_that_comes_back_is_used_again(run_dir: Path) -> None:
    late = run_dir / "late.sock"
    early = build_server("early")
    await early.start([run_dir / "early.sock"])
    async with IpcClient([unix(late), early.endpoints[0]], timeout=2) as client:
        await client.call("health")  # "late" is down: it is now backing off
        comeback = build_server("late")
        await comeback.start([late])
        try:
            client._pools[0].retry_at = 0.0  # skip the rest of the back-off
            names = {(await client.call("health"))["service"] for _ in range(4)}
            assert names == {"early", "late"}
        finally:
            await comeback.close()
            await early.close()


async def test_stream_yields_items_then_stops_at_the_end_frame(client: IpcClient) -> None:
    stream = client.stream("count", {"n": 3})
    items = [item async for item in stream]
    assert items == [{"event": "new_alert", "data": {"i": i}} for i in range(3)]
    assert stream.completed


async def test_closing_a_stream_early_stops_the_server_generator(
    client: IpcClient, probe: Probe,
) -> None:
    async with client.stream("count", {"n": 1000, "delay_s": 0.01}) as stream:
        async for item in stream:
            if item["data"]["i"] == 2:
                break
    assert not stream.completed
    async with asyncio.timeout(2):
        await probe.stream_closed.wait()


async def test_stream_with_invalid_params_raises_bad_request(client: IpcClient) -> None:
    with pytest.raises(BadRequest, match="n: Input should be greater than or equal to 0"):
        async for _ in client.stream("count", {"n": -1}):
            pass


async def test_stream_ends_without_completing_when_the_service_stops(
    server: IpcServer, client: IpcClient,
) -> None:
    stream = client.stream("count", {"n": 1000, "delay_s": 0.05})
    assert await anext(stream) == {"event": "new_alert", "data": {"i": 0}}
    await server.close()
    rest = [item async for item in stream]
    assert len(rest) < 5 and not stream.completed


async def test_closed_client_refuses_calls(server: IpcServer) -> None:
    client = IpcClient([unix(socket_path(server))], timeout=2)
    await client.call("health")
    await client.close()
    with pytest.raises(Unavailable, match="closed"):
        await client.call("health")
