"""Settings from the environment (``CHITTI_*``), built once per process.

Nothing reads settings at import time: call :func:`get_settings`. Every key is documented in
README.md (a test keeps the two in step).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ServiceName = Literal["news-nlp", "signal-service", "compute"]
SERVICES: tuple[ServiceName, ...] = ("news-nlp", "signal-service", "compute")

#: Fixed TCP ports of ARCHITECTURE.md, used when ``CHITTI_TRANSPORT=tcp``.
SERVICE_PORTS: dict[ServiceName, int] = {"news-nlp": 6002, "signal-service": 6003, "compute": 6004}

#: The database role each process connects as (least privilege, created by the migrations).
DB_ROLES: dict[str, str] = {
    "news-nlp": "chitti_news",
    "signal-service": "chitti_signals",
    "compute": "chitti_compute",
    "gateway": "chitti_gateway",
}

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: The dashboard's production build (``make dashboard``), served by the gateway at ``/``.
DASHBOARD_DIR = PROJECT_ROOT / "dashboard" / "dist"

EndpointList = Annotated[list[str], NoDecode]


def default_var_dir() -> Path:
    """The state directory when ``CHITTI_VAR_DIR`` is unset: ``var/`` in the project of a
    clone (where ``make run`` keeps it), else the user's state directory. Absolute, so
    ``chitti status`` run from any directory finds the system ``chitti up`` started."""
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "var"
    return Path.home() / ".local" / "state" / "chitti"


class Settings(BaseSettings):
    """All configuration of a Trading-Chitti process."""

    # hide_input_in_errors: a rejected CHITTI_IPC_SECRET or CHITTI_JWT_SECRET must not be
    # printed back into a terminal or a log
    model_config = SettingsConfigDict(env_prefix="CHITTI_", frozen=True, extra="ignore",
                                      hide_input_in_errors=True)

    database_url: str | None = Field(
        default=None,
        description="Admin URL of an existing PostgreSQL server. Unset: the embedded server.",
    )
    db_role_password: SecretStr | None = Field(
        default=None,
        description="Password given to the per-service roles (needed on a server that "
        "does not trust local connections).",
    )
    db_pool_min_size: int = Field(default=1, ge=0, le=100)
    db_pool_max_size: int = Field(default=5, ge=1, le=200)
    var_dir: Path = Field(
        default_factory=default_var_dir,
        description="State directory: embedded database, sockets, logs. Default: `var/` "
                    "in the project (a clone), else ~/.local/state/chitti; the same from "
                    "any current directory")
    transport: Literal["unix", "tcp"] = Field(
        default="unix", description="How services listen by default: Unix sockets or TCP."
    )
    service_host: str = Field(default="127.0.0.1", description="TCP bind address of services.")
    news_nlp_endpoints: EndpointList = Field(default_factory=list)
    signal_service_endpoints: EndpointList = Field(default_factory=list)
    compute_endpoints: EndpointList = Field(default_factory=list)
    news_nlp_instances: int = Field(default=1, ge=1, le=16,
                                    description="news-nlp processes `chitti up` runs")
    signal_service_instances: int = Field(
        default=1, ge=1, le=16, description="signal-service processes `chitti up` runs")
    compute_instances: int = Field(
        default=1, ge=1, le=16,
        description="compute processes `chitti up` runs; the gateway spreads calls over them "
                    "and `chitti reload` restarts them one at a time")
    drain_s: float = Field(
        default=30.0, ge=0, le=3600,
        description="how long a stopping service lets in-flight requests finish")
    sse_max_backlog: int = Field(
        default=10_000, ge=10, le=1_000_000,
        description="alerts a live-stream client may fall behind (it stopped reading) "
                    "before the gateway drops it; it reconnects with Last-Event-ID")
    ipc_secret: SecretStr | None = Field(
        default=None, min_length=32,
        description="shared secret every IPC connection must prove (at least 32 characters, "
                    "the same on gateways and services); required for services listening "
                    "on TCP beyond loopback")
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=6001, ge=1, le=65535)
    gateway_server: Literal["granian", "uvicorn"] = Field(
        default="granian",
        description="HTTP server of the gateway (granian: 1.2x uvicorn's requests/s on the SMA "
                    "route here, bench/gateway.py)")
    gateway_workers: int = Field(
        default=1, ge=1, le=64,
        description="gateway processes sharing the port (rate limits in `memory` are then "
                    "per process: use `postgres` for exact ones)")
    ipc_max_frame_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    ipc_timeout_s: float = Field(default=30.0, gt=0)
    ipc_pool_size: int = Field(default=2, ge=1, le=64)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    backtest_max_combinations: int = Field(
        default=100_000, ge=1, le=10_000_000,
        description="largest parameter sweep (combinations) one request may ask for")
    cluster: str | None = Field(
        default=None, pattern=r"^((tcp|tls|ws|wss)://[^\s/]+|local:[1-9][0-9]{0,2}|)$",
        description="where sweeps, walk-forwards, feature builds and training folds run: "
                    "unset in process; `tcp://host:8786` a Dask scheduler; `local:N` N Dask "
                    "worker processes here (chitti.compute.cluster)")
    news_poll: bool = Field(default=True, description="news-nlp polls its feeds on schedule")
    news_poll_check_s: float = Field(default=15.0, gt=0, le=3600,
                                     description="how often news-nlp looks for due feeds")
    news_fetch_private: bool = Field(
        default=False,
        description="fetch feeds from loopback/private/link-local hosts too (off: SSRF guard)")
    demo_dir: Path = Field(default=PROJECT_ROOT / "data" / "demo")
    nse_archive_url: str = Field(
        default="https://nsearchives.nseindia.com",
        description="where `update-eod` downloads NSE's daily bhavcopies from")
    nse_api_url: str = Field(
        default="https://www.nseindia.com",
        description="where `update-eod` asks for NSE's corporate actions")
    eod_update_at: str = Field(
        default="18:30", pattern=r"^(off|([01]\d|2[0-3]):[0-5]\d)$",
        description="IST time the supervisor runs `update-eod` each day, or `off`")
    eod_request_interval_s: float = Field(
        default=1.0, ge=0, le=60, description="least time between two requests to NSE")
    eod_retries: int = Field(default=3, ge=0, le=10,
                             description="retries of a failed download (5xx, timeouts)")
    eod_backoff_s: float = Field(default=2.0, ge=0, le=300,
                                 description="first retry delay, doubled each retry")

    auth: Literal["on", "off"] = Field(
        default="on",
        description="`on`: every route but /health and login needs a token or API key; "
                    "`off`: single-user mode without login, refused unless the gateway "
                    "binds a loopback address")
    jwt_secret: SecretStr | None = Field(
        default=None, min_length=32,
        description="key that signs access tokens (at least 32 characters; give every "
                    "gateway host the same one). Unset: generated once into "
                    "`var/jwt.key` (mode 0600)")
    access_token_ttl_s: int = Field(default=900, ge=30, le=86400,
                                    description="lifetime of an access token")
    refresh_token_ttl_s: int = Field(default=30 * 86400, ge=600, le=365 * 86400,
                                     description="how long a login lasts without use")
    admin_password: SecretStr | None = Field(
        default=None, min_length=10,
        description="password of the admin `chitti up` creates when there is no user yet "
                    "(unset: a random one, printed once)")
    rate_limit_store: Literal["memory", "postgres", "off"] = Field(
        default="memory",
        description="where rate-limit buckets live: this gateway process, PostgreSQL "
                    "(shared by every gateway), or `off`")
    rate_limit_read_per_min: int = Field(default=3000, ge=1,
                                         description="reads per minute per user and per IP")
    rate_limit_compute_per_min: int = Field(
        default=1200, ge=1, description="indicator and NLP computations per minute")
    rate_limit_backtest_per_min: int = Field(
        default=30, ge=1, description="backtest units per minute (a sweep or a "
                                      "walk-forward costs 5)")
    rate_limit_auth_per_min: int = Field(
        default=10, ge=1, description="login and refresh attempts per minute per IP and "
                                      "per user name")
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024,
                                description="largest request body the gateway reads")
    max_long_jobs_per_user: int = Field(
        default=2, ge=1, le=100,
        description="backtests, sweeps and walk-forwards one user may run at once")
    trusted_proxies: EndpointList = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For names "
                    "the client (comma-separated, e.g. 10.0.0.0/8); unset: the socket's peer")
    cors_origins: EndpointList = Field(
        default_factory=list,
        description="origins allowed to call the API from a browser (comma-separated; "
                    "the dashboard served by the gateway needs none)")

    @field_validator(
        "cors_origins", "trusted_proxies",
        "news_nlp_endpoints", "signal_service_endpoints", "compute_endpoints", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise ValueError(f"{text!r} is not an address or a network such as "
                                 "10.0.0.0/8") from None
        return value

    @field_validator("db_pool_max_size")
    @classmethod
    def _max_not_below_min(cls, value: int, info: object) -> int:
        data = getattr(info, "data", {})
        if value < data.get("db_pool_min_size", 0):
            raise ValueError("CHITTI_DB_POOL_MAX_SIZE must be >= CHITTI_DB_POOL_MIN_SIZE")
        return value

    @property
    def var_path(self) -> Path:
        return self.var_dir.resolve()

    @property
    def run_dir(self) -> Path:
        """Private directory (0700) for the service sockets and pid files."""
        return self.var_path / "run"

    @property
    def pgdata_dir(self) -> Path:
        return self.var_path / "pgdata"

    def instances(self, service: ServiceName) -> int:
        """How many processes of ``service`` ``chitti up`` runs."""
        return {"news-nlp": self.news_nlp_instances,
                "signal-service": self.signal_service_instances,
                "compute": self.compute_instances}[service]

    def endpoints(self, service: ServiceName) -> list[str]:
        """Endpoints of ``service`` (the gateway's list): configured ones, else one per
        instance on the transport's default (``compute.sock``, ``compute-2.sock``, ...; TCP
        ports 6004, 6014, ...)."""
        configured = {
            "news-nlp": self.news_nlp_endpoints,
            "signal-service": self.signal_service_endpoints,
            "compute": self.compute_endpoints,
        }[service]
        if configured:
            return list(configured)
        count = self.instances(service)
        if self.transport == "tcp":
            return [f"tcp:{self.service_host}:{SERVICE_PORTS[service] + 10 * k}"
                    for k in range(count)]
        return [f"unix:{self.run_dir / (service + ('' if k == 0 else f'-{k + 1}') + '.sock')}"
                for k in range(count)]

    def listen_endpoints(self, service: ServiceName, instance: int | None) -> list[str]:
        """Where one process of ``service`` listens: instance ``k`` (1-based, given by
        ``chitti up``) takes the k-th endpoint; a process started alone takes them all."""
        endpoints = self.endpoints(service)
        if instance is None:
            return endpoints
        if not 1 <= instance <= len(endpoints):
            raise ValueError(f"{service} instance {instance} has no endpoint: there are "
                             f"{len(endpoints)} ({', '.join(endpoints)})")
        return [endpoints[instance - 1]]

    def ipc_secret_bytes(self) -> bytes | None:
        """``CHITTI_IPC_SECRET`` as the key of :mod:`chitti.ipc.auth`, or None."""
        return self.ipc_secret.get_secret_value().encode() if self.ipc_secret else None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 possibly in brackets) is this machine's
    loopback: what the gateway's no-login mode and unauthenticated IPC are limited to."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def role_database_url(admin_url: str, role: str, password: str | None) -> str:
    """Return ``admin_url`` with its user replaced by ``role`` (and its password)."""
    parts = urlsplit(admin_url)
    host = parts.netloc.rpartition("@")[2]
    auth = quote(role) + (":" + quote(password, safe="") if password else "")
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))


def describe_invalid(error: ValidationError) -> str:
    """One line per rejected setting, named as it is set (``CHITTI_...``), values withheld."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = "_".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"CHITTI_{where}: {problem['msg']}" if where else problem["msg"])
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build the process's settings once (tests call ``get_settings.cache_clear()``)."""
    return Settings()
