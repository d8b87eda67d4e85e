"""Loading market data into a real PostgreSQL: COPY, idempotence, corrections, symbols."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg

from chitti.marketdata.load import load_bar_files, load_demo, load_symbols

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_loading_twice_changes_nothing(clean_db: str, tmp_path: Path) -> None:
    path = DEMO / "nifty_sample_daily_2000_2021.csv.gz"
    expected = len(pd.read_csv(path))
    (first,) = load_bar_files(clean_db, [path])
    assert (first.inserted, first.updated, first.unchanged) == (expected, 0, 0)
    (second,) = load_bar_files(clean_db, [path])
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, expected)
    assert count(clean_db, "SELECT count(*) FROM md.eod_prices") == expected


def test_stored_bars_equal_the_file(clean_db: str) -> None:
    path = DEMO / "nifty_sample_daily_2000_2021.csv.gz"
    load_bar_files(clean_db, [path])
    frame = pd.read_csv(path)
    tcs = frame[(frame.Symbol == "TCS") & frame.Date.between("2020-01-01", "2020-12-31")]
    with psycopg.connect(clean_db) as conn:
        stored = conn.execute(
            "SELECT ts::text, open, high, low, close, volume FROM md.eod_prices"
            " WHERE symbol = 'TCS' AND ts BETWEEN '2020-01-01' AND '2020-12-31' ORDER BY ts"
        ).fetchall()
    assert stored == list(tcs[["Date", "Open", "High", "Low", "Close", "Volume"]]
                          .itertuples(index=False, name=None))


def test_a_corrected_row_is_updated_and_bad_rows_reported(clean_db: str, tmp_path: Path) -> None:
    header = "Date,Symbol,Open,High,Low,Close,Volume\n"
    original = tmp_path / "a.csv"
    original.write_text(header + "2020-01-01,TCS,10,11,9,10,100\n2020-01-02,TCS,10,11,9,10.5,50\n")
    load_bar_files(clean_db, [original])
    corrected = tmp_path / "b.csv"
    corrected.write_text(header + "2020-01-01,TCS,10,11,9,10,100\n2020-01-02,TCS,10,11,9,10.7,50\n"
                                  "2020-01-03,TCS,10,9,11,10,50\n")
    (report,) = load_bar_files(clean_db, [corrected])
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    assert [(r.line, "inconsistent bar" in r.reason) for r in report.rejected] == [(4, True)]
    assert count(clean_db, "SELECT close * 10 FROM md.eod_prices WHERE ts = '2020-01-02'") == 107


def test_symbol_master_joins_index_lists(clean_db: str) -> None:
    counts = load_symbols(clean_db, DEMO / "reference")
    assert counts.inserted > 2000 and counts.updated == 0
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT name, isin, sector, indices FROM md.symbols"
                           " WHERE symbol = 'HDFCBANK'").fetchone()
    assert row[0] == "HDFC Bank Limited" and row[1] == "INE040A01034"
    assert row[2] == "Financial Services"
    assert "NIFTY 50" in row[3] and "NIFTY 500" in row[3]
    again = load_symbols(clean_db, DEMO / "reference")
    assert (again.inserted, again.updated) == (0, 0)


def test_demo_loads_once(clean_db: str) -> None:
    assert load_demo(clean_db, DEMO) == ["daily bars", "corporate actions", "5-minute bars"]
    assert load_demo(clean_db, DEMO) == []
    assert count(clean_db, "SELECT count(DISTINCT symbol) FROM md.eod_prices") == 11
