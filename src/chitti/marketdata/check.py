"""``chitti check-prices``: run the price-series checks on stored symbols or on files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg

from chitti.marketdata import store
from chitti.marketdata.adjust import Adjust
from chitti.marketdata.bars import parse_file
from chitti.marketdata.quality import Gap, find_bad_bars, find_gaps


@dataclass
class Findings:
    gaps: list[Gap] = field(default_factory=list)
    #: (where, what): bars that cannot be stored (high < low, zero prices, ...)
    bad_bars: list[tuple[str, str]] = field(default_factory=list)
    #: symbols asked for that have no stored bars
    missing: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def problems(self) -> bool:
        return bool(self.gaps or self.bad_bars or self.missing)

    def lines(self) -> Iterator[str]:
        """The report as printed: one line per gap and per bad bar, then a summary."""
        for gap in self.gaps:
            proposal = (f"x{gap.proposed_ratio:g}: {gap.proposal}" if gap.proposal
                        else "no simple share ratio: a market move or a demerger?")
            yield (f"{gap.symbol:<12} {gap.ex_date}  {gap.change_pct:+7.1f}%  "
                   f"{gap.prev_close:>10.2f} -> {gap.close:<10.2f} ratio "
                   f"{gap.observed_ratio:7.3f}  {proposal}")
        for where, what in self.bad_bars:
            yield f"bad bar  {where}: {what}"
        for name in self.missing:
            yield f"{name}: no bars stored (a typo, or load them with `chitti load-market`)"
        yield (f"{self.checked} series checked: {len(self.gaps)} unexplained gaps, "
               f"{len(self.bad_bars)} bad bars")


def check_files(paths: Sequence[Path], *, symbol: str | None,
                threshold_pct: float) -> Findings:
    """Check daily OHLCV files as they are (unadjusted): gaps and rejected bars."""
    findings = Findings()
    for path in paths:
        parsed = parse_file(path, symbol=symbol)
        findings.bad_bars += [(f"{path.name} line {r.line}", r.reason) for r in parsed.rejected]
        by_symbol: dict[str, list[tuple[str, float]]] = {}
        for bar in sorted(parsed.bars, key=lambda b: (b.symbol, b.ts)):
            by_symbol.setdefault(bar.symbol, []).append((bar.ts.isoformat(), bar.close))
        for name, series in by_symbol.items():
            ts, close = zip(*series, strict=True)
            findings.gaps += find_gaps(name, np.array(ts), np.array(close),
                                       threshold_pct=threshold_pct)
            findings.checked += 1
    return findings


async def check_stored(url: str, symbols: Sequence[str], *, adjust: Adjust,
                       threshold_pct: float) -> Findings:
    """Check stored symbols (all when ``symbols`` is empty) as adjusted by ``adjust``."""
    async with await psycopg.AsyncConnection.connect(url) as conn:
        names = list(symbols) or await store.stored_symbols(conn)
        panel = await store.fetch_panel(conn, names, None, None, adjust)
    return check_panel(panel, names, threshold_pct=threshold_pct)


def check_panel(panel: dict[str, dict[str, np.ndarray]], names: Sequence[str], *,
                threshold_pct: float) -> Findings:
    """The findings on series already read (``store.fetch_panel``)."""
    findings = Findings(missing=[name for name in names if name not in panel])
    for name in names:
        if name in panel:
            block = panel[name]
            findings.gaps += find_gaps(name, block["ts"], block["close"],
                                       threshold_pct=threshold_pct)
            findings.bad_bars += [(f"{name} {day}", what) for day, what in find_bad_bars(
                block["ts"], block["open"], block["high"], block["low"], block["close"])]
            findings.checked += 1
    return findings
