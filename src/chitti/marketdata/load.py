"""Load market-data files into ``md``: parse, report rejected rows, COPY, merge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from tqdm import tqdm

from chitti.marketdata import store
from chitti.marketdata.bars import RejectedRow, parse_file
from chitti.marketdata.symbols import load_reference_dir

#: Rows sent to the database per COPY batch (bounded memory on large files).
BATCH_ROWS = 50_000


@dataclass
class FileReport:
    path: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


def load_bar_files(
    url: str, paths: Iterable[Path], *, symbol: str | None = None, progress: bool = False
) -> list[FileReport]:
    """Load daily OHLCV files; each file is parsed whole, then merged in batches."""
    reports: list[FileReport] = []
    with psycopg.connect(url) as conn:
        for path in paths:
            parsed = parse_file(path, symbol=symbol)
            report = FileReport(str(path), rejected=parsed.rejected)
            bar = tqdm(total=len(parsed.bars), desc=path.name, unit="rows", disable=not progress)
            for start in range(0, len(parsed.bars), BATCH_ROWS):
                batch = parsed.bars[start:start + BATCH_ROWS]
                counts = store.upsert_bars(conn, batch)
                report.inserted += counts.inserted
                report.updated += counts.updated
                report.unchanged += counts.unchanged
                bar.update(len(batch))
            bar.close()
            reports.append(report)
            if report.inserted or report.updated:
                _announce(conn, {b.symbol for b in parsed.bars})
    return reports


def _announce(conn: psycopg.Connection[Any], symbols: set[str]) -> None:
    """NOTIFY ``eod_loaded`` with the loaded symbols (signal-service alerts on new bars)."""
    chunk: list[str] = []
    for symbol in sorted(symbols):
        chunk.append(symbol)
        if sum(len(s) + 1 for s in chunk) > 7000:  # payloads must stay under 8000 bytes
            conn.execute("SELECT pg_notify('eod_loaded', %s)", (",".join(chunk),))
            chunk = []
    if chunk:
        conn.execute("SELECT pg_notify('eod_loaded', %s)", (",".join(chunk),))
    conn.commit()


def load_symbols(url: str, reference_dir: Path) -> store.LoadCounts:
    """Load the symbol master and index lists from ``reference_dir``."""
    rows = load_reference_dir(reference_dir)
    with psycopg.connect(url) as conn:
        return store.upsert_symbols(conn, rows)


def load_demo(url: str, demo_dir: Path, *, progress: bool = False) -> bool:
    """Load the shipped demo data once (skipped when ``md.eod_prices`` has rows)."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM md.eod_prices)").fetchone() == (True,):
            return False
    load_symbols(url, demo_dir / "reference")
    load_bar_files(url, sorted(demo_dir.glob("nifty_sample_daily_*.csv.gz")), progress=progress)
    load_bar_files(url, sorted(demo_dir.glob("nifty50_index_*.csv.gz")), symbol="NIFTY 50",
                   progress=progress)
    return True
