"""Load market-data files into ``md``: parse, report rejected rows, COPY, merge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from tqdm import tqdm

from chitti.db.notify import payload_chunks
from chitti.errors import BadRequest
from chitti.marketdata import store
from chitti.marketdata.actions import CorporateAction, ParsedActions, parse_actions
from chitti.marketdata.bars import Bar, RejectedRow, parse_file, read_text
from chitti.marketdata.intraday import interval_minutes, parse_intraday
from chitti.marketdata.symbols import current_symbol, load_reference_dir, parse_symbol_changes

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
        renames = store.read_renames(conn)
        for path in paths:
            parsed = parse_file(path, symbol=symbol)
            report = FileReport(str(path), rejected=parsed.rejected)
            merge_bars(conn, parsed.bars, renames, report, progress=progress, label=path.name)
            reports.append(report)
    return reports


def merge_bars(conn: psycopg.Connection[Any], bars: list[Bar],
               renames: dict[str, list[tuple[date, str]]], report: FileReport, *,
               progress: bool = False, label: str = "") -> None:
    """Merge daily bars (old symbols filed under their current name) in batches, count
    them into ``report``, and announce the symbols when anything changed."""
    if renames:
        bars = [replace(b, symbol=current_symbol(b.symbol, b.ts, renames)) for b in bars]
    bar = tqdm(total=len(bars), desc=label, unit="rows", disable=not progress)
    for start in range(0, len(bars), BATCH_ROWS):
        batch = bars[start:start + BATCH_ROWS]
        counts = store.upsert_bars(conn, batch)
        report.inserted += counts.inserted
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        bar.update(len(batch))
    bar.close()
    if report.inserted or report.updated:
        _announce(conn, {b.symbol for b in bars})


def load_intraday_files(url: str, paths: Iterable[Path], *, interval: str,
                        symbol: str | None = None) -> list[FileReport]:
    """Load intraday bar files of one stored ``interval`` into ``md.intraday_bars``
    (idempotent; old symbols are filed under their current name, as daily loads do)."""
    interval_minutes(interval)  # refuses an unknown interval before anything is read
    reports: list[FileReport] = []
    with psycopg.connect(url) as conn:
        renames = store.read_renames(conn)
        for path in paths:
            parsed = parse_intraday(_read(path), source=path.name, symbol=symbol)
            bars = [replace(b, symbol=current_symbol(b.symbol, b.ts.date(), renames))
                    for b in parsed.bars] if renames else parsed.bars
            report = FileReport(str(path), rejected=parsed.rejected)
            for start in range(0, len(bars), BATCH_ROWS):
                counts = store.upsert_intraday(conn, bars[start:start + BATCH_ROWS], interval)
                report.inserted += counts.inserted
                report.updated += counts.updated
                report.unchanged += counts.unchanged
            reports.append(report)
    return reports


def _announce(conn: psycopg.Connection[Any], symbols: set[str]) -> None:
    """NOTIFY ``eod_loaded`` with the loaded symbols (signal-service alerts on new bars)."""
    for chunk in payload_chunks(sorted(symbols)):
        conn.execute("SELECT pg_notify('eod_loaded', %s)", (chunk,))
    conn.commit()


def load_symbols(url: str, reference_dir: Path) -> store.LoadCounts:
    """Load the symbol master and index lists from ``reference_dir``."""
    rows = load_reference_dir(reference_dir)
    with psycopg.connect(url) as conn:
        return store.upsert_symbols(conn, rows)


@dataclass
class ActionsReport(FileReport):
    """A loaded actions file: counts, rejected rows, and the parts that could not be
    classified or priced (stored as ``other`` or without an amount, never dropped)."""

    unrecognised: list[CorporateAction] = field(default_factory=list)


def load_action_files(url: str, paths: Iterable[Path]) -> list[ActionsReport]:
    """Load NSE corporate-actions exports into ``md.corporate_actions`` (idempotent)."""
    reports: list[ActionsReport] = []
    with psycopg.connect(url) as conn:
        renames = store.read_renames(conn)
        for path in paths:
            parsed = parse_actions(_read(path), source=path.name)
            reports.append(merge_actions(conn, parsed, renames, str(path)))
    return reports


def merge_actions(conn: psycopg.Connection[Any], parsed: ParsedActions,
                  renames: dict[str, list[tuple[date, str]]], label: str) -> ActionsReport:
    """Merge parsed actions (old symbols filed under their current name)."""
    unique = {(a.symbol, a.ex_date, a.purpose, a.part): replace(
        a, symbol=current_symbol(a.symbol, a.ex_date, renames)) for a in parsed.actions}
    counts = store.upsert_actions(conn, list(unique.values()))
    return ActionsReport(label, counts.inserted, counts.updated, counts.unchanged,
                         parsed.rejected, parsed.unrecognised)


def load_symbol_change_files(url: str, paths: Iterable[Path]) -> list[FileReport]:
    """Load NSE symbol-change files into ``md.symbol_changes`` (idempotent)."""
    reports: list[FileReport] = []
    with psycopg.connect(url) as conn:
        for path in paths:
            changes, rejected = parse_symbol_changes(_read(path), source=path.name)
            unique = {(c.old_symbol, c.effective_date): c for c in changes}
            counts = store.upsert_symbol_changes(conn, list(unique.values()), path.name)
            reports.append(FileReport(str(path), counts.inserted, counts.updated,
                                      counts.unchanged, rejected))
    return reports


def _read(path: Path) -> str:
    if not path.is_file():
        raise BadRequest(f"{path}: no such file")
    return read_text(path)


def _is_empty(url: str, table: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(
            sql.Identifier(*table.split(".")))).fetchone()
    return bool(row and row[0])


def load_demo(url: str, demo_dir: Path, *, progress: bool = False) -> list[str]:
    """Load each part of the shipped demo data whose table is still empty; return the parts
    loaded (an install that predates a part gets it on its next start)."""
    loaded: list[str] = []
    if _is_empty(url, "md.eod_prices"):
        load_symbols(url, demo_dir / "reference")
        load_bar_files(url, sorted(demo_dir.glob("nifty_sample_daily_*.csv.gz")),
                       progress=progress)
        load_bar_files(url, sorted(demo_dir.glob("nifty50_index_*.csv.gz")),
                       symbol="NIFTY 50", progress=progress)
        loaded.append("daily bars")
    if _is_empty(url, "md.corporate_actions"):
        load_action_files(url, sorted(demo_dir.glob("corporate_actions_*.csv")))
        loaded.append("corporate actions")
    if _is_empty(url, "md.intraday_bars"):
        for path in sorted(demo_dir.glob("*_5min_*.csv.gz")):  # SYMBOL_5min_FROM_TO.csv.gz
            load_intraday_files(url, [path], interval="5m", symbol=path.name.split("_")[0])
        loaded.append("5-minute bars")
    return loaded
