"""Signal rules on intraday bars: news series against a brute-force reference written from
their definition, no bar seeing news published during or after it, and alerts stamped with
their bar's instant."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from chitti.marketdata.series import Bars
from chitti.marketdata.sessions import IST, ist_days
from chitti.signals.patterns import evaluate_rules, news_series
from chitti.signals.rules import BUILTIN_RULES, NEWS_WINDOWS

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"


@lru_cache(maxsize=1)
def tcs_5m() -> Bars:
    frame = pd.read_csv(DEMO / "TCS_5min_2023-07_2024-06.csv.gz").head(75 * 12)  # 12 sessions
    instants = pd.to_datetime(frame.date).dt.tz_convert("UTC").dt.tz_localize(None)
    return Bars(ts=instants.to_numpy(dtype="datetime64[s]"), open=frame.open.to_numpy(),
                high=frame.high.to_numpy(), low=frame.low.to_numpy(),
                close=frame.close.to_numpy(), volume=frame.volume.to_numpy(float),
                symbol="TCS")


def reference(ts: np.ndarray, events: list[tuple[datetime, str]], direction: str,
              window: int) -> np.ndarray:
    """For each bar: the articles of ``direction`` first visible at or before it (the first
    bar opening at or after publication) whose session is among the last ``window``;
    articles from before the first bar's day are left out."""
    opens = [datetime.fromtimestamp(int(t), IST) for t in ts.astype("datetime64[s]")
             .astype(np.int64)]
    session = np.unique(ist_days(ts), return_inverse=True)[1]
    out = np.zeros(len(opens))
    for published, kind in events:
        if kind != direction or published.date() < opens[0].date():
            continue
        first = next((i for i, o in enumerate(opens) if o >= published), None)
        if first is None:
            continue
        for t in range(first, len(opens)):
            if session[first] > session[t] - window:
                out[t] += 1
    return out


start = datetime(2023, 7, 2, 8, 0, tzinfo=IST)   # a day before the first bar
events_strategy = st.lists(st.tuples(
    st.integers(0, 15 * 24 * 60).map(lambda m: start + timedelta(minutes=m)),
    st.sampled_from(["bullish", "bearish", "neutral"])), max_size=12)


@settings(max_examples=60, deadline=None)
@given(events=events_strategy)
def test_intraday_news_series_equal_the_definition(
        events: list[tuple[datetime, str]]) -> None:
    bars = tcs_5m()
    got = news_series(bars.ts, events)
    for window in NEWS_WINDOWS:
        for direction in ("bullish", "bearish"):
            np.testing.assert_array_equal(got[f"news.{direction}_{window}d"],
                                          reference(bars.ts, events, direction, window))


def test_no_bar_sees_news_published_after_it_opened() -> None:
    bars = tcs_5m()
    published = datetime(2023, 7, 5, 11, 2, tzinfo=IST)   # during the 11:00 bar
    series = news_series(bars.ts, [(published, "bullish")])["news.bullish_1d"]
    opens = bars.ts.astype("datetime64[s]")
    seen = opens >= np.datetime64(int(published.timestamp()), "s")
    assert (series[~seen] == 0).all() and series[np.argmax(seen)] == 1


def test_alerts_on_intraday_bars_carry_the_bar_instant() -> None:
    bars = tcs_5m()
    alerts = evaluate_rules(bars, BUILTIN_RULES)
    assert len(alerts) > 20
    opens = {datetime.fromtimestamp(int(t), IST) for t in bars.ts.astype("datetime64[s]")
             .astype(np.int64)}
    assert all(a.ts in opens for a in alerts)
    records = [a.to_record() for a in alerts]
    assert all(r["ts"] == a.ts for r, a in zip(records, alerts, strict=True))
    assert len({r["dedup_key"] for r in records}) == len(records)
