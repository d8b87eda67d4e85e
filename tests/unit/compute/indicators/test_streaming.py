"""Live bars: each streaming form equals the batch result on the same data, bar by bar."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitti.compute.indicators import catalog, compute, stream
from chitti.errors import BadRequest

from .conftest import assert_close

STREAMING = [s for s in catalog() if s.streaming]
IDS = [s.name for s in STREAMING]


def replay(name: str, data: dict[str, np.ndarray], **params) -> dict[str, np.ndarray]:
    st_ = stream(name, **params)
    n = len(data["close"])
    rows = [st_.update(**{k: float(v[i]) for k, v in data.items()}) for i in range(n)]
    return {o: np.array([r[o] for r in rows], dtype=float) for o in st_.spec.outputs}


def check(name: str, data: dict[str, np.ndarray], **params) -> None:
    batch = compute(name, data, **params)
    live = replay(name, data, **params)
    for o, v in batch.items():
        assert_close(f"{name}.{o} {params}", live[o], v, rel=1e-9)


@pytest.mark.parametrize("name", IDS)
def test_streaming_equals_batch_on_nse_daily(name: str, nse_daily) -> None:
    for data in nse_daily.values():
        check(name, {k: v for k, v in data.items() if k != "periods"})


@pytest.mark.parametrize("name", IDS)
def test_streaming_equals_batch_on_tcs_5min(name: str, tcs_5min) -> None:
    data = {k: v[:4000] for k, v in tcs_5min.items() if k != "periods"}
    check(name, data)


@st.composite
def bars_and_params(draw: st.DrawFn, name: str):
    n = draw(st.integers(0, 80))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    spread = close * rng.uniform(0.0, 0.03, n)
    data = {"open": close, "high": close + spread, "low": close - spread, "close": close,
            "volume": np.round(rng.uniform(0.0, 1e4, n))}
    k = 0
    if draw(st.booleans()) and n:
        k = int(rng.integers(0, n))
        for key in data:
            data[key][:k] = np.nan  # leading gap: skipped by batch and stream alike
    if draw(st.booleans()) and n > 5 and n - k > 1:
        # a gap inside, after the first complete bar (with no complete bar at all, batch
        # still evaluates the last one, as TA-Lib does; a stream cannot know which is last)
        data["close"][int(rng.integers(k + 1, n))] = np.nan
    spec = next(s for s in STREAMING if s.name == name)
    params = {}
    for p in spec.params:
        if p.name.endswith("matype"):
            params[p.name] = draw(st.sampled_from([0, 1, 2, 13]))
        elif p.type == "int":
            params[p.name] = draw(st.integers(int(p.min), int(min(p.max, 25))))
        else:
            params[p.name] = draw(st.sampled_from([p.default, p.default / 2 or 0.5]))
    if name == "bbands":
        params["matype"] = 0
    return data, params


@pytest.mark.parametrize("name", IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_streaming_equals_batch_on_random_bars(name: str, data: st.DataObject) -> None:
    bars, params = data.draw(bars_and_params(name))
    with np.errstate(all="ignore"):
        check(name, bars, **params)


def test_stream_stays_nan_without_a_complete_bar() -> None:
    # batch mode, with no bar where every input is present, runs the kernel on the last bar
    # (TA-Lib's wrapper convention); a stream cannot tell the last bar, so it stays NaN
    nan = float("nan")
    bars = {"high": np.array([nan, 99.0]), "low": np.array([nan, 95.0]),
            "close": np.array([nan, nan]), "volume": np.array([nan, 1726.0])}
    assert compute("vwap", bars)["vwap"][-1] == 0.0
    assert np.isnan(replay("vwap", bars)["vwap"]).all()


def test_update_is_constant_time_per_bar() -> None:
    rng = np.random.default_rng(0)
    closes = 100 + np.cumsum(rng.normal(size=20_000))

    def cost(period: int) -> float:
        s = stream("sma", timeperiod=period)
        t0 = time.perf_counter()
        for c in closes:
            s.update(close=float(c))
        return time.perf_counter() - t0

    assert cost(2000) < 3 * cost(5)  # a 400x longer window does not cost 400x


def test_update_validates_the_bar() -> None:
    s = stream("atr", timeperiod=3)
    with pytest.raises(BadRequest, match="bar is missing 'low'"):
        s.update(high=1.0, close=1.0)
    with pytest.raises(BadRequest, match="close=inf is not finite"):
        s.update(high=1.0, low=1.0, close=math.inf)
    with pytest.raises(BadRequest, match="is not a number"):
        s.update(high=1.0, low=1.0, close="x")
    with pytest.raises(BadRequest, match=r"'timeperiod' = 0 is out of range"):
        stream("rsi", timeperiod=0)
    with pytest.raises(BadRequest, match="streaming bbands supports matype 0"):
        stream("bbands", matype=3)


def test_stream_returns_nan_during_warmup_then_values() -> None:
    s = stream("ema", timeperiod=3)
    out = [s.update(close=v)["ema"] for v in (1.0, 2.0, 3.0, 4.0)]
    assert math.isnan(out[0]) and math.isnan(out[1]) and out[2] == 2.0 and out[3] == 3.0
