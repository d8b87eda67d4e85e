"""Targets and baselines against pandas (shift, rank) on real closes and random panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chitti.compute.ml import (
    cross_sectional_rank,
    forward_return,
    forward_sign,
    make_target,
    momentum_12_1,
    reversal_5d,
)
from chitti.errors import BadRequest

from .conftest import demo_closes


def _panel(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(values)


@pytest.mark.parametrize("h", [1, 5, 20])
def test_forward_return_equals_pandas_shift_on_real_closes(h: int) -> None:
    close = demo_closes().loc["2003":"2006"]  # includes late listings (NaN columns)
    ours = forward_return(close.to_numpy(), horizon_days=h)
    ref = (close.shift(-h) / close - 1.0).to_numpy()
    np.testing.assert_allclose(ours, ref, rtol=0, atol=0, equal_nan=True)


def test_sign_and_rank_follow_pandas() -> None:
    close = demo_closes().loc["2004":"2005"]
    fwd = close.shift(-5) / close - 1.0
    sign = make_target(close.to_numpy(), target="sign", horizon_days=5)
    ref_sign = np.where(fwd.isna(), np.nan, (fwd > 0).astype(float))
    np.testing.assert_array_equal(sign, ref_sign)
    rank = make_target(close.to_numpy(), target="rank", horizon_days=5)
    np.testing.assert_allclose(rank, fwd.rank(axis=1, pct=True).to_numpy(), rtol=1e-15,
                               equal_nan=True)


finite_or_nan = st.one_of(st.just(np.nan), st.sampled_from([0.0, 1.0, -1.0, 2.5]),
                          st.floats(-5, 5, allow_nan=False))


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 9)),
              elements=finite_or_nan))
def test_cross_sectional_rank_equals_pandas_with_ties_and_nan(values: np.ndarray) -> None:
    ours = cross_sectional_rank(values)
    ref = _panel(values).rank(axis=1, pct=True).to_numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-14, equal_nan=True)


def test_forward_sign_counts_flat_as_not_up() -> None:
    np.testing.assert_array_equal(forward_sign(np.array([[0.0, 1e-12, -1e-12, np.nan]])),
                                  [[0.0, 1.0, 0.0, np.nan]])


def test_baselines_equal_pandas_shift() -> None:
    close = demo_closes().loc["2003":"2008"]
    mom = (close.shift(21) / close.shift(252) - 1.0).to_numpy()
    rev = -(close / close.shift(5) - 1.0).to_numpy()
    np.testing.assert_allclose(momentum_12_1(close.to_numpy()), mom, rtol=0, equal_nan=True)
    np.testing.assert_allclose(reversal_5d(close.to_numpy()), rev, rtol=0, equal_nan=True)


def test_short_history_gives_all_nan_not_an_error() -> None:
    close = np.full((10, 3), 100.0)
    assert np.isnan(momentum_12_1(close)).all()
    assert np.isnan(forward_return(close, horizon_days=10)).all()


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_horizon_names_the_field(bad: object) -> None:
    with pytest.raises(BadRequest, match="horizon_days"):
        forward_return(np.ones((5, 2)), horizon_days=bad)  # type: ignore[arg-type]


def test_non_positive_close_is_refused() -> None:
    with pytest.raises(BadRequest, match="close"):
        forward_return(np.array([[1.0, 0.0], [1.0, 1.0]]))
