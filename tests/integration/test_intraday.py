"""Intraday bars in a real PostgreSQL: the shipped TCS 5-minute bars, stored once, read back
resampled in NSE sessions; the oracle is pandas' own resample with IST session origins."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

from chitti.marketdata import store
from chitti.marketdata.load import load_intraday_files

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
TCS_5M = DEMO / "TCS_5min_2023-07_2024-06.csv.gz"


def pandas_resample(rule: str) -> pd.DataFrame:
    """The file resampled by pandas: IST clock, buckets from 09:15 each day (calendar days
    for 1d), empty buckets dropped."""
    frame = pd.read_csv(TCS_5M)
    frame.index = pd.to_datetime(frame.date).dt.tz_convert("Asia/Kolkata")
    session = {} if rule == "1D" else {"offset": "9h15min"}
    out = frame.resample(rule, origin="start_day", label="left", closed="left",
                         **session).agg({"open": "first", "high": "max", "low": "min",
                                             "close": "last", "volume": "sum"})
    return out.dropna(subset=["open"])


async def read(url: str, interval: str, start: str | None = None,
               end: str | None = None) -> dict[str, np.ndarray]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        block, _ = await store.fetch_intraday(
            conn, "TCS", pd.Timestamp(start).date() if start else None,
            pd.Timestamp(end).date() if end else None, interval)
    return block


@pytest.fixture(scope="module")
def tcs_db(db_url: str) -> str:
    with psycopg.connect(db_url) as conn:
        conn.execute("TRUNCATE md.intraday_bars, md.corporate_actions, md.symbol_changes")
    (report,) = load_intraday_files(db_url, [TCS_5M], interval="5m", symbol="TCS")
    assert report.inserted == len(pd.read_csv(TCS_5M)) and not report.rejected
    return db_url


def test_loading_again_changes_nothing(tcs_db: str) -> None:
    (report,) = load_intraday_files(tcs_db, [TCS_5M], interval="5m", symbol="TCS")
    assert report.inserted == report.updated == 0 and report.unchanged > 18_000


@pytest.mark.parametrize(("interval", "rule"), [("15m", "15min"), ("1h", "60min"),
                                                ("1d", "1D"), ("5m", "5min")])
async def test_resampled_bars_equal_pandas(tcs_db: str, interval: str, rule: str) -> None:
    served = await read(tcs_db, interval)
    expected = pandas_resample(rule)
    assert served["ts"].tolist() == [t.isoformat() for t in expected.index]
    for column in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(served[column], expected[column].to_numpy())
    np.testing.assert_array_equal(served["volume"], expected.volume.to_numpy())


async def test_hourly_bars_follow_the_session_and_days_are_ist(tcs_db: str) -> None:
    day = await read(tcs_db, "1h", "2024-01-02", "2024-01-02")
    assert [t[11:16] for t in day["ts"]] == ["09:15", "10:15", "11:15", "12:15", "13:15",
                                             "14:15", "15:15"]
    muhurat = await read(tcs_db, "1d", "2023-11-12", "2023-11-12")   # a Sunday evening
    assert muhurat["ts"].tolist() == ["2023-11-12T00:00:00+05:30"]


async def test_unknown_interval_is_refused(tcs_db: str) -> None:
    with pytest.raises(Exception, match="interval: '7m' is not one of"):
        await read(tcs_db, "7m")
