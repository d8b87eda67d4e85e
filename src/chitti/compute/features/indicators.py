"""Indicator features: TA-Lib-exact values from the indicator catalogue at several windows.

Indicators whose output is in price or volume units (MACD, OBV, A/D oscillator) are
divided by the close or the average volume so they compare across symbols. Indicators
that repaint or look ahead (zigzag, fractals, DPO, Ichimoku's lagging span) are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chitti.compute.features._context import BarContext, ratio
from chitti.compute.features.catalog import feature, spec
from chitti.compute.indicators import compute_panel, get_spec

_HLC = ("high", "low", "close")
_HLCV = ("high", "low", "close", "volume")


def _lookback(name: str, **params: Any) -> int:
    return get_spec(name).lookback(params)


_RSI = (2, 6, 14, 28)
_ADX = (14, 28)
_CCI = (14, 50)
_MFI = (14, 28)
_AROON = (14, 25)
_BB = (20, 50)
_MACD = {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9}
_STOCH = {"fastk_period": 14, "slowk_period": 3, "slowk_matype": 0, "slowd_period": 3,
          "slowd_matype": 0}
_STOCHRSI = {"timeperiod": 14, "fastk_period": 5, "fastd_period": 3, "fastd_matype": 0}
_ULTOSC = {"timeperiod1": 7, "timeperiod2": 14, "timeperiod3": 28}
_BBANDS = {"nbdevup": 2.0, "nbdevdn": 2.0, "matype": 0}


@feature([spec(f"rsi_{n}d", _lookback("rsi", timeperiod=n), f"TA-Lib RSI over {n} bars "
               "(Wilder smoothing), 0-100.") for n in _RSI]
         + [spec("stochrsi_k_14d", _lookback("stochrsi", **_STOCHRSI), "TA-Lib STOCHRSI fast %K "
                 "(RSI 14, %K over 5 bars), 0-100: where RSI sits in its recent range."),
            spec("trix_15d", _lookback("trix", timeperiod=15), "TA-Lib TRIX: one-bar rate of "
                 "change of a triple 15-bar EMA of the close, in percent.")],
         group="indicators", inputs=("close",))
def _close_oscillators(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    c = ("close",)
    out = {f"rsi_{n}d": ctx.indicator("rsi", c, timeperiod=n)["rsi"]
           for n in _RSI if f"rsi_{n}d" in wanted}
    if "stochrsi_k_14d" in wanted:
        out["stochrsi_k_14d"] = ctx.indicator("stochrsi", c, **_STOCHRSI)["fastk"]
    if "trix_15d" in wanted:
        out["trix_15d"] = ctx.indicator("trix", c, timeperiod=15)["trix"]
    return out


@feature([spec("macd_12_26_norm", _lookback("macd", **_MACD), "TA-Lib MACD line (EMA 12 - "
               "EMA 26 of the close) divided by the close."),
          spec("macd_signal_12_26_9_norm", _lookback("macd", **_MACD), "TA-Lib MACD signal line "
               "(9-bar EMA of the MACD line) divided by the close."),
          spec("macd_hist_12_26_9_norm", _lookback("macd", **_MACD), "TA-Lib MACD histogram "
               "(MACD line - signal line) divided by the close.")]
         + [spec(f"bb_pctb_{n}d", _lookback("bbands", timeperiod=n, **_BBANDS), "Bollinger %B "
                 f"(TA-Lib BBANDS, {n} bars, 2 std): (close - lower) / (upper - lower).")
            for n in _BB]
         + [spec("bb_width_20d", _lookback("bbands", timeperiod=20, **_BBANDS), "Bollinger "
                 "band width (20 bars, 2 std): (upper - lower) / middle band.")],
         group="indicators", inputs=("close",))
def _bands(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if any(n.startswith("macd_") for n in wanted):
        m = ctx.indicator("macd", ("close",), **_MACD)
        out["macd_12_26_norm"] = ratio(m["macd"], ctx.close)
        out["macd_signal_12_26_9_norm"] = ratio(m["macdsignal"], ctx.close)
        out["macd_hist_12_26_9_norm"] = ratio(m["macdhist"], ctx.close)
    for n in _BB:
        if f"bb_pctb_{n}d" in wanted or (n == 20 and "bb_width_20d" in wanted):
            b = ctx.indicator("bbands", ("close",), timeperiod=n, **_BBANDS)
            width = b["upperband"] - b["lowerband"]
            out[f"bb_pctb_{n}d"] = ratio(ctx.close - b["lowerband"], width)
            if n == 20:
                out["bb_width_20d"] = ratio(width, b["middleband"])
    return out


@feature([spec(f"adx_{n}d", _lookback("adx", timeperiod=n), f"TA-Lib ADX over {n} bars: trend "
               "strength, 0-100.") for n in _ADX]
         + [spec(f"cci_{n}d", _lookback("cci", timeperiod=n), f"TA-Lib CCI over {n} bars: "
                 "(typical price - its mean) / (0.015 x mean absolute deviation).") for n in _CCI]
         + [spec("plus_di_14d", _lookback("plus_di", timeperiod=14), "TA-Lib +DI over 14 bars, "
                 "0-100."),
            spec("minus_di_14d", _lookback("minus_di", timeperiod=14), "TA-Lib -DI over 14 bars, "
                 "0-100."),
            spec("stoch_k_14d", _lookback("stoch", **_STOCH), "TA-Lib STOCH slow %K (14-bar %K "
                 "smoothed over 3 bars), 0-100."),
            spec("stoch_d_14d", _lookback("stoch", **_STOCH), "TA-Lib STOCH slow %D (3-bar SMA "
                 "of slow %K), 0-100."),
            spec("willr_14d", _lookback("willr", timeperiod=14), "TA-Lib Williams %R over 14 "
                 "bars, -100-0.")]
         + [spec(f"aroonosc_{n}d", _lookback("aroonosc", timeperiod=n), "TA-Lib Aroon oscillator "
                 f"over {n} bars (Aroon up - Aroon down), -100-100.") for n in _AROON]
         + [spec("ultosc_7_14_28", _lookback("ultosc", **_ULTOSC), "TA-Lib ultimate oscillator "
                 "(7, 14, 28 bars), 0-100."),
            spec("sar_dist", _lookback("sar", acceleration=0.02, maximum=0.2), "Close over the "
                 "TA-Lib parabolic SAR (0.02, 0.2), minus 1: positive in an up-trend.")],
         group="indicators", inputs=_HLC)
def _directional(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out = {f"adx_{n}d": ctx.indicator("adx", _HLC, timeperiod=n)["adx"]
           for n in _ADX if f"adx_{n}d" in wanted}
    for n in _CCI:
        if f"cci_{n}d" in wanted:
            out[f"cci_{n}d"] = ctx.indicator("cci", _HLC, timeperiod=n)["cci"]
    for di in ("plus_di", "minus_di", "willr"):
        if f"{di}_14d" in wanted:
            out[f"{di}_14d"] = ctx.indicator(di, _HLC, timeperiod=14)[di]
    if "stoch_k_14d" in wanted or "stoch_d_14d" in wanted:
        s = ctx.indicator("stoch", _HLC, **_STOCH)
        out["stoch_k_14d"], out["stoch_d_14d"] = s["slowk"], s["slowd"]
    for n in _AROON:
        if f"aroonosc_{n}d" in wanted:
            out[f"aroonosc_{n}d"] = ctx.indicator("aroonosc", ("high", "low"),
                                                  timeperiod=n)["aroonosc"]
    if "ultosc_7_14_28" in wanted:
        out["ultosc_7_14_28"] = ctx.indicator("ultosc", _HLC, **_ULTOSC)["ultosc"]
    if "sar_dist" in wanted:
        sar = ctx.indicator("sar", ("high", "low"), acceleration=0.02, maximum=0.2)["sar"]
        out["sar_dist"] = ratio(ctx.close, sar) - 1.0
    return out


@feature([spec(f"mfi_{n}d", _lookback("mfi", timeperiod=n), f"TA-Lib money flow index over {n} "
               "bars (a volume-weighted RSI of the typical price), 0-100.") for n in _MFI]
         + [spec("obv_slope_20d", max(_lookback("linearreg_slope", timeperiod=20),
                                      _lookback("sma", timeperiod=20)),
                 "Least-squares slope of TA-Lib OBV over 20 bars divided by the 20-bar average "
                 "volume: accumulation per bar, in days of volume."),
            spec("adosc_3_10_norm", max(_lookback("adosc", fastperiod=3, slowperiod=10),
                                        _lookback("sma", timeperiod=10)),
                 "TA-Lib Chaikin A/D oscillator (3, 10) divided by the 10-bar average volume.")],
         group="indicators", inputs=_HLCV)
def _volume_indicators(ctx: BarContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    out = {f"mfi_{n}d": ctx.indicator("mfi", _HLCV, timeperiod=n)["mfi"]
           for n in _MFI if f"mfi_{n}d" in wanted}
    if "obv_slope_20d" in wanted:
        obv = ctx.indicator("obv", ("close", "volume"))["obv"]
        slope = ctx.cached("obv_slope", lambda: _slope(obv, 20))
        out["obv_slope_20d"] = ratio(slope, ctx.rolling_mean("volume", lambda: ctx.volume, 20))
    if "adosc_3_10_norm" in wanted:
        ad = ctx.indicator("adosc", _HLCV, fastperiod=3, slowperiod=10)["adosc"]
        out["adosc_3_10_norm"] = ratio(ad, ctx.rolling_mean("volume", lambda: ctx.volume, 10))
    return out


def _slope(x: np.ndarray, n: int) -> np.ndarray:
    return compute_panel("linearreg_slope", {"close": x}, timeperiod=n)["linearreg_slope"]
