# mypy: disable-error-code="no-any-return"
"""All Numba code of the backtest engine, in one module on purpose.

Numba's on-disk cache (``cache=True``) is keyed by the source file of each function only: a
cached kernel that calls a function from *another* module is not recompiled when that
module changes. Keeping every jitted function (and the constants they read) here means any
edit invalidates them all together. The one exception, the rule evaluator the sweep calls
(``chitti.compute.conditions.eval_program``), is tied to the sweep's cache key by a digest
of its file (see ``_sweep_kernel``).

Timeline of bar t in :func:`simulate` (fill = next_open):
  1. at the open: orders from the signals of each symbol's previous bar fill (exits of all
     symbols first, then entries, so freed cash and slots are reused the same morning);
  2. during the bar: stop-loss / trailing stop / take-profit against high and low;
  3. at the close: equity is marked; the signals of bar t are read only at bar t+1.
With fill = next_close, step 1 moves after step 2 and fills at bar t+1's close.
A signal therefore never fills on its own bar: no lookahead by construction.
"""

from __future__ import annotations

import hashlib
import inspect
import math
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit, prange

from chitti.compute.conditions import eval_program

# Indices into the float64 parameter vector the kernel reads.
P_CASH, P_FILL_CLOSE, P_SLIP_FRAC, P_SLIP_ABS, P_FRACTIONAL, P_SIZING, P_SIZE = range(7)
P_ATR_MULT, P_SL, P_TP, P_TRAIL, P_REVERSAL, P_MAX_ENTRIES, P_MAX_POS = range(7, 14)
P_LEN = 14


# Indices into CostProfile.as_kernel_array().
C_BROK_PCT, C_BROK_FLAT, C_BROK_CAP, C_STT_BUY, C_STT_SELL = 0, 1, 2, 3, 4
C_EXCH, C_SEBI, C_STAMP_BUY, C_GST, C_DP_SELL, C_STAMP_SELL = 5, 6, 7, 8, 9, 10
C_LEN = 11


@njit(cache=True)
def order_costs(
    turnover: float, is_buy: bool, c: np.ndarray
) -> tuple[float, float, float, float, float, float, float]:
    if turnover <= 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    brokerage = min(c[C_BROK_FLAT] + turnover * c[C_BROK_PCT], c[C_BROK_CAP])
    stt = turnover * (c[C_STT_BUY] if is_buy else c[C_STT_SELL])
    exch = turnover * c[C_EXCH]
    sebi = turnover * c[C_SEBI]
    stamp = turnover * (c[C_STAMP_BUY] if is_buy else c[C_STAMP_SELL])
    gst = (brokerage + exch + sebi) * c[C_GST]
    dp = 0.0 if is_buy else c[C_DP_SELL] * (1.0 + c[C_GST])
    return brokerage, stt, exch, sebi, stamp, gst, dp


@njit(cache=True)
def order_cost_total(turnover: float, is_buy: bool, c: np.ndarray) -> float:
    b, s, e, f, st, g, d = order_costs(turnover, is_buy, c)
    return b + s + e + f + st + g + d


# Trade record columns.
T_SYM, T_DIR, T_ENTRY_BAR, T_EXIT_BAR, T_QTY, T_ENTRY_PX, T_EXIT_PX, T_COSTS, T_PNL = range(9)
T_REASON, T_LEN = 9, 10
# Exit reasons.
R_SIGNAL, R_STOP, R_TARGET, R_TRAIL, R_OPEN = 0, 1, 2, 3, 4
REASONS = ("signal", "stop_loss", "take_profit", "trailing_stop", "open")
# Closed-trade statistics accumulated by the kernel (the sweep has no trade list).
S_TRADES, S_WINS, S_GROSS_WIN, S_GROSS_LOSS, S_COSTS, S_LEN = 0, 1, 2, 3, 4, 5


@njit(cache=True)
def _buy_price(px: float, p: np.ndarray) -> float:
    return px * (1.0 + p[P_SLIP_FRAC]) + p[P_SLIP_ABS]


@njit(cache=True)
def _sell_price(px: float, p: np.ndarray) -> float:
    return max(px * (1.0 - p[P_SLIP_FRAC]) - p[P_SLIP_ABS], 0.0)


