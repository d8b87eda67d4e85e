"""Symbol history in a real PostgreSQL: renames from NSE's symbolchange.csv are followed on
read (the new symbol returns the old one's bars) and on load (old names land under new)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg

from chitti.marketdata import store
from chitti.marketdata.load import load_action_files, load_bar_files, load_symbol_change_files

# NSE's file as served: a header with leading spaces, dd-MMM-yyyy dates, Latin-1.
SYMBOL_CHANGES = (" SYMB_COMPANY_NAME, SM_KEY_SYMBOL, SM_NEW_SYMBOL, SM_APPLICABLE_FROM\n"
                  "Infosys Technologies Limited,INFOSYSTCH,INFY,28-NOV-2011\n"
                  "Axis Bank Limited,UTIBANK,AXISBANK,30-JUL-2007\n"
                  "Sesa Goa Limited,SESAGOA,SSLT,27-AUG-2013\n"
                  "Sesa Sterlite Limited,SSLT,VEDL,21-APR-2015\n"
                  "Broken line without a date,OLDX,NEWX\n")
HEADER = "Date,Symbol,Open,High,Low,Close,Volume\n"


def write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


async def read(url: str, symbol: str) -> dict[str, list[object]]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        block, _ = await store.fetch_ohlcv(conn, symbol, None, None, "split")
    return {"ts": block["ts"].tolist(), "close": block["close"].tolist()}


async def test_a_new_symbol_returns_its_old_names_history(clean_db: str, tmp_path: Path) -> None:
    changes = tmp_path / "symbolchange.csv"
    changes.write_bytes(SYMBOL_CHANGES.encode("latin-1"))
    (report,) = load_symbol_change_files(clean_db, [changes])
    assert (report.inserted, [r.line for r in report.rejected]) == (4, [6])
    (again,) = load_symbol_change_files(clean_db, [changes])
    assert (again.inserted, again.unchanged) == (0, 4)
    # Bars stored under the names of their day (loaded before the renames were known would
    # be the same: the rename is applied on read).
    with psycopg.connect(clean_db) as conn:
        conn.execute("DELETE FROM md.symbol_changes")
    write(tmp_path / "old.csv", ["2011-11-25,INFOSYSTCH,2700,2720,2680,2710,10",
                                 "2013-08-26,SESAGOA,180,182,178,181,10",
                                 "2014-06-02,SSLT,250,252,248,251,10"])
    write(tmp_path / "new.csv", ["2011-11-28,INFY,2720,2750,2700,2740,10",
                                 "2015-04-21,VEDL,190,192,188,191,10"])
    load_bar_files(clean_db, [tmp_path / "old.csv", tmp_path / "new.csv"])
    load_symbol_change_files(clean_db, [changes])
    assert await read(clean_db, "INFY") == {"ts": ["2011-11-25", "2011-11-28"],
                                            "close": [2710.0, 2740.0]}
    assert (await read(clean_db, "VEDL"))["ts"] == ["2013-08-26", "2014-06-02", "2015-04-21"]
    # the old name alone still reads what it printed
    assert (await read(clean_db, "INFOSYSTCH"))["ts"] == ["2011-11-25"]


async def test_bhavcopies_with_old_symbols_land_under_the_new_one(
        clean_db: str, tmp_path: Path) -> None:
    changes = tmp_path / "symbolchange.csv"
    changes.write_text(SYMBOL_CHANGES)
    load_symbol_change_files(clean_db, [changes])
    bhavcopy = tmp_path / "cm06JUL2007bhav.csv"
    bhavcopy.write_text(
        "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,"
        "TOTALTRADES,ISIN,\n"
        "UTIBANK,EQ,600,610,590,605,604,598,1000,605000,06-JUL-2007,100,INE238A01026,\n"
        "SESAGOA,EQ,1800,1820,1780,1810,1811,1790,500,905000,06-JUL-2007,50,INE205A01025,\n")
    load_bar_files(clean_db, [bhavcopy])
    with psycopg.connect(clean_db) as conn:
        stored = conn.execute("SELECT symbol FROM md.eod_prices ORDER BY 1").fetchall()
    assert stored == [("AXISBANK",), ("VEDL",)]
    actions = tmp_path / "actions.csv"
    actions.write_text("SYMBOL,COMPANY NAME,SERIES,PURPOSE,FACE VALUE,EX-DATE,RECORD DATE,"
                       "BOOK CLOSURE START DATE,BOOK CLOSURE END DATE\n"
                       "UTIBANK,UTI Bank,EQ,Bonus 1:1,10,02-JUL-2007,-,-,-\n")
    load_action_files(clean_db, [actions])
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT symbol, ex_date FROM md.corporate_actions").fetchone()
    assert row == ("AXISBANK", date(2007, 7, 2))
