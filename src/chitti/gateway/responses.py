"""A JSON response rendered with orjson: service replies can carry large arrays."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response


class OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one shape of every error the gateway returns."""
    return {"error": {"code": code, "message": message, **extra}}
