"""The rule quality report: forward returns, split-day guard and the command line."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chitti.signals import evaluate as ev
from chitti.signals.rules import builtin_rule


def test_forward_returns_drop_windows_holding_a_split() -> None:
    close = np.array([100.0, 101.0, 102.0, 51.0, 52.0, 53.0])  # a 1:2 split on day 3
    one = ev.forward_returns(close, 1)
    assert one[0] == pytest.approx(0.01)
    assert math.isnan(one[2])              # the split day itself
    assert one[3] == pytest.approx(52 / 51 - 1)
    assert math.isnan(one[5])              # runs past the data
    two = ev.forward_returns(close, 2)
    assert math.isnan(two[1]) and math.isnan(two[2])
    assert two[0] == pytest.approx(0.02) and two[3] == pytest.approx(53 / 51 - 1)


def test_evaluate_matches_a_direct_computation_on_demo_data() -> None:
    bars = ev.load_daily(ev.FALLBACK_DATA, ["INFY"])
    rule = builtin_rule("gap_down")
    (stats,) = ev.evaluate(bars, [rule])
    b = bars["INFY"]
    from chitti.signals.patterns import evaluate_rules
    idx = [a.bar_index for a in evaluate_rules(b, [rule])]
    fwd = ev.forward_returns(b.close, 5)
    drift = np.nanmean(fwd)
    picked = fwd[idx][np.isfinite(fwd[idx])]
    assert stats.count == int(np.isfinite(ev.forward_returns(b.close, 1)[idx]).sum())
    assert stats.mean_pct[5] == pytest.approx(picked.mean() * 100)
    assert stats.excess_pct[5] == pytest.approx((picked - drift).mean() * 100)
    assert stats.hit_rate_pct[5] == pytest.approx(((picked - drift) < 0).mean() * 100)


def test_main_prints_a_row_per_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code = ev.main(["--data", str(ev.FALLBACK_DATA), "--symbols", "TCS",
                    "--rules", "golden_cross", "gap_up"])
    out = capsys.readouterr().out
    assert code == 0
    assert "golden_cross" in out and "gap_up" in out and "death_cross" not in out
    assert "1 symbols" in out


@pytest.mark.skipif(not ev.DEFAULT_DATA.exists(), reason="../shared market data not present")
def test_default_data_covers_the_nifty_50() -> None:
    bars = ev.load_daily(ev.DEFAULT_DATA, ["RELIANCE", "TITAN"])
    assert set(bars) == {"RELIANCE", "TITAN"} and len(bars["TITAN"]) > 4000


def _pandas_reference(path: Path, symbols: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The loader as it was written with pandas (the oracle of the standard-library one)."""
    import pandas as pd

    d = pd.read_csv(path, usecols=["Date", "Symbol", "Open", "High", "Low", "Close", "Volume"])
    if symbols:
        d = d[d["Symbol"].isin([s.upper() for s in symbols])]
    d = d.dropna(subset=["Open", "High", "Low", "Close"])
    d = d[(d[["Open", "High", "Low", "Close"]] > 0).all(axis=1)]
    out = {}
    for sym, g in d.sort_values(["Symbol", "Date"], kind="stable").drop_duplicates(
            ["Symbol", "Date"]).groupby("Symbol", sort=True):
        o, h, lo, c = (g[k].to_numpy(float) for k in ("Open", "High", "Low", "Close"))
        out[str(sym)] = {"ts": np.array(g["Date"].to_numpy(dtype=str), dtype="datetime64[D]"),
                         "open": o, "high": np.maximum.reduce([h, o, c]),
                         "low": np.minimum.reduce([lo, o, c]), "close": c,
                         "volume": g["Volume"].fillna(0).to_numpy(float)}
    return out


def _assert_same(loaded: dict[str, Any], reference: dict[str, dict[str, Any]]) -> None:
    assert list(loaded) == list(reference)
    for sym, want in reference.items():
        for field, values in want.items():
            np.testing.assert_array_equal(getattr(loaded[sym], field), values,
                                          err_msg=f"{sym}.{field}")


def test_load_daily_equals_the_pandas_reading_of_the_demo_file() -> None:
    _assert_same(ev.load_daily(ev.FALLBACK_DATA), _pandas_reference(ev.FALLBACK_DATA))
    _assert_same(ev.load_daily(ev.FALLBACK_DATA, ["tcs", "INFY"]),
                 _pandas_reference(ev.FALLBACK_DATA, ["tcs", "INFY"]))


def test_load_daily_drops_bad_rows_like_pandas(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "Date,Symbol,Open,High,Low,Close,Volume,Extra\n"
        "2020-01-03,AAA,10,11,9,10.5,100,x\n"
        "2020-01-02,AAA,10,11,9,10,,x\n"          # no volume: 0
        "2020-01-03,AAA,99,99,99,99,1,x\n"        # a second row of a day: the first wins
        "2020-01-06,AAA,0,11,9,10,100,x\n"        # a zero price: dropped
        "2020-01-07,AAA,10,,9,10,100,x\n"         # a missing price: dropped
        "2020-01-08,AAA,10,10.2,9.9,10.4,5,x\n"   # high below close: widened
        "2020-01-02,BBB,5,6,4,5.5,7,x\n"
        "2020-01-09,BBB,5,6,4\n")                 # a short row: its prices are missing
    _assert_same(ev.load_daily(path), _pandas_reference(path))


def test_the_command_runs_without_pandas_from_another_directory(tmp_path: Path) -> None:
    script = ("import sys, runpy\n"
              "sys.modules['pandas'] = None  # the runtime install has no pandas\n"
              f"sys.argv = ['evaluate', '--data', {str(ev.FALLBACK_DATA)!r}, '--symbols', "
              "'TCS', '--rules', 'golden_cross']\n"
              "runpy.run_module('chitti.signals.evaluate', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "golden_cross" in done.stdout and "1 symbols" in done.stdout
