"""Execution settings of a backtest: fills, slippage, sizing, stops, costs."""

from __future__ import annotations

import math
from datetime import time
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator

from chitti.compute.backtest._costs import COST_PROFILES, CostProfile
from chitti.compute.backtest._kernel import (
    P_ATR_MULT,
    P_CASH,
    P_FILL_CLOSE,
    P_FRACTIONAL,
    P_LEN,
    P_MAX_ENTRIES,
    P_MAX_POS,
    P_REVERSAL,
    P_SIZE,
    P_SIZING,
    P_SL,
    P_SLIP_ABS,
    P_SLIP_FRAC,
    P_TP,
    P_TRAIL,
)
from chitti.schemas import REQUEST_CONFIG

Sizing = Literal["fixed_quantity", "fixed_cash", "percent_equity", "volatility_target"]
_SIZING_CODES: dict[str, int] = {
    "fixed_quantity": 0, "fixed_cash": 1, "percent_equity": 2, "volatility_target": 3,
}


class BacktestConfig(BaseModel):
    """How orders are filled, sized, stopped and charged.

    Attributes
    ----------
    initial_cash_inr
        Starting cash of the account.
    fill
        ``"next_open"`` (default): a signal computed on bar t's close fills at bar t+1's
        open. ``"next_close"``: it fills at bar t+1's close. Never the signal bar itself.
    slippage_bps, slippage_ticks, tick_size_inr
        Adverse slippage on every fill: buys pay ``price × (1 + bps/10⁴) + ticks × tick``,
        sells receive ``price × (1 − bps/10⁴) − ticks × tick``. Use one or the other.
    fractional
        Allow fractional quantities; default whole shares (rounded down).
    sizing, size
        ``fixed_quantity``: ``size`` shares; ``fixed_cash``: ``size`` rupees;
        ``percent_equity``: ``size`` % of current equity; ``volatility_target``: risk
        ``size`` % of equity per ``atr_multiple × ATR(atr_period)`` of adverse move
        (qty = equity × size/100 / (atr_multiple × ATR) on the signal bar). Buys are always
        capped by available cash (no leverage); short sales by current equity.
    stop_loss_pct, take_profit_pct, trailing_stop_pct
        Exits relative to the average entry price (trailing: to the best high/low seen on
        completed bars since entry). Checked intrabar against high/low; a bar that gaps
        through a level fills at the open. When a stop and the target both lie inside one
        bar's range, the stop is assumed to have been hit first (conservative).
    allow_reversal
        An opposite entry signal while in a position closes it and opens the other side in
        the same fill. Off: the opposite entry is ignored until the position is flat.
    max_entries
        Pyramiding: entries allowed in one position (1 = no pyramiding).
    max_positions
        Portfolio: positions open at once across symbols (``None``: no limit).
    costs
        A name in ``COST_PROFILES`` or a :class:`CostProfile`.
    periods_per_year, risk_free_rate_pct
        For annualising volatility, Sharpe and Sortino (252 NSE sessions a year; for
        intraday bars, 252 times the bars in a session).
    square_off_ist
        Intraday bars only: close every position before this time of each IST session and
        open none after it (an MIS square-off, e.g. ``"15:20"``); ``None``: no square-off.
    """

    model_config = REQUEST_CONFIG

    initial_cash_inr: float = Field(1_000_000.0, gt=0.0, le=1e13)
    fill: Literal["next_open", "next_close"] = "next_open"
    slippage_bps: float = Field(0.0, ge=0.0, lt=10_000.0)
    slippage_ticks: int = Field(0, ge=0, le=10_000)
    tick_size_inr: float = Field(0.05, gt=0.0, le=10_000.0)
    fractional: bool = False
    sizing: Sizing = "percent_equity"
    size: float = Field(100.0, gt=0.0, le=1e12)
    atr_period: int = Field(14, ge=1, le=10_000)
    atr_multiple: float = Field(2.0, gt=0.0, le=1_000.0)
    stop_loss_pct: float | None = Field(None, gt=0.0, lt=100.0)
    take_profit_pct: float | None = Field(None, gt=0.0, le=100_000.0)
    trailing_stop_pct: float | None = Field(None, gt=0.0, lt=100.0)
    allow_reversal: bool = False
    max_entries: int = Field(1, ge=1, le=10_000)
    max_positions: int | None = Field(None, ge=1, le=10_000)
    costs: str | CostProfile = "zero"
    periods_per_year: int = Field(252, ge=1, le=525_600)
    risk_free_rate_pct: float = Field(0.0, ge=-100.0, le=100.0)
    square_off_ist: time | None = None

    @model_validator(mode="after")
    def _check(self) -> BacktestConfig:
        if self.slippage_bps and self.slippage_ticks:
            raise ValueError("slippage_bps and slippage_ticks: set one of them, not both")
        if self.sizing == "percent_equity" and self.size > 100.0:
            raise ValueError("size: percent_equity above 100 would need leverage; use <= 100")
        if isinstance(self.costs, str) and self.costs not in COST_PROFILES:
            raise ValueError(
                f"costs: unknown cost profile {self.costs!r}; known: {sorted(COST_PROFILES)}"
            )
        return self

    @property
    def cost_profile(self) -> CostProfile:
        """Return the resolved :class:`CostProfile`."""
        return COST_PROFILES[self.costs] if isinstance(self.costs, str) else self.costs


def _kernel_params(cfg: BacktestConfig, *, initial_cash: float | None = None) -> np.ndarray:
    p = np.zeros(P_LEN, dtype=np.float64)
    p[P_CASH] = cfg.initial_cash_inr if initial_cash is None else initial_cash
    p[P_FILL_CLOSE] = 1.0 if cfg.fill == "next_close" else 0.0
    p[P_SLIP_FRAC] = cfg.slippage_bps / 1e4
    p[P_SLIP_ABS] = cfg.slippage_ticks * cfg.tick_size_inr
    p[P_FRACTIONAL] = 1.0 if cfg.fractional else 0.0
    p[P_SIZING] = _SIZING_CODES[cfg.sizing]
    p[P_SIZE] = cfg.size
    p[P_ATR_MULT] = cfg.atr_multiple
    p[P_SL] = math.nan if cfg.stop_loss_pct is None else cfg.stop_loss_pct / 100.0
    p[P_TP] = math.nan if cfg.take_profit_pct is None else cfg.take_profit_pct / 100.0
    p[P_TRAIL] = math.nan if cfg.trailing_stop_pct is None else cfg.trailing_stop_pct / 100.0
    p[P_REVERSAL] = 1.0 if cfg.allow_reversal else 0.0
    p[P_MAX_ENTRIES] = cfg.max_entries
    p[P_MAX_POS] = math.inf if cfg.max_positions is None else cfg.max_positions
    return p
