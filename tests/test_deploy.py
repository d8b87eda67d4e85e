"""deploy/: the compose file as compose resolves it, the proxy's configuration, the images'
Dockerfiles, the systemd units and the containers' health probe.

No Docker daemon is used (images are not built): `docker compose config` (or Debian's
`docker-compose config`, which `make test` installs) resolves and validates the compose file,
and what it resolves is checked against the code's own settings (chitti.config). The health
probe runs as a real process against a real IPC server and a real HTTP server.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.helpers import REPO_ROOT

from chitti.config import DASHBOARD_DIR, PROJECT_ROOT, SERVICE_PORTS, SERVICES, Settings
from chitti.gateway.access import TICKET_PATHS
from chitti.ipc.server import IpcServer

DEPLOY = REPO_ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
#: Containers that run once and exit (no health to report); everything else has a probe.
JOBS = {"migrate", "tools"}
GATEWAYS = ("gateway-1", "gateway-2")


# ------------------------------------------------------------------ compose
def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


COMPOSE = _compose_command()
needs_compose = pytest.mark.skipif(
    COMPOSE is None, reason="neither `docker compose` nor `docker-compose`: `make test` "
                            "installs Debian's docker-compose")


def example_secrets() -> list[str]:
    """The variables .env.example leaves for the user to fill in (empty values)."""
    return re.findall(r"^([A-Z_]+)=$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE)


def filled_env(tmp_path: Path, *, leave_out: str | None = None) -> tuple[Path, dict[str, str]]:
    """.env.example with every empty value filled with a fresh random secret."""
    values = {name: secrets.token_hex(24) for name in example_secrets() if name != leave_out}
    lines = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        name = line.partition("=")[0]
        if re.fullmatch(r"[A-Z_]+=", line):
            if name == leave_out:
                continue
            line += values[name]
        lines.append(line)
    path = tmp_path / "test.env"
    path.write_text("\n".join(lines) + "\n")
    return path, values


def compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    assert COMPOSE is not None
    return subprocess.run([*COMPOSE, "-f", str(COMPOSE_FILE), "--env-file", str(env_file),
                           "config"], capture_output=True, text=True, timeout=120,
                          check=False, cwd=REPO_ROOT)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, str]]:
    """The compose file as compose resolves it with a filled-in example env, and the env."""
    if COMPOSE is None:
        pytest.skip("no compose")
    env_file, values = filled_env(tmp_path_factory.mktemp("env"))
    done = compose_config(env_file)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout), values


def env_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {key: str(value) for key, value in environment.items()}


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """chitti's own Settings, built from a container's environment alone."""
    for key in list(os.environ):
        if key.startswith("CHITTI_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings()


@needs_compose
def test_every_required_variable_is_in_the_example_and_the_other_way_round() -> None:
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE_FILE.read_text()))
    assert required == set(example_secrets())


@needs_compose
@pytest.mark.parametrize("missing", example_secrets())
def test_compose_refuses_to_run_without_a_secret_and_names_it(
        tmp_path: Path, missing: str) -> None:
    env_file, _ = filled_env(tmp_path, leave_out=missing)
    done = compose_config(env_file)
    assert done.returncode != 0
    assert f"set {missing} in deploy/.env" in done.stdout + done.stderr


@needs_compose
def test_both_gateways_share_one_signing_key_and_talk_to_the_services(
        resolved: tuple[dict[str, Any], dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    config, values = resolved
    services = config["services"]
    gateway_envs = [env_of(services[name]) for name in GATEWAYS]
    assert gateway_envs[0] == gateway_envs[1]
    assert gateway_envs[0]["CHITTI_JWT_SECRET"] == values["CHITTI_JWT_SECRET"]
    gateway = settings_from(gateway_envs[0], monkeypatch)
    assert gateway.jwt_secret is not None and gateway.rate_limit_store == "postgres"
    assert gateway.ipc_secret_bytes() == values["CHITTI_IPC_SECRET"].encode()
    for name in SERVICES:
        # The gateway's endpoint for `name` is where `name`'s own settings make it listen.
        (endpoint,) = gateway.endpoints(name)
        kind, host, port = endpoint.split(":")
        assert (kind, host) == ("tcp", name)
        service_env = env_of(services[name])
        service = settings_from(service_env, monkeypatch)
        assert service.listen_endpoints(name, None) == [f"tcp:0.0.0.0:{port}"]
        assert int(port) == SERVICE_PORTS[name]
        assert service.ipc_secret_bytes() == gateway.ipc_secret_bytes()
        assert services[name]["command"] == ["chitti", name]
    assert {services[name]["command"][-1] for name in GATEWAYS} == {"gateway"}


@needs_compose
def test_only_the_proxy_is_published_and_secrets_go_where_they_are_needed(
        resolved: tuple[dict[str, Any], dict[str, str]]) -> None:
    config, values = resolved
    services = config["services"]
    assert config["networks"]["backend"].get("internal") is True
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]
    for name in (*SERVICES, "db"):
        assert "frontend" not in services[name]["networks"], name
    # The database superuser's password reaches only the database and the admin jobs; the
    # admin's password only the job that creates it.
    for name, service in services.items():
        env_values = set(env_of(service).values())
        holds_db_password = any(values["POSTGRES_PASSWORD"] in v for v in env_values)
        assert holds_db_password == (name in {"db", "migrate", "tools"}), name
        assert (values["CHITTI_ADMIN_PASSWORD"] in env_values) == (name == "migrate"), name
        assert (values["CHITTI_JWT_SECRET"] in env_values) == (name in GATEWAYS), name


@needs_compose
def test_every_long_running_container_has_a_health_check_of_its_own(
        resolved: tuple[dict[str, Any], dict[str, str]]) -> None:
    services = resolved[0]["services"]
    drain_s = Settings.model_fields["drain_s"].default
    for name, service in services.items():
        if name in JOBS:
            assert service["restart"] == "no", name
            continue
        test = service["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
        assert not service["healthcheck"].get("disable"), name
        if name in SERVICES or name in GATEWAYS:
            # The probe asks the process this container runs, not another one.
            assert test[1:3] == ["python", "/app/deploy/healthcheck.py"], name
            assert test[3] == service["command"][-1], name
        assert service["restart"] == "unless-stopped", name
    for name in SERVICES:  # a stop must leave time for the drain
        grace = services[name]["stop_grace_period"]
        assert _seconds(grace) > drain_s, name
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == "service_healthy"
    proxy_depends = services["proxy"]["depends_on"]
    assert {name: d["condition"] for name, d in proxy_depends.items()} == {
        name: "service_healthy" for name in GATEWAYS}
    assert re.fullmatch(r"timescale/timescaledb:[\w.]+-pg15", services["db"]["image"])


def _seconds(duration: str) -> float:
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", duration):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
    return total


# ------------------------------------------------------------------ nginx
def nginx_blocks(text: str) -> list[Any]:
    """nginx's configuration as nested lists: [words...] for a directive, and
    [words..., [children]] for a block. Comments and quotes are handled."""
    tokens = re.findall(r"#[^\n]*|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};]+",
                        text)
    stack: list[list[Any]] = [[]]
    words: list[str] = []
    for token in tokens:
        if token.startswith("#"):
            continue
        if token == ";":
            stack[-1].append(words)
            words = []
        elif token == "{":
            block: list[Any] = []
            stack[-1].append([*words, block])
            stack.append(block)
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            stack.pop()
        else:
            words.append(token.strip("\"'") if token[0] in "\"'" else token)
    assert len(stack) == 1 and not words, "unbalanced braces"
    return stack[0]


def directives(block: list[Any], name: str) -> list[list[str]]:
    return [d for d in block if d and d[0] == name]


def location(server: list[Any], path: str) -> list[Any]:
    (found,) = [d[-1] for d in directives(server, "location") if d[1:-1] == ["=", path]]
    return found


def effective(server: list[Any], loc: list[Any], name: str) -> list[list[str]]:
    """nginx's inheritance: a directive set in the location replaces the server's."""
    return directives(loc, name) or directives(server, name)


@needs_compose
def test_the_proxy_streams_sse_unbuffered_and_upgrades_the_websocket(
        resolved: tuple[dict[str, Any], dict[str, str]]) -> None:
    services = resolved[0]["services"]
    (mount,) = services["proxy"]["volumes"]
    source = mount["source"] if isinstance(mount, dict) else mount.split(":")[0]
    conf = nginx_blocks(Path(source).read_text())
    (upstream,) = [d[-1] for d in directives(conf, "upstream")]
    servers = {d[1] for d in directives(upstream, "server")}
    ports = {settings_port(services[name]) for name in GATEWAYS}
    assert servers == {f"{name}:{port}" for name in GATEWAYS for port in ports}
    (server,) = [d[-1] for d in directives(conf, "server")]
    assert directives(server, "listen") == [["listen", "80"]]
    assert set(TICKET_PATHS) == {"/api/alerts/stream", "/api/ws"}  # the two long routes

    sse = location(server, "/api/alerts/stream")
    assert directives(sse, "proxy_buffering") == [["proxy_buffering", "off"]]
    assert _seconds(effective(server, sse, "proxy_read_timeout")[0][1]) >= 3600
    ws = location(server, "/api/ws")
    assert effective(server, ws, "proxy_http_version") == [["proxy_http_version", "1.1"]]
    assert _seconds(effective(server, ws, "proxy_read_timeout")[0][1]) >= 3600
    for loc in (sse, ws, server):
        headers = {d[1].lower(): d[2] for d in effective(server, loc, "proxy_set_header")}
        # A location that sets any header must set them all again (it inherits none).
        assert {"host", "x-forwarded-for", "x-forwarded-proto"} <= set(headers)
    ws_headers = {d[1].lower(): d[2] for d in directives(ws, "proxy_set_header")}
    assert ws_headers["upgrade"] == "$http_upgrade"
    assert ws_headers["connection"] == "$connection_upgrade"
    for loc in (sse, ws):
        assert directives(loc, "proxy_pass") == [["proxy_pass", "http://chitti_gateways"]]


def settings_port(service: dict[str, Any]) -> int:
    return int(env_of(service)["CHITTI_GATEWAY_PORT"])


# ------------------------------------------------------------------ Dockerfiles
def stages(dockerfile: Path) -> list[dict[str, Any]]:
    """The build stages: base image, name and instructions (continuations joined)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    result: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            parts = rest.split()
            result.append({"image": parts[0], "name": parts[2] if len(parts) > 2 else None,
                           "steps": []})
        else:
            result[-1]["steps"].append((word.upper(), rest.strip()))
    return result


