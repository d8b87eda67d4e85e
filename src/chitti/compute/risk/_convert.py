"""Conversions to JSON-able values shared by the result objects of this package."""

from __future__ import annotations

import math
from datetime import date

import numpy as np


def day(value: np.datetime64) -> date:
    """A datetime64 as a ``datetime.date``."""
    result: date = value.astype("datetime64[D]").item()
    return result


def iso(value: date | None) -> str | None:
    """An ISO date string, or None."""
    return None if value is None else value.isoformat()


def json_float(x: float) -> float | None:
    """A float for JSON: NaN and infinities (undefined figures) become None."""
    return float(x) if math.isfinite(x) else None
