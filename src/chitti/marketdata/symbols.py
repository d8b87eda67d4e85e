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
from chitti.marketdata.bars import read_text

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
