"""The running system shared by the end-to-end tests (one per test session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.e2e.harness import System, free_port


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    base = tmp_path_factory.mktemp("system")
    running = System(base / "var", free_port(), base / "system.log")
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.stop()
