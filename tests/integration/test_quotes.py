"""Watchlist quotes from a real PostgreSQL: each quote equals the last days of the symbol's
``get_ohlcv`` series (the action behind ``GET /api/market/{symbol}/ohlcv``) under every
adjustment, its change is pandas' ``pct_change`` of those closes, and all symbols are read
in one query. Actions inside and after the quoted days, and renames across them, included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pytest

from chitti.compute.schemas import OhlcvRequest, QuoteList, QuotesRequest
from chitti.compute.service import ComputeActions
from chitti.config import Settings
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.quotes import SPARK_BARS
from chitti.runtime import service_context

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
DEMO_SERIES = ["RELIANCE", "TCS", "INFY", "HDFCBANK", "ICICIBANK", "SBIN", "ITC",
               "HINDUNILVR", "LT", "BHARTIARTL", "NIFTY 50"]
MODES: tuple[Adjust, ...] = ("split", "total", "none")


@asynccontextmanager
async def compute_actions(url: str) -> AsyncIterator[ComputeActions]:
    async with service_context("compute", Settings(database_url=url)) as ctx:
        yield ComputeActions(ctx)


async def check_against_ohlcv(actions: ComputeActions, reply: dict[str, Any],
                              adjust: Adjust) -> None:
    """Every quote of ``reply`` against the whole ohlcv series of its symbol."""
    QuoteList.model_validate(reply)  # the reply model refuses a key it does not declare
    assert reply["adjust"] == adjust
    for quote in reply["quotes"]:
        series = await actions.get_ohlcv(OhlcvRequest(symbol=quote["symbol"], adjust=adjust))
        closes = pd.Series(series["close"], index=series["ts"])
        assert quote["spark"] == closes.iloc[-SPARK_BARS:].tolist(), quote["symbol"]
        assert quote["last_date"] == closes.index[-1]
        assert quote["close"] == closes.iloc[-1]
        assert quote["volume"] == series["volume"][-1]
        if len(closes) == 1:
            assert quote["prev_close"] is quote["change"] is quote["change_pct"] is None
            continue
        assert quote["prev_close"] == closes.iloc[-2]
        assert quote["change"] == pytest.approx(closes.diff().iloc[-1], rel=1e-12)
        assert quote["change_pct"] == pytest.approx(closes.pct_change().iloc[-1] * 100,
                                                    rel=1e-12)


# -- the shipped demo data -----------------------------------------------------------------


@pytest.mark.parametrize("adjust", MODES)
async def test_demo_quotes_equal_the_ohlcv_series(demo_db: str, adjust: Adjust) -> None:
    async with compute_actions(demo_db) as actions:
        reply = await actions.get_quotes(QuotesRequest(
            symbols=[*DEMO_SERIES, "WIPRO", "NOSUCH"], adjust=adjust))
        await check_against_ohlcv(actions, reply, adjust)
    assert [q["symbol"] for q in reply["quotes"]] == DEMO_SERIES
    assert all(len(q["spark"]) == SPARK_BARS for q in reply["quotes"])
    assert reply["missing"] == ["WIPRO"]     # in the symbol master, no bars shipped
    assert reply["unknown"] == ["NOSUCH"]


# -- actions in and after the quoted days, renames across them ------------------------------

DAYS = [d.date() for d in pd.bdate_range("2024-01-01", periods=60)]


def bars(symbol: str, days: list[date], seed: int) -> list[tuple[Any, ...]]:
    closes = 100 + np.random.default_rng(seed).normal(0, 2, len(days)).cumsum()
    return [(symbol, day, c, c + 1, c - 1, c, 1000 + 37 * i)
            for i, (day, c) in enumerate(zip(days, closes.round(2), strict=True))]


def action(symbol: str, ex_date: date, kind: str, num: float | None = None,
           den: float | None = None, amount: float | None = None) -> tuple[Any, ...]:
    return (symbol, ex_date, f"test {kind} {ex_date}", kind, num, den, amount, "test")


@pytest.fixture
def scenario(clean_db: str) -> str:
    splitx = bars("SPLITX", DAYS[:45], 1)
    demerx = bars("DEMERX", DAYS[:35], 2)
    # demerged on DAYS[33]: the ex-date closes below the day before
    demerx[33] = (*demerx[33][:2], demerx[32][5] * 0.8, demerx[32][5] * 0.8 + 1,
                  demerx[32][5] * 0.8 - 1, demerx[32][5] * 0.8, demerx[33][6])
    # OLDX trades as NEWX from DAYS[20]; a stray OLDX bar after that (after NEWX's last) is
    # not NEWX's, and on DAYS[19] both names have a bar (the new name's wins)
    oldx = bars("OLDX", [*DAYS[:20], DAYS[40]], 3)
    newx = bars("NEWX", DAYS[19:35], 4)
    with psycopg.connect(clean_db) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO md.eod_prices (symbol, ts, open, high, low, close, volume)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [*splitx, *demerx, *oldx, *newx, *bars("ONEBAR", DAYS[:1], 5)])
        cur.executemany(
            "INSERT INTO md.corporate_actions (symbol, ex_date, purpose, kind, ratio_num,"
            " ratio_den, amount, source) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", [
                action("SPLITX", DAYS[5], "bonus", 1, 1),           # before the quoted days
                action("SPLITX", DAYS[15], "split", 10, 5),         # on the first quoted day
                action("SPLITX", DAYS[30], "split", 10, 2),         # inside them
                action("SPLITX", DAYS[40], "rights", 1, 4, 50.0),   # priced by DAYS[39]
                action("SPLITX", DAYS[42], "dividend", amount=5.0),  # total only
                action("SPLITX", DAYS[44] + timedelta(days=10), "split", 2, 1),  # announced
                action("DEMERX", DAYS[33], "demerger"),
                action("OLDX", DAYS[12], "split", 10, 1),           # under the former name
            ])
        cur.execute("INSERT INTO md.symbol_changes (old_symbol, new_symbol, effective_date,"
                    " source) VALUES ('OLDX', 'NEWX', %s, 'test')", (DAYS[20],))
        cur.execute("INSERT INTO md.symbols (symbol, name) VALUES ('LISTEDX', 'Listed Ltd'),"
                    " ('SPLITX', 'Split Ltd')")
    return clean_db


ASKED = ["NOSUCH", "splitx", "LISTEDX", "DEMERX", "NEWX", "OLDX", "ONEBAR", "SPLITX"]


@pytest.mark.parametrize("adjust", MODES)
async def test_quotes_take_the_actions_of_the_quoted_days(scenario: str,
                                                          adjust: Adjust) -> None:
    async with compute_actions(scenario) as actions:
        reply = await actions.get_quotes(QuotesRequest(symbols=ASKED, adjust=adjust))
        await check_against_ohlcv(actions, reply, adjust)
    assert [q["symbol"] for q in reply["quotes"]] == ["SPLITX", "DEMERX", "NEWX", "OLDX",
                                                      "ONEBAR"]
    assert (reply["unknown"], reply["missing"]) == (["NOSUCH"], ["LISTEDX"])
    newx = next(q for q in reply["quotes"] if q["symbol"] == "NEWX")
    assert len(newx["spark"]) == SPARK_BARS  # 15 days of NEWX, 15 of OLDX before them


async def test_the_actions_do_change_the_quotes(scenario: str) -> None:
    # The scenario's actions reach the quoted days (so the comparisons above test them).
    async with compute_actions(scenario) as actions:
        got = {mode: {q["symbol"]: q for q in (await actions.get_quotes(QuotesRequest(
            symbols=["SPLITX", "DEMERX", "NEWX"], adjust=mode)))["quotes"]} for mode in MODES}
    for symbol in ("SPLITX", "DEMERX", "NEWX"):
        assert got["split"][symbol]["spark"][0] != got["none"][symbol]["spark"][0], symbol
    assert got["total"]["SPLITX"]["spark"][0] != got["split"]["SPLITX"]["spark"][0]
    # the announced split (ex-date after the last bar) halves even the last close
    assert got["split"]["SPLITX"]["close"] == pytest.approx(got["none"]["SPLITX"]["close"] / 2)


async def test_all_symbols_are_read_in_one_query(scenario: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    statements: list[str] = []
    execute = psycopg.AsyncCursor.execute

    async def counted(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return await execute(self, query, *args, **kwargs)

    async with compute_actions(scenario) as actions:
        monkeypatch.setattr(psycopg.AsyncCursor, "execute", counted)
        reply = await actions.get_quotes(QuotesRequest(symbols=ASKED))
    assert len(reply["quotes"]) == 5
    assert len([s for s in statements if "md." in s]) == 1, statements
