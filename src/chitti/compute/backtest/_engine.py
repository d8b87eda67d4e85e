"""run_backtest and run_portfolio: validate, build signals, call the kernel, score."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pydantic import ValidationError

from chitti.compute.backtest._config import BacktestConfig, _kernel_params
from chitti.compute.backtest._kernel import (
    CORE_METRICS,
    M_LEN,
    R_OPEN,
    REASONS,
    S_LEN,
    T_COSTS,
    T_DIR,
    T_ENTRY_BAR,
    T_ENTRY_PX,
    T_EXIT_BAR,
    T_EXIT_PX,
    T_LEN,
    T_PNL,
    T_QTY,
    T_REASON,
    T_SYM,
    core_metrics,
    simulate,
)
from chitti.compute.backtest._metrics import (
    benchmark_metrics,
    drawdown_pct,
    max_drawdown_days,
    trade_extras,
    years_between,
)
from chitti.compute.backtest._result import BacktestResult, Trade
from chitti.compute.backtest._session import square_off_masks
from chitti.compute.backtest._signals import spec_signals
from chitti.compute.backtest._spec import StrategySpec
from chitti.compute.conditions import indicator
from chitti.errors import BadRequest
from chitti.marketdata.series import Bars


@dataclass(frozen=True, eq=False)
class Signals:
    """Explicit signal arrays (bool, one per bar), read at the bar's close.

    Leave the short pair as None for a long-only run (and vice versa).
    """

    entry_long: np.ndarray | None = None
    exit_long: np.ndarray | None = None
    entry_short: np.ndarray | None = None
    exit_short: np.ndarray | None = None

    def arrays(self, n: int, where: str = "signals") -> tuple[np.ndarray, ...]:
        out = []
        for name in ("entry_long", "exit_long", "entry_short", "exit_short"):
            arr = getattr(self, name)
            if arr is None:
                out.append(np.zeros(n, dtype=np.bool_))
                continue
            a = np.asarray(arr)
            if a.shape != (n,):
                got = a.shape[0] if a.ndim == 1 else a.shape
                raise BadRequest(f"{where}.{name}: length {got} differs from the {n} bars; "
                                 "give one flag per bar")
            if a.dtype != np.bool_:
                if not np.isin(a, (0, 1)).all():
                    raise BadRequest(f"{where}.{name}: expected booleans (or 0/1)")
                a = a.astype(np.bool_)
            out.append(np.ascontiguousarray(a))
        if self.entry_long is None and self.entry_short is None:
            raise BadRequest(f"{where}: give entry_long and/or entry_short")
        return tuple(out)


SpecLike = StrategySpec | Mapping[str, Any] | str
Strategy = SpecLike | Signals


def as_config(config: BacktestConfig | Mapping[str, Any] | None) -> BacktestConfig:
    if config is None:
        return BacktestConfig.model_validate({})
    if isinstance(config, BacktestConfig):
        return config
    try:
        return BacktestConfig.model_validate(config)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise BadRequest(f"config.{loc}: {msg}" if loc else f"config: {msg}") from exc


def _signals_for(bars: Bars, strategy: Strategy, params: Mapping[str, float] | None,
                 series: Mapping[str, ArrayLike] | None = None
                 ) -> tuple[tuple[np.ndarray, ...], str, dict[str, float | int]]:
    if isinstance(strategy, Signals):
        if params:
            raise BadRequest("params: only a strategy spec takes parameters")
        if series:
            raise BadRequest("series: only a strategy spec reads series")
        return strategy.arrays(len(bars)), "signals", {}
    spec = StrategySpec.parse(strategy)
    if params:
        spec = spec.with_params(**params)
    return spec_signals(bars, spec, series=series), spec.name, dict(spec.params)


def _session_masks(ts: np.ndarray, cfg: BacktestConfig) -> tuple[np.ndarray, np.ndarray]:
    """(force_exit, no_entry) of the config's intraday square-off; all False without one."""
    if cfg.square_off_ist is None:
        none = np.zeros(ts.shape[0], dtype=np.bool_)
        return none, none
    if ts.dtype == np.dtype("datetime64[D]"):
        raise BadRequest("config.square_off_ist: applies to intraday bars only; these bars "
                         "are daily")
    return square_off_masks(ts, cfg.square_off_ist, fill_close=cfg.fill == "next_close")


