"""check-prices on the raw demo data: every split and bonus shows up with its ratio."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from chitti.marketdata.actions import parse_actions
from chitti.marketdata.bars import read_text
from chitti.marketdata.check import check_files
from chitti.marketdata.quality import coverage_warnings, explain_ratio, find_bad_bars

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"
BARS = DEMO / "nifty_sample_daily_2000_2021.csv.gz"


def share_multipliers() -> dict[tuple[str, str], float]:
    """(symbol, ex-date) -> how many shares one became, from the shipped actions file."""
    parsed = parse_actions(read_text(DEMO / "corporate_actions_2000_2021.csv"), source="demo")
    out: dict[tuple[str, str], float] = {}
    for a in parsed.actions:
        if a.kind in ("split", "bonus"):
            assert a.ratio_num and a.ratio_den
            ratio = (a.ratio_num / a.ratio_den if a.kind == "split"
                     else (a.ratio_num + a.ratio_den) / a.ratio_den)
            key = (a.symbol, a.ex_date.isoformat())
            out[key] = out.get(key, 1.0) * ratio
    return out


def test_raw_demo_gaps_list_every_split_and_bonus_with_the_right_ratio() -> None:
    findings = check_files([BARS], symbol=None, threshold_pct=20.0)
    proposed = {(g.symbol, g.ex_date): g.proposed_ratio for g in findings.gaps}
    expected = share_multipliers()
    assert len(expected) >= 24
    assert {key: proposed.get(key) for key in expected} == expected
    # The falls beyond 30 %, counted from the file itself by pandas.
    frame = pd.read_csv(BARS)
    change = frame.groupby("Symbol").Close.pct_change()
    falls = set(zip(frame.Symbol[change < -0.30], frame.Date[change < -0.30], strict=True))
    assert len(falls) >= 24 and falls <= set(proposed)


def test_a_market_move_gets_no_share_ratio() -> None:
    assert explain_ratio(1 / 1.254) is None          # BHARTIARTL, 2009 election result
    assert explain_ratio(1.999) == (2.0, explain_ratio(2.0)[1])  # type: ignore[index]


def test_bad_bars_are_listed_with_their_dates(tmp_path: Path) -> None:
    ts = np.array(["2020-01-01", "2020-01-02", "2020-01-03"])
    bad = find_bad_bars(ts, np.array([10.0, 10, 0]), np.array([11.0, 9, 11]),
                        np.array([9.0, 10, 9]), np.array([10.0, 10, 10]))
    assert [day for day, _ in bad] == ["2020-01-02", "2020-01-03"]
    path = tmp_path / "bars.csv"
    path.write_text("Date,Symbol,Open,High,Low,Close,Volume\n2020-01-01,TCS,10,11,9,10,5\n"
                    "2020-01-02,TCS,10,9,11,10,5\n2020-01-03,TCS,0,11,9,10,5\n")
    findings = check_files([path], symbol=None, threshold_pct=20.0)
    assert [where for where, _ in findings.bad_bars] == ["bars.csv line 3", "bars.csv line 4"]
    assert all(what.startswith("2020-01-0") for _, what in findings.bad_bars)


def test_coverage_warnings_name_late_starts_early_ends_and_holes() -> None:
    frame = pd.read_csv(BARS)
    days = frame[frame.Symbol == "TCS"].Date.to_numpy(dtype="datetime64[D]")
    assert coverage_warnings("TCS", days, date(2005, 1, 1), date(2021, 4, 30)) == []
    assert coverage_warnings("TCS", days, date(2000, 1, 1), date(2021, 12, 31)) == [
        "TCS: bars start on 2004-08-25, after the requested start 2000-01-01",
        "TCS: bars end on 2021-04-30, before the requested end 2021-12-31"]
    holed = np.concatenate([days[:100], days[130:]])
    (hole,) = coverage_warnings("TCS", holed, None, None)
    assert f"{days[99]}..{days[130]}" in hole
    assert coverage_warnings("X", days[:0], None, None) == [
        "X: no bars between the start and the end"]
