"""SQL of the ``auth`` schema: users, sessions and refresh tokens, API keys, watchlists and
shared rate-limit buckets. Every function takes an open connection (rows as dicts)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, errors
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from chitti.errors import Conflict, NotFound

Conn = AsyncConnection[DictRow]
Row = dict[str, Any]

USER_COLUMNS = "id, name, role, disabled, created_at, last_login_at"


# -- users ------------------------------------------------------------------------------

async def add_user(conn: Conn, name: str, password_hash: str | None, role: str) -> Row:
    try:
        cur = await conn.execute(
            f"INSERT INTO auth.users (name, password_hash, role) VALUES (%s, %s, %s) "  # noqa: S608 - constants only
            f"RETURNING {USER_COLUMNS}", (name, password_hash, role))
    except errors.UniqueViolation:
        raise Conflict(f"name: a user called {name!r} exists already") from None
    except errors.CheckViolation:
        raise Conflict(f"name: {name!r} is not a valid user name (1-64 letters, digits, "
                       f"_ . @ -)") from None
    row = await cur.fetchone()
    assert row is not None
    return row


async def user_by_name(conn: Conn, name: str) -> Row | None:
    cur = await conn.execute(
        f"SELECT {USER_COLUMNS}, password_hash FROM auth.users WHERE name = %s", (name,))  # noqa: S608 - constants only
    return await cur.fetchone()


async def list_users(conn: Conn) -> list[Row]:
    cur = await conn.execute(f"SELECT {USER_COLUMNS} FROM auth.users ORDER BY name")  # noqa: S608 - constants only
    return await cur.fetchall()


async def ensure_user(conn: Conn, name: str, role: str) -> Row:
    """The user called ``name``, created without a password when missing."""
    return await user_by_name(conn, name) or await add_user(conn, name, None, role)


async def _update_user(conn: Conn, name: str, assignments: str, params: tuple[Any, ...]) -> Row:
    """Change a user and end every session and token they hold."""
    cur = await conn.execute(
        f"UPDATE auth.users SET {assignments}, tokens_valid_after = now() WHERE name = %s "  # noqa: S608 - constants only
        f"RETURNING {USER_COLUMNS}", (*params, name))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no user called {name!r}")
    await conn.execute(
        "UPDATE auth.sessions SET revoked_at = now(), revoked_why = 'user changed' "
        "WHERE user_id = %s AND revoked_at IS NULL", (row["id"],))
    await announce_revocation(conn)
    return row


async def set_disabled(conn: Conn, name: str, disabled: bool) -> Row:
    return await _update_user(conn, name, "disabled = %s", (disabled,))


async def set_password(conn: Conn, name: str, password_hash: str) -> Row:
    return await _update_user(conn, name, "password_hash = %s", (password_hash,))


async def set_role(conn: Conn, name: str, role: str) -> Row:
    return await _update_user(conn, name, "role = %s", (role,))


# -- sessions and refresh tokens ------------------------------------------------------------

async def start_session(conn: Conn, user_id: int, refresh_digest: bytes, ttl_s: int,
                        client: str | None) -> str:
    """A new login: its session and first refresh token."""
    session_id = str(uuid.uuid4())
    await conn.execute(
        "INSERT INTO auth.sessions (id, user_id, expires_at, client) "
        "VALUES (%s, %s, now() + %s, %s)",
        (session_id, user_id, timedelta(seconds=ttl_s), (client or "")[:200] or None))
    await conn.execute(
        "INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES (%s, %s)",
        (refresh_digest, session_id))
    await conn.execute("UPDATE auth.users SET last_login_at = now() WHERE id = %s", (user_id,))
    return session_id


async def rotate_refresh_token(conn: Conn, digest: bytes, new_digest: bytes) -> Row | str:
    """Spend a refresh token and store its successor; the session's user on success.

    On failure, a reason: ``"unknown"``, ``"reused"`` (the token was spent before: someone
    else holds a copy, so the whole session is revoked), ``"ended"`` (session revoked or
    expired, or the user disabled). Call inside a transaction.
    """
    cur = await conn.execute(
        "SELECT t.session_id, t.used_at, s.revoked_at, s.expires_at < now() AS expired, "
        "       u.id AS user_id, u.name, u.role, u.disabled "
        "FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id "
        "JOIN auth.users u ON u.id = s.user_id WHERE t.token_hash = %s FOR UPDATE OF t, s",
        (digest,))
    row = await cur.fetchone()
    if row is None:
        return "unknown"
    if row["used_at"] is not None:
        await revoke_session(conn, str(row["session_id"]), "refresh token reused")
        return "reused"
    if row["revoked_at"] is not None or row["expired"] or row["disabled"]:
        return "ended"
    await conn.execute("UPDATE auth.refresh_tokens SET used_at = now() WHERE token_hash = %s",
                       (digest,))
    await conn.execute(
        "INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES (%s, %s)",
        (new_digest, row["session_id"]))
    await conn.execute("UPDATE auth.sessions SET last_used_at = now() WHERE id = %s",
                       (row["session_id"],))
    return row


async def revoke_session(conn: Conn, session_id: str, why: str) -> None:
    await conn.execute(
        "UPDATE auth.sessions SET revoked_at = now(), revoked_why = %s "
        "WHERE id = %s AND revoked_at IS NULL", (why, session_id))
    await announce_revocation(conn)


async def revocations(conn: Conn, horizon_s: int) -> tuple[set[str], dict[int, float],
                                                           set[str]]:
    """What access tokens and cached keys must no longer pass, for the last ``horizon_s``:
    revoked session ids, each user's ``tokens_valid_after`` as a Unix time (disabled users:
    infinity) and revoked or expired API key ids."""
    horizon = timedelta(seconds=horizon_s)
    cur = await conn.execute(
        "SELECT id::text FROM auth.sessions WHERE revoked_at > now() - %s", (horizon,))
    sessions = {r["id"] for r in await cur.fetchall()}
    cur = await conn.execute(
        "SELECT id, disabled, tokens_valid_after FROM auth.users "
        "WHERE disabled OR tokens_valid_after > now() - %s", (horizon,))
    users = {int(r["id"]): math.inf if r["disabled"] else r["tokens_valid_after"].timestamp()
             for r in await cur.fetchall()}
    cur = await conn.execute(
        "SELECT id FROM auth.api_keys WHERE revoked_at IS NOT NULL OR expires_at < now()")
    keys = {r["id"] for r in await cur.fetchall()}
    return sessions, users, keys


async def announce_revocation(conn: Conn) -> None:
    """Tell every gateway to reload its revocations now (they also poll)."""
    await conn.execute("SELECT pg_notify('auth_revoked', '')")


async def add_stream_ticket(conn: Conn, digest: bytes, user_id: int, role: str,
                            ttl_s: int) -> None:
    await conn.execute("DELETE FROM auth.stream_tickets WHERE expires_at < now()")
    await conn.execute(
        "INSERT INTO auth.stream_tickets (ticket_hash, user_id, role, expires_at) "
        "VALUES (%s, %s, %s, now() + %s)", (digest, user_id, role, timedelta(seconds=ttl_s)))


async def redeem_stream_ticket(conn: Conn, digest: bytes) -> Row | None:
    """The ticket's user, once: the ticket is deleted as it is read."""
    cur = await conn.execute(
        "DELETE FROM auth.stream_tickets t USING auth.users u WHERE t.ticket_hash = %s "
        "AND u.id = t.user_id RETURNING t.user_id, t.role, u.name, "
        "t.expires_at > now() AND NOT u.disabled AS valid", (digest,))
    row = await cur.fetchone()
    return row if row is not None and row["valid"] else None


