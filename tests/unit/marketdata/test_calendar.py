"""NSE's trading calendar against the shipped price data (a different source from the one
most of the holiday list was read off: the Kaggle NIFTY-50 set)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from chitti.marketdata.calendar import is_trading_day, nse_holidays, trading_days
from chitti.supervisor import next_eod_run

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"


def test_no_listed_holiday_has_a_session_in_the_demo_data() -> None:
    daily = set(pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz", usecols=["Date"])
                .Date)
    listed = {d.isoformat() for d in nse_holidays() if d <= date(2021, 4, 30)}
    assert len(listed) > 50 and not listed & daily


def test_the_calendar_equals_the_sessions_of_2018_2020() -> None:
    daily = set(pd.read_csv(DEMO / "nifty_sample_daily_2000_2021.csv.gz", usecols=["Date"])
                .Date)
    calendar = {d.isoformat() for d in trading_days(date(2018, 1, 1), date(2020, 12, 31))}
    assert calendar == {d for d in daily if "2018-01-01" <= d <= "2020-12-31"}


def test_weekends_and_holidays_are_not_trading_days() -> None:
    assert trading_days(date(2021, 3, 8), date(2021, 3, 14)) == [
        date(2021, 3, 8), date(2021, 3, 9), date(2021, 3, 10), date(2021, 3, 12)]
    assert not is_trading_day(date(2025, 10, 21))   # Diwali, from NSE's 2025 list
    assert all(source for source in nse_holidays().values())


def test_the_daily_update_runs_next_at_1830_ist() -> None:
    utc = UTC
    assert next_eod_run(datetime(2026, 12, 2, 7, 0, tzinfo=utc), "18:30").isoformat() == (
        "2026-12-02T18:30:00+05:30")
    # 13:00 UTC is 18:30 IST: that run is past, the next is tomorrow's
    assert next_eod_run(datetime(2026, 12, 2, 13, 0, tzinfo=utc), "18:30").isoformat() == (
        "2026-12-03T18:30:00+05:30")
