"""Stress replays on real NSE closes against a pandas buy-and-hold computed in the test, and
the episode catalogue against the index data it quotes."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.unit.compute.risk.data import adjusted_closes, as_arrays, nifty

from chitti.compute.risk import STRESS_EPISODES, StressEpisode, StressResult, stress_test

EPISODES = {e.key: e for e in STRESS_EPISODES}
SYMBOLS = ["HDFCBANK", "HINDUNILVR", "ICICIBANK", "INFY", "ITC", "LT", "SBIN", "TCS"]
WEIGHTS = np.array([0.15, 0.1, 0.15, 0.1, 0.1, 0.1, 0.1, 0.15])   # 5 % cash


def reference_replay(closes: pd.DataFrame, weights: np.ndarray, start: date,
                     end: date) -> dict[str, Any]:
    """Buy-and-hold in pandas: positions bought at the first close, last close carried."""
    px = closes.loc[pd.Timestamp(start):pd.Timestamp(end)].ffill()
    rel = px / px.iloc[0]
    value = (1.0 - weights.sum()) + rel @ weights
    daily = value.pct_change().iloc[1:]
    return {
        "return": value.iloc[-1] / value.iloc[0] - 1.0,
        "drawdown": float((1.0 - value / value.cummax()).max()),
        "worst_date": daily.idxmin().date(), "worst": daily.min(),
        "asset_returns": (rel.iloc[-1] - 1.0).to_numpy(),
        "contributions": weights * (rel.iloc[-1] - 1.0).to_numpy(),
        "first": px.index[0].date(), "last": px.index[-1].date(),
    }


def assert_replay_matches(got: StressResult, want: dict[str, Any]) -> None:
    assert got.status == "ok"
    assert got.first_date == want["first"] and got.last_date == want["last"]
    assert got.return_fraction == pytest.approx(want["return"], abs=1e-12)
    assert got.drawdown.drawdown_fraction == pytest.approx(want["drawdown"], abs=1e-12)
    assert got.worst_day_date == want["worst_date"]
    assert got.worst_day_return_fraction == pytest.approx(want["worst"], abs=1e-12)
    np.testing.assert_allclose(got.contribution_fraction, want["contributions"], atol=1e-12)
    assert got.contribution_fraction.sum() == pytest.approx(got.return_fraction, abs=1e-12)


def test_the_2008_crisis_replays_like_pandas_buy_and_hold_with_the_benchmark() -> None:
    closes = adjusted_closes()[SYMBOLS]          # LT's 2008-10-01 split adjusted in the test
    episode = EPISODES["gfc_2008"]
    px, days = as_arrays(closes)
    bench = nifty().reindex(closes.index).to_numpy()
    got = stress_test(px, days, WEIGHTS, episode=episode, symbols=SYMBOLS, benchmark=bench)
    want = reference_replay(closes, WEIGHTS, episode.start, episode.end)
    assert_replay_matches(got, want)
    np.testing.assert_allclose(got.asset_return_fraction, want["asset_returns"], atol=1e-12)
    index = nifty().loc[pd.Timestamp(episode.start):pd.Timestamp(episode.end)]
    assert got.benchmark_return_fraction == pytest.approx(index.iloc[-1] / index.iloc[0] - 1,
                                                          abs=1e-12)
    assert got.missing_treatment is None and set(got.treatment) == {"data"}
    assert got.return_fraction < -0.4             # a real crash, not a flat replay


def test_the_covid_crash_replays_on_stocks_past_the_index_file() -> None:
    closes = adjusted_closes()[SYMBOLS]
    episode = EPISODES["covid_2020"]
    px, days = as_arrays(closes)
    got = stress_test(px, days, WEIGHTS, episode=episode, symbols=SYMBOLS)
    want = reference_replay(closes, WEIGHTS, episode.start, episode.end)
    assert_replay_matches(got, want)
    assert got.worst_day_date == date(2020, 3, 23)
    assert math.isnan(got.benchmark_return_fraction)
    result = got.to_dict()
    assert result["key"] == "covid_2020" and result["benchmark_return_fraction"] is None
    assert [a["symbol"] for a in result["assets"]] == SYMBOLS


def test_a_day_without_a_bar_inside_the_episode_keeps_the_last_close() -> None:
    closes = adjusted_closes()[SYMBOLS].copy()
    # SBIN "suspended" for a week in the 2008 fall, ICICIBANK for one day
    closes.loc["2008-10-06":"2008-10-10", "SBIN"] = np.nan
    closes.loc["2008-10-24", "ICICIBANK"] = np.nan
    episode = EPISODES["gfc_2008"]
    px, days = as_arrays(closes)
    got = stress_test(px, days, WEIGHTS, episode=episode, symbols=SYMBOLS)
    assert_replay_matches(got, reference_replay(closes, WEIGHTS, episode.start, episode.end))
    assert set(got.treatment) == {"data"}


ELECTION_2004 = StressEpisode(key="test_2004", name="2004 sell-off", start=date(2004, 1, 14),
                              end=date(2004, 5, 17), description="NIFTY 50 peak to trough",
                              source="test")


def test_assets_without_data_are_proxied_by_beta_times_the_benchmark() -> None:
    # LT listed 2004-06-23 and TCS 2004-08-25: neither has a close in the episode.
    closes = adjusted_closes()[SYMBOLS]
    px, days = as_arrays(closes)
    bench = nifty().reindex(closes.index)
    betas = np.array([0.9, 0.6, 1.3, 1.1, 0.8, 1.4, 1.2, np.nan])   # TCS: unknown -> 1
    got = stress_test(px, days, WEIGHTS, episode=ELECTION_2004, symbols=SYMBOLS,
                      benchmark=bench.to_numpy(), proxy_betas=betas)
    window = closes.loc["2004-01-14":"2004-05-17"].copy()
    bench_daily = bench.loc[window.index].ffill().pct_change().fillna(0.0)
    for symbol, b in (("LT", 1.4), ("TCS", 1.0)):
        assert window[symbol].isna().all()
        window[symbol] = (1.0 + b * bench_daily).cumprod()
    assert_replay_matches(got, reference_replay(window, WEIGHTS, ELECTION_2004.start,
                                                ELECTION_2004.end))
    assert got.missing_treatment == "benchmark_proxy"
    assert got.treatment[SYMBOLS.index("LT")] == "benchmark_proxy"
    assert got.proxy_beta[SYMBOLS.index("TCS")] == 1.0
    assert got.to_dict()["missing_symbols"] == ["LT", "TCS"]


def test_without_a_benchmark_missing_assets_are_excluded_and_the_rest_scaled_up() -> None:
    closes = adjusted_closes()[SYMBOLS]
    px, days = as_arrays(closes)
    got = stress_test(px, days, WEIGHTS, episode=ELECTION_2004, symbols=SYMBOLS)
    available = ~np.isin(SYMBOLS, ["LT", "TCS"])
    scaled = np.where(available, WEIGHTS * WEIGHTS.sum() / WEIGHTS[available].sum(), 0.0)
    subset = closes.loc[:, available]
    want = reference_replay(subset, scaled[available], ELECTION_2004.start, ELECTION_2004.end)
    contributions = np.zeros(len(SYMBOLS))
    contributions[available] = want["contributions"]
    want["contributions"] = contributions
    assert_replay_matches(got, want)
    assert got.missing_treatment == "excluded_renormalised"
    np.testing.assert_allclose(got.weights_used, scaled, atol=1e-15)
    assert got.weights_used.sum() == pytest.approx(WEIGHTS.sum(), abs=1e-15)  # cash unchanged
    assert np.isnan(got.asset_return_fraction[~available]).all()


def test_an_episode_outside_the_data_is_reported_as_no_data() -> None:
    closes = adjusted_closes().loc["2010-01-01":, SYMBOLS]
    px, days = as_arrays(closes)
    got = stress_test(px, days, WEIGHTS, episode=EPISODES["gfc_2008"], symbols=SYMBOLS)
    assert got.status == "no_data" and "does not cover" in (got.reason or "")
    assert math.isnan(got.return_fraction)
    assert got.to_dict()["return_fraction"] is None


@pytest.mark.parametrize("key", [e.key for e in STRESS_EPISODES if e.end.year < 2020])
def test_catalogue_windows_are_the_nifty_peak_to_trough_they_describe(key: str) -> None:
    episode = EPISODES[key]
    index = nifty().loc[pd.Timestamp(episode.start):pd.Timestamp(episode.end)]
    assert index.index[0].date() == episode.start and index.index[-1].date() == episode.end
    assert index.idxmax().date() == episode.start and index.idxmin().date() == episode.end
    quoted = [float(x.replace(",", "")) for x in re.findall(r"of (\d[\d,]*\.\d\d)",
                                                               episode.description)]
    assert quoted == [index.iloc[0], index.iloc[-1]]
    fall = re.search(r"-(\d+\.\d) %", episode.description)
    assert fall is not None
    assert float(fall[1]) == round((1 - index.iloc[-1] / index.iloc[0]) * 100, 1)
