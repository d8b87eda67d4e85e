"""NSE's trading calendar: weekends and the exchange's trading holidays, as data.

The holidays live in ``data/nse_holidays.csv`` with where each came from: days on which the
shipped NSE data sets have no session (2017-2022 daily, 2023-07..2024-06 intraday) and
NSE's published holiday lists for later years. Weekend sessions (Muhurat trading, Budget
days, disaster-recovery drills) live in ``data/nse_special_sessions.csv``: NSE publishes a
bhavcopy for them, so they are trading days. A weekday missing from the file is treated
as a trading day; when NSE publishes no bhavcopy for it, ``update-eod`` records the day as
missing and says so, rather than guessing a holiday.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources


def _dated(name: str) -> dict[date, str]:
    text = resources.files("chitti.marketdata").joinpath(f"data/{name}").read_text()
    return {date.fromisoformat(row["date"]): row["source"]
            for row in csv.DictReader(text.splitlines())}


@lru_cache(maxsize=1)
def nse_holidays() -> dict[date, str]:
    """Trading holidays: date -> where the date comes from."""
    return _dated("nse_holidays.csv")


@lru_cache(maxsize=1)
def nse_special_sessions() -> dict[date, str]:
    """Weekend sessions: date -> what it was and where it comes from."""
    return _dated("nse_special_sessions.csv")


def is_trading_day(day: date) -> bool:
    """A weekday that is not a listed NSE holiday, or a listed special session."""
    if day in nse_special_sessions():
        return True
    return day.weekday() < 5 and day not in nse_holidays()


def trading_days(start: date, end: date) -> list[date]:
    """The trading days in [start, end], oldest first."""
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in days if is_trading_day(day)]
