"""The catalogue is the single source: it is complete, self-describing and validated."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chitti.compute.indicators import IndicatorSpec, Param, catalog, compute, get_spec, stream
from chitti.compute.indicators.catalog import GROUPS, INPUT_NAMES
from chitti.errors import BadRequest

SPECS = catalog()
CLOSE = {"close": np.linspace(100.0, 120.0, 50)}


def test_catalogue_lists_at_least_100_indicators_with_unique_lowercase_names() -> None:
    names = [s.name for s in SPECS]
    assert len(names) >= 100
    assert len(set(names)) == len(names)
    assert all(n == n.lower() for n in names)


def test_catalogue_has_the_common_indicators_talib_lacks() -> None:
    names = {s.name for s in SPECS}
    assert {"supertrend", "vwap", "vwap_session", "vwap_rolling", "ichimoku", "kc", "donchian",
            "pivot_classic", "pivot_fibonacci", "pivot_camarilla", "ha", "zigzag", "zscore",
            "hma", "alma"} <= names


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_spec_is_complete_and_json_describable(spec: IndicatorSpec) -> None:
    assert spec.group in GROUPS
    assert spec.display_name and spec.description, "every indicator documents itself"
    assert spec.inputs and set(spec.inputs) <= set(INPUT_NAMES)
    assert spec.outputs and len(set(spec.outputs)) == len(spec.outputs)
    for p in spec.params:
        assert isinstance(p, Param) and p.type in ("int", "float")
        assert p.min <= p.default <= p.max, p
    d = json.loads(json.dumps(spec.to_dict()))
    assert d["name"] == spec.name and d["outputs"] == list(spec.outputs)
    assert d["lookback_default"] == spec.lookback() >= 0
    assert isinstance(d["streaming"], bool)


def test_get_spec_is_case_insensitive_and_suggests_close_matches() -> None:
    assert get_spec("SMA") is get_spec("sma") is get_spec(" Sma ")
    with pytest.raises(BadRequest, match=r"unknown indicator 'smaa'.*did you mean.*sma"):
        get_spec("smaa")
    with pytest.raises(BadRequest, match="unknown indicator"):
        compute("no_such_thing", CLOSE)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"timeperiod": 0}, r"'timeperiod' = 0 is out of range; valid range is 1\.\.100000"),
        ({"timeperiod": -5}, r"'timeperiod' = -5 is out of range"),
        ({"timeperiod": 100_001}, r"'timeperiod' = 100001 is out of range"),
        ({"timeperiod": 2.5}, r"'timeperiod' must be an integer, got 2\.5"),
        ({"timeperiod": "14"}, r"'timeperiod' must be int, got '14'"),
        ({"timeperiod": True}, r"'timeperiod' must be int, got True"),
        ({"period": 14}, r"unknown parameter\(s\) \['period'\]; known: timeperiod"),
    ],
)
def test_bad_parameters_are_refused_naming_param_value_and_range(params, message) -> None:
    with pytest.raises(BadRequest, match=message):
        compute("sma", CLOSE, **params)


def test_float_parameters_must_be_finite_and_in_range() -> None:
    with pytest.raises(BadRequest, match=r"'nbdevup' must be a finite number"):
        compute("bbands", CLOSE, nbdevup=float("nan"))
    with pytest.raises(BadRequest, match=r"'vfactor' = 1\.5 is out of range; valid range is 0"):
        compute("t3", CLOSE, vfactor=1.5)
    with pytest.raises(BadRequest, match=r"'matype' = 14 is out of range; valid range is 0\.\.13"):
        compute("ma", CLOSE, matype=14)


def test_integral_float_and_numpy_values_are_accepted() -> None:
    a = compute("sma", CLOSE, timeperiod=5)["sma"]
    b = compute("sma", CLOSE, timeperiod=5.0)["sma"]
    c = compute("sma", CLOSE, timeperiod=np.int64(5))["sma"]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_missing_default_parameters_take_talib_defaults() -> None:
    assert get_spec("macd").defaults() == {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9}
    assert get_spec("bbands").defaults()["timeperiod"] == 20
    assert get_spec("rsi").lookback() == 14


def test_bad_inputs_are_refused_with_the_exact_problem() -> None:
    hl = {"high": np.ones(10) + 1, "low": np.ones(10)}
    with pytest.raises(BadRequest, match=r"atr: missing input\(s\) close; this indicator needs "
                                         r"high, low, close"):
        compute("atr", hl)
    with pytest.raises(BadRequest, match=r"unequal shapes: 'high' is \(10,\), 'close' is \(9,\)"):
        compute("atr", {**hl, "close": np.ones(9)})
    x = np.ones(10)
    x[7] = np.inf
    with pytest.raises(BadRequest, match=r"input 'close' has a non-finite value inf at index 7"):
        compute("sma", {"close": x}, timeperiod=3)
    with pytest.raises(BadRequest, match=r"input 'close' must be a 1-D series, got shape"):
        compute("sma", {"close": np.ones((2, 5))})
    with pytest.raises(BadRequest, match=r"input 'close' is not numeric"):
        compute("sma", {"close": ["a", "b"]})
    with pytest.raises(BadRequest, match="inputs must be a mapping"):
        compute("sma", [1.0, 2.0])  # type: ignore[arg-type]


def test_mavp_refuses_minperiod_above_maxperiod() -> None:
    with pytest.raises(BadRequest, match="minperiod=10 is greater than maxperiod=5"):
        compute("mavp", {"close": np.ones(40), "periods": np.full(40, 5.0)},
                minperiod=10, maxperiod=5)


def test_nan_handling_follows_talibs_wrapper() -> None:
    x = np.arange(1.0, 11.0)
    x[:3] = np.nan  # leading gap: skipped, the indicator starts at bar 3
    out = compute("sma", {"close": x}, timeperiod=2)["sma"]
    assert np.isnan(out[:4]).all() and out[4] == 4.5
    y = np.arange(1.0, 11.0)
    y[5] = np.nan  # a gap inside: the running sum stays NaN, as in TA-Lib
    assert np.isnan(compute("sma", {"close": y}, timeperiod=2)["sma"][5:]).all()
    assert np.isnan(compute("sma", {"close": np.full(4, np.nan)})["sma"]).all()


def test_series_shorter_than_the_lookback_gives_all_nan_and_empty_gives_empty() -> None:
    out = compute("ema", {"close": np.ones(5)}, timeperiod=10)["ema"]
    assert out.shape == (5,) and np.isnan(out).all()
    assert compute("macd", {"close": np.empty(0)})["macd"].shape == (0,)


def test_outputs_are_float64_and_inputs_are_not_modified() -> None:
    x = np.arange(30, dtype=np.int64)
    x.flags.writeable = False
    out = compute("bbands", {"close": x}, timeperiod=5)
    assert set(out) == {"upperband", "middleband", "lowerband"}
    assert all(v.dtype == np.float64 and v.shape == (30,) for v in out.values())


def test_streaming_flag_matches_the_streaming_implementations() -> None:
    flagged = {s.name for s in SPECS if s.streaming}
    assert {"sma", "ema", "wma", "rsi", "macd", "bbands", "atr", "adx", "stoch", "obv", "vwap",
            "supertrend"} <= flagged
    for name in flagged:
        stream(name)
    with pytest.raises(BadRequest, match="cci has no streaming form"):
        stream("cci")


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_degenerate_series_never_raise(spec: IndicatorSpec) -> None:
    # zero volume, flat and zero prices: divisions by zero give inf/NaN as in C, never raise
    n = 60
    for level in (0.0, 50.0):
        flat = np.full(n, level)
        data = {"open": flat, "high": flat, "low": flat, "close": flat, "volume": np.zeros(n),
                "periods": np.full(n, 5.0)}
        with np.errstate(all="ignore"):
            out = compute(spec.name, data)
        assert all(v.shape == (n,) for v in out.values())
