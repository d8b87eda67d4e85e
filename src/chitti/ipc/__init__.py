"""The framed JSON protocol between the gateway and the services (ARCHITECTURE.md, "IPC").

Services build an :class:`IpcServer` and register actions; the gateway calls them through an
:class:`IpcClient`. Both speak the frames of :mod:`chitti.ipc.protocol`.
"""

from chitti.ipc.client import IpcClient, IpcStream
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
from chitti.ipc.server import IpcServer

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "Endpoint",
    "FrameTooLarge",
    "InvalidEndpoint",
    "IpcClient",
    "IpcServer",
    "IpcStream",
    "ProtocolError",
    "encode_frame",
    "error_reply",
    "ok_reply",
    "parse_endpoint",
    "read_frame",
]
