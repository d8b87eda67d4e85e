"""Screens over the demo data in a real PostgreSQL: each row equals RSI from TA-Lib and SMA from
pandas on the symbol's adjusted closes as the OHLCV path reads them, the universe comes from
the shipped index lists (40 of NIFTY 50's members have no demo bars), and the last-N-bars
read equals fetch_bars' bars, renames and corporate actions included."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pytest
import talib
from pydantic import ValidationError

from chitti.config import Settings
from chitti.errors import BadRequest
from chitti.marketdata import store
from chitti.marketdata.load import load_bar_files, load_symbol_change_files
from chitti.runtime import service_context
from chitti.signals.rules import parse_rule
from chitti.signals.schemas import ScreenReport, ScreenRequest
from chitti.signals.screen import SCREEN_DEFAULTS
from chitti.signals.service import SignalActions

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
DEMO_STOCKS = {"BHARTIARTL", "HDFCBANK", "HINDUNILVR", "ICICIBANK", "INFY", "ITC", "LT",
               "RELIANCE", "SBIN", "TCS"}
RSI_BELOW_50_ABOVE_SMA50 = {
    "indicators": {"rsi": {"fn": "rsi", "params": {"timeperiod": 14}},
                   "sma50": {"fn": "sma", "params": {"timeperiod": 50}}},
    "condition": {"op": "and", "args": [{"op": "lt", "left": "rsi", "right": 50},
                                        {"op": "gt", "left": "close", "right": "sma50"}]},
}


async def screen(url: str, **request: Any) -> dict[str, Any]:
    async with service_context("signal-service", Settings(database_url=url)) as ctx:
        report = await SignalActions(ctx).screen(ScreenRequest(**request))
    ScreenReport.model_validate(report)  # the reply is what the route declares
    return report


async def adjusted_closes(url: str, symbol: str, adjust: str = "split") -> tuple[np.ndarray,
                                                                              np.ndarray]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        block, _ = await store.fetch_ohlcv(conn, symbol, None, None, adjust)  # type: ignore[arg-type]
    return block["ts"], block["close"]


def index_list(n: int) -> set[str]:
    with (DEMO / "reference" / f"ind_nifty{n}list.csv").open() as f:
        return {row["Symbol"] for row in csv.DictReader(f)}


async def test_rows_equal_talib_rsi_and_pandas_sma_on_the_adjusted_closes(demo_db: str) -> None:
    report = await screen(demo_db, definition=RSI_BELOW_50_ABOVE_SMA50, index="NIFTY 50")
    assert report["bars"] == 250 and report["as_of"] == date(2021, 4, 30)
    assert {r["symbol"] for r in report["rows"]} == DEMO_STOCKS
    flags = []
    for row in report["rows"]:
        ts, close = await adjusted_closes(demo_db, row["symbol"])
        window = close[-report["bars"]:]
        rsi = talib.RSI(window, timeperiod=14)[-1]
        sma = pd.Series(window).rolling(50).mean().iloc[-1]
        assert row["date"].isoformat() == ts[-1]
        assert row["close"] == pytest.approx(close[-1], abs=1e-9)
        assert row["change_pct"] == pytest.approx(100 * (close[-1] / close[-2] - 1), abs=1e-9)
        assert set(row["values"]) == {"rsi", "sma50", "close"}
        assert row["values"]["rsi"] == pytest.approx(rsi, abs=1e-9), row["symbol"]
        assert row["values"]["sma50"] == pytest.approx(sma, abs=1e-9), row["symbol"]
        # 250 bars of warm-up: RSI as a whole-history chart shows it, to 1e-6
        assert row["values"]["rsi"] == pytest.approx(talib.RSI(close, 14)[-1], abs=1e-6)
        assert row["matched"] == bool(rsi < 50 and close[-1] > sma), row["symbol"]
        flags.append(row["matched"])
    assert any(flags) and not all(flags)
    assert flags == sorted(flags, reverse=True)  # matched first
    for group in (True, False):
        names = [r["symbol"] for r in report["rows"] if r["matched"] is group]
        assert names == sorted(names)
    assert report["counts"]["matched"] == sum(flags)


async def test_symbols_without_bars_are_missing(demo_db: str) -> None:
    report = await screen(demo_db, definition=RSI_BELOW_50_ABOVE_SMA50, index="nifty 50")
    members = index_list(50)
    assert DEMO_STOCKS <= members and len(members) == 50
    assert report["universe"] == "NIFTY 50"
    assert report["missing"] == sorted(members - DEMO_STOCKS)
    assert report["counts"] == {"universe": 50, "screened": 10,
                                "matched": report["counts"]["matched"], "missing": 40}
    listed = await screen(demo_db, definition=RSI_BELOW_50_ABOVE_SMA50,
                          symbols=["tcs", "NOSUCH", "TCS", "NIFTY 50"])
    assert listed["universe"] == "symbols" and listed["missing"] == ["NOSUCH"]
    assert listed["counts"]["universe"] == 3  # a symbol asked twice counts once
    # the index series stops in 2019: its own latest bar, with its own warm-up
    rows = {r["symbol"]: r for r in listed["rows"]}
    assert rows["NIFTY 50"]["date"] == date(2019, 12, 2)
    assert listed["as_of"] == date(2021, 4, 30)
    ts, close = await adjusted_closes(demo_db, "NIFTY 50")
    assert ts[-1] == "2019-12-02"
    assert rows["NIFTY 50"]["values"]["rsi"] == pytest.approx(
        talib.RSI(close[-250:], 14)[-1], abs=1e-9)


@pytest.mark.parametrize("adjust", ["split", "total", "none"])
async def test_latest_bars_are_the_last_bars_fetch_bars_reads(demo_db: str, adjust: str) -> None:
    symbols = [*sorted(DEMO_STOCKS), "NIFTY 50", "NOSUCH"]
    async with await psycopg.AsyncConnection.connect(demo_db) as conn:
        latest = await store.latest_bars(conn, symbols, 300, adjust=adjust)  # type: ignore[arg-type]
        whole = await store.fetch_bars(conn, symbols, None, None, adjust=adjust)  # type: ignore[arg-type]
    assert list(latest) == symbols[:-1]
    for symbol, bars in latest.items():
        full = whole[symbol]
        assert len(bars) == 300
        for name in ("ts", "open", "high", "low", "close", "volume"):
            np.testing.assert_array_equal(getattr(bars, name), getattr(full, name)[-300:],
                                          err_msg=f"{symbol}.{name}")
    # RELIANCE's rights issue of 2020-05-14 is among its last 300 bars: adjusted, they differ
    raw = latest["RELIANCE"].close[0]
    _, printed = await adjusted_closes(demo_db, "RELIANCE", "none")
    assert (raw == printed[-300]) == (adjust == "none")


async def test_bad_requests_name_the_field(demo_db: str) -> None:
    bad_rule = {**RSI_BELOW_50_ABOVE_SMA50,
                "condition": {"op": "lt", "left": "rsx", "right": 30}}
    with pytest.raises(BadRequest) as raised:
        await screen(demo_db, definition=bad_rule, index="NIFTY 50")
    with pytest.raises(BadRequest) as as_alert_rule:
        parse_rule({**SCREEN_DEFAULTS, **bad_rule})
    assert raised.value.message == as_alert_rule.value.message
    assert raised.value.message.startswith("invalid alert rule: condition")
    with pytest.raises(BadRequest, match="reads prices only"):
        await screen(demo_db, index="NIFTY 50", definition={
            "kind": "combined", "condition": {"op": "gt", "left": "news.net_2d", "right": 0}})
    for request, words in (({"index": "NIFTY 51"}, ("index", "NIFTY 500")),
                           ({"symbols": []}, ("universe is empty",)),
                           ({}, ("universe is empty",)),
                           ({"index": "NIFTY 50", "symbols": ["TCS"]}, ("not both",)),
                           ({"symbols": ["TCS"] * 1001}, ("symbols",))):
        with pytest.raises(ValidationError) as invalid:
            ScreenRequest(definition=RSI_BELOW_50_ABOVE_SMA50, **request)
        assert all(w in str(invalid.value) for w in words), (request, str(invalid.value))


async def test_an_index_without_members_is_a_bad_request(clean_db: str) -> None:
    with pytest.raises(BadRequest, match="lists no member of NIFTY 100"):
        await screen(clean_db, definition=RSI_BELOW_50_ABOVE_SMA50, index="NIFTY 100")


async def test_a_renamed_symbol_is_screened_over_its_old_name(clean_db: str,
                                                              tmp_path: Path) -> None:
    with gzip.open(DEMO / "nifty_sample_daily_2000_2021.csv.gz", "rt") as source:
        header, *rows = source.read().splitlines()
    itc = [r for r in rows if ",ITC," in r]
    old = tmp_path / "old.csv"  # before 2021 ITC traded as "ITCOLD" (made up)
    old.write_text("\n".join([header, *(r.replace(",ITC,", ",ITCOLD,") for r in itc
                                        if r < "2021-01-01")]) + "\n")
    new = tmp_path / "new.csv"
    new.write_text("\n".join([header, *(r for r in itc if r >= "2021-01-01")]) + "\n")
    load_bar_files(clean_db, [old, new])
    changes = tmp_path / "symbolchange.csv"
    changes.write_text(" SYMB_COMPANY_NAME, SM_KEY_SYMBOL, SM_NEW_SYMBOL, SM_APPLICABLE_FROM\n"
                       "ITC Limited,ITCOLD,ITC,01-JAN-2021\n")
    load_symbol_change_files(clean_db, [changes])
    report = await screen(clean_db, definition=RSI_BELOW_50_ABOVE_SMA50, symbols=["ITC"])
    (row,) = report["rows"]
    close = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz").query(
        "Symbol == 'ITC'").Close.to_numpy()[-250:]  # no ITC action in its last 250 bars
    assert row["values"]["rsi"] == pytest.approx(talib.RSI(close, 14)[-1], abs=1e-9)
    assert row["values"]["sma50"] == pytest.approx(close[-50:].mean(), abs=1e-9)
