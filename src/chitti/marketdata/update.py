"""``chitti update-eod``: download NSE's daily bhavcopies and corporate actions, and load them.

Polite: one request at a time, at least ``CHITTI_EOD_REQUEST_INTERVAL_S`` apart, with a
User-Agent that says who is asking; a 5xx, a timeout or a refused connection is retried
with doubling back-off, a 404 is an answer (no file for that day). Resumable: each day is
committed with its row in ``md.eod_updates`` as soon as it is loaded, so a run that is
killed, or that loses the network, continues where it stopped on the next run, and a run
over days already loaded changes nothing. Holiday-aware: weekends and NSE's listed holidays
are never asked for (``calendar``).
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any

import httpx
import psycopg
from tqdm import tqdm

from chitti import __version__
from chitti.config import Settings
from chitti.errors import BadRequest, Unavailable
from chitti.marketdata import nse, store
from chitti.marketdata.actions import parse_actions
from chitti.marketdata.bars import parse_rows
from chitti.marketdata.calendar import trading_days
from chitti.marketdata.load import ActionsReport, FileReport, merge_actions, merge_bars
from chitti.marketdata.sessions import IST

log = logging.getLogger(__name__)

USER_AGENT = (f"TradingChitti/{__version__} (open-source market-data updater; "
              "one request at a time, once a day)")
#: How far back an update with no dates given reaches at most (a longer catch-up is an
#: explicit ``--from``: a thousand days is a thousand requests).
DEFAULT_CATCH_UP_DAYS = 30


class NseDownloader:
    """GET files from NSE politely (see the module docstring)."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "*/*"}, follow_redirects=True,
            timeout=httpx.Timeout(30.0, connect=10.0))
        self._last = 0.0

    def __enter__(self) -> NseDownloader:
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        self.client.close()

    def get(self, url: str) -> bytes | None:
        """The body at ``url``; None for a 404. Unavailable once the retries are spent."""
        delay = self.settings.eod_backoff_s
        for attempt in range(self.settings.eod_retries + 1):
            if attempt:
                time.sleep(delay)
                delay *= 2
            wait = self._last + self.settings.eod_request_interval_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            try:
                response = self.client.get(url)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 404:
                return None
            if response.status_code < 500 and response.status_code != 429:
                response.raise_for_status()
                return response.content
            problem = f"HTTP {response.status_code}"
        raise Unavailable(f"{url}: {problem} after {self.settings.eod_retries + 1} attempts")


@dataclass
class DayResult:
    day: date
    status: str  # loaded | already loaded | missing
    rows: int = 0
    report: FileReport | None = None


@dataclass
class UpdateReport:
    days: list[DayResult] = field(default_factory=list)
    actions: ActionsReport | None = None
    #: why the update stopped early (the network, NSE down), or None when it finished
    stopped: str | None = None

    def lines(self) -> Iterator[str]:
        for result in self.days:
            detail = f" ({result.rows} rows)" if result.status == "loaded" else ""
            rejected = result.report.rejected if result.report else []
            yield f"{result.day}: {result.status}{detail}" + (
                f", {len(rejected)} rows rejected" if rejected else "")
        if self.actions is not None:
            yield (f"corporate actions: {self.actions.inserted} new, {self.actions.updated} "
                   f"updated, {len(self.actions.unrecognised)} not classified")
        if self.stopped:
            yield f"stopped: {self.stopped}; run again to continue where it stopped"


def default_days(url: str, today: date) -> list[date]:
    """The trading days an update with no dates fetches: those after the last day loaded
    (or the last stored bar), at most DEFAULT_CATCH_UP_DAYS back, up to ``today``."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT greatest((SELECT max(day) FROM md.eod_updates WHERE status = 'loaded'),"
            " (SELECT max(ts) FROM md.eod_prices))").fetchone()
    last = row[0] if row else None
    first = today - timedelta(days=DEFAULT_CATCH_UP_DAYS)
    if last is not None and last >= first:
        first = last + timedelta(days=1)
    return trading_days(first, today)


def update_eod(url: str, settings: Settings, days: list[date], *, progress: bool = False,
               downloader: NseDownloader | None = None) -> UpdateReport:
    """Download and load the bhavcopy of each of ``days`` not loaded yet, then the corporate
    actions of the span; stop at the first day NSE cannot be reached for."""
    report = UpdateReport()
    with psycopg.connect(url) as conn, downloader or NseDownloader(settings) as nse_files:
        renames = store.read_renames(conn)
        done = store.loaded_days(conn, days)
        for day in tqdm(days, desc="update-eod", unit="day", disable=not progress):
            if day in done:
                report.days.append(DayResult(day, "already loaded"))
                continue
            link = nse.bhavcopy_url(settings.nse_archive_url, day)
            try:
                content = nse_files.get(link)
            except Unavailable as exc:
                report.stopped = exc.message
                return report
            if content is None:
                store.mark_day(conn, day, "missing", 0, link)
                report.days.append(DayResult(day, "missing"))
                continue
            parsed = parse_rows(csv.reader(io.StringIO(nse.unpack(content, source=link))),
                                source=link)
            loaded = FileReport(link, rejected=parsed.rejected)
            merge_bars(conn, parsed.bars, renames, loaded)
            store.mark_day(conn, day, "loaded", len(parsed.bars), link)
            report.days.append(DayResult(day, "loaded", len(parsed.bars), loaded))
        if days:
            report.actions, report.stopped = _update_actions(conn, settings, nse_files,
                                                             days[0], days[-1], renames)
    return report


def _update_actions(conn: psycopg.Connection[Any], settings: Settings,
                    nse_files: NseDownloader, first: date, last: date,
                    renames: dict[str, list[tuple[date, str]]]
                    ) -> tuple[ActionsReport | None, str | None]:
    link = nse.actions_url(settings.nse_api_url, first, last)
    try:
        content = nse_files.get(link)
    except Unavailable as exc:
        return None, f"corporate actions not fetched: {exc.message}"
    if content is None:
        return None, None
    try:
        parsed = parse_actions(nse.unpack(content, source=link), source=link)
    except BadRequest as exc:  # NSE answered with a page, not the export
        return None, f"corporate actions not read: {exc.message}"
    return merge_actions(conn, parsed, renames, link), None


def ist_today() -> date:
    return datetime.now(IST).date()
