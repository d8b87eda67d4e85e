"""Intraday bars: parse minute-bar files and resample them to coarser intervals.

Pure: text in, arrays out. A bar is stamped with the instant it opens. Resampling follows
NSE's session, as Indian charting platforms draw it: buckets start at 09:15 IST and step by
the interval (an hour runs 09:15-10:15, ..., and the day's last hour is 15:15-15:30), ``1d``
is the IST calendar day. Buckets are never carried across days, and empty buckets are not
produced. A special session (Muhurat trading in the evening) falls into the buckets its
times give; a short session yields fewer bars, never filled-in ones.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

import numpy as np

from chitti.errors import BadRequest
from chitti.marketdata.bars import RejectedRow, row_prices
from chitti.marketdata.sessions import IST, IST_OFFSET_S, NSE_OPEN

#: Bar length of a price read: ``1d`` (a whole IST day) or an intraday interval.
Interval = Literal["1m", "3m", "5m", "10m", "15m", "30m", "1h", "2h", "1d"]
#: Minutes in each interval.
INTERVAL_MINUTES: dict[str, int] = dict(zip(
    get_args(Interval), (1, 3, 5, 10, 15, 30, 60, 120, 1440), strict=True))
_OPEN_OFFSET_S = NSE_OPEN.hour * 3600 + NSE_OPEN.minute * 60


@dataclass(frozen=True)
class IntradayBar:
    symbol: str
    ts: datetime
    open: float
    high: float
    low: float
    close: float
    volume: int


@dataclass
class ParsedIntraday:
    source: str
    bars: list[IntradayBar] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def interval_minutes(interval: str) -> int:
    """Minutes in ``interval`` (``5m``, ``1h``, ``1d``), or a BadRequest naming the choices."""
    if interval not in INTERVAL_MINUTES:
        raise BadRequest(f"interval: {interval!r} is not one of "
                         f"{', '.join(INTERVAL_MINUTES)}")
    return INTERVAL_MINUTES[interval]


def _timestamp(text: str) -> datetime:
    if len(text.strip()) <= 10:
        raise ValueError(f"{text.strip()!r} has no time of day; intraday bars need timestamps"
                         " (a daily file loads without --interval)")
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=IST)  # NSE files are in IST


def _row_bar(row: list[str], cols: dict[str, int], symbol: str) -> IntradayBar:
    ts = _timestamp(row[cols["date"]])
    return IntradayBar(symbol, ts, *row_prices(row, cols, ts.isoformat()))


def parse_intraday(text: str, *, source: str, symbol: str | None) -> ParsedIntraday:
    """Parse ``date,open,high,low,close,volume`` minute bars (``date`` an ISO timestamp,
    IST when it has no offset), with a symbol column or ``symbol`` given. Bad rows are
    reported with their line (the header is line 1), as daily loads do."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [re.sub(r"[\s_]", "", h).lower() for h in next(reader, [])]
    names = {"date": ("date", "datetime", "timestamp", "ts"), "symbol": ("symbol",),
             "open": ("open",), "high": ("high",), "low": ("low",), "close": ("close",),
             "volume": ("volume",)}
    cols = {key: header.index(a) for key, aliases in names.items() for a in aliases
            if a in header}
    missing = [k for k in ("date", "open", "high", "low", "close") if k not in cols]
    if missing:
        raise BadRequest(f"{source}: intraday file lacks {', '.join(missing)}; expected "
                         "date,open,high,low,close,volume")
    if "symbol" not in cols and not symbol:
        raise BadRequest(f"{source}: no symbol column; pass the symbol (--symbol NAME)")
    parsed = ParsedIntraday(source)
    seen: dict[tuple[str, datetime], int] = {}
    for line, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            name = row[cols["symbol"]].strip().upper() if "symbol" in cols else str(symbol)
            bar = _row_bar(row, cols, name)
            first = seen.setdefault((bar.symbol, bar.ts), line)
            if first != line:
                raise ValueError(f"duplicate of line {first} ({bar.symbol} {bar.ts})")
        except (ValueError, IndexError) as exc:
            parsed.rejected.append(RejectedRow(line, str(exc)))
            continue
        parsed.bars.append(bar)
    return parsed


def bucket_starts(ts: np.ndarray, minutes: int) -> np.ndarray:
    """The opening instant (``datetime64[s]``, UTC) of the bucket each bar falls into."""
    seconds = ts.astype("datetime64[s]").astype(np.int64) + IST_OFFSET_S  # IST wall clock
    day = seconds - seconds % 86_400
    if minutes >= 1440:
        start = day
    else:
        since_open = seconds - day - _OPEN_OFFSET_S
        start = day + _OPEN_OFFSET_S + since_open // (minutes * 60) * (minutes * 60)
    return (start - IST_OFFSET_S).astype("datetime64[s]")


def resample(block: dict[str, np.ndarray], minutes: int) -> dict[str, np.ndarray]:
    """Aggregate bars (``ts`` ascending ``datetime64``) into ``minutes`` buckets: first
    open, highest high, lowest low, last close, summed volume."""
    ts = block["ts"]
    if ts.size == 0:
        return dict(block)
    starts = bucket_starts(ts, minutes)
    first = np.flatnonzero(np.r_[True, starts[1:] != starts[:-1]])
    last = np.r_[first[1:] - 1, ts.size - 1]
    return {
        "ts": starts[first],
        "open": block["open"][first],
        "high": np.maximum.reduceat(block["high"], first),
        "low": np.minimum.reduceat(block["low"], first),
        "close": block["close"][last],
        "volume": np.add.reduceat(block["volume"], first),
    }
