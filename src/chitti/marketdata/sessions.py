"""NSE's trading day: the exchange's time zone and the normal equity session."""

from __future__ import annotations

from datetime import time, timedelta, timezone

#: India Standard Time: NSE's clock (no daylight saving, so a fixed offset is exact).
IST = timezone(timedelta(hours=5, minutes=30))
#: The normal equity session, IST: continuous trading from 09:15 to 15:30.
NSE_OPEN = time(9, 15)
NSE_CLOSE = time(15, 30)
