"""Who may call a route, and how often: one dependency per route, ``Access(role, limit)``.

Every route of the gateway declares an :class:`Access` (a test walks the OpenAPI document and
fails on a route without one). A request is authenticated from, in order, an
``Authorization: Bearer`` access token, an ``X-API-Key``, or the HttpOnly ``chitti_access``
cookie set at login (what a browser and its EventSource use); stream routes also take a
single-use ``ticket``. With ``CHITTI_AUTH=off`` every request acts for the local admin.

Checking a token costs a signature check and two set lookups: revoked sessions, users whose
tokens were invalidated (disabled, password reset) and revoked API keys are held in memory,
reloaded on the ``auth_revoked`` notification and every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from chitti.config import Settings, is_loopback
from chitti.db.pool import DictPool
from chitti.errors import BadRequest, Forbidden, RateLimited, Unauthorized
from chitti.gateway import store
from chitti.gateway.auth import (
    LOCAL_USER,
    Principal,
    Role,
    api_key_id,
    decode_access_token,
    new_signing_key,
    same_digest,
    secret_digest,
)
from chitti.gateway.ratelimit import LimitClass, RateLimiter

log = logging.getLogger(__name__)

ACCESS_COOKIE = "chitti_access"
REFRESH_COOKIE = "chitti_refresh"
#: How often revocations are reloaded even without a notification.
REVOCATION_POLL_S = 5.0
#: How long a verified API key is trusted before its row is read again.
KEY_CACHE_S = 30.0
STREAM_TICKET_TTL_S = 60

#: How credentials are sent, for OpenAPI (every non-public route takes any one of them).
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
               "description": "an access token from POST /api/auth/token"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
               "description": "an API key from `chitti keys add` or POST /api/auth/keys"},
    "cookie": {"type": "apiKey", "in": "cookie", "name": ACCESS_COOKIE,
               "description": "set by POST /api/auth/token for browsers (HttpOnly)"},
}


def check_auth_binding(settings: Settings) -> None:
    """Refuse single-user mode on an address other machines can reach."""
    if settings.auth == "off" and not is_loopback(settings.gateway_host):
        raise BadRequest(
            f"CHITTI_AUTH=off (no login) is allowed only on a loopback address, and "
            f"CHITTI_GATEWAY_HOST is {settings.gateway_host}: bind 127.0.0.1, or turn "
            f"authentication on and create users with `chitti users add`")


def signing_key(settings: Settings) -> bytes:
    """``CHITTI_JWT_SECRET``, else a key generated once into ``var/jwt.key`` (mode 0600)."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value().encode()
    path: Path = settings.var_path / "jwt.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(new_signing_key().hex())
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 32:
        raise BadRequest(f"{path} holds a key shorter than 32 bytes: delete it to make a new one")
    return key


@dataclass
class Revocations:
    sessions: set[str]
    valid_after: dict[int, float]  # user id -> tokens issued before this are refused
    keys: set[str]


