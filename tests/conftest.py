"""Fixtures shared by every test: a real PostgreSQL server, started once per test session.

With ``CHITTI_TEST_DATABASE_URL`` set, tests use that server (a scratch database is created
on it). Otherwise they start the same embedded server ``chitti up`` uses, in a temporary
directory, so ``make test`` needs nothing installed by hand.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from chitti.db.embedded import ensure_database, start_embedded
from chitti.db.migrate import apply_migrations

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT / "data" / "demo"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

#: Tables emptied between integration tests (children first).
DATA_TABLES = (
    "news.sentiments", "news.entities", "news.articles", "news.feeds",
    "signals.alerts", "signals.patterns", "signals.rules", "signals.backtests",
    "ml.predictions", "ml.features", "ml.models",
    "md.indicators", "md.eod_prices", "md.symbols",
)


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Superuser URL of a running PostgreSQL server (no particular database)."""
    configured = os.environ.get("CHITTI_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    backend, url = start_embedded(tmp_path_factory.mktemp("pg") / "pgdata")
    try:
        yield url
    finally:
        backend.stop()


@pytest.fixture(scope="session")
def db_url(pg_server_url: str) -> str:
    """Admin URL of a fresh, fully migrated database for this test session."""
    url = ensure_database(pg_server_url, f"chitti_test_{uuid.uuid4().hex[:8]}")
    apply_migrations(url)
    return url


def truncate_all(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")


@pytest.fixture
def clean_db(db_url: str) -> str:
    """The session database, emptied of data before the test."""
    truncate_all(db_url)
    return db_url


def shared_data_or_skip(*parts: str) -> Path:
    """A path under ../shared/data, or skip: a user's clone has no ../shared."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/data is only in the developers' checkout)")
    return path