# -- API keys ----------------------------------------------------------------------------

KEY_COLUMNS = ("k.id, k.name, k.role, k.created_at, k.expires_at, k.revoked_at, "
               "k.last_used_at, u.name AS user_name")


async def add_key(conn: Conn, user_id: int, key_id: str, name: str, role: str,
                  digest: bytes, expires_at: datetime | None) -> Row:
    try:
        await conn.execute(
            "INSERT INTO auth.api_keys (id, user_id, name, role, secret_hash, expires_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)", (key_id, user_id, name, role, digest, expires_at))
    except errors.UniqueViolation:
        raise Conflict(f"name: the user has a key called {name!r} already") from None
    return (await list_keys(conn, key_id=key_id))[0]


async def list_keys(conn: Conn, *, user_id: int | None = None,
                    key_id: str | None = None) -> list[Row]:
    cur = await conn.execute(
        f"SELECT {KEY_COLUMNS} FROM auth.api_keys k JOIN auth.users u ON u.id = k.user_id "  # noqa: S608 - constants only
        "WHERE (%(user)s::bigint IS NULL OR k.user_id = %(user)s) "
        "AND (%(key)s::text IS NULL OR k.id = %(key)s) ORDER BY u.name, k.name",
        {"user": user_id, "key": key_id})
    return await cur.fetchall()


