"""The running system shared by the end-to-end tests (one per test session)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tests.e2e.harness import System, free_port
from tests.helpers import private_tmp_dir


@contextmanager
def running_system(prefix: str) -> Iterator[System]:
    with private_tmp_dir(prefix) as base:
        running = System(base / "var", free_port(), base / "system.log")
        running.start()
        yield running
        if running.process and running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="session")
def system() -> Iterator[System]:
    with running_system("chitti-e2e-") as running:
        yield running


@pytest.fixture(scope="module")
def own_system() -> Iterator[System]:
    """A system of its own, for a test that may change or delete anything (the fuzzer)."""
    with running_system("chitti-e2e-own-") as running:
        yield running
