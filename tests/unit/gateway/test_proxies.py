"""The client's address behind trusted proxies (X-Forwarded-For), case by case from the
definition: the peer unless it is ours; else the right-most forwarded address not ours."""

from __future__ import annotations

import pytest

from chitti.gateway.proxies import client_address, parse_networks

OURS = parse_networks(["10.0.0.0/8", "127.0.0.1", "fd00::/8"])


@pytest.mark.parametrize(("peer", "header", "client"), [
    # a direct client: the header is theirs to forge, so it is ignored
    ("203.0.113.7", "1.2.3.4", "203.0.113.7"),
    ("203.0.113.7", None, "203.0.113.7"),
    # one trusted proxy in front
    ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
    # the client forged a left-most entry; our proxy appended what it saw
    ("10.0.0.5", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
    # two of our proxies in a row
    ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),
    # only our own addresses: the left-most one is the closest we know
    ("10.0.0.5", "10.0.0.7, 10.0.0.9", "10.0.0.7"),
    # garbage stops the walk at the last good hop
    ("10.0.0.5", "203.0.113.7, not-an-ip, 10.0.0.9", "10.0.0.9"),
    ("10.0.0.5", "", "10.0.0.5"),
    # IPv6
    ("fd00::1", "2001:db8::7", "2001:db8::7"),
])
def test_client_address(peer: str, header: str | None, client: str) -> None:
    assert client_address(peer, header, OURS) == client


def test_a_bad_network_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="CHITTI_TRUSTED_PROXIES: 'ten.0.0.0/8'"):
        parse_networks(["ten.0.0.0/8"])