@njit(cache=True)
def _close(s: int, t: int, px: float, reason: int, pos: np.ndarray, avg: np.ndarray,
           entry_bar: np.ndarray, entry_cost: np.ndarray, p: np.ndarray, cost: np.ndarray,
           trades: np.ndarray, n_tr: int, stats: np.ndarray, cash: float) -> float:
    qty = abs(pos[s])
    long = pos[s] > 0.0
    fp = _sell_price(px, p) if long else _buy_price(px, p)
    turnover = qty * fp
    c = order_cost_total(turnover, not long, cost)
    if long:
        cash += turnover - c
        pnl = qty * (fp - avg[s]) - entry_cost[s] - c
    else:
        cash -= turnover + c
        pnl = qty * (avg[s] - fp) - entry_cost[s] - c
    stats[S_TRADES] += 1.0
    stats[S_COSTS] += c
    if pnl > 0.0:
        stats[S_WINS] += 1.0
        stats[S_GROSS_WIN] += pnl
    else:
        stats[S_GROSS_LOSS] -= pnl
    if n_tr < trades.shape[0]:
        row = trades[n_tr]
        row[T_SYM] = s
        row[T_DIR] = 1.0 if long else -1.0
        row[T_ENTRY_BAR] = entry_bar[s]
        row[T_EXIT_BAR] = t
        row[T_QTY] = qty
        row[T_ENTRY_PX] = avg[s]
        row[T_EXIT_PX] = fp
        row[T_COSTS] = entry_cost[s] + c
        row[T_PNL] = pnl
        row[T_REASON] = reason
    pos[s] = 0.0
    return cash


@njit(cache=True)
def _size(side: float, fp: float, eq: float, cash: float, atr_k: float, p: np.ndarray,  # noqa: C901
          cost: np.ndarray) -> float:
    mode = int(p[P_SIZING])
    if mode == 0:
        q = p[P_SIZE]
    elif mode == 3:
        if not (atr_k > 0.0):
            return 0.0
        q = eq * p[P_SIZE] / 100.0 / (p[P_ATR_MULT] * atr_k)
    else:
        alloc = p[P_SIZE] if mode == 1 else eq * p[P_SIZE] / 100.0
        q = alloc / fp
    whole = p[P_FRACTIONAL] < 0.5
    if whole:
        q = math.floor(q)
    if side > 0.0:
        budget = cash
        for _ in range(200):
            if q <= 0.0:
                break
            need = q * fp + order_cost_total(q * fp, True, cost)
            if need <= budget * (1.0 + 1e-12):
                break
            shrunk = q * budget / need
            if whole:
                shrunk = math.floor(shrunk)
                if shrunk >= q:
                    shrunk = q - 1.0
            q = shrunk
    else:
        budget = max(eq, 0.0)
        if q * fp > budget:
            q = budget / fp
            if whole:
                q = math.floor(q)
    return max(q, 0.0)


@njit(cache=True)
def _equity(cash: float, pos: np.ndarray, mark: np.ndarray) -> float:
    eq = cash
    for s in range(pos.shape[0]):
        if pos[s] != 0.0:
            eq += pos[s] * mark[s]
    return eq


@njit(cache=True)
def _stop_exit(s: int, o: float, h: float, lo: float, pos: np.ndarray, avg: np.ndarray,  # noqa: C901
               best: np.ndarray, p: np.ndarray) -> tuple[int, float]:
    # Returns (reason, raw exit price) or (-1, nan) when no level is touched.
    sl, tp, tr = p[P_SL], p[P_TP], p[P_TRAIL]
    if pos[s] > 0.0:
        lvl, why = -math.inf, -1
        if sl == sl:
            lvl, why = avg[s] * (1.0 - sl), R_STOP
        if tr == tr and best[s] * (1.0 - tr) > lvl:
            lvl, why = best[s] * (1.0 - tr), R_TRAIL
        tpl = avg[s] * (1.0 + tp) if tp == tp else math.inf
        if why >= 0 and o <= lvl:
            return why, o
        if o >= tpl:
            return R_TARGET, o
        if why >= 0 and lo <= lvl:
            return why, lvl
        if h >= tpl:
            return R_TARGET, tpl
    else:
        lvl, why = math.inf, -1
        if sl == sl:
            lvl, why = avg[s] * (1.0 + sl), R_STOP
        if tr == tr and best[s] * (1.0 + tr) < lvl:
            lvl, why = best[s] * (1.0 + tr), R_TRAIL
        tpl = avg[s] * (1.0 - tp) if tp == tp else -math.inf
        if why >= 0 and o >= lvl:
            return why, o
        if o <= tpl:
            return R_TARGET, o
        if why >= 0 and h >= lvl:
            return why, lvl
        if lo <= tpl:
            return R_TARGET, tpl
    return -1, math.nan


