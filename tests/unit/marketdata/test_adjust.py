"""Back-adjustment factors against a reference written from the definitions, action by
action with pandas (no cumulative products, no searchsorted)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from chitti.marketdata.adjust import PricedAction, adjustment_factors

DAYS = pd.bdate_range("2020-01-01", periods=60)


def reference(frame: pd.DataFrame, actions: list[PricedAction], mode: str) -> pd.DataFrame:
    """Adjusted close and volume: for each action, scale every earlier row by its ratio."""
    out = frame.copy()
    for a in actions:
        earlier = out.index < pd.Timestamp(a.ex_date)
        raw_before = frame.close[frame.index < pd.Timestamp(a.ex_date)]
        cum = raw_before.iloc[-1] if len(raw_before) else None
        price = volume = 1.0
        if a.kind == "split":                      # face value F1 -> F2: F1/F2 shares each
            price = a.ratio_den / a.ratio_num
            volume = a.ratio_num / a.ratio_den
        elif a.kind == "bonus":                    # a new for b held: (a+b)/b shares each
            volume = (a.ratio_num + a.ratio_den) / a.ratio_den
            price = 1 / volume
        elif a.kind == "rights" and cum is not None and a.amount < cum:
            shares = a.ratio_num + a.ratio_den     # theoretical ex-rights price / cum price
            price = (a.ratio_den * cum + a.ratio_num * a.amount) / shares / cum
            volume = 1 / price
        elif a.kind == "dividend" and mode == "total" and cum is not None and a.amount < cum:
            price = (cum - a.amount) / cum
        out.loc[earlier, "close"] *= price
        out.loc[earlier, "volume"] *= volume
    return out


actions_strategy = st.lists(
    st.tuples(st.sampled_from(["split", "bonus", "rights", "dividend"]),
              st.integers(-5, 65),                 # ex-date offset: before, inside, after
              st.integers(1, 10), st.integers(1, 10), st.floats(0.5, 150.0)),
    max_size=6)


@settings(max_examples=150, deadline=None)
@given(raw=st.lists(st.floats(10.0, 120.0), min_size=60, max_size=60),
       drawn=actions_strategy, mode=st.sampled_from(["split", "total"]))
def test_factors_equal_the_definition(raw: list[float], drawn: list[tuple], mode: str) -> None:
    frame = pd.DataFrame({"close": raw, "volume": 1000.0}, index=DAYS)
    actions = []
    for kind, offset, num, den, amount in drawn:
        ex_date = (DAYS[0] + timedelta(days=offset * 7 // 5)).date()
        before = frame.close[frame.index < pd.Timestamp(ex_date)]
        if kind == "split" and num == den:
            den += 1
        actions.append(PricedAction(ex_date, kind, kind, float(num), float(den), amount,
                                    float(before.iloc[-1]) if len(before) else None))
    expected = reference(frame, actions, mode)
    price, volume, applied = adjustment_factors(DAYS.values.astype("datetime64[D]"), actions,
                                                mode)  # type: ignore[arg-type]
    np.testing.assert_allclose(frame.close.values * price, expected.close.values, rtol=1e-12)
    np.testing.assert_allclose(frame.volume.values * volume, expected.volume.values,
                               rtol=1e-12)
    assert len(applied) == len(actions)


def test_the_latest_bars_are_as_printed_and_none_changes_nothing() -> None:
    ts = DAYS.values.astype("datetime64[D]")
    split = PricedAction(date(2020, 2, 3), "split", "split", 10.0, 2.0)
    price, volume, _ = adjustment_factors(ts, [split], "split")
    on_or_after = ts >= np.datetime64("2020-02-03")
    assert (price[on_or_after] == 1).all() and (price[~on_or_after] == 0.2).all()
    assert (volume[~on_or_after] == 5).all()
    price, volume, applied = adjustment_factors(ts, [split], "none")
    assert (price == 1).all() and (volume == 1).all() and not applied[0].applied


def test_a_demerger_is_priced_by_the_market_and_a_dividend_only_in_total() -> None:
    ts = DAYS.values.astype("datetime64[D]")
    demerger = PricedAction(date(2020, 2, 3), "demerger", "Demerger", close_before=928.5,
                            close_on=693.7)
    dividend = PricedAction(date(2020, 3, 2), "dividend", "Dividend - Rs 10 Per Share",
                            amount=10.0, close_before=500.0)
    price, _, applied = adjustment_factors(ts, [demerger, dividend], "split")
    assert price[0] == 693.7 / 928.5 and [a.applied for a in applied] == [True, False]
    price, volume, _ = adjustment_factors(ts, [demerger, dividend], "total")
    assert np.isclose(price[0], 693.7 / 928.5 * 0.98) and (volume == 1).all()


def test_an_action_that_cannot_be_priced_says_why() -> None:
    ts = DAYS.values.astype("datetime64[D]")
    rights = PricedAction(date(2020, 2, 3), "rights", "Rights 1:4", 1.0, 4.0, None, 100.0)
    above = PricedAction(date(2020, 2, 3), "rights", "Rights 1:4 @ Rs 150", 1.0, 4.0, 150.0,
                         100.0)
    price, _, applied = adjustment_factors(ts, [rights, above], "split")
    assert (price == 1).all()
    assert [a.note for a in applied] == ["rights issue price unknown",
                                         "issue price 150.0 is not below the close 100.0"]
