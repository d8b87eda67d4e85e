"""Intraday parsing: bad rows are reported with their line, as daily loads do."""

from __future__ import annotations

import pytest

from chitti.errors import BadRequest
from chitti.marketdata.intraday import parse_intraday
from chitti.marketdata.symbols import parse_symbol_changes


def test_rows_without_a_time_or_with_bad_prices_are_rejected_by_line() -> None:
    parsed = parse_intraday(
        "date,open,high,low,close,volume\n"
        "2024-06-25 09:15:00+05:30,1700,1710,1695,1705,10\n"
        "2024-06-25,1700,1710,1695,1705,10\n"                  # a daily row
        "2024-06-25 09:20:00+05:30,1700,1710,1702,1705,10\n"   # low above open
        "2024-06-25 09:25:00,1e400,1710,1695,1705,10\n"        # infinite
        "2024-06-25 09:15:00+05:30,1700,1710,1695,1705,10\n",  # repeated
        source="x.csv", symbol="HDFCBANK")
    assert [b.ts.isoformat() for b in parsed.bars] == ["2024-06-25T09:15:00+05:30"]
    reasons = {r.line: r.reason for r in parsed.rejected}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "no time of day" in reasons[3] and "inconsistent bar" in reasons[4]
    assert "open is '1e400'" in reasons[5] and "duplicate of line 2" in reasons[6]


def test_a_file_that_is_not_a_symbol_change_file_is_refused() -> None:
    with pytest.raises(BadRequest, match="no symbol changes found"):
        parse_symbol_changes("Date,Open,High,Low,Close\n2020-01-01,1,1,1,1\n", source="x")
