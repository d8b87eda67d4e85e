"""What every request model of every service shares, in one place.

- ``REQUEST_CONFIG``: frozen, unknown fields refused, and no NaN or infinity (Python's JSON
  reader accepts ``NaN`` and ``Infinity``; a non-finite number in a backtest config or a price
  series has no meaning, and stored it could never be read back as JSON).
- ``MAX_ID``: the bound of a stored id (PostgreSQL's ``bigint``), so a larger number is a
  400 naming the field, and OpenAPI shows the bound.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

REQUEST_CONFIG = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

#: Largest value of a ``bigint`` column.
MAX_ID = 2**63 - 1


def request_config(*examples: dict[str, Any]) -> ConfigDict:
    """``REQUEST_CONFIG`` with whole-request examples for OpenAPI (a test validates each)."""
    return ConfigDict(**REQUEST_CONFIG, json_schema_extra={"examples": list(examples)})