def _square_off(sig: tuple[np.ndarray, ...], ts: np.ndarray, cfg: BacktestConfig
                ) -> tuple[np.ndarray, ...]:
    """The signals with the config's intraday square-off applied (see ``_session``)."""
    if cfg.square_off_ist is None:
        return sig
    force_exit, no_entry = _session_masks(ts, cfg)
    entry_long, exit_long, entry_short, exit_short = sig
    return (entry_long & ~no_entry, exit_long | force_exit, entry_short & ~no_entry,
            exit_short | force_exit)


def _atr(bars: Bars, cfg: BacktestConfig) -> np.ndarray:
    if cfg.sizing != "volatility_target":
        return np.zeros(len(bars))
    out = indicator("atr", {f: getattr(bars, f) for f in ("open", "high", "low", "close",
                                                          "volume")},
                    {"timeperiod": cfg.atr_period})
    return next(iter(out.values()))


def _align_benchmark(ts: np.ndarray, benchmark: Bars | None) -> np.ndarray | None:
    if benchmark is None:
        return None
    bts = benchmark.ts.astype(ts.dtype)
    idx = np.searchsorted(bts, ts, side="right") - 1
    out = np.where(idx >= 0, benchmark.close[np.maximum(idx, 0)], np.nan)
    out[ts > bts[-1]] = np.nan  # no carrying the last close past the benchmark's data
    return out


@dataclass(frozen=True, eq=False)
class _Run:
    equity: np.ndarray
    npos: np.ndarray
    trades: np.ndarray
    stats: np.ndarray


def _simulate(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, valid: np.ndarray,
              atr: np.ndarray, sig: tuple[np.ndarray, ...], cfg: BacktestConfig,
              cost: np.ndarray, start: int, end: int,
              initial_cash: float | None = None) -> _Run:
    """``cost``: the rates in force on each bar (``CostProfile.kernel_rates``)."""
    n, n_sym = c.shape
    equity = np.empty(n)
    npos = np.zeros(n, dtype=np.int64)
    p = _kernel_params(cfg, initial_cash=initial_cash)
    rows = min(2 * n * n_sym + n_sym, 1024 + n)  # grown below in the rare case it is short
    while True:
        trades = np.empty((rows, T_LEN))
        stats = np.zeros(S_LEN)
        k = simulate(o, h, lo, c, valid, atr, sig[0], sig[1], sig[2], sig[3], p, cost,
                     start, end, equity, npos, trades, stats)
        if k <= rows:
            return _Run(equity[start:end], npos[start:end], trades[:k], stats)
        rows = k


def _schedule(cfg: BacktestConfig, ts: np.ndarray) -> tuple[dict[str, Any], ...]:
    days = ts.astype("datetime64[D]")
    return tuple(cfg.cost_profile.periods(days[0].item(), days[-1].item())) if days.size else ()


def _col(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.reshape(-1, 1))