@njit(cache=True)
def simulate(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, valid: np.ndarray,  # noqa: C901
             atr: np.ndarray, el: np.ndarray, xl: np.ndarray, es: np.ndarray, xs: np.ndarray,
             p: np.ndarray, cost: np.ndarray, start: int, end: int, equity: np.ndarray,
             npos: np.ndarray, trades: np.ndarray, stats: np.ndarray) -> int:
    """Run bars [start, end) of the (n, S) arrays; return the number of trade rows.

    ``cost`` holds one row of cost rates per bar (``CostProfile.kernel_rates``): an order
    filled on bar t pays the rates in force on that bar's date.

    Writes equity[t] and npos[t] (open positions after bar t's close) for t < end, the
    closed trades then the still-open positions (reason R_OPEN, marked at the last close)
    into ``trades`` while it has room, and closed-trade totals into ``stats``. The return
    value counts every row, written or not: a caller whose buffer was too small reruns
    with a larger one.
    """
    n_bars, n_sym = c.shape
    cash = p[P_CASH]
    pos = np.zeros(n_sym)
    avg = np.zeros(n_sym)
    best = np.zeros(n_sym)
    entry_cost = np.zeros(n_sym)
    entry_bar = np.full(n_sym, -1, dtype=np.int64)
    n_entries = np.zeros(n_sym, dtype=np.int64)
    mark = np.full(n_sym, math.nan)
    last_k = np.full(n_sym, -1, dtype=np.int64)
    fill_close = p[P_FILL_CLOSE] > 0.5
    max_pos = p[P_MAX_POS]
    max_entries = p[P_MAX_ENTRIES]
    reversal = p[P_REVERSAL] > 0.5
    open_count = 0
    n_tr = 0
    no_stops = p[P_SL] != p[P_SL] and p[P_TP] != p[P_TP] and p[P_TRAIL] != p[P_TRAIL]
    t = 0
    while t < end:
        if t < start:
            for s in range(n_sym):
                if valid[t, s]:
                    last_k[s] = t
                    mark[s] = c[t, s]
            equity[t] = cash
            npos[t] = 0
            t += 1
            continue
        if n_sym == 1 and (pos[0] == 0.0 or no_stops):
            # fast path: run through single-symbol bars where nothing can happen (no order
            # pending, no stop to watch), keeping the state in registers
            t0 = t
            k = last_k[0]
            p0 = pos[0]
            while t < end and valid[t, 0]:
                if k >= 0 and (el[k, 0] or es[k, 0] or (p0 != 0.0 and (xl[k, 0] or xs[k, 0]))):
                    break
                equity[t] = cash + p0 * c[t, 0]
                npos[t] = open_count
                k = t
                t += 1
            if t > t0:
                last_k[0] = t - 1
                mark[0] = c[t - 1, 0]
            if t >= end:
                break
        for phase in range(2):
            if phase == 1:
                # intrabar stops, for positions held during this bar
                for s in range(n_sym):
                    if pos[s] == 0.0 or not valid[t, s]:
                        continue
                    why, px = _stop_exit(s, o[t, s], h[t, s], lo[t, s], pos, avg, best, p)
                    if why >= 0:
                        cash = _close(s, t, px, why, pos, avg, entry_bar, entry_cost, p,
                                      cost[t], trades, n_tr, stats, cash)
                        n_tr += 1
                        open_count -= 1
                    elif pos[s] > 0.0:
                        best[s] = max(best[s], h[t, s])
                    else:
                        best[s] = min(best[s], lo[t, s])
            if (phase == 0) == fill_close:
                continue
            px_arr = c if fill_close else o
            for s in range(n_sym):
                if valid[t, s]:
                    mark[s] = px_arr[t, s]
            # exits first, for every symbol
            for s in range(n_sym):
                k = last_k[s]
                if k < 0 or not valid[t, s] or pos[s] == 0.0:
                    continue
                if (pos[s] > 0.0 and xl[k, s]) or (pos[s] < 0.0 and xs[k, s]):
                    cash = _close(s, t, px_arr[t, s], R_SIGNAL, pos, avg, entry_bar, entry_cost,
                                  p, cost[t], trades, n_tr, stats, cash)
                    n_tr += 1
                    open_count -= 1
            # then entries, in symbol order
            for s in range(n_sym):
                k = last_k[s]
                if k < 0 or not valid[t, s]:
                    continue
                want_long = el[k, s] and not xl[k, s]
                want_short = es[k, s] and not xs[k, s]
                if want_long == want_short:
                    continue
                side = 1.0 if want_long else -1.0
                if pos[s] != 0.0 and (pos[s] > 0.0) != (side > 0.0):
                    if not reversal:
                        continue
                    cash = _close(s, t, px_arr[t, s], R_SIGNAL, pos, avg, entry_bar, entry_cost,
                                  p, cost[t], trades, n_tr, stats, cash)
                    n_tr += 1
                    open_count -= 1
                if pos[s] == 0.0 and open_count >= max_pos:
                    continue
                if pos[s] != 0.0 and n_entries[s] >= max_entries:
                    continue
                fp = _buy_price(px_arr[t, s], p) if side > 0.0 else _sell_price(px_arr[t, s], p)
                if fp <= 0.0:
                    continue
                eq = _equity(cash, pos, mark)
                q = _size(side, fp, eq, cash, atr[k, s], p, cost[t])
                if q <= 0.0:
                    continue
                turnover = q * fp
                fee = order_cost_total(turnover, side > 0.0, cost[t])
                cash += -(turnover + fee) if side > 0.0 else turnover - fee
                stats[S_COSTS] += fee
                if pos[s] == 0.0:
                    avg[s] = fp
                    best[s] = fp
                    entry_bar[s] = t
                    entry_cost[s] = fee
                    n_entries[s] = 1
                    open_count += 1
                    pos[s] = side * q
                else:
                    held = abs(pos[s])
                    avg[s] = (avg[s] * held + fp * q) / (held + q)
                    entry_cost[s] += fee
                    n_entries[s] += 1
                    pos[s] += side * q
        for s in range(n_sym):
            if valid[t, s]:
                mark[s] = c[t, s]
                last_k[s] = t
        equity[t] = _equity(cash, pos, mark)
        npos[t] = open_count
        t += 1
    last = max(end - 1, 0)
    for s in range(n_sym):
        if pos[s] == 0.0:
            continue
        n_tr += 1
        if n_tr <= trades.shape[0]:
            long = pos[s] > 0.0
            qty = abs(pos[s])
            row = trades[n_tr - 1]
            row[T_SYM] = s
            row[T_DIR] = 1.0 if long else -1.0
            row[T_ENTRY_BAR] = entry_bar[s]
            row[T_EXIT_BAR] = last
            row[T_QTY] = qty
            row[T_ENTRY_PX] = avg[s]
            row[T_EXIT_PX] = mark[s]
            row[T_COSTS] = entry_cost[s]
            row[T_PNL] = (mark[s] - avg[s]) * pos[s] - entry_cost[s]
            row[T_REASON] = R_OPEN
    return n_tr


