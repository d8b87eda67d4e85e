"""Mutual authentication of an IPC connection with a shared secret (``CHITTI_IPC_SECRET``).

Services that listen on TCP beyond loopback must not obey whoever connects. When a secret is
configured, every new connection starts with a challenge-response in which each side proves
it knows the secret without sending it, and a recorded exchange cannot be replayed (each side
picks a fresh nonce):

1. service → ``{"id": null, "status": "challenge", "nonce": Ns}``
2. client  → ``{"id": 0, "action": "auth", "nonce": Nc, "mac": HMAC(k, "client|Ns|Nc")}``
3. service → ``{"id": 0, "status": "ok", "mac": HMAC(k, "service|Nc|Ns")}``, or an error
   frame and the connection is closed.

HMAC-SHA256; the key is the secret's UTF-8 bytes. The traffic itself is not encrypted: run
it on a private network or a VPN (WireGuard), or behind TLS termination, when the network
between hosts is not trusted (README, "Several hosts").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from typing import Any

from chitti.errors import Unavailable
from chitti.ipc.protocol import ProtocolError, encode_frame, error_reply, read_frame

__all__ = ["HANDSHAKE_TIMEOUT_S", "AuthFailed", "authenticate_client", "authenticate_peer"]

#: Longest wait for the other side's handshake frame.
HANDSHAKE_TIMEOUT_S = 5.0
_NONCE_BYTES = 32
_MAX_HANDSHAKE_FRAME_BYTES = 4096


class AuthFailed(OSError):
    """The handshake failed (an ``OSError``, so the client treats it as a refused endpoint)."""


def _mac(secret: bytes, role: str, first: str, second: str) -> str:
    return hmac.new(secret, f"{role}|{first}|{second}".encode(), hashlib.sha256).hexdigest()


async def _read(reader: asyncio.StreamReader) -> dict[str, Any]:
    async with asyncio.timeout(HANDSHAKE_TIMEOUT_S):
        return await read_frame(reader, max_bytes=_MAX_HANDSHAKE_FRAME_BYTES)


async def authenticate_peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            secret: bytes) -> bool:
    """Service side: challenge a new connection; True when the peer proved the secret.

    On failure the peer gets an ``unavailable`` error frame saying what to configure (a
    gateway without the secret is a deployment mistake, not a user's), and the caller closes.
    """
    nonce = secrets.token_hex(_NONCE_BYTES)
    writer.write(encode_frame({"id": None, "status": "challenge", "nonce": nonce}))
    await writer.drain()
    try:
        answer = await _read(reader)
    except (TimeoutError, ProtocolError, asyncio.IncompleteReadError, ConnectionError):
        return False
    peer_nonce, mac = answer.get("nonce"), answer.get("mac")
    valid = (answer.get("action") == "auth" and isinstance(peer_nonce, str)
             and isinstance(mac, str) and 0 < len(peer_nonce) <= 2 * _NONCE_BYTES
             and hmac.compare_digest(mac, _mac(secret, "client", nonce, peer_nonce)))
    request_id = answer.get("id") if isinstance(answer.get("id"), int | str) else None
    if not valid:
        writer.write(encode_frame(error_reply(request_id, Unavailable(
            "this service accepts only authenticated IPC: give the caller the same "
            "CHITTI_IPC_SECRET as the service"))))
        await writer.drain()
        return False
    assert isinstance(peer_nonce, str)
    writer.write(encode_frame({"id": request_id, "status": "ok",
                               "mac": _mac(secret, "service", peer_nonce, nonce)}))
    await writer.drain()
    return True


async def authenticate_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                              secret: bytes) -> None:
    """Client side: answer the service's challenge and check its proof in return.

    Raises :class:`AuthFailed` naming what to fix: no challenge (the service has no secret),
    a refused proof (a different secret) or a wrong proof from the service (an impostor).
    """
    try:
        challenge = await _read(reader)
    except TimeoutError:
        raise AuthFailed("the service did not ask for authentication: set the same "
                         "CHITTI_IPC_SECRET on the service") from None
    except (ProtocolError, asyncio.IncompleteReadError) as exc:
        raise AuthFailed(f"the service closed or garbled the handshake ({exc})") from None
    nonce = challenge.get("nonce")
    if challenge.get("status") != "challenge" or not isinstance(nonce, str):
        raise AuthFailed("the service did not ask for authentication: set the same "
                         "CHITTI_IPC_SECRET on the service")
    own = secrets.token_hex(_NONCE_BYTES)
    writer.write(encode_frame({"id": 0, "action": "auth", "nonce": own,
                               "mac": _mac(secret, "client", nonce, own)}))
    await writer.drain()
    try:
        reply = await _read(reader)
    except (TimeoutError, ProtocolError, asyncio.IncompleteReadError) as exc:
        raise AuthFailed(f"no answer to the handshake ({exc!r})") from None
    if reply.get("status") != "ok":
        raise AuthFailed("the service refused our CHITTI_IPC_SECRET: give both sides the "
                         "same secret")
    mac = reply.get("mac")
    if not isinstance(mac, str) or not hmac.compare_digest(
            mac, _mac(secret, "service", own, nonce)):
        raise AuthFailed("the service could not prove it knows CHITTI_IPC_SECRET; is this "
                         "endpoint really ours?")