def _score(ts: np.ndarray, run: _Run, initial: float, cfg: BacktestConfig,
           bench_close: np.ndarray | None) -> dict[str, float | int | None]:
    out = np.empty(M_LEN)
    rf = cfg.risk_free_rate_pct / 100.0 / cfg.periods_per_year
    core_metrics(run.equity, run.npos, initial, years_between(ts), float(cfg.periods_per_year),
                 rf, run.stats, out)
    metrics: dict[str, float | int | None] = dict(zip(CORE_METRICS, out.tolist(), strict=True))
    metrics["trade_count"] = int(out[CORE_METRICS.index("trade_count")])
    closed = run.trades[run.trades[:, T_REASON] != R_OPEN]
    metrics.update(trade_extras(closed[:, T_PNL]))
    metrics["open_trade_count"] = int((run.trades[:, T_REASON] == R_OPEN).sum())
    metrics["max_drawdown_days"] = max_drawdown_days(ts, run.equity, initial)
    metrics["initial_equity_inr"] = initial
    metrics["bar_count"] = int(ts.shape[0])
    if bench_close is not None:
        metrics.update(benchmark_metrics(run.equity, initial, bench_close,
                                         cfg.periods_per_year, rf))
    else:
        metrics.update(benchmark_return_pct=None, alpha_pct=None, beta=None)
    return {k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in metrics.items()}


def _trades(rows: np.ndarray, ts_all: np.ndarray, symbols: tuple[str, ...]) -> tuple[Trade, ...]:
    out = []
    for r in rows[np.argsort(rows[:, T_ENTRY_BAR], kind="stable")]:
        reason = REASONS[int(r[T_REASON])]
        entry, exit_ = int(r[T_ENTRY_BAR]), int(r[T_EXIT_BAR])
        out.append(Trade(
            symbol=symbols[int(r[T_SYM])],
            direction="long" if r[T_DIR] > 0 else "short",
            entry_time=ts_all[entry],
            exit_time=None if reason == "open" else ts_all[exit_],
            quantity=float(r[T_QTY]),
            entry_price_inr=float(r[T_ENTRY_PX]),
            exit_price_inr=float(r[T_EXIT_PX]),
            pnl_inr=float(r[T_PNL]),
            costs_inr=float(r[T_COSTS]),
            exit_reason=reason,
            bars_held=exit_ - entry,
        ))
    return tuple(out)


def run_backtest(bars: Bars, strategy: Strategy, *,
                 config: BacktestConfig | Mapping[str, Any] | None = None,
                 params: Mapping[str, float] | None = None,
                 benchmark: Bars | None = None,
                 series: Mapping[str, ArrayLike] | None = None) -> BacktestResult:
    """Backtest one symbol with a strategy spec (or explicit :class:`Signals`).

    Parameters
    ----------
    bars
        The symbol's bars, oldest first; its ``warmup`` bars feed the indicators only (the
        backtest trades and reports from the bar after them).
    strategy
        A :class:`StrategySpec`, its JSON (dict or text), or :class:`Signals`.
    config
        Execution settings (:class:`BacktestConfig` or its dict); defaults if omitted.
    params
        Overrides of the spec's ``params``.
    benchmark
        Bars of a benchmark (e.g. the NIFTY 50 index); adds benchmark_return_pct, alpha_pct
        and beta, computed over the dates both cover.
    series
        The ``ml.<model>`` series the spec's rules read (:meth:`StrategySpec.ml_models`),
        each aligned to ``bars`` (warm-up included), NaN on bars without a prediction.

    Raises
    ------
    BadRequest
        For an invalid spec, config or signal arrays; the message names the field.
    """
    cfg = as_config(config)
    sig, name, used = _signals_for(bars, strategy, params, series)
    sig = _square_off(sig, bars.ts, cfg)
    n, first = len(bars), bars.warmup
    run = _simulate(_col(bars.open), _col(bars.high), _col(bars.low), _col(bars.close),
                    np.ones((n, 1), dtype=np.bool_), _col(_atr(bars, cfg)),
                    tuple(_col(s) for s in sig), cfg, cfg.cost_profile.kernel_rates(bars.ts),
                    first, n)
    ts = bars.ts[first:]
    metrics = _score(ts, run, cfg.initial_cash_inr, cfg, _align_benchmark(ts, benchmark))
    return BacktestResult(
        strategy=name, params=used, symbols=(bars.symbol,), ts=ts, equity=run.equity,
        drawdown_pct=drawdown_pct(run.equity, cfg.initial_cash_inr),
        trades=_trades(run.trades, bars.ts, (bars.symbol,)), metrics=metrics, config=cfg,
        cost_schedule=_schedule(cfg, ts),
    )