CORE_METRICS = (
    "total_return_pct", "cagr_pct", "annual_volatility_pct", "sharpe_ratio", "sortino_ratio",
    "max_drawdown_pct", "calmar_ratio", "trade_count", "win_rate_pct", "profit_factor",
    "expectancy_inr", "total_costs_inr", "exposure_time_pct", "final_equity_inr",
)
M_LEN = len(CORE_METRICS)

@njit(cache=True)
def core_metrics(equity: np.ndarray, npos: np.ndarray, initial: float, years: float,
                 periods_per_year: float, rf_per_period: float, stats: np.ndarray,
                 out: np.ndarray) -> None:
    """Write the CORE_METRICS of ``equity`` (the bars to score) into ``out``."""
    n = equity.shape[0]
    nan = math.nan
    final = equity[n - 1] if n > 0 else initial
    out[:] = nan
    out[0] = (final / initial - 1.0) * 100.0
    if years > 0.0:
        out[1] = ((final / initial) ** (1.0 / years) - 1.0) * 100.0 if final > 0.0 else -100.0
    # one pass: sums of r, r² and downside (r - rf)² give mean, std (ddof=1), downside dev.
    prev = initial
    s1 = 0.0
    s2 = 0.0
    down = 0.0
    peak = initial
    mdd = 0.0
    exposed = 0
    for t in range(n):
        e = equity[t]
        r = e / prev - 1.0 if prev != 0.0 else 0.0
        s1 += r
        s2 += r * r
        d = min(r - rf_per_period, 0.0)
        down += d * d
        prev = e
        if e > peak:
            peak = e
        elif peak > 0.0:
            mdd = min(mdd, e / peak - 1.0)
        if npos[t] > 0:
            exposed += 1
    if n >= 2:
        mean = s1 / n
        sd = math.sqrt(max(s2 - n * mean * mean, 0.0) / (n - 1))
        root = math.sqrt(periods_per_year)
        out[2] = sd * root * 100.0
        if sd > 1e-15:
            out[3] = (mean - rf_per_period) / sd * root
        dd = math.sqrt(down / n)
        if dd > 1e-15:
            out[4] = (mean - rf_per_period) / dd * root
    out[5] = mdd * 100.0
    if mdd < 0.0 and out[1] == out[1]:
        out[6] = out[1] / abs(out[5])
    trades = stats[S_TRADES]
    out[7] = trades
    if trades > 0:
        out[8] = stats[S_WINS] / trades * 100.0
        out[10] = (stats[S_GROSS_WIN] - stats[S_GROSS_LOSS]) / trades
    if stats[S_GROSS_LOSS] > 0.0:
        out[9] = stats[S_GROSS_WIN] / stats[S_GROSS_LOSS]
    out[11] = stats[S_COSTS]
    out[12] = exposed / n * 100.0 if n > 0 else nan
    out[13] = final


