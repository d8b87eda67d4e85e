"""The first start creates one admin with a random password, shown once and stored only as
an argon2 hash; later starts create nobody and show nothing."""

from __future__ import annotations

import re

import psycopg
import pytest

from chitti.cli import announce_access
from chitti.config import Settings
from chitti.gateway.auth import verify_password


def test_the_first_start_shows_a_random_admin_password_once(
        clean_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(auth="on", admin_password=None)
    announce_access(clean_db, settings)
    shown = re.search(r"password\n\n\s+(\S+)\n", capsys.readouterr().out)
    assert shown is not None
    password = shown.group(1)
    with psycopg.connect(clean_db) as conn:
        rows = conn.execute("SELECT name, role, password_hash FROM auth.users").fetchall()
    assert [(name, role) for name, role, _ in rows] == [("admin", "admin")]
    stored = rows[0][2]
    assert password not in stored and verify_password(stored, password)
    assert len(password) >= 20

    announce_access(clean_db, settings)  # the second start
    assert "password" not in capsys.readouterr().out
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("SELECT count(*) FROM auth.users").fetchone() == (1,)


def test_single_user_mode_creates_no_password(clean_db: str) -> None:
    announce_access(clean_db, Settings(auth="off"))
    with psycopg.connect(clean_db) as conn:
        assert conn.execute("SELECT count(*) FROM auth.users").fetchone() == (0,)