def run_portfolio(bars: Mapping[str, Bars], strategy: Strategy | Mapping[str, Signals], *,
                  config: BacktestConfig | Mapping[str, Any] | None = None,
                  params: Mapping[str, float] | None = None,
                  benchmark: Bars | None = None,
                  series: Mapping[str, Mapping[str, ArrayLike]] | None = None
                  ) -> BacktestResult:
    """Backtest many symbols sharing one cash account.

    The calendar is the union of all symbols' dates; a symbol without a bar on a date
    neither trades nor is stopped that day and is marked at its last close. Each entry is
    sized by ``config.sizing``/``config.size`` against the whole account's equity at that
    moment (so ``percent_equity`` with ``size = 100 / max_positions`` gives equal weights),
    capped by free cash; at most ``config.max_positions`` positions are open at once. On
    each fill, exits of all symbols happen before entries, and entries are taken in the
    order of ``bars`` (put preferred symbols first).

    ``strategy`` is one spec applied to every symbol, or a mapping symbol -> Signals.
    ``series`` maps a symbol to the ``ml.<model>`` series the spec reads for it (aligned
    to that symbol's bars), as :func:`run_backtest` takes them for one.
    Warm-up bars (``Bars.warmup``) feed the indicators; the account starts on the first
    date any symbol's asked-for range begins.
    """
    cfg = as_config(config)
    if not bars:
        raise BadRequest("bars: give at least one symbol")
    symbols = tuple(bars)
    ts_all = np.unique(np.concatenate([b.ts for b in bars.values()]))
    n, n_sym = ts_all.shape[0], len(symbols)
    o, h, lo, c, atr = (np.full((n, n_sym), np.nan) for _ in range(5))
    valid = np.zeros((n, n_sym), dtype=np.bool_)
    sig = tuple(np.zeros((n, n_sym), dtype=np.bool_) for _ in range(4))
    name: str = "signals"
    used: dict[str, float | int] = {}
    for j, sym in enumerate(symbols):
        b = bars[sym]
        pos = np.searchsorted(ts_all, b.ts)
        o[pos, j], h[pos, j], lo[pos, j], c[pos, j] = b.open, b.high, b.low, b.close
        valid[pos, j] = True
        atr[pos, j] = _atr(b, cfg)
        if isinstance(strategy, Mapping) and sym in strategy and isinstance(strategy[sym], Signals):
            s_arrays = strategy[sym].arrays(len(b), where=f"signals.{sym}")
        elif isinstance(strategy, Mapping) and strategy and all(
                isinstance(v, Signals) for v in strategy.values()):
            raise BadRequest(f"signals.{sym}: no signals given for this symbol")
        else:
            s_arrays, name, used = _signals_for(b, strategy, params, (series or {}).get(sym))
        s_arrays = _square_off(tuple(s_arrays), b.ts, cfg)
        for dst, src in zip(sig, s_arrays, strict=True):
            dst[pos, j] = src
    first = int(np.searchsorted(ts_all, min(b.first_ts for b in bars.values())))
    run = _simulate(o, h, lo, c, valid, atr, sig, cfg, cfg.cost_profile.kernel_rates(ts_all),
                    first, n)
    ts = ts_all[first:]
    metrics = _score(ts, run, cfg.initial_cash_inr, cfg, _align_benchmark(ts, benchmark))
    return BacktestResult(
        strategy=name, params=used, symbols=symbols, ts=ts, equity=run.equity,
        drawdown_pct=drawdown_pct(run.equity, cfg.initial_cash_inr),
        trades=_trades(run.trades, ts_all, symbols), metrics=metrics, config=cfg,
        cost_schedule=_schedule(cfg, ts),
    )
