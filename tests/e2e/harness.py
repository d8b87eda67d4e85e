"""Drive the whole system as a user runs it: ``chitti up --demo`` with its own
embedded PostgreSQL, real service processes on Unix sockets and the HTTP gateway."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class System:
    var_dir: Path
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_db_url(self) -> str:
        return f"postgresql://postgres@/chitti?host={self.var_dir / 'pgdata'}"

    def start(self) -> None:
        # No scheduled polling of the default (internet) feeds: tests never leave the machine.
        env = {**os.environ, "CHITTI_VAR_DIR": str(self.var_dir),
               "CHITTI_GATEWAY_PORT": str(self.port), "CHITTI_NEWS_POLL": "false",
               "CHITTI_NEWS_FETCH_PRIVATE": "true", "CHITTI_EOD_UPDATE_AT": "off"}
        env.pop("CHITTI_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chitti.cli", "up", "--demo"], env=env,
            stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT)
        try:
            self.wait_health(200, timeout_s=120)
        except BaseException:
            if self.process.poll() is None:  # never leave a half-started system behind
                self.stop()
            raise

    def wait_health(self, status: int, *, timeout_s: float) -> float:
        """Poll /health until it answers ``status``; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            assert self.process is not None and self.process.poll() is None, self.log_tail()
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == status:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"/health never answered {status} in {timeout_s} s\n{self.log_tail()}")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self) -> str:
        return self.log()[-4000:]


def service_pid(system: System, name: str) -> int:
    state = orjson.loads((system.var_dir / "run" / "supervisor.json").read_bytes())
    return int(state["children"][name]["pid"])