def ignored(path: str) -> bool:
    patterns = [p.strip() for p in (REPO_ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    return any(fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*")
               or (pattern.startswith("**/") and fnmatch.fnmatch(Path(path).name, pattern[3:]))
               for pattern in patterns)


@pytest.mark.parametrize("name", ["Dockerfile.services", "Dockerfile.gateway"])
def test_images_copy_what_they_need_and_run_unprivileged(name: str) -> None:
    built = stages(DEPLOY / name)
    for stage in built:
        assert stage["image"] in ("python:3.11-slim-bookworm", "node:20-bookworm-slim")
        for kind, rest in stage["steps"]:
            if kind in ("ENV", "ARG"):
                assert not re.search(r"SECRET|PASSWORD|_KEY", rest), rest
            if kind == "COPY" and not rest.startswith("--from"):
                *sources, _ = rest.split()
                for source in sources:  # in the build context, and not ignored there
                    assert (REPO_ROOT / source).exists(), source
                    assert not ignored(source.rstrip("/")), source
    build = next(s for s in built if s["image"].startswith("python") and s["name"] == "build")
    copied = {src for kind, rest in build["steps"] if kind == "COPY"
              for src in rest.split()[:-1]}
    # What `pip install -e .` reads: the project file, the C extension's setup and the
    # readme pyproject.toml names.
    assert {"pyproject.toml", "setup.py", "README.md", "src"} <= copied
    assert any(kind == "RUN" and "pip install" in rest and "-e ." in rest
               for kind, rest in build["steps"])
    assert ("WORKDIR", "/app") in build["steps"]
    final = built[-1]["steps"]
    assert [rest for kind, rest in final if kind == "USER"] == ["chitti"]
    assert ("COPY", "deploy/healthcheck.py /app/deploy/healthcheck.py") in final
    command = json.loads(next(rest for kind, rest in final if kind == "CMD"))
    assert command[0] == "chitti"
    assert command[1] == ("gateway" if name.endswith("gateway") else "compute")


def test_the_gateway_image_builds_the_dashboard_and_serves_it_from_where_the_code_looks() -> None:
    built = stages(DEPLOY / "Dockerfile.gateway")
    (node,) = [s for s in built if s["image"].startswith("node:")]
    runs = [rest for kind, rest in node["steps"] if kind == "RUN"]
    assert "npm ci" in " ".join(runs) and "npm run build" in " ".join(runs)
    workdir = next(rest for kind, rest in node["steps"] if kind == "WORKDIR")
    copies = [rest.split() for kind, rest in built[-1]["steps"]
              if kind == "COPY" and rest.startswith(f"--from={node['name']}")]
    assert copies == [[f"--from={node['name']}", f"{workdir}/dist", "/app/dashboard/dist"]]
    # The package is installed in place at /app: the gateway's DASHBOARD_DIR is then
    # /app/dashboard/dist, wherever this checkout is.
    assert Path("/app") / DASHBOARD_DIR.relative_to(PROJECT_ROOT) == Path("/app/dashboard/dist")
    assert PROJECT_ROOT / "src" / "chitti" / "config.py" == Path(
        sys.modules["chitti.config"].__file__ or "")


# ------------------------------------------------------------------ systemd
UNITS = DEPLOY / "systemd"


def unit_settings(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_systemd_units_run_each_process_hardened_as_its_own_user() -> None:
    services = {f"chitti-{name}.service": f"chitti {name}" for name in SERVICES}
    services["chitti-gateway@.service"] = "chitti gateway"
    drain_s = Settings.model_fields["drain_s"].default
    for unit, command in services.items():
        values = unit_settings(UNITS / unit)
        assert values["ExecStart"] == [f"/opt/chitti/.venv/bin/{command}"], unit
        for key, value in {"User": "chitti", "Restart": "on-failure",
                           "EnvironmentFile": "/etc/chitti/chitti.env",
                           "NoNewPrivileges": "yes", "ProtectSystem": "strict",
                           "StateDirectory": "chitti", "PrivateTmp": "yes"}.items():
            assert values[key] == [value], (unit, key)
        assert "CHITTI_VAR_DIR=/var/lib/chitti" in " ".join(values["Environment"]), unit
        assert "chitti-migrate.service" in " ".join(values["Requires"]), unit
        if unit != "chitti-gateway@.service":
            assert _seconds(values["TimeoutStopSec"][0]) > drain_s, unit
    wanted = " ".join(unit_settings(UNITS / "chitti.target")["Wants"]).split()
    for unit in services:
        assert unit.replace("@.", "@6001.") in wanted or unit in wanted, unit
    assert "chitti-update-eod.timer" in wanted


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    # A root with the units installed where a host would have them, the executable they
    # name, and the system's own units.
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS.iterdir():
        shutil.copy(unit, tmp_path / "etc/systemd/system" / unit.name)
    (tmp_path / "etc/chitti").mkdir()
    (tmp_path / "etc/chitti/chitti.env").touch()
    chitti = tmp_path / "opt/chitti/.venv/bin/chitti"
    chitti.parent.mkdir(parents=True)
    chitti.write_text("#!/bin/sh\n")
    chitti.chmod(0o755)
    # The system's own units (sysinit.target, ...), as they are (links between them kept).
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system",
                    symlinks=True)
    units = [p.name.replace("@.", "@6001.") for p in UNITS.iterdir()
             if p.suffix in (".service", ".target", ".timer")]
    done = subprocess.run(["systemd-analyze", "verify", f"--root={tmp_path}", "--man=no",
                           *units], capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path / "etc/systemd/system")
    # verify only warns (exit 0) about unknown keys and bad values: any output is a fault.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


# ------------------------------------------------------------------ the health probe
PROBE = DEPLOY / "healthcheck.py"


async def probe(name: str, env: dict[str, str]) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHITTI_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(PROBE), name, env={**clean, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def start_service(db_status: str, secret: bytes | None) -> tuple[IpcServer, int]:
    server = IpcServer("compute", "test", secret=secret)

    async def health() -> dict[str, Any]:
        return {"db": {"status": db_status, "error": "connection refused"}}

    server.set_health_hook(health)
    await server.start(["tcp:127.0.0.1:0"])
    port = server.endpoints[0].port
    assert port
    return server, port


async def test_service_probe_is_healthy_only_when_the_service_and_its_database_answer(
        ) -> None:
    key = secrets.token_hex(32)
    for db_status, service_secret, probe_secret, expected in (
            ("ok", None, None, 0),
            ("down", None, None, 1),
            ("ok", key, key, 0),
            ("ok", key, secrets.token_hex(32), 1)):
        server, port = await start_service(db_status, service_secret and service_secret.encode())
        env = {"CHITTI_TRANSPORT": "tcp", "CHITTI_COMPUTE_ENDPOINTS": f"tcp:127.0.0.1:{port}"}
        if probe_secret:
            env["CHITTI_IPC_SECRET"] = probe_secret
        try:
            code, err = await probe("compute", env)
        finally:
            await server.close()
        assert code == expected, (db_status, service_secret, probe_secret, err)
        if db_status == "down":
            assert "database" in err
    # Nothing listening there any more.
    code, err = await probe("compute", env)
    assert code == 1 and "compute" in err


class _Health(BaseHTTPRequestHandler):
    reply: tuple[int, bytes] = (200, b"{}")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        status, body = self.reply if self.path == "/health" else (404, b"")
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_gateway_probe_follows_the_gateway_not_the_services(
        http_server: ThreadingHTTPServer) -> None:
    port = http_server.server_address[1]
    env = {"CHITTI_GATEWAY_PORT": str(port)}
    for status, report, expected in (
            (200, {"status": "ok", "db": {"status": "ok"}, "services": {}}, 0),
            # a service is down: the gateway itself is fine
            (503, {"status": "down", "db": {"status": "ok"},
                   "services": {"compute": {"status": "down"}}}, 0),
            (503, {"status": "down", "db": {"status": "down", "error": "refused"}}, 1),
            (500, "Internal Server Error", 1)):
        _Health.reply = (status, json.dumps(report).encode() if isinstance(report, dict)
                         else report.encode())
        code, err = await probe("gateway", env)
        assert code == expected, (status, report, err)
    http_server.shutdown()
    http_server.server_close()
    code, err = await probe("gateway", env)
    assert code == 1 and "does not answer" in err
