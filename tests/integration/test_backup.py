"""`chitti backup` / `chitti restore` as real processes against a real PostgreSQL.

The oracle is the database itself: every user table read as text (each row ``t::text``,
sorted), every sequence's position and every table's privileges, taken before the backup
and compared with what the restore brings back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from chitti.config import role_database_url
from chitti.db import backup as backup_module
from chitti.db.embedded import ensure_database, with_database
from chitti.db.migrate import apply_migrations, load_migrations
from chitti.errors import Unavailable

#: Migrations an "older" archive stops at (auth and later come with `chitti migrate`).
OLD_SCHEMA = 9


def chitti(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHITTI_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "chitti.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def snapshot(url: str) -> dict[str, object]:
    """Every table's rows as sorted text, every sequence's state, every table's ACL."""
    state: dict[str, object] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall()
        for schema, table in tables:
            name = sql.Identifier(schema, table)
            state[f"{schema}.{table}"] = [row[0] for row in conn.execute(
                sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(name))]
            state[f"acl {schema}.{table}"] = conn.execute(
                "SELECT relacl::text FROM pg_class WHERE oid = %s::regclass",
                (f"{schema}.{table}",)).fetchone()
        for schema, seq in conn.execute(
                "SELECT sequence_schema, sequence_name FROM information_schema.sequences"
        ).fetchall():
            state[f"seq {schema}.{seq}"] = conn.execute(sql.SQL(
                "SELECT last_value, is_called FROM {}").format(sql.Identifier(schema, seq))
            ).fetchone()
    return state