async def revoke_key(conn: Conn, key_id: str, *, user_id: int | None = None) -> Row:
    cur = await conn.execute(
        "UPDATE auth.api_keys SET revoked_at = coalesce(revoked_at, now()) "
        "WHERE id = %s AND (%s::bigint IS NULL OR user_id = %s) RETURNING id",
        (key_id, user_id, user_id))
    if await cur.fetchone() is None:
        raise NotFound(f"no API key {key_id!r}")
    await announce_revocation(conn)
    return (await list_keys(conn, key_id=key_id))[0]


async def key_owner(conn: Conn, key_id: str) -> Row | None:
    """A usable key (not revoked, not expired, its user enabled) with its user."""
    cur = await conn.execute(
        "UPDATE auth.api_keys k SET last_used_at = now() FROM auth.users u "
        "WHERE k.id = %s AND u.id = k.user_id AND k.revoked_at IS NULL "
        "AND (k.expires_at IS NULL OR k.expires_at > now()) AND NOT u.disabled "
        "RETURNING k.id, k.role, k.secret_hash, u.id AS user_id, u.name", (key_id,))
    return await cur.fetchone()


# -- watchlists --------------------------------------------------------------------------

WATCHLIST_COLUMNS = "w.id, w.name, w.position, w.symbols, w.created_at, w.updated_at, " \
                    "u.name AS owner"


WATCHLIST_EDITABLE = ("name", "symbols", "position")


async def list_watchlists(conn: Conn, user_id: int) -> list[Row]:
    cur = await conn.execute(
        f"SELECT {WATCHLIST_COLUMNS} FROM auth.watchlists w JOIN auth.users u "  # noqa: S608 - constants only
        "ON u.id = w.user_id WHERE w.user_id = %s ORDER BY w.position, w.id", (user_id,))
    return await cur.fetchall()


async def get_watchlist(conn: Conn, watchlist_id: int, user_id: int | None) -> Row:
    """One list; ``user_id`` None (an admin) reaches every user's lists."""
    cur = await conn.execute(
        f"SELECT {WATCHLIST_COLUMNS} FROM auth.watchlists w JOIN auth.users u "  # noqa: S608 - constants only
        "ON u.id = w.user_id WHERE w.id = %s AND (%s::bigint IS NULL OR w.user_id = %s)",
        (watchlist_id, user_id, user_id))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no watchlist {watchlist_id}")
    return row


async def add_watchlist(conn: Conn, user_id: int, name: str, symbols: list[str],
                        position: int | None) -> Row:
    try:
        cur = await conn.execute(
            "INSERT INTO auth.watchlists (user_id, name, symbols, position) VALUES "
            "(%s, %s, %s, coalesce(%s, (SELECT coalesce(max(position) + 1, 0) "
            "FROM auth.watchlists WHERE user_id = %s))) RETURNING id",
            (user_id, name, symbols, position, user_id))
    except errors.UniqueViolation:
        raise Conflict(f"name: you have a watchlist called {name!r} already") from None
    row = await cur.fetchone()
    assert row is not None
    return await get_watchlist(conn, int(row["id"]), user_id)


