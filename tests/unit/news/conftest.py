"""Fixtures of the news unit tests: the local feed server (see tests/feed_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.feed_server import FeedServer, serve_feeds


@pytest.fixture(scope="module")
def feed_server() -> Iterator[FeedServer]:
    """Serve ``tests/fixtures/rss`` and the failure modes on a local port for one module."""
    with serve_feeds() as server:
        yield server
