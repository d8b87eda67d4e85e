"""Calendar features: day of week, month, position in the month, turn of the month.

Known in advance, so they carry no lookahead. Positions in the month count weekdays
(Monday-Friday) and ignore exchange holidays: a holiday calendar is not part of the bars,
and deriving one from the panel's own future dates would leak them.
"""

from __future__ import annotations

import numpy as np

from chitti.compute.features._context import DateContext
from chitti.compute.features.catalog import feature, spec

_TOM_FIRST_DAYS = 3


@feature([spec("day_of_week", 0, "Day of the week of the bar: 0 = Monday ... 4 = Friday."),
          spec("day_of_month", 0, "Calendar day of the month of the bar, 1-31."),
          spec("month", 0, "Month of the bar, 1 = January ... 12 = December."),
          spec("weekdays_to_month_end", 0, "Weekdays (Mon-Fri, holidays ignored) left in the "
               "month after the bar's date: 0 on the month's last weekday."),
          spec("weekdays_from_month_start", 0, "Weekdays (Mon-Fri, holidays ignored) of the "
               "month before the bar's date: 0 on the month's first weekday."),
          spec("turn_of_month", 0, "1 on the month's last weekday and its first "
               f"{_TOM_FIRST_DAYS} weekdays (the turn-of-the-month window), else 0.")],
         group="calendar", inputs=("close",), layout="dates")
def _calendar(ctx: DateContext, wanted: frozenset[str]) -> dict[str, np.ndarray]:
    d = ctx.dates.astype("datetime64[D]")
    month_start = d.astype("datetime64[M]").astype("datetime64[D]")
    next_month = (d.astype("datetime64[M]") + 1).astype("datetime64[D]")
    to_end = np.busday_count(d + 1, next_month).astype(np.float64)
    from_start = np.busday_count(month_start, d).astype(np.float64)
    values = {
        "day_of_week": ((d.astype(np.int64) + 3) % 7).astype(np.float64),
        "day_of_month": (d - month_start).astype(np.int64).astype(np.float64) + 1.0,
        "month": (d.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.float64),
        "weekdays_to_month_end": to_end,
        "weekdays_from_month_start": from_start,
        "turn_of_month": ((to_end == 0) | (from_start < _TOM_FIRST_DAYS)).astype(np.float64),
    }
    return {name: ctx.on_bars(v) for name, v in values.items() if name in wanted}
