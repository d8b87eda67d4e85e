"""Frames, replies and endpoints of the IPC protocol between the gateway and the services.

A frame is a 4-byte big-endian unsigned length followed by that many bytes of UTF-8 JSON
holding one object (ARCHITECTURE.md, "IPC protocol"). The length is checked against a limit
*before* the body is read, so neither a peer nor garbage on the wire can make a process
allocate more than the limit.
"""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Literal

import orjson
from pydantic import BaseModel

from chitti.errors import BadRequest, ChittiError

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "HEADER_BYTES",
    "Endpoint",
    "EndpointLike",
    "FrameTooLarge",
    "InvalidEndpoint",
    "ProtocolError",
    "RequestId",
    "as_endpoint",
    "encode_frame",
    "error_reply",
    "ok_reply",
    "parse_endpoint",
    "read_frame",
]

DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024
HEADER_BYTES = 4
_HEADER = struct.Struct(">I")
_MAX_ENCODABLE = 2**32 - 1
_DUMPS_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
#: Linux ``sun_path`` holds 108 bytes including the terminating NUL.
_MAX_UNIX_PATH_BYTES = 107
_ENDPOINT_FORMS = "'unix:/abs/path.sock', '/abs/path.sock', 'tcp:host:port' or 'host:port'"

RequestId = int | str
#: Keys of a reply that belong to the protocol; a result must not contain them.
RESERVED_REPLY_KEYS = frozenset({"id", "status"})


class ProtocolError(BadRequest):
    """The peer sent bytes that are not a valid frame (answered with ``bad_request``)."""


class FrameTooLarge(ProtocolError):
    """A frame announced more bytes than the limit; its body was not read.

    The stream cannot be trusted afterwards (the length may be garbage), so the reader closes
    the connection.
    """

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"frame of {size} bytes exceeds the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class InvalidEndpoint(BadRequest, ValueError):
    """An endpoint string is malformed; the message shows the accepted forms."""


def _fallback(obj: Any) -> Any:
    # orjson calls this for types it does not know; keep it to lossless, obvious conversions.
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="python", by_alias=True)
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, set | frozenset):
        return list(obj)
    if isinstance(obj, PurePath):
        return str(obj)
    tolist = getattr(obj, "tolist", None)  # NumPy arrays orjson refuses (non-contiguous, ...)
    if callable(tolist):
        return tolist()
    raise TypeError(f"cannot encode a {type(obj).__name__} as JSON")


def _plain(obj: Any) -> Any:
    # Slow path: orjson raises (instead of calling the fallback) for some arrays, e.g. those
    # that are not native-endian; convert every array to lists before trying again.
    if isinstance(obj, dict):
        return {key: _plain(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(value) for value in obj]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):
        return obj.tolist()
    return obj


def encode_frame(message: Mapping[str, Any]) -> bytes:
    """Return ``message`` as one frame: 4-byte big-endian length, then JSON.

    NumPy arrays and scalars are written as JSON arrays and numbers; NaN and infinities become
    ``null`` (JSON has no NaN), which is how the project spells "undefined". Raises
    ``TypeError`` for values that have no JSON form.
    """
    try:
        body = orjson.dumps(message, default=_fallback, option=_DUMPS_OPTIONS)
    except orjson.JSONEncodeError as exc:
        if "endian" not in str(exc):
            raise
        body = orjson.dumps(_plain(message), default=_fallback, option=_DUMPS_OPTIONS)
    if len(body) > _MAX_ENCODABLE:
        raise ProtocolError(f"message of {len(body)} bytes cannot be framed (max 4 GiB)")
    return _HEADER.pack(len(body)) + body


_JSON_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number",
                    bool: "a boolean", type(None): "null"}


