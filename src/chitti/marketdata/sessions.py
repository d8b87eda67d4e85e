"""NSE's trading day: the exchange's time zone and the normal equity session."""

from __future__ import annotations

from datetime import time, timedelta, timezone

import numpy as np

#: India Standard Time: NSE's clock (no daylight saving, so a fixed offset is exact).
IST = timezone(timedelta(hours=5, minutes=30))
#: The normal equity session, IST: continuous trading from 09:15 to 15:30.
NSE_OPEN = time(9, 15)
NSE_CLOSE = time(15, 30)
#: Minutes of the normal session (375), e.g. for annualising intraday returns.
SESSION_MINUTES = (NSE_CLOSE.hour * 60 + NSE_CLOSE.minute) - (NSE_OPEN.hour * 60
                                                              + NSE_OPEN.minute)
#: IST's offset from UTC in seconds, for NumPy arithmetic on ``datetime64`` instants.
IST_OFFSET_S = 5 * 3600 + 30 * 60


def ist_days(ts: np.ndarray) -> np.ndarray:
    """The IST calendar day (``datetime64[D]``) of each instant in ``ts``."""
    return (ts.astype("datetime64[s]") + np.timedelta64(IST_OFFSET_S, "s")).astype(
        "datetime64[D]")


def bar_times(ts: np.ndarray) -> list[str]:
    """Bar times as replies show them: dates of daily bars (``datetime64[D]``), else the
    instants in IST (``2023-07-03T09:15:00+05:30``)."""
    if ts.dtype == np.dtype("datetime64[D]"):
        return [str(t) for t in np.datetime_as_string(ts, unit="D")]
    local = np.datetime_as_string(
        np.asarray(ts.astype("datetime64[s]") + np.timedelta64(IST_OFFSET_S, "s")), unit="s")
    return [f"{t}+05:30" for t in local]
