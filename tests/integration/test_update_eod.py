"""``update-eod`` against a local server in NSE's formats, into a real PostgreSQL: a week
with a holiday and a 503, run twice, killed half-way and resumed, and with no network."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import psycopg
import pytest
from tests.nse_server import HOLIDAY, WEEK, demo_week, nse_server

from chitti.config import Settings
from chitti.marketdata.calendar import trading_days
from chitti.marketdata.update import USER_AGENT, update_eod


def settings_for(base_url: str) -> Settings:
    return Settings(nse_archive_url=base_url, nse_api_url=base_url,
                    eod_request_interval_s=0.0, eod_backoff_s=0.05, eod_retries=2)


def stored(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT ts::text, symbol, open, high, low, close, volume"
                            " FROM md.eod_prices ORDER BY ts, symbol").fetchall()


def expected() -> list[tuple[object, ...]]:
    week = demo_week().sort_values(["Date", "Symbol"])
    return list(week[["Date", "Symbol", "Open", "High", "Low", "Close", "Volume"]]
                .itertuples(index=False, name=None))


def test_a_week_with_a_holiday_and_a_503_loads_every_bar_once(clean_db: str) -> None:
    days = trading_days(date(2021, 3, 8), date(2021, 3, 12))
    assert days == WEEK and HOLIDAY not in days     # Mahashivratri is in the calendar
    with nse_server() as server:
        server.fail_once.add(server.path_of(WEEK[1]))
        report = update_eod(clean_db, settings_for(server.base_url), days)
        assert [d.status for d in report.days] == ["loaded"] * 4 and report.stopped is None
        assert server.hits[server.path_of(WEEK[1])] == 2          # the 503, then the file
        assert server.hits[server.path_of(HOLIDAY)] == 0          # never asked for
        assert server.user_agents == {USER_AGENT}
        assert stored(clean_db) == expected()                      # EQ rows only, each once
        assert report.actions is not None and report.actions.inserted == 1

        before = dict(server.hits)
        again = update_eod(clean_db, settings_for(server.base_url), days)
    assert [d.status for d in again.days] == ["already loaded"] * 4
    assert {p: n for p, n in server.hits.items() if "content" in p} == {
        p: n for p, n in before.items() if "content" in p}         # no bhavcopy asked again
    assert again.actions is not None and again.actions.inserted == 0
    assert stored(clean_db) == expected()


def test_killed_half_way_it_finishes_on_the_next_run(clean_db: str) -> None:
    with nse_server() as server:
        server.delay_s[server.path_of(WEEK[2])] = 30.0     # the run hangs on the third day
        env = {**os.environ, "CHITTI_DATABASE_URL": clean_db,
               "CHITTI_NSE_ARCHIVE_URL": server.base_url, "CHITTI_NSE_API_URL": server.base_url,
               "CHITTI_EOD_REQUEST_INTERVAL_S": "0"}
        run = subprocess.Popen([sys.executable, "-m", "chitti.cli", "update-eod", "--from",
                                "2021-03-08", "--to", "2021-03-12", "--quiet"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.hits[server.path_of(WEEK[2])] == 0:
            time.sleep(0.1)
        run.kill()
        run.wait()
        with psycopg.connect(clean_db) as conn:
            done = conn.execute("SELECT day FROM md.eod_updates ORDER BY day").fetchall()
        assert [d for (d,) in done] == WEEK[:2]
        server.delay_s.clear()
        report = update_eod(clean_db, settings_for(server.base_url), WEEK)
    assert [d.status for d in report.days] == ["already loaded"] * 2 + ["loaded"] * 2
    assert stored(clean_db) == expected()


def test_without_network_it_stops_with_one_clear_line(clean_db: str) -> None:
    closed = "http://127.0.0.1:9"          # discard port: nothing listens there
    report = update_eod(clean_db, settings_for(closed), WEEK)
    assert report.days == [] and report.stopped is not None
    assert "ConnectError" in report.stopped and "3 attempts" in report.stopped
    assert list(report.lines()) == [
        f"stopped: {report.stopped}; run again to continue where it stopped"]
    env = {**os.environ, "CHITTI_DATABASE_URL": clean_db, "CHITTI_NSE_ARCHIVE_URL": closed,
           "CHITTI_EOD_RETRIES": "0"}
    result = subprocess.run([sys.executable, "-m", "chitti.cli", "update-eod", "--date",
                             "2021-03-08", "--quiet"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.strip().startswith("stopped: http://127.0.0.1:9/content/historical")


@pytest.mark.parametrize(("day", "path"), [
    (date(2021, 3, 8), "/content/historical/EQUITIES/2021/MAR/cm08MAR2021bhav.csv.zip"),
    (date(2024, 7, 8), "/content/cm/BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv.zip"),
])
def test_bhavcopy_urls_follow_nses_two_layouts(day: date, path: str) -> None:
    from chitti.marketdata.nse import bhavcopy_url

    assert bhavcopy_url("https://nsearchives.nseindia.com/", day) == (
        "https://nsearchives.nseindia.com" + path)
