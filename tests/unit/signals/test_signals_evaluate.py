"""The rule quality report: forward returns, split-day guard and the command line."""

from __future__ import annotations

import math

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
