"""risk_report on real NSE closes against the same figures computed in pandas/numpy in the
test, its JSON, and its refusals (each BadRequest names the field and the fix)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from tests.unit.compute.risk.data import adjusted_closes, as_arrays, nifty

from chitti.compute.risk import risk_report
from chitti.errors import BadRequest

SYMBOLS = ["HDFCBANK", "HINDUNILVR", "ICICIBANK", "INFY", "SBIN", "TCS"]
WEIGHTS = np.array([0.2, 0.15, 0.15, 0.2, -0.05, 0.25])     # a short and 10 % cash
CONFIDENCES = (0.95, 0.99)


def reference(closes: pd.DataFrame, weights: np.ndarray, window_days: int = 500,
              bench: pd.Series | None = None) -> dict[str, Any]:
    """The report's definitions in pandas: rows where every held asset has a close, simple
    returns between them, the last ``window_days``, constant weights."""
    held = closes.loc[:, weights != 0]
    w = weights[weights != 0]
    valid = held.dropna().iloc[-(window_days + 1):]
    r = valid.pct_change().iloc[1:]
    port = r @ w
    out: dict[str, Any] = {"valid": valid, "r": r, "port": port, "w": w}
    for h in (1, 10):
        out[f"losses_{h}"] = -(valid.pct_change(h).iloc[h:] @ w).to_numpy()
    value = pd.concat([pd.Series([1.0], index=[valid.index[0]]), (1.0 + port).cumprod()])
    depth = 1.0 - value / value.cummax()
    out["drawdown"] = (float(depth.max()), value.loc[:depth.idxmax()].idxmax().date(),
                       depth.idxmax().date())
    cov = r.cov().to_numpy()
    out["variance_share"] = w * (cov @ w) / (w @ cov @ w)
    if bench is not None:
        b = bench.loc[valid.index].pct_change().iloc[1:]
        pair = pd.concat([port, b], axis=1).dropna()
        out["beta"] = pair.cov().iloc[0, 1] / pair.iloc[:, 1].var()
        out["tracking_error"] = (pair.iloc[:, 0] - pair.iloc[:, 1]).std() * math.sqrt(252)
        out["asset_beta"] = [pd.concat([r[s], b], axis=1).dropna().cov().iloc[0, 1]
                             / b.dropna().var() for s in r.columns]
    return out


def var_rows(result: dict[str, Any], method: str) -> dict[tuple[float, int], dict[str, Any]]:
    return {(row["confidence"], row["horizon_days"]): row for row in result["var"]
            if row["method"] == method}


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, pd.Series]:
    closes = adjusted_closes().loc["2012-01-01":"2019-12-02", SYMBOLS]
    return closes, nifty().reindex(closes.index)


@pytest.fixture(scope="module")
def report(real: tuple[pd.DataFrame, pd.Series]) -> dict[str, Any]:
    closes, bench = real
    px, days = as_arrays(closes)
    result = risk_report(px, days, symbols=SYMBOLS, weights=WEIGHTS, benchmark=bench.to_numpy(),
                         portfolio_value_inr=2_500_000.0, n_paths=100_000).to_dict()
    json.dumps(result, allow_nan=False)           # JSON-able: no NaN, no numpy scalars
    return result


def test_historical_var_equals_numpy_over_the_pandas_window(
        real: tuple[pd.DataFrame, pd.Series], report: dict[str, Any]) -> None:
    want = reference(*real[:1], WEIGHTS)
    assert report["window"] == {"start": str(want["valid"].index[0].date()),
                                "end": str(want["valid"].index[-1].date()),
                                "return_days": 500}
    for (c, h), row in var_rows(report, "historical").items():
        losses = want[f"losses_{h}"]
        var = float(np.quantile(losses, c))
        assert row["var_fraction"] == pytest.approx(var, abs=1e-12)
        assert row["cvar_fraction"] == pytest.approx(losses[losses >= var].mean(), abs=1e-12)
        assert row["var_inr"] == pytest.approx(var * 2_500_000.0, abs=1e-5)


def test_parametric_and_monte_carlo_var_match_the_normal_closed_form(
        real: tuple[pd.DataFrame, pd.Series], report: dict[str, Any]) -> None:
    port = reference(*real[:1], WEIGHTS)["port"]
    mc = var_rows(report, "monte_carlo")
    for (c, h), row in var_rows(report, "parametric").items():
        z = stats.norm.ppf(c)
        var = z * port.std() * math.sqrt(h) - port.mean() * h
        assert row["var_fraction"] == pytest.approx(var, abs=1e-12)
        assert sum(row["components_fraction"].values()) == pytest.approx(var, abs=1e-12)
        if h == 1:     # 100,000 paths: 0.5 % standard error at 99 %
            assert mc[(c, h)]["var_fraction"] == pytest.approx(var, rel=0.02)


def test_volatility_beta_drawdown_correlation_and_contributions_match_pandas(
        real: tuple[pd.DataFrame, pd.Series], report: dict[str, Any]) -> None:
    closes, bench = real
    want = reference(closes, WEIGHTS, bench=bench)
    assert report["annual_volatility_fraction"] == pytest.approx(
        want["port"].std() * math.sqrt(252), rel=1e-12)
    assert report["beta"] == pytest.approx(want["beta"], rel=1e-10)
    assert report["tracking_error_annual_fraction"] == pytest.approx(want["tracking_error"],
                                                                    rel=1e-10)
    depth, peak, trough = want["drawdown"]
    assert report["max_drawdown"]["drawdown_fraction"] == pytest.approx(depth, abs=1e-12)
    assert report["max_drawdown"]["peak_date"] == str(peak)
    assert report["max_drawdown"]["trough_date"] == str(trough)
    np.testing.assert_allclose(np.array(report["correlation"]["matrix"], dtype=float),
                               want["r"].corr().to_numpy(), atol=1e-12)
    positions = report["positions"]
    np.testing.assert_allclose([p["variance_contribution_fraction"] for p in positions],
                               want["variance_share"], atol=1e-12)
    np.testing.assert_allclose([p["beta"] for p in positions], want["asset_beta"], rtol=1e-10)
    np.testing.assert_allclose([p["annual_volatility_fraction"] for p in positions],
                               want["r"].std().to_numpy() * math.sqrt(252), rtol=1e-12)
    assert report["cash_fraction"] == pytest.approx(0.1)
    assert report["gross_exposure_fraction"] == pytest.approx(1.0)


def test_stress_episodes_are_in_the_report(report: dict[str, Any]) -> None:
    by_key = {s["key"]: s for s in report["stress"]}
    assert by_key["gfc_2008"]["status"] == "no_data"      # the data here starts in 2012
    assert by_key["taper_tantrum_2013"]["status"] == "ok"
    assert by_key["covid_2020"]["status"] == "no_data"    # ... and ends in 2019


def test_a_late_listing_shortens_the_window_and_says_so() -> None:
    # TCS listed 2004-08-25: from 2004-01 to 2006-06 only ~460 returns have every close.
    closes = adjusted_closes().loc["2004-01-01":"2006-06-30", ["INFY", "TCS", "ITC"]]
    px, days = as_arrays(closes)
    w = np.array([0.4, 0.4, 0.2])
    result = risk_report(px, days, symbols=list(closes.columns), weights=w).to_dict()
    want = reference(closes, w)
    assert result["window"]["return_days"] == len(want["r"]) < 500
    assert result["window"]["start"] == "2004-08-25"
    assert any("fewer than the 500" in note for note in result["notes"])
    row = var_rows(result, "historical")[(0.99, 1)]
    assert row["var_fraction"] == pytest.approx(np.quantile(want["losses_1"], 0.99), abs=1e-12)


def test_an_asset_with_weight_zero_plays_no_part() -> None:
    closes = adjusted_closes().loc["2004-01-01":"2006-06-30", ["INFY", "TCS", "ITC"]]
    px, days = as_arrays(closes)
    w = np.array([0.6, 0.0, 0.4])         # TCS not held: its late listing must not matter
    result = risk_report(px, days, symbols=list(closes.columns), weights=w).to_dict()
    want = reference(closes, w)
    assert result["window"]["return_days"] == 500
    assert [p["symbol"] for p in result["positions"]] == ["INFY", "ITC"]
    row = var_rows(result, "historical")[(0.95, 10)]
    assert row["var_fraction"] == pytest.approx(np.quantile(want["losses_10"], 0.95), abs=1e-12)


def test_positions_in_rupees_become_weights_of_positions_plus_cash(
        real: tuple[pd.DataFrame, pd.Series]) -> None:
    closes, _ = real
    px, days = as_arrays(closes)
    positions = np.array([300_000.0, 200_000.0, 0.0, 250_000.0, 150_000.0, 100_000.0])
    result = risk_report(px, days, symbols=SYMBOLS, positions_inr=positions,
                         cash_inr=500_000.0).to_dict()
    assert result["portfolio_value_inr"] == 1_500_000.0
    assert [p["weight"] for p in result["positions"]] == pytest.approx(
        list(positions[positions != 0] / 1_500_000.0))
    want = reference(closes, positions / 1_500_000.0)
    for (c, h), row in var_rows(result, "historical").items():
        var = float(np.quantile(want[f"losses_{h}"], c))
        assert row["var_inr"] == pytest.approx(var * 1_500_000.0, abs=1e-6)


def test_a_benchmark_that_ends_early_leaves_beta_undefined_with_a_note() -> None:
    closes = adjusted_closes().loc["2018-01-01":"2021-04-30", SYMBOLS]
    bench = nifty().reindex(closes.index)       # the index file ends 2019-12-02
    px, days = as_arrays(closes)
    weights = np.full(6, 1 / 6)
    # 250 days back from 2021-04-30 start after the index file ends: no beta at all
    result = risk_report(px, days, symbols=SYMBOLS, weights=weights, window_days=250,
                         benchmark=bench.to_numpy()).to_dict()
    assert result["beta"] is None and result["tracking_error_annual_fraction"] is None
    assert result["benchmark_return_days"] == 0
    assert any(note.startswith("benchmark: closes on only 0") for note in result["notes"])
    covid = {s["key"]: s for s in result["stress"]}["covid_2020"]
    assert covid["status"] == "ok" and covid["benchmark_return_fraction"] is None
    json.dumps(result, allow_nan=False)
    # 500 days reach back into 2019: beta over the overlap only, and a note that says so
    result = risk_report(px, days, symbols=SYMBOLS, weights=weights,
                         benchmark=bench.to_numpy()).to_dict()
    want = reference(closes, weights, bench=bench)
    assert result["beta"] == pytest.approx(want["beta"], rel=1e-10)
    overlap = result["benchmark_return_days"]
    assert 60 <= overlap < 500
    assert f"benchmark: closes on {overlap} of the window's 500 days" in result["notes"][0]


# --- refusals ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def arrays(real: tuple[pd.DataFrame, pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    return as_arrays(real[0])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weights": [0.5, 0.5]}, r"weights: 2 values for 6 assets"),
    ({"weights": [0.3, 0.3, 0.3, 0.2, 0.0, 0.0]}, r"weights: they sum to 1\.1 > 1"),
    ({"weights": [0.0] * 6}, r"weights: every weight is 0"),
    ({"weights": [0.2, math.nan, 0.1, 0.1, 0.1, 0.1]}, r"weights: 1 missing"),
    ({}, r"weights: give either weights .* or positions_inr"),
    ({"weights": [0.1] * 6, "positions_inr": [1.0] * 6}, r"exactly one"),
    ({"positions_inr": [1.0] * 6, "cash_inr": -5.0}, r"cash_inr: .* borrowed"),
    ({"weights": [0.1] * 6, "confidences": (0.95, 1.5)}, r"confidence: 1\.5"),
    ({"weights": [0.1] * 6, "min_days": 5}, r"min_days: 5 .* use at least 30"),
    ({"weights": [0.1] * 6, "window_days": 100, "min_days": 250}, r"window_days: 100"),
    ({"weights": [0.1] * 6, "benchmark": np.ones(3)}, r"benchmark: 3 closes for \d+ dates"),
])
def test_bad_input_is_refused_with_the_fix(arrays: tuple[np.ndarray, np.ndarray],
                                           kwargs: dict[str, Any], message: str) -> None:
    px, days = arrays
    with pytest.raises(BadRequest, match=message):
        risk_report(px, days, symbols=SYMBOLS, **kwargs)


def test_too_little_history_says_how_many_days_and_which_asset() -> None:
    closes = adjusted_closes().loc["2004-01-01":"2005-03-31", ["INFY", "TCS"]]
    px, days = as_arrays(closes)
    with pytest.raises(BadRequest) as caught:
        risk_report(px, days, symbols=["INFY", "TCS"], weights=[0.5, 0.5])
    available = len(closes.dropna()) - 1
    assert caught.value.message.startswith(
        f"history: {available} daily returns on which all held assets have closes, fewer "
        "than the 250 needed (min_days); TCS has")
    assert "from 2004-08-25" in caught.value.message


def test_bad_prices_and_dates_are_refused(arrays: tuple[np.ndarray, np.ndarray]) -> None:
    px, days = arrays
    broken = px.copy()
    broken[10, 2] = -1.0
    with pytest.raises(BadRequest, match=r"close: 1 infinite or non-positive .* ICICIBANK"):
        risk_report(broken, days, symbols=SYMBOLS, weights=[0.1] * 6)
    with pytest.raises(BadRequest, match=r"dates: must be strictly increasing"):
        risk_report(px, days[::-1], symbols=SYMBOLS, weights=[0.1] * 6)
    with pytest.raises(BadRequest, match=r"symbols: 5 names for 6 columns"):
        risk_report(px, days, symbols=SYMBOLS[:5], weights=[0.1] * 6)
