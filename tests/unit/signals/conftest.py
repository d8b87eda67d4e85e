"""Fixtures of the signals tests: real NSE bars from data/demo (never ../shared)."""

from __future__ import annotations

import pytest
from tests.unit.signals.data import load_symbol

from chitti.compute.backtest import Bars


@pytest.fixture(scope="session")
def reliance() -> Bars:
    return load_symbol("RELIANCE")


@pytest.fixture(scope="session")
def infy() -> Bars:
    return load_symbol("INFY")
