"""Framing, replies and endpoint parsing of chitti.ipc.protocol."""

from __future__ import annotations

import asyncio
import math
import struct
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitti.errors import BadRequest, NotFound
from chitti.ipc.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    Endpoint,
    FrameTooLarge,
    InvalidEndpoint,
    ProtocolError,
    encode_frame,
    error_reply,
    ok_reply,
    parse_endpoint,
    read_frame,
)


def reader_with(data: bytes, *, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


async def roundtrip(message: dict[str, Any]) -> dict[str, Any]:
    return await read_frame(reader_with(encode_frame(message)), max_bytes=DEFAULT_MAX_FRAME_BYTES)


def test_default_max_frame_bytes_is_64_mib() -> None:
    assert DEFAULT_MAX_FRAME_BYTES == 64 * 1024 * 1024


def test_encode_frame_prefixes_the_big_endian_body_length() -> None:
    frame = encode_frame({"id": 1, "action": "health"})
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4
    assert orjson.loads(frame[4:]) == {"id": 1, "action": "health"}


async def test_round_trip_of_numpy_arrays_writes_nan_and_inf_as_null() -> None:
    message = {
        "id": "a",
        "close": np.array([1.5, np.nan, 3.0, np.inf]),
        "volume": np.array([[1, 2], [3, 4]], dtype=np.int32),
        "every_other": np.arange(6.0)[::2],  # not C-contiguous: goes through the fallback
        "big_endian": np.array([2.5], dtype=">f8"),
        "scalar": np.float32(0.5),
        "plain_nan": math.nan,
        3: "non-string key",
    }
    decoded = await roundtrip(message)
    assert decoded == {
        "id": "a",
        "close": [1.5, None, 3.0, None],
        "volume": [[1, 2], [3, 4]],
        "every_other": [0.0, 2.0, 4.0],
        "big_endian": [2.5],
        "scalar": 0.5,
        "plain_nan": None,
        "3": "non-string key",
    }


def test_encode_frame_refuses_values_without_a_json_form() -> None:
    with pytest.raises(TypeError):
        encode_frame({"id": 1, "value": object()})


_json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=5),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=10), _json_values, max_size=8))
async def test_any_json_object_survives_a_round_trip(message: dict[str, Any]) -> None:
    assert await roundtrip(message) == message


async def test_several_frames_on_one_stream_are_read_in_order() -> None:
    reader = reader_with(encode_frame({"id": 1}) + encode_frame({"id": 2}))
    assert await read_frame(reader, max_bytes=100) == {"id": 1}
    assert await read_frame(reader, max_bytes=100) == {"id": 2}
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await read_frame(reader, max_bytes=100)
    assert info.value.partial == b""


async def test_oversize_frame_is_refused_from_its_header_without_reading_the_body() -> None:
    # Only the header is available and the stream stays open: reading the body would hang.
    reader = reader_with(struct.pack(">I", 10_000_001) + b"{", eof=False)
    async with asyncio.timeout(1):
        with pytest.raises(FrameTooLarge) as info:
            await read_frame(reader, max_bytes=10_000_000)
    assert (info.value.size, info.value.limit) == (10_000_001, 10_000_000)
    assert "10000001" in str(info.value) and "10000000" in str(info.value)
    assert isinstance(info.value, ProtocolError)
    assert await reader.read(1) == b"{"  # the body is still unread


async def test_frame_of_exactly_the_limit_is_accepted() -> None:
    frame = encode_frame({"pad": "x" * 50})
    limit = len(frame) - 4
    assert await read_frame(reader_with(frame), max_bytes=limit) == {"pad": "x" * 50}
    with pytest.raises(FrameTooLarge):
        await read_frame(reader_with(frame), max_bytes=limit - 1)


@pytest.mark.parametrize("data", [b"\x00\x00", struct.pack(">I", 10) + b'{"id":'],
                         ids=["truncated-header", "truncated-body"])
async def test_truncated_frame_raises_incomplete_read(data: bytes) -> None:
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await read_frame(reader_with(data), max_bytes=1000)
    assert info.value.partial != b""


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"not json", "not valid"), (b"[1, 2]", "an array"), (b'"text"', "a string"),
     (b"\xff\xfe{}", "not valid"), (b"", "not valid")],
    ids=["garbage", "array", "string", "bad-utf8", "empty"],
)
async def test_body_that_is_not_a_json_object_raises_protocol_error(body: bytes,
                                                                    words: str) -> None:
    with pytest.raises(ProtocolError, match=words) as info:
        await read_frame(reader_with(struct.pack(">I", len(body)) + body), max_bytes=1000)
    assert not isinstance(info.value, FrameTooLarge)
    assert info.value.code == "bad_request"


def test_ok_reply_and_error_reply_have_the_protocol_shape() -> None:
    assert ok_reply(7, {"values": [1]}) == {"id": 7, "status": "ok", "values": [1]}
    assert error_reply("x", NotFound("no such symbol ABC")) == {
        "id": "x", "status": "error",
        "error": {"code": "not_found", "message": "no such symbol ABC"},
    }
    assert error_reply(None, BadRequest("bad"))["id"] is None


@pytest.mark.parametrize("key", ["id", "status"])
def test_ok_reply_refuses_a_result_that_would_overwrite_a_protocol_key(key: str) -> None:
    with pytest.raises(ValueError, match=key):
        ok_reply(1, {key: "degraded"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unix:/run/chitti/compute.sock", Endpoint("unix", path="/run/chitti/compute.sock")),
        ("/run/chitti/compute.sock", Endpoint("unix", path="/run/chitti/compute.sock")),
        ("tcp:127.0.0.1:6004", Endpoint("tcp", host="127.0.0.1", port=6004)),
        ("compute.internal:6004", Endpoint("tcp", host="compute.internal", port=6004)),
        ("tcp:[::1]:6004", Endpoint("tcp", host="::1", port=6004)),
        ("  localhost:0 ", Endpoint("tcp", host="localhost", port=0)),
    ],
)
def test_parse_endpoint_accepts_the_documented_forms(text: str, expected: Endpoint) -> None:
    endpoint = parse_endpoint(text)
    assert endpoint == expected
    assert parse_endpoint(str(endpoint)) == endpoint


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "expected"),
        ("localhost", "expected"),
        ("tcp:localhost:http", "port"),
        ("tcp:localhost:70000", "port"),
        ("tcp::6004", "expected"),
        ("::1:6004", "brackets"),
        ("unix:run/compute.sock", "absolute"),
        ("unix:/" + "d" * 120 + "/compute.sock", "longer than"),
    ],
)
def test_parse_endpoint_refuses_malformed_text_with_a_clear_message(text: str,
                                                                    words: str) -> None:
    with pytest.raises(InvalidEndpoint, match=words) as info:
        parse_endpoint(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, BadRequest)
