"""Quality check of the technical alert rules: what followed their alerts in NIFTY 50 history.

``python -m chitti.signals.evaluate [--data PATH] [--symbols A B ...] [--rules NAME ...]``

Runs every technical built-in rule over each symbol's daily history and prints, per rule,
how many alerts it raised and the 1, 5 and 20-session forward close-to-close returns after
them: mean and median, the mean excess over the symbol's unconditional mean forward return
(its drift over the same history, so a rule is not credited for a rising market), that
excess's t-statistic, and the hit rate (share of alerts whose excess return had the alert's
sign). A rule whose excess is near zero with |t| < 2 at every horizon carries no
information and is a candidate to retire.

Caveats, printed with the table:

* prices are not adjusted for splits and bonuses: any forward window holding a one-day
  move beyond +-35% is dropped (the data's notes list 82 such days, nearly all corporate
  actions), from the alerts and from the drift alike;
* forward windows of nearby alerts overlap, so the t-statistics overstate significance
  somewhat at 5 and 20 sessions (they treat alerts as independent);
* the sample is the 2021 NIFTY 50 (survivors), so drift is high and bullish rules look
  better than they would on the whole market.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chitti.marketdata.series import Bars
from chitti.signals.patterns import evaluate_rules
from chitti.signals.rules import BUILTIN_RULES, AlertRule

__all__ = ["HORIZONS", "MAX_DAILY_MOVE", "RuleStats", "evaluate", "forward_returns",
           "load_daily", "main"]

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "market" / "daily" / \
    "nifty50_stocks_daily_2000_2021.csv.gz"
FALLBACK_DATA = ROOT / "data" / "demo" / "nifty_sample_daily_2000_2021.csv.gz"
HORIZONS = (1, 5, 20)
#: Forward windows containing a one-day move beyond this fraction are dropped.
MAX_DAILY_MOVE = 0.35


_COLUMNS = ("Date", "Symbol", "Open", "High", "Low", "Close", "Volume")


def _number(text: str) -> float:
    # an empty or unreadable field is a missing value (NaN), as a CSV reader takes it
    try:
        return float(text)
    except ValueError:
        return math.nan


def load_daily(path: Path, symbols: Sequence[str] | None = None) -> dict[str, Bars]:
    """Load ``Date,Symbol,Open,High,Low,Close,Volume`` rows (CSV, gzip or plain) into bars
    per symbol.

    Rows with a missing or non-positive price are dropped, and of two rows of one symbol
    and date the first in the file is kept; high/low are widened to hold open and close
    where the source disagrees with itself; a missing volume is 0. Reads with the standard
    library (no pandas: the command runs on the runtime dependencies alone).
    """
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}: no column(s) {', '.join(missing)}; expected "
                         f"{','.join(_COLUMNS)}")
    at = [header.index(c) for c in _COLUMNS]
    wanted = {s.upper() for s in symbols} if symbols else None
    rows: dict[str, dict[str, tuple[float, float, float, float, float]]] = {}
    for row in reader:
        row += [""] * (len(header) - len(row))  # missing trailing fields: missing values
        day, sym, *numbers = (row[i].strip() for i in at)
        if wanted is not None and sym not in wanted:
            continue
        o, h, lo, c, v = (_number(x) for x in numbers)
        if not all(x > 0 for x in (o, h, lo, c)):  # NaN compares false: dropped too
            continue
        rows.setdefault(sym, {}).setdefault(day, (o, h, lo, c, 0.0 if math.isnan(v) else v))
    out = {}
    for sym in sorted(rows):
        by_day = rows[sym]
        days = sorted(by_day)
        table = np.array([by_day[d] for d in days], dtype=np.float64)
        opens, highs, lows, closes, volumes = table.T
        out[sym] = Bars(ts=np.array(days, dtype="datetime64[D]"), open=opens,
                        high=np.maximum.reduce([highs, opens, closes]),
                        low=np.minimum.reduce([lows, opens, closes]), close=closes,
                        volume=volumes, symbol=sym)
    return out


def forward_returns(close: np.ndarray, horizon: int,
                    max_daily_move: float = MAX_DAILY_MOVE) -> np.ndarray:
    """Return close[t + horizon] / close[t] - 1 per bar; NaN where the window runs past the
    data or holds a one-day move beyond ``max_daily_move`` (a split, not a return)."""
    n = close.shape[0]
    out = np.full(n, np.nan)
    if n <= horizon:
        return out
    out[:-horizon] = close[horizon:] / close[:-horizon] - 1.0
    daily = np.abs(close[1:] / close[:-1] - 1.0) > max_daily_move
    # bad[t] = a jump on one of the days t+1..t+horizon
    jumps = np.concatenate([[0], np.cumsum(daily)])          # jumps[k] = jumps before day k
    bad = jumps[np.minimum(np.arange(n) + horizon, n - 1)] - jumps[np.arange(n)] > 0
    out[bad] = np.nan
    return out


@dataclass(frozen=True)
class RuleStats:
    """What followed one rule's alerts, per horizon (returns in percent)."""

    rule: str
    direction: str
    count: int
    mean_pct: dict[int, float]
    median_pct: dict[int, float]
    excess_pct: dict[int, float]
    t_stat: dict[int, float]
    hit_rate_pct: dict[int, float]


