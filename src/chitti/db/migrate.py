"""Apply the numbered SQL migrations in order, once each, recorded in public.schema_migrations.

Safe to run from several processes at once (an advisory lock serialises them) and at every
start-up (applied files are skipped). A migration file edited after it was applied is refused:
its recorded checksum no longer matches, and silently diverging schemas are worse than a stop.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib import resources

import psycopg
from psycopg import sql

from chitti.config import DB_ROLES
from chitti.errors import Internal

log = logging.getLogger(__name__)

_ADVISORY_LOCK_KEY = 0x43686974  # "Chit": one migrator at a time per database
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql_text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql_text.encode()).hexdigest()


def load_migrations() -> list[Migration]:
    """Read the packaged migration files, sorted by version (gaps or duplicates refused)."""
    found: list[Migration] = []
    for entry in resources.files("chitti.db.migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise Internal(f"migration versions must be 1..N without gaps, found {versions}")
    return found


def apply_migrations(admin_url: str, *, role_password: str | None = None) -> list[str]:
    """Apply pending migrations; return the names of those applied now."""
    applied_now: list[str] = []
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_KEY,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done: dict[int, str] = dict(
                conn.execute("SELECT version, checksum FROM public.schema_migrations").fetchall())
            for migration in load_migrations():
                recorded = done.get(migration.version)
                if recorded is not None:
                    if recorded != migration.checksum:
                        raise Internal(
                            f"migration {migration.version:04d}_{migration.name} changed after "
                            "it was applied; add a new migration instead of editing it"
                        )
                    continue
                with conn.transaction():
                    conn.execute(migration.sql_text.encode())
                    conn.execute(
                        "INSERT INTO public.schema_migrations (version, name, checksum)"
                        " VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
                applied_now.append(f"{migration.version:04d}_{migration.name}")
                log.info("applied migration %04d_%s", migration.version, migration.name)
            if role_password:
                for role in DB_ROLES.values():
                    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(role_password)))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_KEY,))
    return applied_now
