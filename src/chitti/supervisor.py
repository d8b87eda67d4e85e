"""``chitti up``: start PostgreSQL, the three services and the gateway, and keep them running.

Each trading day after the close (``CHITTI_EOD_UPDATE_AT``, 18:30 IST by default; ``off``
disables it) the supervisor runs ``chitti update-eod`` as a child process of its own: a
failure there (no network, NSE down) is logged in one line and retried an hour later, and
never touches the running services.

A child that dies is restarted with back-off (0.2 s, doubling to 10 s; reset after it has
run 30 s), and the log says so. Ctrl-C or SIGTERM stops the children (SIGTERM, then SIGKILL
after a grace period), then the embedded database, and removes the run directory's sockets
and state file, so nothing is left behind. Children also get SIGTERM from the kernel if the
supervisor itself is killed (PR_SET_PDEATHSIG), so a crashed supervisor leaves no orphans.

``CHITTI_<SERVICE>_INSTANCES`` runs several processes of a service, each on its own endpoint
(the gateway spreads calls over them). ``chitti reload [service ...]`` asks the supervisor,
over its control socket (``run/supervisor.sock``), to replace every instance one at a time
without a failed request: the successor takes the instance's endpoint over while the old
process still serves (``chitti <service> --takeover``); once the successor answers ``health``
with its own pid, the old one gets SIGTERM and drains its in-flight requests
(``CHITTI_DRAIN_S``). A successor that does not come up is killed and the old process keeps
serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from chitti import __version__
from chitti.config import DASHBOARD_DIR, SERVICES, ServiceName, Settings
from chitti.db.embedded import EmbeddedBackend
from chitti.errors import BadRequest, ChittiError, Unavailable
from chitti.ipc.client import IpcClient
from chitti.ipc.server import IpcServer
from chitti.marketdata.sessions import IST

log = logging.getLogger("chitti.supervisor")

#: Time a stopping process gets beyond its drain before it is killed.
GRACE_S = 10.0
#: How often the supervisor checks that the embedded PostgreSQL is alive.
DATABASE_CHECK_S = 0.5
#: Longest wait for a reloaded instance to answer health (imports and the DB pool).
RELOAD_START_TIMEOUT_S = 120.0
MAX_BACKOFF_S = 10.0
HEALTHY_AFTER_S = 30.0
#: After an update-eod that could not reach NSE, try again this much later.
EOD_RETRY_S = 3600.0


def next_eod_run(now: datetime, at: str) -> datetime:
    """The next instant at ``at`` ("HH:MM", IST) after ``now`` (an aware datetime)."""
    hour, minute = (int(part) for part in at.split(":"))
    local = now.astimezone(IST)
    run = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


def state_file(settings: Settings) -> Path:
    return settings.run_dir / "supervisor.json"


def control_socket(settings: Settings) -> Path:
    """Where ``chitti reload`` reaches the running supervisor (the private run directory)."""
    return settings.run_dir / "supervisor.sock"


def _die_with_parent() -> None:
    # Linux: deliver SIGTERM to this child when the supervisor dies, even by SIGKILL.
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    """One supervised process: a service instance or the gateway."""

    name: str
    #: The service this process runs; None for the gateway.
    service: ServiceName | None
    #: 1-based instance of a service run several times, else None (it binds every endpoint).
    instance: int | None = None
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    restarts: int = 0
    reloads: int = 0
    backoff_s: float = 0.2

    def argv(self, *, takeover: bool = False) -> list[str]:
        argv = [sys.executable, "-m", "chitti.cli", self.service or "gateway"]
        if self.instance is not None:
            argv += ["--instance", str(self.instance)]
        return [*argv, "--takeover"] if takeover else argv


def plan_children(settings: Settings) -> dict[str, Child]:
    """The processes of ``chitti up``: each service instance, then the gateway."""
    children: dict[str, Child] = {}
    for service in SERVICES:
        count = settings.instances(service)
        for k in range(1, count + 1):
            name = service if k == 1 else f"{service}-{k}"
            children[name] = Child(name, service, k if count > 1 else None)
    children["gateway"] = Child("gateway", None)
    return children


class Supervisor:
    """Starts and watches the processes of ``chitti up``."""

    def __init__(self, settings: Settings, database_url: str,
                 database: EmbeddedBackend | None = None) -> None:
        self.settings = settings
        self.database_url = database_url
        #: The embedded server this supervisor started (restarted if it dies), or None.
        self.database = database
        self.children = plan_children(settings)
        self.stopping = asyncio.Event()
        self._reload_lock = asyncio.Lock()

    async def _start_process(self, child: Child, *, takeover: bool = False
                             ) -> asyncio.subprocess.Process:
        env = {**os.environ, "CHITTI_DATABASE_URL": self.database_url}
        return await asyncio.create_subprocess_exec(
            *child.argv(takeover=takeover), env=env,
            start_new_session=True, preexec_fn=_die_with_parent,
        )

    async def _spawn(self, child: Child) -> None:
        child.process = await self._start_process(child)
        child.started_at = time.monotonic()
        log.info("started %s (pid %d)", child.name, child.process.pid)
        self._write_state()

    async def _watch(self, child: Child) -> None:
        await self._spawn(child)
        while not self.stopping.is_set():
            process = child.process
            assert process is not None
            code = await process.wait()
            if self.stopping.is_set():
                return
            if child.process is not process:  # replaced by a reload: watch the successor
                continue
            ran_s = time.monotonic() - child.started_at
            if ran_s > HEALTHY_AFTER_S:  # it had been fine: a fresh failure, retry quickly
                child.backoff_s = 0.2
            delay, child.backoff_s = child.backoff_s, min(child.backoff_s * 2, MAX_BACKOFF_S)
            child.restarts += 1
            log.warning("%s exited with code %s after %.1f s; restarting in %.1f s (restart #%d)",
                        child.name, code, ran_s, delay, child.restarts)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)
            if not self.stopping.is_set():
                await self._spawn(child)

    # --- reload ---------------------------------------------------------------------------

    def reload_targets(self, services: list[str]) -> list[Child]:
        """The instances ``chitti reload`` replaces: of ``services``, or of every service."""
        unknown = sorted(set(services) - set(SERVICES))
        if unknown:
            raise BadRequest(f"services: cannot reload {', '.join(unknown)}; choose among "
                             f"{', '.join(SERVICES)} (the gateway is restarted by restarting "
                             "`chitti up`, or run several gateways behind a proxy)")
        wanted = services or list(SERVICES)
        return [c for c in self.children.values() if c.service in wanted]

    async def reload(self, services: list[str]) -> AsyncIterator[dict[str, Any]]:
        """Replace the instances of ``services`` one at a time; yields one line per step."""
        targets = self.reload_targets(services)
        async with self._reload_lock:
            for child in targets:
                old = child.process
                yield {"message": f"{child.name}: starting a successor"}
                new = await self._start_process(child, takeover=True)
                try:
                    await self._wait_serving(child, new)
                except BaseException:
                    with contextlib.suppress(ProcessLookupError):
                        new.kill()
                    await new.wait()
                    raise
                child.process, child.started_at = new, time.monotonic()
                child.reloads += 1
                self._write_state()
                yield {"message": f"{child.name}: pid {new.pid} serving; draining pid "
                                  f"{old.pid if old else '-'}"}
                if old is not None and old.returncode is None:
                    await self._stop([old])
                yield {"message": f"{child.name}: reloaded"}

    async def _wait_serving(self, child: Child, process: asyncio.subprocess.Process) -> None:
        """Until every endpoint of ``child`` answers ``health`` from ``process``."""
        assert child.service is not None
        endpoints = self.settings.listen_endpoints(child.service, child.instance)
        deadline = time.monotonic() + RELOAD_START_TIMEOUT_S
        pending = list(endpoints)
        while pending:
            if process.returncode is not None:
                raise Unavailable(f"{child.name}: the successor exited with code "
                                  f"{process.returncode} before serving; see the log above "
                                  "(the running instance keeps serving)")
            if time.monotonic() > deadline:
                raise Unavailable(f"{child.name}: the successor did not answer within "
                                  f"{RELOAD_START_TIMEOUT_S:.0f} s (the running instance "
                                  "keeps serving)")
            pending = [ep for ep in pending if not await self._answers_from(ep, process.pid)]
            if pending:
                await asyncio.sleep(0.2)

    async def _answers_from(self, endpoint: str, pid: int) -> bool:
        try:
            async with IpcClient([endpoint], timeout=2,
                                 secret=self.settings.ipc_secret_bytes()) as client:
                return bool((await client.call("health")).get("pid") == pid)
        except ChittiError:
            return False

    async def _serve_control(self) -> None:
        """``chitti reload`` talks to this (Unix socket in the private run directory)."""
        server = IpcServer("supervisor", __version__)

        @server.action("reload")
        async def reload(params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
            services = params.get("services") or []
            if not isinstance(services, list) or not all(isinstance(x, str) for x in services):
                raise BadRequest("services: give a list of service names")
            async for step in self.reload(services):
                yield step

        await server.run([f"unix:{control_socket(self.settings)}"])

    def _write_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "gateway_url": self.gateway_url,
            "children": {c.name: {"pid": c.process.pid if c.process else None,
                                  "restarts": c.restarts, "reloads": c.reloads}
                         for c in self.children.values()},
        }
        path = state_file(self.settings)
        tmp = path.with_suffix(".tmp")
        try:  # written whole then renamed: a full disk leaves the previous state intact
            tmp.write_text(json.dumps(state, indent=2))
            tmp.replace(path)
        except OSError as exc:
            log.error("cannot write %s (%s); `chitti status` shows the previous state", path,
                      exc.strerror or exc)
            tmp.unlink(missing_ok=True)

    @property
    def gateway_url(self) -> str:
        return f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"

    async def _announce_when_healthy(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0) as http:
            while time.monotonic() < deadline and not self.stopping.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.gateway_url + "/health")).status_code == 200:
                        page = ("dashboard" if (DASHBOARD_DIR / "index.html").exists()
                                else "dashboard not built: make dashboard")
                        print(f"\nTrading-Chitti is up: {self.gateway_url}/ ({page}; API docs "
                              f"{self.gateway_url}/docs). Ctrl-C stops it.\n", flush=True)
                        return
                await asyncio.sleep(0.3)
        if not self.stopping.is_set():
            log.error("the system is not healthy after %.0f s; see the log above", timeout_s)

    async def _eod_updates(self) -> None:
        """Run ``chitti update-eod`` daily at the configured IST time (see the module doc)."""
        if self.settings.eod_update_at == "off":
            return
        delay = (next_eod_run(datetime.now(IST), self.settings.eod_update_at)
                 - datetime.now(IST)).total_seconds()
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)
            if self.stopping.is_set():
                return
            env = {**os.environ, "CHITTI_DATABASE_URL": self.database_url}
            update = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "chitti.cli", "update-eod", "--quiet", env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent)
            output, _ = await update.communicate()
            last = (output.decode(errors="replace").strip().splitlines() or [""])[-1]
            if update.returncode == 0:
                log.info("update-eod done: %s", last)
                delay = (next_eod_run(datetime.now(IST), self.settings.eod_update_at)
                         - datetime.now(IST)).total_seconds()
            else:
                log.warning("update-eod did not finish (%s); trying again in %.0f min", last,
                            EOD_RETRY_S / 60)
                delay = EOD_RETRY_S

    async def _watch_database(self) -> None:
        """Restart the embedded PostgreSQL when it dies (services reconnect on their own)."""
        if self.database is None:
            return
        backend = self.database
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), DATABASE_CHECK_S)
            if self.stopping.is_set() or backend.running():
                continue
            log.warning("the embedded PostgreSQL is not running; restarting it")
            try:
                await asyncio.to_thread(backend.start)
                log.info("embedded PostgreSQL restarted")
            except Exception as exc:  # noqa: BLE001 - logged, retried on the next check
                log.error("could not restart the embedded PostgreSQL (%s); retrying", exc)

    async def _stop(self, processes: list[asyncio.subprocess.Process]) -> None:
        """SIGTERM; SIGKILL what has not exited after its drain and a grace period."""
        running = [p for p in processes if p.returncode is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        limit_s = self.settings.drain_s + GRACE_S
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), limit_s)
        except TimeoutError:
            for proc in running:
                if proc.returncode is None:
                    log.warning("pid %d did not stop in %.0f s; killing it", proc.pid, limit_s)
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
            await asyncio.gather(*(p.wait() for p in running))

    async def _stop_children(self) -> None:
        await self._stop([c.process for c in self.children.values() if c.process is not None])

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        watchers = [asyncio.create_task(self._watch(c)) for c in self.children.values()]
        announce = asyncio.create_task(self._announce_when_healthy())
        updates = asyncio.create_task(self._eod_updates())
        control = asyncio.create_task(self._serve_control())
        database = asyncio.create_task(self._watch_database())
        await self.stopping.wait()
        log.info("stopping Trading-Chitti")
        for task in (announce, updates, control, database):
            task.cancel()
        await self._stop_children()
        await asyncio.gather(*watchers, return_exceptions=True)


def remove_run_files(settings: Settings) -> None:
    """Remove sockets and state left in the run directory (ours are all stopped by now)."""
    for path in settings.run_dir.glob("*"):
        if path.suffix in (".sock", ".json", ".tmp"):
            path.unlink(missing_ok=True)


def read_state(settings: Settings) -> dict[str, Any] | None:
    """The running supervisor's state, or None when none is running."""
    try:
        state: dict[str, Any] = json.loads(state_file(settings).read_text())
        os.kill(int(state["pid"]), 0)
    except (FileNotFoundError, ValueError, KeyError, ProcessLookupError):
        return None
    return state