def decode_body(body: bytes) -> dict[str, Any]:
    """Parse a frame body, which must be a UTF-8 JSON object."""
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(f"frame body is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(message, dict):
        kind = _JSON_TYPE_NAMES.get(type(message), type(message).__name__)
        raise ProtocolError(f"frame body must be a JSON object, got {kind}")
    return message


async def read_frame(reader: asyncio.StreamReader, *, max_bytes: int) -> dict[str, Any]:
    """Read one frame and return its JSON object.

    Raises ``FrameTooLarge`` as soon as the header announces more than ``max_bytes`` (the
    body is left unread), ``ProtocolError`` for a body that is not a JSON object, and
    ``asyncio.IncompleteReadError`` when the peer closes mid-frame or between frames
    (``partial == b""`` for a clean close).
    """
    header = await reader.readexactly(HEADER_BYTES)
    (length,) = _HEADER.unpack(header)
    if length > max_bytes:
        raise FrameTooLarge(length, max_bytes)
    return decode_body(await reader.readexactly(length))


def ok_reply(request_id: RequestId | None, result: Mapping[str, Any]) -> dict[str, Any]:
    """Build ``{"id", "status": "ok", **result}``.

    Raises ``ValueError`` when ``result`` uses a protocol key, rather than letting it silently
    overwrite the id or status.
    """
    clash = RESERVED_REPLY_KEYS.intersection(result)
    if clash:
        raise ValueError(f"a reply result must not contain the protocol keys {sorted(clash)}")
    return {"id": request_id, "status": "ok", **result}


def error_reply(request_id: RequestId | None, error: ChittiError) -> dict[str, Any]:
    """Build the error frame for ``error``; ``request_id`` is None when the id is unknown."""
    return {"id": request_id, "status": "error", "error": error.to_dict()}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a service listens: a Unix socket ``path`` or a TCP ``host`` and ``port``."""

    kind: Literal["unix", "tcp"]
    path: str | None = None
    host: str | None = None
    port: int | None = None

    @classmethod
    def unix(cls, path: str | os.PathLike[str]) -> Endpoint:
        return cls("unix", path=os.fspath(path))

    @classmethod
    def tcp(cls, host: str, port: int) -> Endpoint:
        return cls("tcp", host=host, port=port)

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.path}"
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"tcp:{host}:{self.port}"


def _unix_endpoint(path: str, text: str) -> Endpoint:
    if not path.startswith("/"):
        raise InvalidEndpoint(
            f"endpoint {text!r}: a Unix socket path must be absolute (a relative one would "
            f"depend on each process's working directory); expected {_ENDPOINT_FORMS}"
        )
    size = len(os.fsencode(path))
    if size > _MAX_UNIX_PATH_BYTES:
        raise InvalidEndpoint(
            f"endpoint {text!r}: socket path is {size} bytes, longer than the "
            f"{_MAX_UNIX_PATH_BYTES} a Unix socket allows; use a shorter run directory"
        )
    return Endpoint.unix(path)


def _tcp_endpoint(rest: str, text: str) -> Endpoint:
    host, sep, port_text = rest.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise InvalidEndpoint(f"endpoint {text!r}: write an IPv6 host in brackets, "
                              "e.g. 'tcp:[::1]:6002'")
    if not sep or not host or any(ch.isspace() for ch in host):
        raise InvalidEndpoint(f"endpoint {text!r} is not valid; expected {_ENDPOINT_FORMS}")
    if not port_text.isascii() or not port_text.isdigit() or int(port_text) > 65535:
        raise InvalidEndpoint(
            f"endpoint {text!r}: port {port_text!r} is not a number between 0 and 65535"
        )
    return Endpoint.tcp(host, int(port_text))


def parse_endpoint(text: str) -> Endpoint:
    """Parse ``unix:/abs/path.sock``, ``/abs/path.sock``, ``tcp:host:port`` or ``host:port``.

    Raises ``InvalidEndpoint`` (a ``ValueError`` and a ``BadRequest``) naming the accepted
    forms. Port 0 is accepted so a server can ask for a free port.
    """
    stripped = text.strip()
    if stripped.startswith("unix:"):
        return _unix_endpoint(stripped[len("unix:"):], text)
    if stripped.startswith("/"):
        return _unix_endpoint(stripped, text)
    if stripped.startswith("tcp:"):
        return _tcp_endpoint(stripped[len("tcp:"):], text)
    return _tcp_endpoint(stripped, text)


EndpointLike = Endpoint | str | os.PathLike[str]


def as_endpoint(value: EndpointLike) -> Endpoint:
    """Return ``value`` as an :class:`Endpoint`: strings are parsed, paths are Unix sockets."""
    if isinstance(value, Endpoint):
        return value
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        return _unix_endpoint(path, path)
    return parse_endpoint(value)
