"""Login, token refresh and logout, who am I, stream tickets; users and API keys (admin)."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response

from chitti.errors import BadRequest, NotFound, Unauthorized
from chitti.gateway import accounts, store
from chitti.gateway.access import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    STREAM_TICKET_TTL_S,
    Admin,
    Authenticator,
    Public,
    Viewer,
    client_ip,
)
from chitti.gateway.auth import (
    Principal,
    issue_access_token,
    new_refresh_token,
    secret_digest,
    verify_password,
)
from chitti.gateway.schemas import (
    CONFLICT,
    ERROR_RESPONSES,
    ApiKeyCreated,
    ApiKeyInfo,
    ApiKeyList,
    Me,
    NewApiKey,
    NewUser,
    RefreshBody,
    StreamTicket,
    TokenReply,
    UserChange,
    UserInfo,
    UserList,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/auth", tags=["auth"])
ticket_router = APIRouter(tags=["auth"])

AuthAttempt = Depends(Public("auth"))
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: ERROR_RESPONSES[400] | {
    "description": "No such user or key"}}
#: Login and refresh are public routes that can still refuse the credentials they are given.
REFUSED: dict[int | str, dict[str, Any]] = {401: ERROR_RESPONSES[400] | {
    "description": "Wrong user name or password, or a spent or unknown refresh token"}}


def _auth(request: Request) -> Authenticator:
    return request.app.state.auth  # type: ignore[no-any-return]


def _set_cookies(request: Request, response: Response, reply: TokenReply,
                 refresh_ttl_s: int) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(ACCESS_COOKIE, reply.access_token, max_age=reply.expires_in,
                        httponly=True, samesite="strict", secure=secure, path="/")
    response.set_cookie(REFRESH_COOKIE, reply.refresh_token, max_age=refresh_ttl_s,
                        httponly=True, samesite="strict", secure=secure, path="/api/auth")


async def _tokens(request: Request, response: Response, principal: Principal,
                  refresh: str) -> TokenReply:
    settings = _auth(request).settings
    ttl = settings.access_token_ttl_s
    reply = TokenReply(access_token=issue_access_token(principal, _auth(request).key, ttl),
                       expires_in=ttl, refresh_token=refresh, user=principal.name,
                       role=principal.role)
    _set_cookies(request, response, reply, settings.refresh_token_ttl_s)
    return reply


@router.post("/token", response_model=TokenReply, dependencies=[AuthAttempt],
             responses={**ERROR_RESPONSES, **REFUSED})
async def login(request: Request, response: Response,
                username: Annotated[str, Form(max_length=64, examples=["admin"])],
                password: Annotated[str, Form(max_length=1024, examples=["the password"])],
                ) -> TokenReply:
    """OAuth2 password flow: a form with ``username`` and ``password``. Failed attempts are
    limited per client IP and per user name."""
    auth = _auth(request)
    if not auth.enabled:
        raise BadRequest("authentication is off (CHITTI_AUTH=off): no login is needed")
    await auth.limiter.charge("auth", ["name:" + username.lower()])
    async with auth.pool.connection() as conn:
        user = await store.user_by_name(conn, username)
        if (user is None or user["disabled"]
                or not verify_password(user["password_hash"], password)):
            log.warning("login failed for user %r from %s", username[:64], client_ip(request))
            raise Unauthorized("wrong user name or password")
        refresh = new_refresh_token()
        session_id = await store.start_session(
            conn, int(user["id"]), secret_digest(refresh), auth.settings.refresh_token_ttl_s,
            request.headers.get("user-agent"))
    log.info("user %s logged in from %s", user["name"], client_ip(request))
    principal = Principal(int(user["id"]), user["name"], user["role"], session_id=session_id)
    return await _tokens(request, response, principal, refresh)


@router.post("/refresh", response_model=TokenReply, dependencies=[AuthAttempt],
             responses={**ERROR_RESPONSES, **REFUSED})
async def refresh(request: Request, response: Response,
                  body: RefreshBody | None = None) -> TokenReply:
    """A new access token and a new refresh token for the last refresh token (body or
    cookie). A refresh token works once: presenting a spent one ends its session."""
    auth = _auth(request)
    token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise Unauthorized("send the refresh token (body or the chitti_refresh cookie)")
    successor = new_refresh_token()
    async with auth.pool.connection() as conn, conn.transaction():
        outcome = await store.rotate_refresh_token(conn, secret_digest(token[:200]),
                                                   secret_digest(successor))
    if outcome == "reused":
        log.warning("a spent refresh token was presented from %s: its session is revoked",
                    client_ip(request))
    if isinstance(outcome, str):
        raise Unauthorized("the refresh token is not valid any more: log in again")
    principal = Principal(int(outcome["user_id"]), outcome["name"], outcome["role"],
                          session_id=str(outcome["session_id"]))
    return await _tokens(request, response, principal, successor)


@router.post("/logout", status_code=204, responses=ERROR_RESPONSES)
async def logout(request: Request, principal: Viewer) -> Response:
    """End the session: its access and refresh tokens stop working on every gateway."""
    auth = _auth(request)
    if principal.session_id is not None:
        async with auth.pool.connection() as conn:
            await store.revoke_session(conn, principal.session_id, "logout")
        auth.revoked.sessions.add(principal.session_id)
    response = Response(status_code=204)
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    return response


@router.get("/me", response_model=Me, responses=ERROR_RESPONSES)
async def me(request: Request, principal: Viewer) -> Me:
    """Who the credentials belong to, and whether authentication is on."""
    auth = _auth(request)
    via: Literal["token", "api_key", "single_user"] = (
        "single_user" if not auth.enabled else "api_key" if principal.key_id else "token")
    return Me(id=principal.user_id, name=principal.name, role=principal.role, via=via,
              auth=auth.settings.auth)


@ticket_router.post("/api/stream-ticket", response_model=StreamTicket,
                    responses=ERROR_RESPONSES)
async def stream_ticket(request: Request, principal: Viewer) -> StreamTicket:
    """A single-use ticket that opens one stream within a minute
    (``/api/alerts/stream?ticket=`` or ``/api/ws?ticket=``): no token in a URL."""
    auth = _auth(request)
    ticket = new_refresh_token()
    async with auth.pool.connection() as conn:
        await store.add_stream_ticket(conn, secret_digest(ticket), principal.user_id,
                                      principal.role, STREAM_TICKET_TTL_S)
    return StreamTicket(ticket=ticket, expires_in=STREAM_TICKET_TTL_S)


# -- users and keys (admin) -----------------------------------------------------------------

@router.get("/users", response_model=UserList, responses=ERROR_RESPONSES)
async def list_users(request: Request, _: Admin) -> UserList:
    """Every user with role, state and last login."""
    async with _auth(request).pool.connection() as conn:
        return UserList(users=[UserInfo(**u) for u in await store.list_users(conn)])


@router.post("/users", response_model=UserInfo, status_code=201,
             responses={**ERROR_RESPONSES, **CONFLICT})
async def add_user(request: Request, body: NewUser, _: Admin) -> UserInfo:
    """Create a user (``chitti users add`` does the same from the shell)."""
    async with _auth(request).pool.connection() as conn:
        return UserInfo(**await accounts.create_user(conn, body.name, body.password, body.role))


@router.patch("/users/{name}", response_model=UserInfo,
              responses={**ERROR_RESPONSES, **NOT_FOUND})
async def change_user(request: Request, name: str, body: UserChange,
                      principal: Admin) -> UserInfo:
    """Change a user's role, disable or enable them, or set a new password; their
    sessions end either way."""
    if name == principal.name and (body.disabled or body.role not in (None, "admin")):
        raise BadRequest("name: you cannot disable yourself or drop your own admin role")
    async with _auth(request).pool.connection() as conn, conn.transaction():
        row = await store.user_by_name(conn, name)
        if row is None:
            raise NotFound(f"no user called {name!r}")
        if body.role is not None:
            row = await store.set_role(conn, name, body.role)
        if body.disabled is not None:
            row = await store.set_disabled(conn, name, body.disabled)
        if body.password is not None:
            row = await accounts.change_password(conn, name, body.password)
    await _auth(request).reload()
    return UserInfo(**{k: v for k, v in row.items() if k != "password_hash"})


@router.get("/keys", response_model=ApiKeyList, responses=ERROR_RESPONSES)
async def list_keys(request: Request, _: Admin) -> ApiKeyList:
    """Every API key (never the key itself)."""
    async with _auth(request).pool.connection() as conn:
        return ApiKeyList(keys=[ApiKeyInfo(**k) for k in await store.list_keys(conn)])


@router.post("/keys", response_model=ApiKeyCreated, status_code=201,
             responses={**ERROR_RESPONSES, **NOT_FOUND, **CONFLICT})
async def add_key(request: Request, body: NewApiKey, principal: Admin) -> ApiKeyCreated:
    """A new API key for scripts (``X-API-Key``); the reply shows it once."""
    async with _auth(request).pool.connection() as conn:
        created = await accounts.create_key(conn, body.user or principal.name, body.name,
                                            body.role, body.expires_days)
    return ApiKeyCreated(**created)


@router.delete("/keys/{key_id}", response_model=ApiKeyInfo,
               responses={**ERROR_RESPONSES, **NOT_FOUND})
async def revoke_key(request: Request, key_id: str, _: Admin) -> ApiKeyInfo:
    """Revoke a key: it stops working on every gateway within seconds."""
    async with _auth(request).pool.connection() as conn:
        row = await store.revoke_key(conn, key_id[:64])
    _auth(request).revoked.keys.add(row["id"])
    return ApiKeyInfo(**row)
