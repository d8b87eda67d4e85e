"""Drive the whole system as a user runs it: ``chitti up --demo`` with its own
embedded PostgreSQL, real service processes on Unix sockets and the HTTP gateway."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    #: The first-start admin's password (given through CHITTI_ADMIN_PASSWORD).
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    #: An admin API key, made after start; ``http`` sends it with every request.
    admin_key: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    http: httpx.Client = field(init=False)

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
               "CHITTI_NEWS_FETCH_PRIVATE": "true", "CHITTI_EOD_UPDATE_AT": "off",
               "CHITTI_ADMIN_PASSWORD": self.admin_password,
               # the suites run many backtests in a minute; the limit test lowers these
               "CHITTI_RATE_LIMIT_BACKTEST_PER_MIN": "1000",
               "CHITTI_RATE_LIMIT_AUTH_PER_MIN": "1000", **self.extra_env}
        env.pop("CHITTI_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chitti.cli", "up", "--demo"], env=env,
            stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT)
        try:
            self.wait_health(200, timeout_s=120)
            self.admin_key = self.new_key("admin", f"e2e-{secrets.token_hex(3)}", "admin")
            self.http = self.client(self.admin_key)
        except BaseException:
            if self.process.poll() is None:  # never leave a half-started system behind
                self.stop()
            raise

    def login(self, user: str, password: str) -> str:
        """An access token for ``user``."""
        reply = httpx.post(self.url + "/api/auth/token",
                           data={"username": user, "password": password}, timeout=10)
        assert reply.status_code == 200, reply.text
        return str(reply.json()["access_token"])

    def new_key(self, user: str, name: str, role: str) -> str:
        """An API key for ``user`` (made with the first admin's login)."""
        token = self.login("admin", self.admin_password)
        reply = httpx.post(self.url + "/api/auth/keys", json={
            "name": name, "user": user, "role": role},
            headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert reply.status_code == 201, reply.text
        return str(reply.json()["key"])

    def add_user(self, name: str, role: str) -> str:
        """A new user with ``role``; returns an API key of theirs."""
        password = secrets.token_urlsafe(16)
        reply = self.http.post("/api/auth/users", json={
            "name": name, "role": role, "password": password})
        assert reply.status_code in (201, 409), reply.text
        return self.new_key(name, f"key-{secrets.token_hex(3)}", role)

    def client(self, api_key: str | None = None, *, timeout: float = 60) -> httpx.Client:
        headers = {"X-API-Key": api_key} if api_key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

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


@contextmanager
def extra_gateway(system: System, *, health: int = 200, **env: str) -> Iterator[str]:
    """Another gateway process on ``system``'s database and services (``CHITTI_*`` from
    ``env``); yields its URL once /health answers ``health``."""
    port = free_port()
    full_env = {**os.environ, "CHITTI_VAR_DIR": str(system.var_dir),
                "CHITTI_GATEWAY_PORT": str(port), "CHITTI_DATABASE_URL": system.admin_db_url,
                **env}
    log_path = system.log_path.with_name(f"gateway-{port}.log")
    process = subprocess.Popen([sys.executable, "-m", "chitti.cli", "gateway"], env=full_env,
                               stdout=log_path.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"the extra gateway exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, "the extra gateway did not start in 30 s"
            try:
                if httpx.get(url + "/health").status_code == health:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def service_pid(system: System, name: str) -> int:
    state = orjson.loads((system.var_dir / "run" / "supervisor.json").read_bytes())
    return int(state["children"][name]["pid"])
