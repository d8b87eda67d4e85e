"""Panels: every indicator on symbols x time in one call equals the per-symbol results."""

from __future__ import annotations

import numpy as np
import pytest

from chitti.compute.indicators import catalog, compute, compute_panel
from chitti.errors import BadRequest

SPECS = catalog()


def _panel(n_sym: int, n_time: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, (n_sym, n_time)), axis=1))
    spread = close * rng.uniform(0.0, 0.03, close.shape)
    return {"open": close * (1 + rng.normal(0, 0.002, close.shape)), "high": close + spread,
            "low": close - spread, "close": close,
            "volume": np.round(rng.uniform(1.0, 1e4, close.shape)),
            "periods": rng.integers(2, 30, close.shape).astype(float)}


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_panel_equals_per_symbol_compute(spec) -> None:
    panel = _panel(5, 260)
    panel["close"][1, :40] = np.nan  # a symbol listed later: NaN-padded on the left
    out = compute_panel(spec.name, panel)
    for r in range(5):
        ref = compute(spec.name, {k: v[r] for k, v in panel.items()})
        for o in spec.outputs:
            np.testing.assert_array_equal(out[o][r], ref[o], err_msg=f"{spec.name}.{o} row {r}")


def test_panel_uses_several_workers_and_one_worker_gives_the_same() -> None:
    panel = _panel(40, 500, seed=1)
    a = compute_panel("rsi", panel, timeperiod=14)["rsi"]
    b = compute_panel("rsi", panel, timeperiod=14, workers=1)["rsi"]
    np.testing.assert_array_equal(a, b)
    assert a.shape == (40, 500)


def test_panel_rsi_four_rows_at_a_time_equals_per_symbol_compute() -> None:
    # rows 0-3 and 4-7 share a start (interleaved kernel), 8-11 do not, 12-13 are a tail
    panel = _panel(14, 300, seed=2)
    x = panel["close"]
    x[4:8, :25] = np.nan
    x[9, :3] = np.nan
    x[5, 150] = np.nan  # an interior gap
    x[2, 100:140] = x[2, 100]  # a flat stretch
    for period in (2, 14, 290, 400):
        out = compute_panel("rsi", {"close": x}, timeperiod=period)["rsi"]
        for r in range(len(x)):
            ref = compute("rsi", {"close": x[r]}, timeperiod=period)["rsi"]
            np.testing.assert_array_equal(out[r], ref, err_msg=f"row {r} period {period}")


def test_panel_validation() -> None:
    with pytest.raises(BadRequest, match=r"must be a 2-D panel \(symbols x time\)"):
        compute_panel("sma", {"close": np.ones(10)})
    with pytest.raises(BadRequest, match=r"unequal shapes"):
        compute_panel("atr", {"high": np.ones((2, 5)), "low": np.ones((2, 5)),
                              "close": np.ones((3, 5))})
    x = np.ones((3, 6))
    x[2, 4] = -np.inf
    with pytest.raises(BadRequest, match=r"non-finite value -inf at row 2, column 4"):
        compute_panel("sma", {"close": x})
    assert compute_panel("sma", {"close": np.empty((0, 7))})["sma"].shape == (0, 7)
