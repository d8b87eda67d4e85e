"""Features against oracles nobody here wrote: pandas (from each feature's definition) and
TA-Lib, on real NSE bars (2011-2014, a few bars knocked out, NIFTY 50 as the benchmark).

Time-series features are checked symbol by symbol on the symbol's own bars, as the
catalogue defines windows; cross-sectional ones on the calendar, day by day. Every
catalogued price feature has an oracle here (the last test makes sure of it).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from chitti.compute.features import FeaturePanel, catalog
from chitti.marketdata.panel import PricePanel

from .conftest import assert_close, bars_of, ours

talib = pytest.importorskip("talib")

Oracle = Callable[[pd.DataFrame], pd.Series]
ORACLES: dict[str, Oracle] = {}


def _lr(f: pd.DataFrame) -> pd.Series:
    return np.log(f.close / f.close.shift(1))


def _ret(f: pd.DataFrame) -> pd.Series:
    return f.close / f.close.shift(1) - 1


def _series(f: pd.DataFrame, values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=f.index)


def _talib(fn: str, *cols: str, out: int | None = None, **params: float) -> Oracle:
    def oracle(f: pd.DataFrame) -> pd.Series:
        res = getattr(talib, fn)(*(f[c].to_numpy(dtype=float) for c in cols), **params)
        return _series(f, res if out is None else res[out])
    return oracle


# -- returns -----------------------------------------------------------------------------
for _n in (1, 2, 3, 5, 10, 20, 60, 120, 252):
    ORACLES[f"ret_{_n}d"] = lambda f, n=_n: f.close.pct_change(n, fill_method=None)
for _n in (126, 252):
    ORACLES[f"mom_{_n}d_skip21d"] = lambda f, n=_n: f.close.shift(21) / f.close.shift(n) - 1
for _n in (20, 60, 252):
    ORACLES[f"sharpe_{_n}d"] = lambda f, n=_n: (_lr(f).rolling(n).mean()
                                                / _lr(f).rolling(n).std())
for _n in (20, 60):
    ORACLES[f"up_days_frac_{_n}d"] = lambda f, n=_n: (
        (f.close > f.close.shift(1)).astype(float).where(f.close.shift(1).notna())
        .rolling(n).mean())
ORACLES["ret_max_1d_20d"] = lambda f: _ret(f).rolling(20).max()
ORACLES["ret_min_1d_20d"] = lambda f: _ret(f).rolling(20).min()

# -- trend -------------------------------------------------------------------------------
for _n in (5, 10, 20, 50, 100, 200):
    ORACLES[f"close_to_sma_{_n}d"] = lambda f, n=_n: f.close / f.close.rolling(n).mean() - 1
for _a, _b in ((5, 20), (20, 50), (50, 200)):
    ORACLES[f"sma_{_a}d_{_b}d_ratio"] = lambda f, a=_a, b=_b: (
        f.close.rolling(a).mean() / f.close.rolling(b).mean() - 1)
for _n in (20, 60, 120):
    ORACLES[f"trend_slope_{_n}d"] = lambda f, n=_n: _series(
        f, talib.LINEARREG_SLOPE(np.log(f.close.to_numpy()), n))
    ORACLES[f"trend_r2_{_n}d"] = lambda f, n=_n: (
        _series(f, np.arange(len(f), dtype=float)).rolling(n).corr(np.log(f.close)) ** 2)

# -- volatility --------------------------------------------------------------------------
for _n in (5, 10, 20, 60, 120, 252):
    ORACLES[f"vol_{_n}d"] = lambda f, n=_n: _lr(f).rolling(n).std()
for _a, _b in ((5, 60), (20, 252)):
    ORACLES[f"vol_ratio_{_a}d_{_b}d"] = lambda f, a=_a, b=_b: (
        _lr(f).rolling(a).std() / _lr(f).rolling(b).std())
for _n in (20, 60):
    ORACLES[f"downside_vol_{_n}d"] = lambda f, n=_n: np.sqrt(
        (_lr(f).clip(upper=0) ** 2).rolling(n).mean())
for _n in (10, 20, 60):
    ORACLES[f"parkinson_{_n}d"] = lambda f, n=_n: np.sqrt(
        (np.log(f.high / f.low) ** 2).rolling(n).mean() / (4 * math.log(2)))
    ORACLES[f"garman_klass_{_n}d"] = lambda f, n=_n: np.sqrt(
        (0.5 * np.log(f.high / f.low) ** 2
         - (2 * math.log(2) - 1) * np.log(f.close / f.open) ** 2).rolling(n).mean())


def _rs(f: pd.DataFrame) -> pd.Series:
    return (np.log(f.high / f.close) * np.log(f.high / f.open)
            + np.log(f.low / f.close) * np.log(f.low / f.open))


def _yang_zhang(f: pd.DataFrame, n: int) -> pd.Series:
    k = 0.34 / (1.34 + (n + 1) / (n - 1))
    overnight = np.log(f.open / f.close.shift(1))
    intraday = np.log(f.close / f.open)
    return np.sqrt(overnight.rolling(n).var() + k * intraday.rolling(n).var()
                   + (1 - k) * _rs(f).rolling(n).mean())


for _n in (20, 60):
    ORACLES[f"rogers_satchell_{_n}d"] = lambda f, n=_n: np.sqrt(_rs(f).rolling(n).mean())
    ORACLES[f"yang_zhang_{_n}d"] = lambda f, n=_n: _yang_zhang(f, n)
for _n in (7, 14, 28):
    ORACLES[f"natr_{_n}d_pct"] = _talib("NATR", "high", "low", "close", timeperiod=_n)
ORACLES["atr_14d_inr"] = _talib("ATR", "high", "low", "close", timeperiod=14)
ORACLES["skew_20d"] = lambda f: _lr(f).rolling(20).skew()
ORACLES["skew_60d"] = lambda f: _lr(f).rolling(60).skew()
ORACLES["kurt_60d"] = lambda f: _lr(f).rolling(60).kurt()

# -- indicators (TA-Lib itself) ----------------------------------------------------------
_HLC = ("high", "low", "close")
for _n in (2, 6, 14, 28):
    ORACLES[f"rsi_{_n}d"] = _talib("RSI", "close", timeperiod=_n)
for _n in (14, 50):
    ORACLES[f"cci_{_n}d"] = _talib("CCI", *_HLC, timeperiod=_n)
ORACLES["stochrsi_k_14d"] = _talib("STOCHRSI", "close", out=0, timeperiod=14, fastk_period=5,
                                   fastd_period=3, fastd_matype=0)
ORACLES["trix_15d"] = _talib("TRIX", "close", timeperiod=15)
for _i, _part in enumerate(("macd_12_26_norm", "macd_signal_12_26_9_norm",
                            "macd_hist_12_26_9_norm")):
    ORACLES[_part] = lambda f, i=_i: _talib("MACD", "close", out=i, fastperiod=12,
                                            slowperiod=26, signalperiod=9)(f) / f.close


def _bbands(f: pd.DataFrame, n: int) -> tuple[np.ndarray, ...]:
    return tuple(talib.BBANDS(f.close.to_numpy(), timeperiod=n, nbdevup=2, nbdevdn=2,
                              matype=0))


for _n in (20, 50):
    ORACLES[f"bb_pctb_{_n}d"] = lambda f, n=_n: _series(
        f, (f.close.to_numpy() - _bbands(f, n)[2]) / (_bbands(f, n)[0] - _bbands(f, n)[2]))
ORACLES["bb_width_20d"] = lambda f: _series(
    f, (_bbands(f, 20)[0] - _bbands(f, 20)[2]) / _bbands(f, 20)[1])
for _n in (14, 28):
    ORACLES[f"adx_{_n}d"] = _talib("ADX", *_HLC, timeperiod=_n)
    ORACLES[f"mfi_{_n}d"] = _talib("MFI", *_HLC, "volume", timeperiod=_n)
ORACLES["plus_di_14d"] = _talib("PLUS_DI", *_HLC, timeperiod=14)
ORACLES["minus_di_14d"] = _talib("MINUS_DI", *_HLC, timeperiod=14)
ORACLES["willr_14d"] = _talib("WILLR", *_HLC, timeperiod=14)
ORACLES["stoch_k_14d"] = _talib("STOCH", *_HLC, out=0, fastk_period=14, slowk_period=3,
                                slowk_matype=0, slowd_period=3, slowd_matype=0)
ORACLES["stoch_d_14d"] = _talib("STOCH", *_HLC, out=1, fastk_period=14, slowk_period=3,
                                slowk_matype=0, slowd_period=3, slowd_matype=0)
for _n in (14, 25):
    ORACLES[f"aroonosc_{_n}d"] = _talib("AROONOSC", "high", "low", timeperiod=_n)
ORACLES["ultosc_7_14_28"] = _talib("ULTOSC", *_HLC, timeperiod1=7, timeperiod2=14,
                                   timeperiod3=28)
ORACLES["sar_dist"] = lambda f: f.close / _talib("SAR", "high", "low", acceleration=0.02,
                                                 maximum=0.2)(f) - 1
ORACLES["obv_slope_20d"] = lambda f: _series(f, talib.LINEARREG_SLOPE(
    talib.OBV(f.close.to_numpy(), f.volume.to_numpy()), 20)) / f.volume.rolling(20).mean()
ORACLES["adosc_3_10_norm"] = lambda f: _talib(
    "ADOSC", *_HLC, "volume", fastperiod=3, slowperiod=10)(f) / f.volume.rolling(10).mean()

# -- volume ------------------------------------------------------------------------------


def _turnover(f: pd.DataFrame) -> pd.Series:
    return f.close * f.volume / 1e7


def _amihud(f: pd.DataFrame, n: int) -> pd.Series:
    # mean over the window's traded bars of |r| / turnover (by its definition, a loop)
    tv, r = _turnover(f).to_numpy(), _ret(f).abs().to_numpy()
    out = np.full(len(f), np.nan)
    for i in range(n, len(f)):
        sel = slice(i - n + 1, i + 1)
        traded = tv[sel] > 0
        if traded.any() and not np.isnan(r[sel]).any():
            out[i] = np.mean(r[sel][traded] / tv[sel][traded])
    return _series(f, out)


ORACLES["turnover_1d_crore"] = _turnover
for _n in (20, 60):
    ORACLES[f"turnover_{_n}d_crore"] = lambda f, n=_n: _turnover(f).rolling(n).mean()
    ORACLES[f"amihud_{_n}d"] = lambda f, n=_n: _amihud(f, n)
    ORACLES[f"volume_z_{_n}d"] = lambda f, n=_n: (
        (f.volume - f.volume.rolling(n).mean()) / f.volume.rolling(n).std())
    ORACLES[f"corr_close_volume_{_n}d"] = lambda f, n=_n: f.close.rolling(n).corr(
        np.log1p(f.volume))
    ORACLES[f"up_volume_frac_{_n}d"] = lambda f, n=_n: (
        f.volume.where(f.close > f.close.shift(1), 0.0).where(f.close.shift(1).notna())
        .rolling(n).sum() / f.volume.where(f.close.shift(1).notna()).rolling(n).sum())
for _n in (5, 20, 60):
    ORACLES[f"volume_ratio_{_n}d"] = lambda f, n=_n: f.volume / f.volume.rolling(n).mean()
for _a, _b in ((5, 20), (20, 120)):
    ORACLES[f"volume_ma_ratio_{_a}d_{_b}d"] = lambda f, a=_a, b=_b: (
        f.volume.rolling(a).mean() / f.volume.rolling(b).mean())
ORACLES["volume_cv_20d"] = lambda f: f.volume.rolling(20).std() / f.volume.rolling(20).mean()
ORACLES["volume_chg_1d"] = lambda f: np.log((f.volume + 1) / (f.volume.shift(1) + 1))
ORACLES["corr_ret_volume_chg_20d"] = lambda f: _lr(f).rolling(20).corr(
    np.log((f.volume + 1) / (f.volume.shift(1) + 1)))


def _cmf(f: pd.DataFrame) -> pd.Series:
    rng = f.high - f.low
    mfm = (((f.close - f.low) - (f.high - f.close)) / rng).where(rng > 0, 0.0)
    return (mfm * f.volume).rolling(20).sum() / f.volume.rolling(20).sum()


ORACLES["cmf_20d"] = _cmf
ORACLES["close_to_vwap_20d"] = lambda f: f.close / (
    ((f.high + f.low + f.close) / 3 * f.volume).rolling(20).sum()
    / f.volume.rolling(20).sum()) - 1

# -- highs and lows ----------------------------------------------------------------------


def _since(x: pd.Series, n: int, pick: Callable[[np.ndarray], int]) -> pd.Series:
    # bars since the extreme, the most recent one on ties
    return x.rolling(n).apply(lambda w: pick(w[::-1]), raw=True)


for _n in (20, 60, 120, 252):
    ORACLES[f"dist_high_{_n}d"] = lambda f, n=_n: f.close / f.high.rolling(n).max() - 1
    ORACLES[f"dist_low_{_n}d"] = lambda f, n=_n: f.close / f.low.rolling(n).min() - 1
for _n in (60, 252):
    ORACLES[f"pos_in_range_{_n}d"] = lambda f, n=_n: (
        (f.close - f.low.rolling(n).min())
        / (f.high.rolling(n).max() - f.low.rolling(n).min()))
for _n in (20, 60, 252):
    ORACLES[f"days_since_high_{_n}d"] = lambda f, n=_n: _since(f.high, n, np.argmax)
    ORACLES[f"days_since_low_{_n}d"] = lambda f, n=_n: _since(f.low, n, np.argmin)

# -- gaps --------------------------------------------------------------------------------


def _gap(f: pd.DataFrame) -> pd.Series:
    return f.open / f.close.shift(1) - 1


def _gap_filled(f: pd.DataFrame) -> pd.Series:
    prev = f.close.shift(1)
    out = pd.Series(np.nan, index=f.index)
    out[f.open > prev] = (f.low <= prev)[f.open > prev].astype(float)
    out[f.open < prev] = (f.high >= prev)[f.open < prev].astype(float)
    return out


ORACLES["gap_1d"] = _gap
ORACLES["gap_z_1d"] = lambda f: np.log(f.open / f.close.shift(1)) / _lr(f).rolling(20).std(
).shift(1)
ORACLES["gap_abs_mean_20d"] = lambda f: _gap(f).abs().rolling(20).mean()
ORACLES["gap_filled_1d"] = _gap_filled
ORACLES["intraday_ret_1d"] = lambda f: f.close / f.open - 1
for _n in (5, 20):
    ORACLES[f"overnight_ret_{_n}d"] = lambda f, n=_n: np.log(
        f.open / f.close.shift(1)).rolling(n).sum()
    ORACLES[f"intraday_ret_{_n}d"] = lambda f, n=_n: np.log(f.close / f.open).rolling(n).sum()

# -- ranges ------------------------------------------------------------------------------


def _share(num: pd.Series, f: pd.DataFrame) -> pd.Series:
    rng = f.high - f.low
    return (num / rng).where(rng > 0, 0.0)


def _clv(f: pd.DataFrame) -> pd.Series:
    return _share((f.close - f.low) - (f.high - f.close), f)


ORACLES["range_1d"] = lambda f: (f.high - f.low) / f.close
ORACLES["range_ratio_1d_20d"] = lambda f: (f.high - f.low) / (f.high - f.low).rolling(20).mean()
ORACLES["bop_1d"] = _talib("BOP", "open", "high", "low", "close")
ORACLES["upper_wick_frac_1d"] = lambda f: _share(f.high - f[["open", "close"]].max(axis=1), f)
ORACLES["lower_wick_frac_1d"] = lambda f: _share(f[["open", "close"]].min(axis=1) - f.low, f)
ORACLES["clv_1d"] = _clv
ORACLES["clv_mean_20d"] = lambda f: _clv(f).rolling(20).mean()
ORACLES["nr7_1d"] = lambda f: ((f.high - f.low) < (f.high - f.low).rolling(6).min().shift(1)
                               ).astype(float).where((f.high - f.low).shift(6).notna())
ORACLES["inside_bar_1d"] = lambda f: ((f.high <= f.high.shift(1)) & (f.low >= f.low.shift(1))
                                      ).astype(float).where(f.high.shift(1).notna())

# -- market (the benchmark as known at each bar: last close, carried at most 5 dates) ----


def _bret(f: pd.DataFrame) -> pd.Series:
    return f.bench / f.bench.shift(1) - 1


def _downside_beta(f: pd.DataFrame, n: int) -> pd.Series:
    r, b = _ret(f).to_numpy(), _bret(f).to_numpy()
    out = np.full(len(f), np.nan)
    for i in range(n - 1, len(f)):
        x, y = r[i - n + 1: i + 1], b[i - n + 1: i + 1]
        if np.isnan(x).any() or np.isnan(y).any() or (y < 0).sum() < 2:
            continue
        out[i] = np.cov(x[y < 0], y[y < 0])[0, 1] / np.var(y[y < 0], ddof=1)
    return _series(f, out)


for _n in (60, 120, 252):
    ORACLES[f"beta_{_n}d"] = lambda f, n=_n: (_ret(f).rolling(n).cov(_bret(f))
                                              / _bret(f).rolling(n).var())
    ORACLES[f"corr_{_n}d"] = lambda f, n=_n: _ret(f).rolling(n).corr(_bret(f))
for _n in (60, 252):
    ORACLES[f"idio_vol_{_n}d"] = lambda f, n=_n: np.sqrt(
        _ret(f).rolling(n).var() * (1 - _ret(f).rolling(n).corr(_bret(f)) ** 2))
ORACLES["downside_beta_252d"] = lambda f: _downside_beta(f, 252)
for _n in (20, 60, 120, 252):
    ORACLES[f"rs_{_n}d"] = lambda f, n=_n: ((f.close / f.close.shift(n))
                                            / (f.bench / f.bench.shift(n)) - 1)

SERIES_GROUPS = ("returns", "trend", "volatility", "indicators", "volume", "highs_lows",
                 "gaps", "ranges")


@pytest.mark.parametrize("group", [*SERIES_GROUPS, "market"])
def test_time_series_features_equal_their_definition(
        nse: tuple[PricePanel, FeaturePanel], group: str) -> None:
    panel, fp = nse
    names = [s.name for s in catalog() if s.group == group and s.name in ORACLES]
    assert names, group
    for j in range(len(panel.symbols)):
        frame = bars_of(panel, j)
        for name in names:
            where = f"{name} of {panel.symbols[j]}"
            ref = ORACLES[name](frame)
            assert_close(where, ours(fp, panel, name, j), ref)


def test_benchmark_features_follow_the_benchmark_as_known(
        nse: tuple[PricePanel, FeaturePanel]) -> None:
    panel, fp = nse
    b = pd.Series(panel.benchmark, index=pd.DatetimeIndex(panel.dates))
    own = b.dropna()
    refs = {
        "bench_ret_1d": own.pct_change(1), "bench_ret_5d": own.pct_change(5),
        "bench_ret_20d": own.pct_change(20),
        "bench_vol_20d": np.log(own / own.shift(1)).rolling(20).std(),
        "bench_dist_high_252d": own / own.rolling(252).max() - 1,
    }
    has = ~np.isnan(panel.close)
    for name, ref in refs.items():
        on_dates = ref.reindex(b.index).ffill(limit=5).to_numpy()
        expect = np.where(has, on_dates[:, None], np.nan)
        assert_close(name, fp.feature(name), expect)


def _frame(fp: FeaturePanel, name: str) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(fp.feature(name)), columns=list(fp.symbols))


def test_cross_sectional_ranks_and_zscores_equal_pandas(
        nse: tuple[PricePanel, FeaturePanel]) -> None:
    _, fp = nse
    for s in catalog():
        if s.group != "cross_section" or not s.name.endswith(("_cs_rank", "_cs_z")):
            continue
        base = _frame(fp, s.depends[0])
        if s.name.endswith("_cs_rank"):
            ref = base.rank(axis=1, pct=True)
        else:
            ref = base.sub(base.mean(axis=1), axis=0).div(base.std(axis=1), axis=0)
        assert_close(s.name, fp.feature(s.name), ref.to_numpy())


def test_sector_and_universe_features_equal_pandas(
        nse: tuple[PricePanel, FeaturePanel]) -> None:
    panel, fp = nse
    sectors = pd.Series(panel.sectors, index=list(panel.symbols))
    for base in ("ret_5d", "ret_20d", "ret_60d"):
        x = _frame(fp, base)
        ref = pd.DataFrame(np.nan, index=x.index, columns=x.columns)
        for _, members in sectors.dropna().groupby(sectors.dropna()):
            cols = list(members.index)
            mean, count = x[cols].mean(axis=1), x[cols].notna().sum(axis=1)
            ref[cols] = x[cols].sub(mean, axis=0).where(count >= 2, axis=0)
        assert_close(f"{base}_sector_dev", fp.feature(f"{base}_sector_dev"), ref.to_numpy())
    has = ~np.isnan(panel.close)
    ret1, sma50, ret20 = _frame(fp, "ret_1d"), _frame(fp, "close_to_sma_50d"), _frame(fp,
                                                                                      "ret_20d")
    refs = {"universe_ret_1d": ret1.mean(axis=1),
            "universe_breadth_sma_50d": (sma50 > 0).astype(float).where(sma50.notna()).mean(
                axis=1),
            "universe_dispersion_20d": ret20.std(axis=1)}
    for name, ref in refs.items():
        assert_close(name, fp.feature(name), np.where(has, ref.to_numpy()[:, None], np.nan))


def test_calendar_features_equal_pandas(nse: tuple[PricePanel, FeaturePanel]) -> None:
    panel, fp = nse
    idx = pd.DatetimeIndex(panel.dates)
    month_end = idx + pd.offsets.MonthEnd(0)
    month_start = idx.to_period("M").to_timestamp()
    to_end = [len(pd.bdate_range(d + pd.Timedelta(days=1), e)) for d, e in zip(idx, month_end,
                                                                                 strict=True)]
    from_start = [len(pd.bdate_range(s, d - pd.Timedelta(days=1))) for s, d in
                  zip(month_start, idx, strict=True)]
    refs = {"day_of_week": idx.day_of_week, "day_of_month": idx.day, "month": idx.month,
            "weekdays_to_month_end": to_end, "weekdays_from_month_start": from_start,
            "turn_of_month": [float(a == 0 or b < 3) for a, b in zip(to_end, from_start,
                                                                     strict=True)]}
    has = ~np.isnan(panel.close)
    for name, ref in refs.items():
        expect = np.where(has, np.asarray(ref, dtype=float)[:, None], np.nan)
        assert_close(name, fp.feature(name), expect)


def test_every_price_feature_has_an_oracle_here() -> None:
    covered = set(ORACLES) | {s.name for s in catalog()
                              if s.group in ("cross_section", "calendar")
                              or s.name.startswith("bench_")}
    missing = [s.name for s in catalog() if s.group != "news" and s.name not in covered]
    assert not missing, f"features without an oracle test: {missing}"