def _sweep_kernel(rules_digest: str) -> Any:
    # The sweep evaluates the rules with the rule language's eval_program, defined in another
    # file (chitti.compute.conditions), whose edits Numba's cache would not see. Numba hashes
    # a cached function's closure variables into its cache key, so the kernel is built as a
    # closure over a digest of that file: an edit of either file recompiles it.
    @njit(parallel=True, cache=True)
    def sweep_kernel(bank: np.ndarray, slot_rows: np.ndarray, consts: np.ndarray,
                     c_el: np.ndarray, c_xl: np.ndarray, c_es: np.ndarray, c_xs: np.ndarray,
                     o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray,
                     atr: np.ndarray, p: np.ndarray, cost: np.ndarray, force_exit: np.ndarray,
                     no_entry: np.ndarray, start: int, end: int, years: float,
                     periods_per_year: float, rf: float, out: np.ndarray) -> None:
        if not rules_digest:  # never true; reading it makes the digest part of the cache key
            return
        # force_exit / no_entry: the intraday square-off masks (all False without one)
        n = c.shape[0]
        valid = np.ones((n, 1), dtype=np.bool_)
        for i in prange(slot_rows.shape[0]):
            rows, k = slot_rows[i], consts[i]
            el = (eval_program(c_el, bank, rows, k, n) & ~no_entry).reshape((n, 1))
            xl = (eval_program(c_xl, bank, rows, k, n) | force_exit).reshape((n, 1))
            es = (eval_program(c_es, bank, rows, k, n) & ~no_entry).reshape((n, 1))
            xs = (eval_program(c_xs, bank, rows, k, n) | force_exit).reshape((n, 1))
            equity = np.empty(n)
            npos = np.zeros(n, dtype=np.int64)
            stats = np.zeros(S_LEN)
            simulate(o, h, lo, c, valid, atr, el, xl, es, xs, p, cost, start, end, equity, npos,
                     np.empty((0, T_LEN)), stats)
            core_metrics(equity[start:end], npos[start:end], p[P_CASH], years, periods_per_year,
                         rf, stats, out[i])
    return sweep_kernel


def _source_digest(kernel: Any) -> str:
    return hashlib.sha256(Path(inspect.getfile(kernel.py_func)).read_bytes()).hexdigest()


#: The fused sweep: per parameter combination (in parallel) evaluate the four rule programs,
#: simulate and write the CORE_METRICS into ``out[i]``.
sweep_kernel = _sweep_kernel(_source_digest(eval_program))
