"""Result types of a backtest, each JSON-able through ``to_dict()``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from chitti.compute.backtest._config import BacktestConfig
from chitti.marketdata.sessions import bar_times


def _json_num(x: float | int | None) -> float | int | None:
    if x is None:
        return None
    if isinstance(x, (int, np.integer)):
        return int(x)
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


def _day(ts: np.datetime64) -> str:
    return bar_times(np.asarray([ts]))[0]


@dataclass(frozen=True)
class Trade:
    """One round trip. ``exit_time`` is None while the position is still open at the end
    (``exit_reason == "open"``); its exit price is then the last close and its P&L is
    unrealised. Prices include slippage; ``pnl_inr`` is net of ``costs_inr`` (both legs)."""

    symbol: str
    direction: str
    entry_time: np.datetime64
    exit_time: np.datetime64 | None
    quantity: float
    entry_price_inr: float
    exit_price_inr: float
    pnl_inr: float
    costs_inr: float
    exit_reason: str
    bars_held: int

    @property
    def return_pct(self) -> float:
        notional = self.quantity * self.entry_price_inr
        return self.pnl_inr / notional * 100.0 if notional else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "direction": self.direction,
            "entry_time": _day(self.entry_time),
            "exit_time": None if self.exit_time is None else _day(self.exit_time),
            "quantity": _json_num(self.quantity),
            "entry_price_inr": _json_num(self.entry_price_inr),
            "exit_price_inr": _json_num(self.exit_price_inr),
            "pnl_inr": _json_num(self.pnl_inr),
            "return_pct": _json_num(self.return_pct),
            "costs_inr": _json_num(self.costs_inr),
            "exit_reason": self.exit_reason,
            "bars_held": self.bars_held,
        }


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Equity and drawdown curves, trades and metrics of one backtest.

    ``metrics`` keys carry their unit (``total_return_pct``, ``max_drawdown_days``, ...);
    an undefined value is ``None``. See ``METRIC_UNITS`` for every key.
    """

    strategy: str
    params: dict[str, float | int]
    symbols: tuple[str, ...]
    ts: np.ndarray
    equity: np.ndarray
    drawdown_pct: np.ndarray
    trades: tuple[Trade, ...]
    metrics: dict[str, float | int | None]
    config: BacktestConfig
    #: the cost-rate periods the run charged (CostProfile.periods): dates, rates, sources
    cost_schedule: tuple[dict[str, Any], ...] = ()

    def to_dict(self, *, curves: bool = True) -> dict[str, Any]:
        """Return a JSON-able dict (orjson/json ready); ``curves=False`` drops the curves."""
        out: dict[str, Any] = {
            "strategy": self.strategy,
            "params": dict(self.params),
            "symbols": list(self.symbols),
            "config": self.config.model_dump(mode="json"),
            "metrics": {k: _json_num(v) for k, v in self.metrics.items()},
            "trades": [t.to_dict() for t in self.trades],
            "cost_schedule": list(self.cost_schedule),
        }
        if curves:
            out["equity_curve"] = {
                "ts": bar_times(self.ts),
                "equity_inr": [_json_num(x) for x in self.equity.tolist()],
                "drawdown_pct": [_json_num(x) for x in self.drawdown_pct.tolist()],
            }
        return out
