"""A local HTTP server that stands in for NSE's archive and API hosts.

It serves a recorded week of equity bhavcopies in NSE's legacy layout (zipped
``cmDDMONYYYYbhav.csv``, the header and trailing comma NSE prints, EQ rows plus rows of
other series that a loader must skip), built from the shipped demo prices for
2021-03-08..12 (2021-03-11, Mahashivratri, was an NSE holiday: no file), and a corporate-
actions export. It can fail a path once with a 503 and delay a path, as NSE does under load.
The tests never touch the internet.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
from tests.helpers import DEMO_DIR

from chitti.marketdata import nse

WEEK = [date(2021, 3, 8), date(2021, 3, 9), date(2021, 3, 10), date(2021, 3, 12)]
HOLIDAY = date(2021, 3, 11)
LEGACY_HEADER = ["SYMBOL", "SERIES", "OPEN", "HIGH", "LOW", "CLOSE", "LAST", "PREVCLOSE",
                 "TOTTRDQTY", "TOTTRDVAL", "TIMESTAMP", "TOTALTRADES", "ISIN", ""]
ACTIONS = (
    '"SYMBOL","COMPANY NAME","SERIES","PURPOSE","FACE VALUE","EX-DATE","RECORD DATE",'
    '"BOOK CLOSURE START DATE","BOOK CLOSURE END DATE"\n'
    '"TCS","Tata Consultancy Services Limited","EQ","Interim Dividend - Rs 7 Per Share",'
    '"1","10-Mar-2021","11-Mar-2021","-","-"\n')


def demo_week() -> pd.DataFrame:
    """The demo rows of the recorded week, the oracle the tests compare with."""
    frame = pd.read_csv(DEMO_DIR / "nifty_sample_daily_2000_2021.csv.gz")
    return frame[frame.Date.isin([d.isoformat() for d in WEEK])].reset_index(drop=True)


def bhavcopy(day: date) -> bytes:
    """The zipped legacy bhavcopy of ``day``."""
    isins = pd.read_csv(DEMO_DIR / "reference" / "EQUITY_L.csv").set_index("SYMBOL")[
        "ISIN NUMBER"]
    rows = demo_week().rename(columns={"Prev Close": "PrevClose"})
    rows = rows[rows.Date == day.isoformat()]
    stamp = f"{day:%d}-{nse._MONTHS[day.month - 1]}-{day:%Y}"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEGACY_HEADER)
    for r in rows.itertuples():
        writer.writerow([r.Symbol, "EQ", r.Open, r.High, r.Low, r.Close, r.Close,
                         r.PrevClose, r.Volume, round(r.Close * r.Volume, 2), stamp, 1000,
                         isins.get(r.Symbol, ""), ""])
    # other series of the same day: a loader keeps EQ only
    writer.writerow(["TCS", "BL", 3000, 3000, 3000, 3000, 3000, 3000, 10, 30000, stamp, 1,
                     "INE467B01029", ""])
    writer.writerow(["GOLDBEES", "EF", 40, 41, 39, 40, 40, 40, 100, 4000, stamp, 5,
                     "INF204KB17I5", ""])
    name = f"cm{day:%d}{nse._MONTHS[day.month - 1]}{day:%Y}bhav.csv"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, out.getvalue())
    return packed.getvalue()


@dataclass
class NseServer:
    base_url: str
    hits: Counter[str] = field(default_factory=Counter)
    fail_once: set[str] = field(default_factory=set)
    delay_s: dict[str, float] = field(default_factory=dict)
    user_agents: set[str] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)

    def path_of(self, day: date) -> str:
        return nse.bhavcopy_url("", day)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: NseServer

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        path = self.path.split("?")[0]
        self.state.hits[path] += 1
        self.state.user_agents.add(self.headers.get("User-Agent", ""))
        time.sleep(self.state.delay_s.get(path, 0.0))
        if path in self.state.fail_once:
            self.state.fail_once.discard(path)
            body, status = b"Service Unavailable", 503
        elif path in self.state.files:
            body, status = self.state.files[path], 200
        else:
            body, status = b"Not Found", 404
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def nse_server() -> Iterator[NseServer]:
    """Serve the recorded week on 127.0.0.1 (an ephemeral port) while the block runs."""
    state = NseServer("")
    state.files = {state.path_of(day): bhavcopy(day) for day in WEEK}
    state.files["/api/corporates-corporateActions"] = ACTIONS.encode()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
