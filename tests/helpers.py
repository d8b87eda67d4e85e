"""Helpers shared by the tests (fixtures live in conftest.py files)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT / "data" / "demo"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@contextmanager
def private_tmp_dir(prefix: str) -> Iterator[Path]:
    """A temporary directory outside pytest's basetemp, removed afterwards.

    Database data directories must not live under pytest's basetemp: a concurrent pytest
    session prunes old basetemp directories, and would delete a live server's files.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def shared_data_or_skip(*parts: str) -> Path:
    """A path under ../shared/data, or skip: a user's clone has no ../shared."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/data is only in the developers' checkout)")
    return path
