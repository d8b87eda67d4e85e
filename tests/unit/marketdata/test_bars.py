"""Parsing daily OHLCV files: every layout, every rejection reason, against pandas on real data."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chitti.errors import BadRequest
from chitti.marketdata.bars import parse_date, parse_file, parse_rows, read_text

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.strip())))


def test_demo_file_parses_exactly_like_pandas() -> None:
    path = DEMO / "nifty_sample_daily_2000_2021.csv.gz"
    parsed = parse_file(path)
    frame = pd.read_csv(path, parse_dates=["Date"])
    assert parsed.rejected == []
    assert len(parsed.bars) == len(frame)
    ours = pd.DataFrame([b.__dict__ for b in parsed.bars])
    assert ours["symbol"].tolist() == frame["Symbol"].tolist()
    assert ours["ts"].tolist() == [d.date() for d in frame["Date"]]
    for column in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(ours[column].to_numpy(), frame[column.title()].to_numpy())
    np.testing.assert_array_equal(ours["volume"].to_numpy(), frame["Volume"].to_numpy())


def test_index_file_without_symbol_needs_one_and_takes_it() -> None:
    path = DEMO / "nifty50_index_2000_2019.csv.gz"
    with pytest.raises(BadRequest, match="no symbol column"):
        parse_file(path)
    parsed = parse_file(path, symbol="nifty 50")
    frame = pd.read_csv(path)
    assert len(parsed.bars) == len(frame) and not parsed.rejected
    assert {b.symbol for b in parsed.bars} == {"NIFTY 50"}
    assert parsed.bars[0].close == frame["Close"].iloc[0]


def test_nse_extract_layout_with_turnover_and_trades() -> None:
    parsed = parse_rows(rows("""
Date,Symbol,Open,High,Low,Close,Turnover,Volume,Trades
2017-01-02,ADANIPORTS,269.8,276.9,267.0,273.8,709889903.4,2622173,20424
"""), source="t")
    (bar,) = parsed.bars
    assert (bar.symbol, bar.ts, bar.open, bar.close, bar.volume) == (
        "ADANIPORTS", date(2017, 1, 2), 269.8, 273.8, 2622173)


def test_legacy_bhavcopy_keeps_only_eq_series() -> None:
    parsed = parse_rows(rows("""
SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,ISIN,
TCS,EQ,2168.0,2180.0,2160.1,2175.5,2176,2165,1200345,2600000000,01-JAN-2020,45000,INE467B01029,
TCS,BL,2168.0,2168.0,2168.0,2168.0,2168,2165,5000,10840000,01-JAN-2020,1,INE467B01029,
SBIN,EQ,334.0,336.5,331.0,334.6,334.5,333.9,9000000,3000000000,01-JAN-2020,90000,INE062A01020,
"""), source="cm01JAN2020bhav.csv")
    assert [(b.symbol, b.ts, b.volume) for b in parsed.bars] == [
        ("TCS", date(2020, 1, 1), 1200345), ("SBIN", date(2020, 1, 1), 9000000)]


def test_udiff_bhavcopy_layout() -> None:
    parsed = parse_rows(rows("""
TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,OpnPric,HghPric,LwPric,ClsPric,TtlTradgVol
2024-07-08,2024-07-08,CM,NSE,STK,11536,INE467B01029,TCS,EQ,4000.0,4050.0,3990.0,4030.5,1500000
"""), source="udiff")
    (bar,) = parsed.bars
    assert (bar.symbol, bar.ts, bar.high, bar.low, bar.volume) == (
        "TCS", date(2024, 7, 8), 4050.0, 3990.0, 1500000)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2020-01-02,TCS,abc,10,9,9.5,100", "open 'abc' is not a number"),
        ("2020-01-02,TCS,10,11,9,12,100", "inconsistent bar"),
        ("2020-01-02,TCS,10,11,9.5,9,100", "inconsistent bar"),
        ("2020-01-02,TCS,0,11,9,10,100", "non-positive price"),
        ("2020-01-02,TCS,10,11,9,10,-5", "volume"),
        ("2020-01-02,TCS,10,11,9,10,1.5", "volume"),
        ("2020-13-45,TCS,10,11,9,10,100", "unreadable date"),
        ("2020-01-02,TCS,10,11,9,nan,100", "close is 'nan'"),
        ("2020-01-02,TCS,10", "fields, header has"),
        ("2020-01-02,,10,11,9,10,100", "empty symbol"),
    ],
)
def test_bad_rows_are_reported_with_line_and_reason(line: str, reason: str) -> None:
    text = f"date,symbol,open,high,low,close,volume\n2020-01-01,TCS,10,11,9,10,100\n{line}\n"
    parsed = parse_rows(rows(text), source="t")
    assert len(parsed.bars) == 1
    assert len(parsed.rejected) == 1
    assert parsed.rejected[0].line == 3
    assert reason in parsed.rejected[0].reason


def test_duplicate_symbol_date_is_rejected_not_overwritten() -> None:
    parsed = parse_rows(rows("""
date,symbol,open,high,low,close,volume
2020-01-01,TCS,10,11,9,10,100
2020-01-01,TCS,20,21,19,20,100
"""), source="t")
    assert [b.close for b in parsed.bars] == [10]
    assert "duplicate of line 2" in parsed.rejected[0].reason


def test_unknown_layout_names_missing_columns() -> None:
    with pytest.raises(BadRequest, match="missing date, open"):
        parse_rows(rows("when,price\n2020-01-01,10"), source="t")


def test_gzip_and_plain_give_the_same_bars(tmp_path: Path) -> None:
    text = "Date,Symbol,Open,High,Low,Close,Volume\n2020-01-01,TCS,10,11,9,10,100\n"
    (tmp_path / "a.csv").write_text(text)
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(text.encode()))
    assert parse_file(tmp_path / "a.csv").bars == parse_file(tmp_path / "a.csv.gz").bars


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2020-01-31", date(2020, 1, 31)), ("31-JAN-2020", date(2020, 1, 31)),
     ("31/01/2020", date(2020, 1, 31)), ("2023-07-03 09:15:00+05:30", date(2023, 7, 3)),
     ("20200131", date(2020, 1, 31))],
)
def test_parse_date_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_files_that_are_not_text_csv_are_refused_with_the_line(tmp_path: Path) -> None:
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"Date,Symbol,Open,High,Low,Close\n2020-01-01,TC\x00S,1,1,1,1\n")
    with pytest.raises(BadRequest, match="nul.csv: line 2 has a NUL byte"):
        parse_file(nul)
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(gzip.compress(b"Date,Open\n")[:12])
    with pytest.raises(BadRequest, match="not a readable gzip file"):
        parse_file(broken)


def test_latin1_files_are_read_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "symbolchange.csv"
    path.write_bytes("Soci\xe9t\xe9 G\xe9n\xe9rale,OLD,NEW,01-JAN-2020\n".encode("latin-1"))
    assert read_text(path).startswith("Société Générale,")
