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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from chitti.config import DASHBOARD_DIR, SERVICES, Settings
from chitti.marketdata.sessions import IST

log = logging.getLogger("chitti.supervisor")

PROCESSES: tuple[str, ...] = (*SERVICES, "gateway")
GRACE_S = 10.0
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


def _die_with_parent() -> None:
    # Linux: deliver SIGTERM to this child when the supervisor dies, even by SIGKILL.
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff_s: float = 0.2


class Supervisor:
    """Starts and watches the processes of ``chitti up``."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        self.settings = settings
        self.database_url = database_url
        self.children = {name: Child(name) for name in PROCESSES}
        self.stopping = asyncio.Event()

    async def _spawn(self, child: Child) -> None:
        env = {**os.environ, "CHITTI_DATABASE_URL": self.database_url}
        child.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "chitti.cli", child.name, env=env,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
        child.started_at = time.monotonic()
        log.info("started %s (pid %d)", child.name, child.process.pid)
        self._write_state()

    async def _watch(self, child: Child) -> None:
        while not self.stopping.is_set():
            await self._spawn(child)
            assert child.process is not None
            code = await child.process.wait()
            if self.stopping.is_set():
                return
            ran_s = time.monotonic() - child.started_at
            if ran_s > HEALTHY_AFTER_S:  # it had been fine: a fresh failure, retry quickly
                child.backoff_s = 0.2
            delay, child.backoff_s = child.backoff_s, min(child.backoff_s * 2, MAX_BACKOFF_S)
            child.restarts += 1
            log.warning("%s exited with code %s after %.1f s; restarting in %.1f s (restart #%d)",
                        child.name, code, ran_s, delay, child.restarts)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)

    def _write_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "gateway_url": self.gateway_url,
            "children": {c.name: {"pid": c.process.pid if c.process else None,
                                  "restarts": c.restarts} for c in self.children.values()},
        }
        path = state_file(self.settings)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(path)

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

    async def _stop_children(self) -> None:
        running = [c.process for c in self.children.values()
                   if c.process is not None and c.process.returncode is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), GRACE_S)
        except TimeoutError:
            for proc in running:
                if proc.returncode is None:
                    log.warning("pid %d did not stop in %.0f s; killing it", proc.pid, GRACE_S)
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
            await asyncio.gather(*(p.wait() for p in running))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        watchers = [asyncio.create_task(self._watch(c)) for c in self.children.values()]
        announce = asyncio.create_task(self._announce_when_healthy())
        updates = asyncio.create_task(self._eod_updates())
        await self.stopping.wait()
        log.info("stopping Trading-Chitti")
        announce.cancel()
        updates.cancel()
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
