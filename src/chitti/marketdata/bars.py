"""Parse daily OHLCV files into validated rows, reporting every rejected row.

Pure: bytes/text in, rows out. Understands the layouts a trader meets with NSE data:

* Kaggle NIFTY-50 set: ``Date,Symbol,Prev Close,Open,High,Low,Close,Volume``
* NSE daily extracts: ``Date,Symbol,Open,High,Low,Close,Turnover,Volume,Trades``
* legacy NSE bhavcopy (``cm*bhav.csv``): ``SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,
  TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,ISIN``
* NSE UDiFF bhavcopy (since July 2024): ``TradDt, TckrSymb, SctySrs, OpnPric, HghPric, LwPric,
  ClsPric, TtlTradgVol`` among others
* a generic ``date,open,high,low,close,volume`` file, with or without a symbol column (then
  the symbol is given by the caller, e.g. an index history).

Bhavcopies hold every series; only ``EQ`` (normal equity) rows are kept by default, because
mixing BE/SM/GS rows would corrupt a price series.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from chitti.errors import BadRequest

# Canonical field -> accepted header names (compared case-insensitively, spaces stripped).
_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "timestamp", "traddt", "tradedate"),
    "symbol": ("symbol", "tckrsymb", "ticker"),
    "series": ("series", "sctysrs"),
    "open": ("open", "opnpric", "openprice"),
    "high": ("high", "hghpric", "highprice"),
    "low": ("low", "lwpric", "lowprice"),
    "close": ("close", "clspric", "closeprice"),
    "volume": ("volume", "tottrdqty", "ttltradgvol", "volume(shares)", "sharestraded"),
}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d", "%d-%b-%y", "%d/%m/%y")


@dataclass(frozen=True)
class Bar:
    symbol: str
    ts: date
    open: float
    high: float
    low: float
    close: float
    volume: int


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ParsedBars:
    source: str
    bars: list[Bar] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "").replace("_", "")


def _map_columns(header: list[str]) -> dict[str, int]:
    index = {_key(name): position for position, name in enumerate(header)}
    mapping: dict[str, int] = {}
    for canonical, aliases in _ALIASES.items():
        for alias in aliases:
            if alias.replace(" ", "") in index:
                mapping[canonical] = index[alias.replace(" ", "")]
                break
    missing = [name for name in ("date", "open", "high", "low", "close") if name not in mapping]
    if missing:
        raise BadRequest(
            f"unrecognised columns {header!r}: missing {', '.join(missing)}; expected a Kaggle/NSE "
            "daily file, a bhavcopy, or date,open,high,low,close,volume"
        )
    return mapping


def parse_date(text: str) -> date:
    """Parse the date formats seen in NSE files (ISO, 01-JAN-2020, 01/01/2020, ...)."""
    value = text.strip()
    if len(value) > 10 and value[4] == "-" and value[10] in " T":  # ISO timestamp
        return datetime.fromisoformat(value).date()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def _number(text: str, name: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} is {text!r}")
    return value


def row_prices(row: list[str], cols: dict[str, int], when: str) -> tuple[float, float, float,
                                                                         float, int]:
    """Open, high, low, close and volume of one CSV row, checked as a stop or a range
    indicator needs them (positive prices, high/low containing open/close, whole volume);
    ``when`` labels the errors. Used by the daily and the intraday parsers alike."""
    o, h, lo, c = (_number(row[cols[k]], k) for k in ("open", "high", "low", "close"))
    volume_text = row[cols["volume"]].strip() if "volume" in cols else ""
    volume = _number(volume_text, "volume") if volume_text else 0.0
    if min(o, h, lo, c) <= 0:
        raise ValueError(f"{when}: non-positive price (open={o}, high={h}, low={lo}, close={c})")
    if lo > min(o, c) or h < max(o, c):
        raise ValueError(f"{when}: inconsistent bar: low={lo} high={h} but open={o} close={c}")
    if volume < 0 or volume != int(volume):
        raise ValueError(f"{when}: volume {volume_text!r} is not a whole non-negative number")
    return o, h, lo, c, int(volume)


def _bar_from_row(row: list[str], cols: dict[str, int], symbol: str) -> Bar:
    ts = parse_date(row[cols["date"]])
    return Bar(symbol, ts, *row_prices(row, cols, str(ts)))


def parse_rows(
    rows: Iterable[list[str]], *, source: str, symbol: str | None = None,
    series: tuple[str, ...] = ("EQ",),
) -> ParsedBars:
    """Parse CSV rows (header first); bad rows are reported, never silently dropped.

    ``symbol`` names the series of a file without a symbol column; with a symbol column it
    must be None. Line numbers in the report count the header as line 1.
    """
    iterator: Iterator[list[str]] = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise BadRequest(f"{source}: empty file")
    cols = _map_columns(header)
    if "symbol" not in cols and not symbol:
        raise BadRequest(f"{source}: no symbol column; pass the symbol (--symbol NAME)")
    result = ParsedBars(source)
    seen: dict[tuple[str, date], int] = {}
    for line, row in enumerate(iterator, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        try:
            if len(row) < len(header):
                raise ValueError(f"{len(row)} fields, header has {len(header)}")
            if "series" in cols and row[cols["series"]].strip() not in series:
                continue
            row_symbol = row[cols["symbol"]].strip().upper() if "symbol" in cols else symbol
            if not row_symbol:
                raise ValueError("empty symbol")
            bar = _bar_from_row(row, cols, str(row_symbol).upper())
            first = seen.setdefault((bar.symbol, bar.ts), line)
            if first != line:
                raise ValueError(f"duplicate of line {first} ({bar.symbol} {bar.ts})")
        except ValueError as exc:
            result.rejected.append(RejectedRow(line, str(exc)))
            continue
        result.bars.append(bar)
    return result


def read_text(path: Path) -> str:
    """Read a plain or gzip file as text: UTF-8 (a BOM tolerated), else Latin-1, in which
    NSE serves some files (symbolchange.csv). A NUL byte means the file is not a CSV at all;
    it is refused here, before a loader could hand it to the database."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise BadRequest(f"{path}: not a readable gzip file ({exc})") from None
    return decode_text(raw, source=str(path))


def decode_text(raw: bytes, *, source: str) -> str:
    """CSV bytes as text (see :func:`read_text`); BadRequest naming the line of a NUL."""
    if (nul := raw.find(b"\x00")) >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise BadRequest(f"{source}: line {line} has a NUL byte; expected a text CSV file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_file(path: Path, *, symbol: str | None = None) -> ParsedBars:
    """Parse one daily OHLCV file (plain or gzip)."""
    if not path.is_file():
        raise BadRequest(f"{path}: no such file")
    reader = csv.reader(io.StringIO(read_text(path)))
    return parse_rows(reader, source=str(path), symbol=symbol)
