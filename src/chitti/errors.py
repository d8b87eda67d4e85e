"""One error hierarchy for the whole system.

Each error's ``code`` travels in IPC error frames (see ARCHITECTURE.md) and is mapped to an
HTTP status in exactly one place, the gateway. The class says what the caller should do.
"""

from __future__ import annotations


class ChittiError(Exception):
    """Base of all project errors; ``code`` travels in IPC error frames."""

    code = "internal"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class BadRequest(ChittiError):
    """The request is wrong; the message names the field and the fix. Do not retry."""

    code = "bad_request"
    http_status = 400


class NotFound(ChittiError):
    """The thing asked for does not exist. Do not retry."""

    code = "not_found"
    http_status = 404


class Unauthorized(ChittiError):
    """No valid credentials (missing, expired, revoked or forged). Log in again."""

    code = "unauthorized"
    http_status = 401


class Forbidden(ChittiError):
    """Valid credentials whose role may not do this. Ask an admin for a higher role."""

    code = "forbidden"
    http_status = 403


class Conflict(ChittiError):
    """The request clashes with what is stored (a name already taken). Change it."""

    code = "conflict"
    http_status = 409


class RateLimited(ChittiError):
    """Too many requests (or long jobs) for now. Retry after ``retry_after_s`` seconds."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Unavailable(ChittiError):
    """A service or the database cannot be reached now. Retry with back-off."""

    code = "unavailable"
    http_status = 503


class Timeout(ChittiError):
    """The peer did not answer in time. The request may or may not have run."""

    code = "timeout"
    http_status = 504


class Internal(ChittiError):
    """A bug or an unexpected failure inside a service; the log has the traceback."""

    code = "internal"
    http_status = 500


ERRORS_BY_CODE: dict[str, type[ChittiError]] = {
    cls.code: cls for cls in (BadRequest, Unauthorized, Forbidden, NotFound, Conflict,
                              RateLimited, Unavailable, Timeout, Internal)
}


def error_from_code(code: str, message: str) -> ChittiError:
    """Rebuild the error a peer reported in an IPC error frame (unknown codes → Internal)."""
    return ERRORS_BY_CODE.get(code, Internal)(message)
