"""Creating users and API keys, and setting passwords: shared by the API and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chitti.errors import BadRequest, Forbidden, NotFound
from chitti.gateway import store
from chitti.gateway.auth import (
    MAX_KEY_DAYS,
    ROLE_RANK,
    check_new_password,
    hash_password,
    new_api_key,
    new_password,
    secret_digest,
)


async def create_user(conn: store.Conn, name: str, password: str, role: str) -> store.Row:
    return await store.add_user(conn, name, hash_password(check_new_password(password)), role)


async def change_password(conn: store.Conn, name: str, password: str) -> store.Row:
    """A new password; every session of the user ends."""
    return await store.set_password(conn, name, hash_password(check_new_password(password)))


async def create_key(conn: store.Conn, user_name: str, name: str, role: str | None,
                     expires_days: int | None) -> dict[str, Any]:
    """Store a new key for ``user_name`` (role at most theirs): its row plus the key."""
    user = await store.user_by_name(conn, user_name)
    if user is None:
        raise NotFound(f"user: no user called {user_name!r}")
    if expires_days is not None and not 1 <= expires_days <= MAX_KEY_DAYS:
        raise BadRequest(f"expires_days: give 1 to {MAX_KEY_DAYS} days, or none for a key "
                         "that does not expire")
    role = role or user["role"]
    if ROLE_RANK[role] > ROLE_RANK[user["role"]]:
        raise Forbidden(f"role: a key cannot have more than its user's role ({user['role']})")
    key_id, key = new_api_key()
    expires = (datetime.now(UTC) + timedelta(days=expires_days)
               if expires_days is not None else None)
    row = await store.add_key(conn, int(user["id"]), key_id, name, role, secret_digest(key),
                              expires)
    return {**row, "key": key}


FIRST_ADMIN = "admin"


async def create_first_admin(conn: store.Conn, password: str | None) -> str | None:
    """On a database without users, create ``admin`` and return its password (``password``
    or a random one) to be shown once; None when users exist. The local user of
    single-user mode does not count."""
    cur = await conn.execute(
        "SELECT count(*) AS n FROM auth.users WHERE password_hash IS NOT NULL")
    row = await cur.fetchone()
    if row and row["n"]:
        return None
    chosen = password or new_password()
    await create_user(conn, FIRST_ADMIN, chosen, "admin")
    return chosen
