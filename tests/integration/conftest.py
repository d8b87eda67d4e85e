"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import truncate_all
from tests.helpers import DEMO_DIR

from chitti.marketdata.load import load_demo


@pytest.fixture(scope="module")
def demo_db(db_url: str) -> Iterator[str]:
    """The real PostgreSQL holding exactly the shipped demo data, for one test module."""
    truncate_all(db_url)
    assert load_demo(db_url, DEMO_DIR) == ["daily bars", "corporate actions", "5-minute bars"]
    yield db_url
    truncate_all(db_url)
