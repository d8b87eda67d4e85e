"""A quote adjusts only the tail of a series, with only the actions after the tail's first
bar priced from the tail's own closes (as store.latest_bars reads it): it must equal the tail
of the whole series adjusted with every action (to the bit)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitti.errors import BadRequest
from chitti.marketdata.adjust import Adjust, PricedAction, adjust_tail, apply_adjustment
from chitti.marketdata.quotes import SPARK_BARS, quote, quotes
from chitti.marketdata.series import Bars, change_pct

DAYS = pd.bdate_range("2020-01-01", periods=80).to_numpy().astype("datetime64[D]")


def tail_bars(symbol: str, ts: np.ndarray, close: np.ndarray, volume: np.ndarray,
              actions: tuple[PricedAction, ...] = (), mode: Adjust = "split") -> Bars:
    """The bars as printed, adjusted by the actions after their first bar as the store
    adjusts them (priced from these closes)."""
    block = adjust_tail({"open": close, "high": close, "low": close, "close": close,
                         "volume": volume}, ts, list(actions), mode)
    return Bars(ts=ts, open=block["open"], high=block["high"], low=block["low"],
                close=block["close"], volume=block["volume"], symbol=symbol)


def priced(kind: str, day: int, ts: np.ndarray, close: np.ndarray,
           offset: int) -> PricedAction:
    """An action with its ex-date ``offset`` calendar days after bar ``day`` (after the last
    bar for a day beyond the series), priced from ``close`` as the store prices it."""
    ex_date = ts[min(day, ts.size - 1)].astype(object) + timedelta(days=offset + (
        day >= ts.size))
    before = close[ts < np.datetime64(ex_date)]
    on = close[ts == np.datetime64(ex_date)]
    return PricedAction(ex_date=ex_date, kind=kind, purpose=f"{kind} {ex_date}",
                        ratio_num=3.0, ratio_den=2.0, amount=float(close.min() / 3),
                        close_before=float(before[-1]) if before.size else None,
                        close_on=float(on[0]) if on.size else None)


@settings(max_examples=200, deadline=None)
@given(actions=st.lists(st.tuples(st.sampled_from(["split", "bonus", "rights", "demerger",
                                                   "dividend"]),
                                  st.integers(0, 90), st.integers(0, 4)), max_size=6),
       size=st.integers(1, 80), mode=st.sampled_from(["split", "total", "none"]),
       seed=st.integers(0, 2**16))
def test_a_quote_equals_the_tail_of_the_whole_adjusted_series(
        actions: list[tuple[str, int, int]], size: int, mode: Adjust, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ts = DAYS[:size]
    close = 100 * np.exp(rng.normal(0, 0.02, size).cumsum())
    volume = rng.integers(1, 10**6, size)
    stored = [priced(kind, day, ts, close, offset) for kind, day, offset in actions]
    whole, _ = apply_adjustment({"open": close, "high": close, "low": close, "close": close,
                                 "volume": volume}, ts, stored, mode)
    first = max(0, size - SPARK_BARS)
    tail = tail_bars("X", ts[first:], close[first:], volume[first:],
                     tuple(a for a in stored if np.datetime64(a.ex_date) > ts[first]), mode)
    got = quote(tail)
    assert got["spark"] == whole["close"][first:].tolist()
    assert got["volume"] == int(whole["volume"][-1])
    assert got["last_date"] == str(ts[-1])
    if size > 1:
        assert got["change_pct"] == pytest.approx(
            pd.Series(whole["close"]).pct_change().iloc[-1] * 100, rel=1e-12)


def test_symbols_without_bars_are_missing_when_listed_else_unknown() -> None:
    empty = np.empty(0)
    one = tail_bars("ONE", DAYS[:1], np.array([10.0]), np.array([5]))
    reply = quotes(["NOSUCH", "ONE", "LISTED"], {"ONE": one}, {"LISTED"}, "split")
    assert (reply["unknown"], reply["missing"]) == (["NOSUCH"], ["LISTED"])
    (only,) = reply["quotes"]
    assert only == {"symbol": "ONE", "last_date": str(DAYS[0]), "close": 10.0,
                    "prev_close": None, "change": None, "change_pct": None, "volume": 5,
                    "spark": [10.0]}
    with pytest.raises(BadRequest, match="no bars"):  # a quote needs at least one bar
        quote(tail_bars("NOSUCH", empty, empty, empty))


def test_change_pct_is_pct_change_in_percent_and_none_without_a_previous_close() -> None:
    # the one definition quotes and screens share
    assert change_pct(110.0, 100.0) == pytest.approx(
        pd.Series([100.0, 110.0]).pct_change().iloc[-1] * 100, rel=1e-12)
    assert change_pct(10.0, None) is None
    assert change_pct(10.0, 0.0) is None
