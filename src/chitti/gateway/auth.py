"""Who is asking: roles, password hashes, access tokens, refresh tokens and API keys.

Pure functions and small classes, no I/O: the gateway's store keeps users, sessions and keys
(``gateway/store.py``), the access dependency (``gateway/access.py``) applies them per route.

- Passwords are hashed with argon2id (argon2-cffi, its RFC 9106 low-memory profile).
- Access tokens are JWTs signed with HS256 and a 256-bit key; the algorithm is pinned when
  decoding, so ``alg: none`` and RS/HS confusion are refused. They carry the user, the role
  and the session id, so checking one costs microseconds and no database round trip.
- Refresh tokens and API keys are 256 random bits, stored as SHA-256 (a slow hash adds
  nothing against a random secret, and a key is checked on every request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from chitti.errors import BadRequest, Unauthorized

Role = Literal["viewer", "trader", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
#: Each role may do what the roles before it may.
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}

JWT_ALGORITHM = "HS256"
JWT_ISSUER = "trading-chitti"
API_KEY_PREFIX = "ck_"
#: Longest lifetime an API key may be given (days).
MAX_KEY_DAYS = 3650
#: The user of single-user mode (``CHITTI_AUTH=off``): an admin without a password.
LOCAL_USER = "local"

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


@dataclass(frozen=True, slots=True)
class Principal:
    """The user (or API key) a request acts for."""

    user_id: int
    name: str
    role: Role
    session_id: str | None = None  # None for API keys and single-user mode
    key_id: str | None = None
    issued_at: float = 0.0

    def may(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def user_scope(self) -> int | None:
        """Whose stored things (watchlists, jobs) this principal reaches by id: its own user's,
        or everyone's (None) for an admin."""
        return None if self.is_admin else self.user_id

    @property
    def owner_scope(self) -> str | None:
        """The same by user name, for what the services keep (rules, backtests)."""
        return None if self.is_admin else self.name

    @property
    def limit_key(self) -> str:
        """Whose rate limit a request counts against (a key has its own)."""
        return f"key:{self.key_id}" if self.key_id else f"user:{self.user_id}"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a user without a hash never matches."""
    if not password_hash:
        # Spend the same time as a real check, so timing does not tell which names exist.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> str:
    """Refuse passwords a guesser would find first; return the password."""
    if len(password) < 10:
        raise BadRequest("password: use at least 10 characters (a phrase is fine)")
    if len(password) > 1024:
        raise BadRequest("password: use at most 1024 characters")
    if "\x00" in password:
        raise BadRequest("password: remove the NUL character")
    return password


def new_password() -> str:
    """A random password for a generated account (about 130 bits)."""
    return secrets.token_urlsafe(22)


def new_signing_key() -> bytes:
    return secrets.token_bytes(32)


def issue_access_token(principal: Principal, key: bytes, ttl_s: int,
                       *, now: float | None = None) -> str:
    issued = time.time() if now is None else now
    claims = {"iss": JWT_ISSUER, "sub": str(principal.user_id), "name": principal.name,
              "role": principal.role, "sid": principal.session_id,
              "jti": uuid.uuid4().hex, "iat": int(issued), "exp": int(issued) + ttl_s,
              "typ": "access"}
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, key: bytes) -> Principal:
    """The principal of a valid token; :class:`Unauthorized` for anything else."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[JWT_ALGORITHM], issuer=JWT_ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "sid", "role"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the access token has expired: refresh it or log in again") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid access token ({exc})") from None
    if claims.get("typ") != "access" or claims["role"] not in ROLE_RANK:
        raise Unauthorized("invalid access token (not an access token)")
    return Principal(int(claims["sub"]), str(claims.get("name", "")), claims["role"],
                     session_id=str(claims["sid"]), issued_at=float(claims["iat"]))


def secret_digest(secret: str) -> bytes:
    """How refresh tokens and API keys are stored and looked up."""
    return hashlib.sha256(secret.encode()).digest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """``(key id, whole key)``; the id is public (listed), the key is shown once."""
    key_id = secrets.token_hex(6)
    return key_id, f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def api_key_id(key: str) -> str:
    """The id part of an API key; :class:`Unauthorized` when it is not shaped like one."""
    if not key.startswith(API_KEY_PREFIX) or key.count("_") < 2 or len(key) > 200:
        raise Unauthorized("invalid API key")
    return key[len(API_KEY_PREFIX):].split("_", 1)[0]


def same_digest(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
