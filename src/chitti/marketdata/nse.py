"""Where NSE publishes its daily files, and how to read what it sends.

Pure: dates in, URLs out; bytes in, text out. The equity bhavcopy has two layouts: the
UDiFF one since 2024-07-08 (``BhavCopy_NSE_CM_0_0_0_YYYYMMDD_F_0000.csv.zip``) and the
legacy ``cmDDMONYYYYbhav.csv.zip`` before it; both are zipped CSVs that ``bars.parse_rows``
reads. Corporate actions come from NSE's corporate-actions API as the CSV export that
``actions.parse_actions`` reads.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

from chitti.errors import BadRequest
from chitti.marketdata.bars import decode_text

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
#: First trading day NSE published the UDiFF bhavcopy (and stopped the legacy one).
UDIFF_FROM = date(2024, 7, 8)


def bhavcopy_url(base: str, day: date) -> str:
    """URL of the equity bhavcopy of ``day`` under ``base`` (NSE's archive host)."""
    base = base.rstrip("/")
    if day >= UDIFF_FROM:
        return f"{base}/content/cm/BhavCopy_NSE_CM_0_0_0_{day:%Y%m%d}_F_0000.csv.zip"
    month = _MONTHS[day.month - 1]  # not strftime: its month names follow the locale
    return (f"{base}/content/historical/EQUITIES/{day:%Y}/{month}/"
            f"cm{day:%d}{month}{day:%Y}bhav.csv.zip")


def actions_url(base: str, start: date, end: date) -> str:
    """URL of NSE's corporate-actions export (equities) with ex-dates in [start, end]."""
    return (f"{base.rstrip('/')}/api/corporates-corporateActions?index=equities"
            f"&from_date={start:%d-%m-%Y}&to_date={end:%d-%m-%Y}&csv=true")


def unpack(content: bytes, *, source: str) -> str:
    """The CSV text of a download: the one CSV inside a zip, or the body itself."""
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise BadRequest(f"{source}: expected one CSV in the zip, found {names}")
                content = archive.read(names[0])
        except zipfile.BadZipFile as exc:
            raise BadRequest(f"{source}: not a readable zip ({exc})") from None
    return decode_text(content, source=source)