def evaluate(bars: Mapping[str, Bars], rules: Sequence[AlertRule]) -> list[RuleStats]:
    """Return one :class:`RuleStats` per rule over every symbol of ``bars``."""
    samples: dict[str, dict[int, list[tuple[float, float]]]] = {
        r.name: {h: [] for h in HORIZONS} for r in rules}
    for b in bars.values():
        fwd = {h: forward_returns(b.close, h) for h in HORIZONS}
        drift = {h: float(np.nanmean(f)) if np.isfinite(f).any() else math.nan
                 for h, f in fwd.items()}
        for alert in evaluate_rules(b, rules):
            for h in HORIZONS:
                r = fwd[h][alert.bar_index]
                if math.isfinite(r):
                    samples[alert.rule][h].append((r, r - drift[h]))
    out = []
    for rule in rules:
        sign = 1.0 if rule.direction == "bullish" else -1.0
        mean, median, excess, t_stat, hit = {}, {}, {}, {}, {}
        for h in HORIZONS:
            arr = np.array(samples[rule.name][h]).reshape(-1, 2) * 100.0
            n = arr.shape[0]
            mean[h] = float(arr[:, 0].mean()) if n else math.nan
            median[h] = float(np.median(arr[:, 0])) if n else math.nan
            excess[h] = float(arr[:, 1].mean()) if n else math.nan
            sd = float(arr[:, 1].std(ddof=1)) if n > 1 else math.nan
            t_stat[h] = excess[h] / (sd / math.sqrt(n)) if n > 1 and sd > 0 else math.nan
            hit[h] = float((arr[:, 1] * sign > 0).mean() * 100.0) if n else math.nan
        count = len(samples[rule.name][HORIZONS[0]])
        out.append(RuleStats(rule.name, rule.direction, count, mean, median, excess, t_stat,
                             hit))
    return out


def _verdict(s: RuleStats) -> str:
    sign = 1.0 if s.direction == "bullish" else -1.0
    ts = [s.t_stat[h] * sign for h in HORIZONS if math.isfinite(s.t_stat[h])]
    if not ts or s.count < 30:
        return "too few"
    if max(ts) >= 2.0:
        return "informative"
    if min(ts) <= -2.0:
        return "inverse"
    return "no edge"


def format_table(stats: Sequence[RuleStats]) -> str:
    """Return the report table (one line per rule)."""
    head = f"{'rule':<32}{'dir':>5}{'n':>7}"
    for h in HORIZONS:
        head += f"{'mean' + str(h):>8}{'med' + str(h):>8}{'exc' + str(h):>8}{'t' + str(h):>7}"
    head += f"{'hit20':>7}  verdict"
    lines = [head, "-" * len(head)]
    for s in stats:
        row = f"{s.rule:<32}{s.direction[:4]:>5}{s.count:>7}"
        for h in HORIZONS:
            row += (f"{s.mean_pct[h]:>8.2f}{s.median_pct[h]:>8.2f}{s.excess_pct[h]:>8.2f}"
                    f"{s.t_stat[h]:>7.1f}")
        row += f"{s.hit_rate_pct[20]:>7.1f}  {_verdict(s)}"
        lines.append(row)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m chitti.signals.evaluate",
                                 description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, default=None,
                    help=f"daily OHLCV csv(.gz) (default: {DEFAULT_DATA})")
    ap.add_argument("--symbols", nargs="*", default=None, help="only these symbols")
    ap.add_argument("--rules", nargs="*", default=None, help="only these built-in rules")
    args = ap.parse_args(argv)
    path = args.data
    if path is None:
        path = DEFAULT_DATA
        if not path.exists():
            print(f"note: {DEFAULT_DATA} not found; using the 10-symbol demo sample "
                  f"{FALLBACK_DATA}", file=sys.stderr)
            path = FALLBACK_DATA
    rules = [r for r in BUILTIN_RULES if r.kind == "technical"
             and (not args.rules or r.name in args.rules)]
    if not rules:
        print(f"no built-in rule matches {args.rules}", file=sys.stderr)
        return 2
    bars = load_daily(path, args.symbols)
    if not bars:
        print(f"no bars for symbols {args.symbols} in {path}", file=sys.stderr)
        return 2
    stats = evaluate(bars, rules)
    total = sum(len(b) for b in bars.values())
    print(f"{len(bars)} symbols, {total} bars from {path.name}; forward returns in %, "
          f"excess = over the symbol's mean forward return; hit20 = % of alerts whose "
          f"20-session excess had the alert's sign")
    print(format_table(stats))
    print(f"\nforward windows with a one-day move beyond {MAX_DAILY_MOVE:.0%} are dropped "
          "(unadjusted splits/bonuses); t-statistics treat overlapping windows as "
          "independent and so overstate significance at 5 and 20 sessions; 'informative' = "
          "t >= 2 in the alert's direction at some horizon, 'inverse' = t <= -2.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
