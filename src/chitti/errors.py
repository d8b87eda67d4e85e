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
    cls.code: cls for cls in (BadRequest, NotFound, Unavailable, Timeout, Internal)
}


def error_from_code(code: str, message: str) -> ChittiError:
    """Rebuild the error a peer reported in an IPC error frame (unknown codes → Internal)."""
    return ERRORS_BY_CODE.get(code, Internal)(message)
