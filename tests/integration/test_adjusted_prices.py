"""The shipped demo data with its shipped corporate actions, read back adjusted from a real
PostgreSQL: no fake crashes are left, only market moves one can name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

from chitti.cli import main
from chitti.compute.backtest import BacktestConfig, Bars, Signals, run_backtest
from chitti.marketdata import store
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.load import load_action_files

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
ACTIONS = DEMO / "corporate_actions_2000_2021.csv"

#: Every one-day move beyond +/-20 % left in the split-adjusted demo series, and what it was.
REAL_MOVES = {
    ("HDFCBANK", "2004-05-17"): "general-election result shock: markets halted twice",
    ("HDFCBANK", "2004-05-18"): "rebound the day after the 2004 election crash",
    ("INFY", "2003-04-10"): "FY04 guidance far below expectations",
    ("INFY", "2013-04-12"): "FY14 revenue guidance of 6-10 % disappoints",
    ("BHARTIARTL", "2009-05-18"): "2009 election result: the market hit its upper circuit",
    ("ICICIBANK", "2009-05-18"): "2009 election result",
    ("LT", "2009-05-18"): "2009 election result",
    ("RELIANCE", "2009-05-18"): "2009 election result",
    ("SBIN", "2009-05-18"): "2009 election result",
    ("SBIN", "2017-10-25"): "Rs 2.11 lakh crore public-sector bank recapitalisation plan",
}


async def read(url: str, symbols: list[str], adjust: Adjust, start: str | None = None,
               end: str | None = None) -> dict[str, dict[str, np.ndarray]]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        return await store.fetch_panel(
            conn, symbols, pd.Timestamp(start).date() if start else None,
            pd.Timestamp(end).date() if end else None, adjust)


def big_moves(panel: dict[str, dict[str, np.ndarray]]) -> dict[tuple[str, str], float]:
    moves = {}
    for symbol, block in panel.items():
        change = block["close"][1:] / block["close"][:-1] - 1
        for i in np.flatnonzero(np.abs(change) > 0.20):
            moves[(symbol, str(block["ts"][i + 1]))] = round(float(change[i]) * 100, 1)
    return moves


SYMBOLS = ["RELIANCE", "TCS", "INFY", "HDFCBANK", "ICICIBANK", "SBIN", "ITC", "HINDUNILVR",
           "LT", "BHARTIARTL"]


async def test_adjusted_demo_series_keep_only_real_market_moves(demo_db: str) -> None:
    raw = big_moves(await read(demo_db, SYMBOLS, "none"))
    adjusted = big_moves(await read(demo_db, SYMBOLS, "split"))
    assert len([m for m in raw.values() if m < -30]) >= 24   # the fake crashes are there raw
    assert set(adjusted) == set(REAL_MOVES), {k: v for k, v in adjusted.items()
                                              if k not in REAL_MOVES}


async def test_reliance_bonus_day_moves_with_the_market(demo_db: str) -> None:
    panel = await read(demo_db, ["RELIANCE", "NIFTY 50"], "split", "2017-09-01", "2017-09-15")
    stock, index = panel["RELIANCE"], panel["NIFTY 50"]
    day = int(np.flatnonzero(stock["ts"] == "2017-09-07")[0])
    stock_move = stock["close"][day] / stock["close"][day - 1] - 1
    market = index["close"][index["ts"] == "2017-09-07"] / index["close"][
        index["ts"] == "2017-09-06"] - 1
    assert abs(stock_move) < 0.02 and abs(stock_move - market[0]) < 0.02
    raw = (await read(demo_db, ["RELIANCE"], "none", "2017-09-06", "2017-09-07"))["RELIANCE"]
    assert raw["close"][1] / raw["close"][0] - 1 < -0.49
    # volumes in today's shares: x2 for the bonus, and by the 2020 rights issue's factor
    rights = (15 * 1496.45 + 1257) / (16 * 1496.45)
    assert stock["volume"][day - 1] == round(raw["volume"][0] * 2 / rights)


async def test_buy_and_hold_differs_from_raw_by_the_bonus(demo_db: str) -> None:
    def hold(block: dict[str, np.ndarray]) -> float:
        bars = Bars(ts=block["ts"].astype("datetime64[D]"), open=block["open"],
                    high=block["high"], low=block["low"], close=block["close"],
                    volume=block["volume"], symbol="RELIANCE")
        signals = Signals(entry_long=np.arange(len(bars)) == 0)
        config = BacktestConfig(fractional=True, fill="next_close")
        return run_backtest(bars, signals, config=config).metrics["total_return_pct"]

    raw = (await read(demo_db, ["RELIANCE"], "none", "2010-01-01", "2020-12-31"))["RELIANCE"]
    adjusted = (await read(demo_db, ["RELIANCE"], "split", "2010-01-01", "2020-12-31")
                )["RELIANCE"]
    raw_return, adjusted_return = hold(raw), hold(adjusted)
    # Bought 2010-01-05, held to 2020-12-31: raw books the 2017 1:1 bonus as a halving
    # (and the 2020 rights issue as a 1 % loss); adjusted prices do not.
    factor = adjusted["close"][1] / raw["close"][1]
    assert factor == pytest.approx(0.5 * (15 * 1496.45 + 1257) / (16 * 1496.45))
    assert (1 + adjusted_return / 100) == pytest.approx((1 + raw_return / 100) / factor,
                                                          rel=1e-9), \
        "adjusted buy-and-hold must differ from raw by exactly the bonus and rights factor"
    assert adjusted_return > 2 * raw_return + 100   # the bonus alone doubles the holding


async def test_total_return_also_takes_dividends_and_none_is_as_printed(
        demo_db: str, tmp_path: Path) -> None:
    extra = tmp_path / "dividends.csv"
    extra.write_text(ACTIONS.read_text(encoding="utf-8-sig").splitlines()[0] + "\n"
                     '"TCS","Tata Consultancy Services Limited","EQ","Interim Dividend - Rs 12 '
                     'Per Share","1","15-Jan-2021","-","-","-"\n')
    (report,) = load_action_files(demo_db, [extra])
    assert report.inserted == 1 and not report.unrecognised
    try:
        split = (await read(demo_db, ["TCS"], "split", "2021-01-01"))["TCS"]
        total = (await read(demo_db, ["TCS"], "total", "2021-01-01"))["TCS"]
        none = (await read(demo_db, ["TCS"], "none", "2021-01-01"))["TCS"]
        frame = pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz")
        printed = frame[(frame.Symbol == "TCS") & (frame.Date >= "2021-01-01")]
        assert none["close"].tolist() == printed.Close.tolist() == split["close"].tolist()
        before = split["ts"] < "2021-01-15"
        cum = split["close"][before][-1]
        np.testing.assert_allclose(total["close"][before], split["close"][before]
                                   * (1 - 12 / cum))
        assert (total["close"][~before] == split["close"][~before]).all()
    finally:
        with psycopg.connect(demo_db) as conn:
            conn.execute("DELETE FROM md.corporate_actions WHERE source = 'dividends.csv'")


def test_loading_the_actions_again_changes_nothing(demo_db: str) -> None:
    (report,) = load_action_files(demo_db, [ACTIONS])
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 27)


def test_check_prices_lists_only_the_real_moves(
        demo_db: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHITTI_DATABASE_URL", demo_db)
    from chitti.config import get_settings
    get_settings.cache_clear()
    try:
        assert main(["check-prices", *SYMBOLS]) == 1
        adjusted = capsys.readouterr().out
        assert main(["check-prices", "--adjust", "none", "RELIANCE"]) == 1
        raw = capsys.readouterr().out
        assert main(["check-prices", "NOSUCH"]) == 1
        assert "NOSUCH: no bars stored" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    listed = {tuple(line.split()[:2]) for line in adjusted.splitlines()[:-1]}
    assert listed == set(REAL_MOVES)
    assert "10 series checked: 10 unexplained gaps, 0 bad bars" in adjusted
    assert "2017-09-07" in raw and "x2: bonus 1:1" in raw