async def update_watchlist(conn: Conn, watchlist_id: int, user_id: int | None,
                           changes: dict[str, Any]) -> Row:
    current = await get_watchlist(conn, watchlist_id, user_id)
    changes = {k: v for k, v in changes.items() if k in WATCHLIST_EDITABLE}
    if changes:
        sets = ", ".join(f"{column} = %({column})s" for column in changes)
        try:
            await conn.execute(
                f"UPDATE auth.watchlists SET {sets}, updated_at = now() WHERE id = %(id)s",  # noqa: S608 - constants only
                {**changes, "id": watchlist_id})
        except errors.UniqueViolation:
            raise Conflict(f"name: a watchlist called {changes.get('name')!r} exists "
                           "already") from None
    return await get_watchlist(conn, int(current["id"]), user_id)


async def delete_watchlist(conn: Conn, watchlist_id: int, user_id: int | None) -> None:
    await get_watchlist(conn, watchlist_id, user_id)
    await conn.execute("DELETE FROM auth.watchlists WHERE id = %s", (watchlist_id,))


# -- shared rate limits ------------------------------------------------------------------

async def take_tokens(conn: Conn, key: str, cost: float, capacity: float,
                      rate_per_s: float) -> float:
    """Take ``cost`` tokens from a shared bucket refilled at ``rate_per_s`` up to
    ``capacity``; return 0 when taken, else the seconds until they will be there."""
    params = {"key": key, "cost": cost, "cap": capacity, "rate": rate_per_s}
    await conn.execute(
        "INSERT INTO auth.rate_buckets (key, tokens) VALUES (%(key)s, %(cap)s) "
        "ON CONFLICT (key) DO NOTHING", params)
    # The row lock serialises concurrent gateways; "before" is the refilled level.
    cur = await conn.execute(
        """
        WITH old AS (
            SELECT least(%(cap)s, tokens + %(rate)s
                        * greatest(0, extract(epoch FROM clock_timestamp() - updated_at)))
                   AS before
            FROM auth.rate_buckets WHERE key = %(key)s FOR UPDATE)
        UPDATE auth.rate_buckets b
        SET tokens = CASE WHEN old.before >= %(cost)s THEN old.before - %(cost)s
                          ELSE old.before END,
            updated_at = clock_timestamp()
        FROM old WHERE b.key = %(key)s
        RETURNING old.before
        """, params)
    row = await cur.fetchone()
    before = float(row["before"]) if row else capacity
    return 0.0 if before >= cost else (cost - before) / rate_per_s


# -- jobs --------------------------------------------------------------------------------

JOB_COLUMNS = ("j.id::text AS id, j.kind, j.state, j.progress, j.message, j.error, "
               "j.attempts, j.created_at, j.started_at, j.finished_at, u.name AS owner, j.user_id")


async def add_job(conn: Conn, user_id: int, kind: str, request: dict[str, Any],
                  max_open: int) -> Row | None:
    """Queue a job unless the user already has ``max_open`` queued or running (None)."""
    cur = await conn.execute(
        "SELECT count(*) AS n FROM auth.jobs WHERE user_id = %s "
        "AND state IN ('queued', 'running')", (user_id,))
    row = await cur.fetchone()
    if row and row["n"] >= max_open:
        return None
    job_id = str(uuid.uuid4())
    await conn.execute(
        "INSERT INTO auth.jobs (id, user_id, kind, request, state) "
        "VALUES (%s, %s, %s, %s, 'queued')", (job_id, user_id, kind, Jsonb(request)))
    await notify_job(conn, job_id, user_id, "queued")
    return await get_job(conn, job_id, None)


