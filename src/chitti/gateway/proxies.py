"""The client's real address behind a reverse proxy (``CHITTI_TRUSTED_PROXIES``).

Behind nginx every request comes from the proxy's address, so the per-address rate limit
and the access log would see one client. A proxy we trust appends the address it received
the request from to ``X-Forwarded-For``; walking that list from the right and skipping our own
proxies gives the first address nobody of ours vouches for: the client. A request that does
not come from a trusted proxy keeps its socket address, so a client cannot forge its address
by sending the header itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TrustedProxies", "client_address", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(texts: Sequence[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` as networks; ValueError naming a bad entry."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"CHITTI_TRUSTED_PROXIES: {text!r} is not an address or a "
                             "network such as 10.0.0.0/8") from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None,
                   networks: tuple[Network, ...]) -> str:
    """The client's address: ``peer`` unless it is a trusted proxy, else the right-most
    address of ``X-Forwarded-For`` that is not one of ours (a malformed entry stops the
    walk: what lies left of it cannot be trusted)."""
    if not forwarded_for or not _trusted(peer, networks):
        return peer
    address = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        address = hop
        if not _trusted(hop, networks):
            break
    return address


class TrustedProxies:
    """ASGI middleware: replace ``scope["client"]`` by :func:`client_address`."""

    def __init__(self, app: ASGIApp, *, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.networks = networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client:
            forwarded = next((value.decode("latin-1") for name, value in scope["headers"]
                              if name == b"x-forwarded-for"), None)
            address = client_address(client[0], forwarded, self.networks)
            if address != client[0]:
                scope = {**scope, "client": (address, 0)}
        await self.app(scope, receive, send)