class Authenticator:
    """Turns a request's credentials into a :class:`Principal` (one per gateway process)."""

    def __init__(self, settings: Settings, pool: DictPool, limiter: RateLimiter) -> None:
        self.settings = settings
        self.pool = pool
        self.limiter = limiter
        self.enabled = settings.auth == "on"
        self.key = signing_key(settings) if self.enabled else b""
        self.revoked = Revocations(set(), {}, set())
        self._keys: dict[bytes, tuple[Principal, float]] = {}
        self._local: Principal | None = None
        self._long_jobs: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self.enabled:
            async with self.pool.connection() as conn:
                user = await store.ensure_user(conn, LOCAL_USER, "admin")
            self._local = Principal(int(user["id"]), LOCAL_USER, "admin")
            return
        await self.reload()
        self._task = asyncio.create_task(self._poll(), name="auth-revocations")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(REVOCATION_POLL_S)
            with contextlib.suppress(Exception):
                await self.reload()

    async def on_revoked(self, _: list[str]) -> None:
        """``auth_revoked`` was notified: reload now rather than at the next poll."""
        if self.enabled:
            await self.reload()

    async def reload(self) -> None:
        horizon = self.settings.access_token_ttl_s + 60
        async with self.pool.connection() as conn:
            sessions, users, keys = await store.revocations(conn, horizon)
        self.revoked = Revocations(sessions, users, keys)
        self._keys = {d: v for d, v in self._keys.items() if v[0].key_id not in keys}

    # -- credentials -----------------------------------------------------------------------

    async def principal(self, bearer: str | None, api_key: str | None, cookie: str | None,
                        ticket: str | None = None) -> Principal:
        """Whose credentials these are: the first given of a bearer token, an API key, the
        session cookie and a stream ticket."""
        if self._local is not None:
            return self._local
        if bearer:
            return self.check_token(bearer)
        if api_key:
            return await self._key_principal(api_key)
        if cookie:
            return self.check_token(cookie)
        if ticket:
            return await self._ticket_principal(ticket)
        raise Unauthorized("log in: send an access token (Authorization: Bearer), an API key "
                           "(X-API-Key) or the session cookie")

    def check_token(self, token: str) -> Principal:
        principal = decode_access_token(token, self.key)
        after = self.revoked.valid_after.get(principal.user_id)
        if principal.session_id in self.revoked.sessions or (
                after is not None and principal.issued_at < int(after)):
            raise Unauthorized("the session has ended: log in again")
        return principal

    async def _key_principal(self, key: str) -> Principal:
        key_id = api_key_id(key)
        digest = secret_digest(key)
        cached = self._keys.get(digest)
        if (cached is not None and cached[1] > time.monotonic()
                and key_id not in self.revoked.keys
                and self.revoked.valid_after.get(cached[0].user_id) != math.inf):
            return cached[0]  # (a password reset leaves keys alone; disabling does not)
        async with self.pool.connection() as conn:
            row = await store.key_owner(conn, key_id)
        if row is None or not same_digest(bytes(row["secret_hash"]), digest):
            raise Unauthorized("invalid, revoked or expired API key")
        principal = Principal(int(row["user_id"]), row["name"], row["role"], key_id=key_id)
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[digest] = (principal, time.monotonic() + KEY_CACHE_S)
        return principal

    async def _ticket_principal(self, ticket: str) -> Principal:
        async with self.pool.connection() as conn:
            row = await store.redeem_stream_ticket(conn, secret_digest(ticket[:200]))
        if row is None:
            raise Unauthorized("the stream ticket is unknown, used or expired: ask "
                               "POST /api/stream-ticket for a new one")
        return Principal(int(row["user_id"]), row["name"], row["role"])

    # -- limits ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def long_job(self, principal: Principal) -> AsyncIterator[None]:
        """Hold one of the user's ``CHITTI_MAX_LONG_JOBS_PER_USER`` slots."""
        key = principal.limit_key
        running = self._long_jobs.get(key, 0)
        if running >= self.settings.max_long_jobs_per_user:
            raise RateLimited(f"you already run {running} long jobs (backtests, sweeps, "
                              "walk-forwards): wait for one to finish", retry_after_s=5)
        self._long_jobs[key] = running + 1
        try:
            yield
        finally:
            self._long_jobs[key] -= 1
            if not self._long_jobs[key]:
                del self._long_jobs[key]


#: Routes that may be opened with a stream ticket (browsers cannot set headers there).
TICKET_PATHS = {"/api/alerts/stream", "/api/ws"}


def client_ip(request: HTTPConnection) -> str:
    return request.client.host if request.client else "unknown"


class Access:
    """The access rule of one route: the least role (None: public) and its limit class.

    Used as a dependency it authenticates, checks the role, charges the rate limits and
    returns the :class:`Principal` (None on a public route without credentials).
    """

    def __init__(self, role: Role | None, limit: LimitClass, cost: float = 1.0) -> None:
        self.role = role
        self.limit = limit
        self.cost = cost

    async def __call__(self, request: Request) -> Principal:
        # Credentials are read here rather than through FastAPI's security classes (three
        # more dependencies per request, ~60 us); SECURITY_SCHEMES documents them.
        auth: Authenticator = request.app.state.auth
        headers = request.headers
        authorization = headers.get("authorization", "")
        bearer = authorization[7:] if authorization[:7].lower() == "bearer " else None
        ticket = (request.query_params.get("ticket") if request.url.path in TICKET_PATHS
                  else None)
        principal = await auth.principal(bearer, headers.get("x-api-key"),
                                         request.cookies.get(ACCESS_COOKIE), ticket)
        if self.role is not None and not principal.may(self.role):
            raise Forbidden(f"this needs the {self.role} role; you are {principal.role}")
        request.state.principal = principal
        await auth.limiter.charge(self.limit, [principal.limit_key, "ip:" + client_ip(request)],
                                  self.cost)
        return principal


class Public:
    """The access rule of a route anyone may call (rate limited per client IP)."""

    role = None

    def __init__(self, limit: LimitClass) -> None:
        self.limit = limit

    async def __call__(self, request: Request) -> None:
        auth: Authenticator = request.app.state.auth
        await auth.limiter.charge(self.limit, ["ip:" + client_ip(request)])


Viewer = Annotated[Principal, Depends(Access("viewer", "read"))]
ViewerCompute = Annotated[Principal, Depends(Access("viewer", "compute"))]
Trader = Annotated[Principal, Depends(Access("trader", "read"))]
TraderBacktest = Annotated[Principal, Depends(Access("trader", "backtest"))]
TraderSweep = Annotated[Principal, Depends(Access("trader", "backtest", cost=5))]
Admin = Annotated[Principal, Depends(Access("admin", "read"))]


def access_rule(dependencies: list[Any]) -> Access | Public | None:
    """The rule among a route's dependency callables (for OpenAPI and the README table)."""
    rules = [d for d in dependencies if isinstance(d, Access | Public)]
    return rules[0] if len(rules) == 1 else None
