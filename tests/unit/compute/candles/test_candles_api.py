"""The public surface of `chitti.compute.candles`: the catalogue, `detect`, `detect_all`,
`direction` and input validation."""

from __future__ import annotations

import numpy as np
import pytest
import talib
from talib import abstract
from tests.unit.compute.candles.bars import demo_series, synthetic

from chitti.compute.candles import (
    CANDLE_SETTINGS,
    PATTERNS,
    PatternSpec,
    detect,
    detect_all,
    direction,
    get_pattern,
)
from chitti.errors import BadRequest


def _bars(n: int = 40) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(7)
    c = 100 + np.cumsum(rng.normal(0, 1, n))
    o = c + rng.normal(0, 0.5, n)
    return o, np.maximum(o, c) + 0.3, np.minimum(o, c) - 0.3, c


def test_catalogue_lists_exactly_talibs_pattern_recognition_group_in_its_order() -> None:
    group = talib.get_function_groups()["Pattern Recognition"]
    assert list(PATTERNS) == [n.lower() for n in group]
    assert len(PATTERNS) == 61
    assert all(isinstance(s, PatternSpec) and s.talib == n.upper() for n, s in PATTERNS.items())


@pytest.mark.parametrize("name", list(PATTERNS))
def test_spec_matches_talibs_own_description(name: str) -> None:
    spec = PATTERNS[name]
    info = abstract.Function(spec.talib)
    assert spec.display_name == info.info["display_name"]
    assert spec.defaults() == dict(info.parameters)
    assert spec.lookback() == info.lookback
    assert spec.description
    d = spec.to_dict()
    assert d["lookback_default"] == info.lookback
    assert d["inputs"] == ["open", "high", "low", "close"]
    assert set(spec.settings) <= set(CANDLE_SETTINGS)


def test_detect_takes_lists_any_case_and_the_short_name() -> None:
    o, h, low, c = demo_series()["INFY"]
    want = talib.CDLENGULFING(o, h, low, c)
    assert np.array_equal(detect("CDLENGULFING", o.tolist(), h, low, c), want)
    assert np.array_equal(detect("engulfing", o, h, low, c), want)
    assert get_pattern(" CdlDoji ") is PATTERNS["cdldoji"]


def test_series_shorter_than_the_warm_up_are_all_zero() -> None:
    for n in (0, 1, 5, 12, 14):
        for name, arr in detect_all(*(b[:n] for b in _bars(40))).items():
            assert arr.shape == (n,) and arr.dtype == np.int32, name
            if n <= PATTERNS[name].lookback():
                assert not arr.any(), name


def test_detect_all_equals_detect_for_every_pattern() -> None:
    o, h, low, c = demo_series()["ITC"]
    everything = detect_all(o, h, low, c)
    assert list(everything) == list(PATTERNS)
    for name, arr in everything.items():
        assert np.array_equal(arr, detect(name, o, h, low, c))


def test_direction_is_the_sign_of_the_values() -> None:
    assert direction(np.array([0, 100, -100, 80, -80, 200, -200], np.int32)).tolist() == [
        0, 1, -1, 1, -1, 1, -1]
    assert direction(np.array([200], np.int32)).dtype == np.int8
    assert direction(-80) == -1 and direction(0) == 0
    got = detect("cdlkickingbylength", *synthetic("cdlkickingbylength"))
    assert direction(got[-1]) == -1


def test_all_nan_input_gives_zeros() -> None:
    a = np.full(30, np.nan)
    assert not detect("cdlhammer", a, a, a, a).any()


def test_read_only_and_integer_inputs_are_accepted() -> None:
    o, h, low, c = (np.round(b).astype(np.int64) for b in _bars(60))
    h = np.maximum(h, np.maximum(o, c))
    low = np.minimum(low, np.minimum(o, c))
    o.flags.writeable = False
    want = talib.CDLDOJI(*(b.astype(float) for b in (o, h, low, c)))
    assert np.array_equal(detect("cdldoji", o, h, low, c), want)


@pytest.mark.parametrize(("args", "params", "message"), [
    ((np.ones(5), np.ones(5), np.ones(4), np.ones(5)), {}, "unequal lengths"),
    ((np.ones(5), np.array([1, np.inf, 1, 1, 1.0]), np.ones(5), np.ones(5)), {},
     "non-finite value inf at index 1"),
    ((np.ones((2, 2)),) * 4, {}, "1-D series"),
    ((["a", "b"],) * 4, {}, "not numeric"),
    ((np.ones(5),) * 4, {"penetration": -0.1}, "out of range"),
    ((np.ones(5),) * 4, {"penetration": "x"}, "must be float"),
    ((np.ones(5),) * 4, {"timeperiod": 3}, "unknown parameter"),
])
def test_bad_input_is_refused_with_a_clear_message(
        args: tuple[object, ...], params: dict[str, object], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        detect("cdlmathold", *args, **params)


def test_unknown_pattern_suggests_close_names() -> None:
    with pytest.raises(BadRequest, match="did you mean cdlengulfing"):
        detect("cdlengulfin", *_bars(5))
    with pytest.raises(BadRequest, match="must be a string"):
        get_pattern(3)  # type: ignore[arg-type]


def test_penetration_changes_the_result_and_defaults_match_talib() -> None:
    o, h, low, c = demo_series()["HDFCBANK"]
    default = detect("cdldarkcloudcover", o, h, low, c)
    assert np.array_equal(default, detect("cdldarkcloudcover", o, h, low, c, penetration=0.5))
    loose = detect("cdldarkcloudcover", o, h, low, c, penetration=0.0)
    assert np.count_nonzero(loose) > np.count_nonzero(default)


def test_direction_less_patterns_are_flagged_and_never_negative() -> None:
    flagged = {n for n, s in PATTERNS.items() if not s.directional}
    assert flagged == {"cdldoji", "cdldragonflydoji", "cdlgravestonedoji", "cdllongleggeddoji",
                       "cdlrickshawman", "cdltakuri"}
    for o, h, low, c in demo_series().values():
        for name in flagged:
            assert detect(name, o, h, low, c).min() >= 0
    assert PATTERNS["cdldoji"].to_dict()["directional"] is False