async def notify_job(conn: Conn, job_id: str, user_id: int, state: str) -> None:
    await conn.execute("SELECT pg_notify('job_updated', %s)",
                       (f"{job_id}:{user_id}:{state}",))


async def get_job(conn: Conn, job_id: str, user_id: int | None, *,
                  with_result: bool = False) -> Row:
    result = ", j.result" if with_result else ""
    cur = await conn.execute(
        f"SELECT {JOB_COLUMNS}{result} FROM auth.jobs j JOIN auth.users u ON u.id = j.user_id "  # noqa: S608 - constants only
        "WHERE j.id = %s AND (%s::bigint IS NULL OR j.user_id = %s)",
        (job_id, user_id, user_id))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no job {job_id}")
    return row


async def list_jobs(conn: Conn, user_id: int, limit: int) -> list[Row]:
    cur = await conn.execute(
        f"SELECT {JOB_COLUMNS} FROM auth.jobs j JOIN auth.users u ON u.id = j.user_id "  # noqa: S608 - constants only
        "WHERE j.user_id = %s ORDER BY j.created_at DESC LIMIT %s", (user_id, limit))
    return await cur.fetchall()


async def claim_job(conn: Conn, runner: str, stale_s: float) -> Row | None:
    """Take the oldest queued job (or one whose runner stopped beating) for ``runner``."""
    cur = await conn.execute(
        "UPDATE auth.jobs SET state = 'running', runner = %(runner)s, "
        "heartbeat_at = now(), started_at = coalesce(started_at, now()), "
        "attempts = attempts + 1 WHERE id = (SELECT id FROM auth.jobs "
        "  WHERE state = 'queued' OR (state = 'running' AND heartbeat_at < now() - %(stale)s "
        "  AND attempts < 3) "
        "  ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1) "
        "RETURNING id::text AS id, user_id, kind, request, attempts",
        {"runner": runner, "stale": timedelta(seconds=stale_s)})
    row = await cur.fetchone()
    if row is not None:
        await notify_job(conn, row["id"], row["user_id"], "running")
    return row


async def beat(conn: Conn, runner: str) -> None:
    await conn.execute("UPDATE auth.jobs SET heartbeat_at = now() "
                       "WHERE runner = %s AND state = 'running'", (runner,))


async def set_job_progress(conn: Conn, job_id: str, runner: str, progress: float,
                           message: str) -> None:
    """Record how far a running job is (0..1) and what it is doing, for whoever polls it."""
    await conn.execute(
        "UPDATE auth.jobs SET progress = %s, message = %s"
        " WHERE id = %s AND runner = %s AND state = 'running'",
        (min(max(progress, 0.0), 0.999), message, job_id, runner))


async def finish_job(conn: Conn, job_id: str, runner: str, state: str,
                     result: dict[str, Any] | None, error: dict[str, Any] | None) -> bool:
    """Record the outcome unless the job was cancelled or taken over meanwhile."""
    cur = await conn.execute(
        "UPDATE auth.jobs SET state = %s, result = %s, error = %s, progress = "
        "CASE WHEN %s = 'done' THEN 1 ELSE progress END, finished_at = now() "
        "WHERE id = %s AND runner = %s AND state = 'running' RETURNING user_id",
        (state, Jsonb(result) if result is not None else None,
         Jsonb(error) if error is not None else None, state, job_id, runner))
    row = await cur.fetchone()
    if row is not None:
        await notify_job(conn, job_id, int(row["user_id"]), state)
    return row is not None


async def cancel_job(conn: Conn, job_id: str, user_id: int | None) -> Row:
    job = await get_job(conn, job_id, user_id)
    cur = await conn.execute(
        "UPDATE auth.jobs SET state = 'cancelled', finished_at = now() "
        "WHERE id = %s AND state IN ('queued', 'running') RETURNING user_id", (job_id,))
    if await cur.fetchone() is not None:
        await notify_job(conn, job_id, int(job["user_id"]), "cancelled")
    return await get_job(conn, job_id, user_id)
