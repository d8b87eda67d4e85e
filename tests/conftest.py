"""Fixtures shared by every test: a real PostgreSQL server, started once per test session.

With ``CHITTI_TEST_DATABASE_URL`` set, tests use that server (a scratch database is created
on it). Otherwise they start the same embedded server ``chitti up`` uses, in a temporary
directory, so ``make test`` needs nothing installed by hand.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from tests.helpers import private_tmp_dir

from chitti.db.embedded import ensure_database, start_embedded
from chitti.db.migrate import apply_migrations

#: Tables emptied between integration tests (children first).
DATA_TABLES = (
    "news.sentiments", "news.entities", "news.article_links", "news.articles", "news.feeds",
    "signals.alerts", "signals.patterns", "signals.rules", "signals.backtests",
    "ml.predictions", "ml.features", "ml.models",
    "md.indicators", "md.eod_prices", "md.symbols", "md.corporate_actions",
    "md.symbol_changes", "md.intraday_bars", "md.eod_updates",
    "auth.jobs", "auth.stream_tickets", "auth.refresh_tokens", "auth.sessions",
    "auth.api_keys", "auth.watchlists", "auth.rate_buckets", "auth.users",
)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """Superuser URL of a running PostgreSQL server (no particular database)."""
    configured = os.environ.get("CHITTI_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with private_tmp_dir("chitti-test-pg-") as base:
        backend, url = start_embedded(base / "pgdata")
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