def fill(url: str, *, tag: str) -> None:
    """Rows in md, news, signals, ml and auth (the last only when migrated that far)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO md.symbols (symbol, name, aliases) VALUES"
                     " ('TCS', 'Tata Consultancy Services', '{TCS.NS}'),"
                     " ('INFY', 'Infosys', '{}')")
        with conn.cursor().copy("COPY md.eod_prices (symbol, ts, open, high, low, close,"
                                " volume) FROM STDIN") as copy:
            for day in range(150):
                price = 100.0 + day * 0.37
                for symbol in ("TCS", "INFY"):
                    copy.write_row((symbol, f"2021-{1 + day // 28:02d}-{1 + day % 28:02d}",
                                    price, price + 2, price - 1.5, price + 0.25, 1000 + day))
        feed = conn.execute("INSERT INTO news.feeds (url, title) VALUES (%s, 'test feed')"
                            " RETURNING id", (f"https://example.com/{tag}.xml",)).fetchone()
        for n in range(3):
            article = conn.execute(
                "INSERT INTO news.articles (link_hash, feed_id, title, summary, publishers,"
                " published_at) VALUES (%s, %s, %s, 'TCS wins a deal', '{Mint}',"
                " '2021-03-04T10:00:00+05:30') RETURNING id",
                (f"{tag}-{n}", feed[0] if feed else None, f"Headline {n} ({tag})")).fetchone()
            conn.execute("INSERT INTO news.sentiments (article_id, model, score, label,"
                         " confidence, direction) VALUES (%s, 'linear', 0.5, 'positive',"
                         " 0.8, 'bullish')", (article[0] if article else None,))
        conn.execute("INSERT INTO signals.alerts (ts, symbol, kind, direction, impact,"
                     " confidence, explanation, sources) VALUES"
                     " ('2021-03-04T10:00:00+05:30', 'TCS', 'news', 'bullish', 0.6, 0.7,"
                     " %s, '{\"articles\": [1]}')", (f"alert {tag}",))
        conn.execute("INSERT INTO ml.models (name, version, kind, artifact) VALUES"
                     " (%s, '1', 'lightgbm', '\\x00ff10'::bytea)", (f"model_{tag}",))
        if conn.execute("SELECT to_regclass('auth.users')").fetchone() != (None,):
            conn.execute("INSERT INTO auth.users (name, password_hash, role) VALUES"
                         " (%s, '$argon2id$not-a-real-hash', 'admin')", (f"admin_{tag}",))


@pytest.fixture
def database(pg_server_url: str) -> Iterator[str]:
    """A database of its own (a restore renames and drops databases), migrated and filled."""
    name = f"chitti_bk_{uuid.uuid4().hex[:8]}"
    url = ensure_database(pg_server_url, name)
    apply_migrations(url)
    fill(url, tag="a")
    yield url
    drop(pg_server_url, name)


def drop(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def test_restore_brings_back_every_table_as_it_was_at_backup(
        database: str, tmp_path: Path) -> None:
    before = snapshot(database)
    archive = tmp_path / "chitti.dump"
    done = chitti(database, "backup", str(archive))
    assert done.returncode == 0, done.stderr
    assert archive.stat().st_mode & 0o077 == 0  # holds password hashes: owner only

    # Change, delete, add and drop after the backup.
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("UPDATE md.eod_prices SET close = close * 2 WHERE symbol = 'TCS'")
        conn.execute("DELETE FROM news.articles WHERE link_hash = 'a-1'")
        conn.execute("DELETE FROM auth.users")
        conn.execute("DROP TABLE ml.predictions")
        conn.execute("INSERT INTO md.symbols (symbol, name) VALUES ('WIPRO', 'Wipro')")
        conn.execute("INSERT INTO auth.users (name, role) VALUES ('intruder', 'admin')")
        conn.execute("SELECT nextval('signals.alerts_id_seq')")
    changed = snapshot(database)
    assert changed != before

    # A database with data is not replaced without --force, and is left as it is.
    refused = chitti(database, "restore", str(archive))
    assert refused.returncode == 2
    assert "--force" in refused.stderr and "holds data" in refused.stderr
    assert snapshot(database) == changed

    held = psycopg.connect(database, autocommit=True)  # as a running service would hold one
    done = chitti(database, "restore", str(archive), "--force")
    assert done.returncode == 0, done.stderr
    assert "schema is current" in done.stdout
    assert snapshot(database) == before
    with pytest.raises(psycopg.OperationalError):  # closed: it pointed at the old database
        held.execute("SELECT 1")
    held.close()
    if not os.environ.get("CHITTI_TEST_DATABASE_URL"):  # trust auth on the embedded server
        with psycopg.connect(role_database_url(database, "chitti_news", None)) as conn:
            assert conn.execute("SELECT count(*) FROM news.articles").fetchone() == (3,)


def test_backup_never_replaces_an_archive_without_force(database: str, tmp_path: Path) -> None:
    archive = tmp_path / "kept.dump"
    archive.write_bytes(b"an earlier backup")
    refused = chitti(database, "backup", str(archive))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert archive.read_bytes() == b"an earlier backup"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.dump"]  # no partial file left
    done = chitti(database, "backup", str(archive), "--force")
    assert done.returncode == 0, done.stderr
    assert archive.read_bytes().startswith(b"PGDMP")  # pg_dump's custom-format magic


@pytest.mark.parametrize("content", [None, b"not an archive\n"], ids=["missing", "garbage"])
def test_restore_of_a_missing_or_unreadable_archive_changes_nothing(
        database: str, tmp_path: Path, content: bytes | None) -> None:
    archive = tmp_path / "backup.dump"
    if content is not None:
        archive.write_bytes(content)
    before = snapshot(database)
    done = chitti(database, "restore", str(archive), "--force")
    assert done.returncode == 2
    assert "backup.dump" in done.stderr
    assert ("no such file" if content is None else "cannot be read") in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(database) == before


def test_an_older_archive_restores_then_migrates(
        pg_server_url: str, database: str, tmp_path: Path) -> None:
    # A database as an older release left it: the first OLD_SCHEMA migrations only.
    name = f"chitti_bk_old_{uuid.uuid4().hex[:8]}"
    old_url = ensure_database(pg_server_url, name)
    try:
        with psycopg.connect(old_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE public.schema_migrations (version integer PRIMARY KEY,"
                         " name text NOT NULL, checksum text NOT NULL,"
                         " applied_at timestamptz NOT NULL DEFAULT now())")
            for migration in load_migrations()[:OLD_SCHEMA]:
                conn.execute(migration.sql_text.encode())
                conn.execute("INSERT INTO public.schema_migrations (version, name, checksum)"
                             " VALUES (%s, %s, %s)",
                             (migration.version, migration.name, migration.checksum))
        fill(old_url, tag="old")
        old = snapshot(old_url)
        archive = tmp_path / "old.dump"
        assert chitti(old_url, "backup", str(archive)).returncode == 0
    finally:
        drop(pg_server_url, name)

    done = chitti(database, "restore", str(archive), "--force")
    assert done.returncode == 0, done.stderr
    assert f"migration {OLD_SCHEMA}" in done.stdout and "chitti migrate" in done.stdout
    assert snapshot(database) == old

    migrated = chitti(database, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    newer = [f"{m.version:04d}_{m.name}" for m in load_migrations()[OLD_SCHEMA:]]
    assert migrated.stdout.strip() == "applied: " + ", ".join(newer)
    after = snapshot(database)
    # Tables no later migration altered hold what the old database held.
    for table in ("md.eod_prices", "md.symbols", "news.articles", "news.sentiments",
                  "signals.alerts"):
        assert after[table] == old[table], table
    assert after["auth.users"] == []


def test_restore_into_a_database_that_does_not_exist_yet(
        pg_server_url: str, database: str, tmp_path: Path) -> None:
    archive = tmp_path / "chitti.dump"
    assert chitti(database, "backup", str(archive)).returncode == 0
    name = f"chitti_bk_new_{uuid.uuid4().hex[:8]}"
    target = with_database(database, name)
    try:
        done = chitti(target, "restore", str(archive))  # nothing there: no --force needed
        assert done.returncode == 0, done.stderr
        assert snapshot(target) == snapshot(database)
    finally:
        drop(pg_server_url, name)


def test_pg_dump_older_than_the_server_is_refused_naming_the_fix(
        database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with psycopg.connect(database) as conn:
        server_major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    installed = backup_module.find_pg_tools()
    assert any(tools.major >= server_major for tools in installed)  # the real ones work
    # The machine as if only older client tools were installed (the outside world).
    monkeypatch.setattr(backup_module, "find_pg_tools",
                        lambda: [t for t in installed if t.major < server_major])
    archive = tmp_path / "x.dump"
    with pytest.raises(Unavailable, match=rf"older than the server \(PostgreSQL "
                                          rf"{server_major}\).*postgresql-client-{server_major}"):
        backup_module.backup(database, archive)
    monkeypatch.setattr(backup_module, "find_pg_tools", lambda: [])
    with pytest.raises(Unavailable, match="pg_dump not found"):
        backup_module.backup(database, archive)
    assert list(tmp_path.iterdir()) == []


def test_tool_choice_follows_the_version_rules() -> None:
    # pg_dump/pg_restore must be at least the server's (or the archive's) version; among
    # those, the server's own major, else the oldest newer one.
    found = [backup_module.PgTools(Path(f"/pg{n}"), n) for n in (15, 16, 18)]
    choose = backup_module.choose_tools
    assert choose(found, at_least=15, prefer=15).major == 15
    assert choose(found, at_least=17, prefer=17).major == 18
    assert choose(found, at_least=18, prefer=15).major == 18
    assert choose(found, at_least=16, prefer=15).major == 16
    assert choose(found, at_least=19, prefer=19) is None
    for tools in backup_module.find_pg_tools():  # each found directory is what it claims
        out = subprocess.run([str(tools.pg_restore), "--version"], capture_output=True,
                             text=True, check=True).stdout
        assert f"(PostgreSQL) {tools.major}." in out


def test_the_password_never_reaches_the_command_line() -> None:
    conninfo, password = backup_module.split_password(
        "postgresql://admin:s3cr%40t@db.example:5433/chitti?sslmode=require")
    assert password == "s3cr@t"
    command = backup_module.dump_command(backup_module.PgTools(Path("/pg"), 15), conninfo,
                                         Path("/tmp/x.dump"))
    assert not any("s3cr" in part for part in command)
    assert psycopg.conninfo.conninfo_to_dict(conninfo) == {
        "user": "admin", "host": "db.example", "port": "5433", "dbname": "chitti",
        "sslmode": "require"}
