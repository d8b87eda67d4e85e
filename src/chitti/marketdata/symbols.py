"""The NSE symbol master: EQUITY_L.csv joined with the NIFTY index constituent lists.

EQUITY_L gives every listed equity (name, ISIN, listing date); the ``ind_nifty*list.csv``
files add the industry classification (NSE calls it "Industry"; it is a sector-level label
such as "Financial Services", so it fills ``sector``) and index membership.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from chitti.errors import BadRequest
from chitti.marketdata.bars import RejectedRow, parse_date, read_text

_INDEX_FILE = re.compile(r"ind_nifty(\d+)list\.csv$", re.IGNORECASE)


@dataclass
class SymbolRow:
    symbol: str
    name: str
    isin: str | None = None
    series: str | None = None
    listed_on: date | None = None
    sector: str | None = None
    indices: list[str] = field(default_factory=list)


def _rows(path: Path) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(read_text(path)))
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _listing_date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d-%b-%Y").date()
    except ValueError:
        return None


def load_reference_dir(directory: Path) -> list[SymbolRow]:
    """Build symbol rows from EQUITY_L.csv and any ``ind_nifty<N>list.csv`` in ``directory``."""
    master_path = directory / "EQUITY_L.csv"
    index_paths = sorted((p for p in directory.glob("*.csv") if _INDEX_FILE.search(p.name)),
                         key=lambda p: int(_INDEX_FILE.search(p.name)[1]))  # type: ignore[index]
    if not master_path.exists() and not index_paths:
        raise BadRequest(f"{directory}: neither EQUITY_L.csv nor ind_nifty*list.csv found")
    by_symbol: dict[str, SymbolRow] = {}
    if master_path.exists():
        for row in _rows(master_path):
            symbol = row.get("SYMBOL", "").upper()
            if symbol:
                by_symbol[symbol] = SymbolRow(
                    symbol=symbol, name=row.get("NAME OF COMPANY", symbol),
                    isin=row.get("ISIN NUMBER") or None, series=row.get("SERIES") or None,
                    listed_on=_listing_date(row.get("DATE OF LISTING", "")))
    for path in index_paths:
        index_name = f"NIFTY {_INDEX_FILE.search(path.name)[1]}"  # type: ignore[index]
        for row in _rows(path):
            symbol = row.get("Symbol", "").upper()
            if not symbol:
                continue
            entry = by_symbol.setdefault(symbol, SymbolRow(
                symbol=symbol, name=row.get("Company Name", symbol),
                isin=row.get("ISIN Code") or None, series=row.get("Series") or None))
            entry.sector = entry.sector or row.get("Industry") or None
            entry.indices.append(index_name)
    return sorted(by_symbol.values(), key=lambda r: r.symbol)


@dataclass(frozen=True)
class SymbolChange:
    """From ``effective_date`` on, ``old_symbol`` trades as ``new_symbol``."""

    old_symbol: str
    new_symbol: str
    effective_date: date
    company: str | None = None


_CHANGE_HEADER = re.compile(r"sm_?key_?symbol|old\s*symbol", re.IGNORECASE)


def parse_symbol_changes(text: str, *, source: str) -> tuple[list[SymbolChange],
                                                               list[RejectedRow]]:
    """Parse NSE's ``symbolchange.csv``: ``SYMB_COMPANY_NAME, SM_KEY_SYMBOL, SM_NEW_SYMBOL,
    SM_APPLICABLE_FROM`` (dates like ``15-JUN-2004``). NSE has served it with and without the
    header line and in Latin-1; both are read. Bad lines are returned with their number."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    changes: list[SymbolChange] = []
    rejected: list[RejectedRow] = []
    for line, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or (line == 1 and any(_CHANGE_HEADER.fullmatch(c) for c in cells)):
            continue
        try:
            if len(cells) < 4:
                raise ValueError(f"{len(cells)} fields; expected company, old symbol, new "
                                 "symbol, date")
            company, old, new, when = cells[0], cells[1].upper(), cells[2].upper(), cells[3]
            if not old or not new or old == new:
                raise ValueError(f"old symbol {old!r} and new symbol {new!r} must differ")
            changes.append(SymbolChange(old, new, parse_date(when), company or None))
        except ValueError as exc:
            rejected.append(RejectedRow(line, str(exc)))
    if not changes:
        raise BadRequest(f"{source}: no symbol changes found ({len(rejected)} unreadable lines);"
                         " expected NSE's symbolchange.csv: company, old symbol, new symbol, "
                         "date")
    return changes, rejected


def rename_map(changes: list[SymbolChange]) -> dict[str, list[tuple[date, str]]]:
    """``{old symbol: [(effective date, new symbol), ...]}`` sorted by date, for loads that
    must file an old symbol's rows under the name it trades as now."""
    out: dict[str, list[tuple[date, str]]] = {}
    for change in sorted(changes, key=lambda c: c.effective_date):
        out.setdefault(change.old_symbol, []).append((change.effective_date, change.new_symbol))
    return out


def current_symbol(symbol: str, day: date, renames: dict[str, list[tuple[date, str]]]) -> str:
    """The name ``symbol``, as printed on ``day``, trades under now (follows chains:
    SESAGOA -> SSLT -> VEDL). A rename dated after ``day`` applies; one dated on or before
    ``day`` does not, since the old name then already meant someone else (a reused symbol).
    """
    seen = {symbol}
    while True:
        later = [(when, new) for when, new in renames.get(symbol, ()) if when > day]
        if not later:
            return symbol
        day, symbol = later[0]
        if symbol in seen:  # a rename cycle in the data: stop rather than loop
            return symbol
        seen.add(symbol)
