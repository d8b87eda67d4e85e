"""Intraday square-off: positions opened during a session are closed before its end.

Pure: bar instants in, two masks out. An NSE intraday (MIS) position is squared off by the
broker shortly before the 15:30 close (15:20 at most discount brokers), so a backtest of
intraday bars must never carry one overnight. Signals fill on the next bar, so for each IST
session the engine is given an exit signal on the bar before the square-off fill and no
entry from there to the session's last bar. The fill is on the first bar that opens at or
after the square-off time (its open with ``next_open``; with ``next_close`` one bar earlier,
whose close is that time), or on the session's last bar when none does (a short session).
"""

from __future__ import annotations

from datetime import time

import numpy as np

from chitti.marketdata.sessions import IST_OFFSET_S


def square_off_masks(ts: np.ndarray, at: time, *, fill_close: bool
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return (force_exit, no_entry): boolean arrays over the bars ``ts`` (instants)."""
    seconds = ts.astype("datetime64[s]").astype(np.int64) + IST_OFFSET_S
    day, time_of_day = seconds // 86_400, seconds % 86_400
    cutoff = at.hour * 3600 + at.minute * 60 + at.second
    n = ts.shape[0]
    force_exit, no_entry = np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_)
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    for first, stop in zip(starts, np.r_[starts[1:], n], strict=True):
        late = np.flatnonzero(time_of_day[first:stop] >= cutoff)
        fill = first + (int(late[0]) if late.size else stop - 1 - first)
        if fill_close:
            fill = max(fill - 1, first)
        signal = max(fill - 1, 0)
        force_exit[signal] = True
        no_entry[signal:stop] = True
    return force_exit, no_entry
