"""Indian equity transaction costs as named, documented profiles.

A profile is data: percentages exactly as the statute or circular states them. The engine
charges them per order (each fill is one order) through :func:`_order_costs`, which the
Numba kernel and :meth:`CostProfile.breakdown` share, so a contract note computed by hand
and the engine can never disagree.

Contract notes round STT and stamp duty to the rupee per contract note and other charges to
the paisa; the engine does not round (a backtest order is not a contract note), so expect
differences of under one rupee per order against a broker's note.

Depository (DP) charges on delivery sells (e.g. ₹13 + GST per scrip per day at discount
brokers) are billed in the ledger, not on the contract note, and are broker specific; add
them with ``dp_charge_sell_inr`` when you need them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from chitti.compute.backtest._kernel import order_costs

# ---------------------------------------------------------------------------------------
# Statutory and exchange rates, as of 2026-11-24. Each line cites its source.
# ---------------------------------------------------------------------------------------
# STT: Finance (No. 2) Act 2004, Chapter VII, s.98, rates as amended by the Finance Act
# 2013 (w.e.f. 2013-06-01): equity delivery 0.1 % on buy and on sell value; non-delivery
# (intraday) 0.025 % on the sell value only.
_STT_DELIVERY_PCT = 0.1
_STT_INTRADAY_SELL_PCT = 0.025
# Exchange transaction charges, "true to label" uniform rates that SEBI's circular of
# 2024-07-01 on charges levied by market infrastructure institutions required. NSE
# circular of 2024-09-27, w.e.f. 2024-10-01: cash market ₹2.97 per lakh of traded value on
# each side = 0.00297 %. BSE notice of 2024-09-27, w.e.f. 2024-10-01: ₹375 per crore on
# each side for groups A, B and the other main equity groups = 0.00375 % (some small
# groups, e.g. X/XT/Z/ZP, are charged more; not modelled).
_NSE_TXN_PCT = 0.00297
_BSE_TXN_PCT = 0.00375
# SEBI turnover fee: SEBI (Regulatory Fee on Stock Exchanges) Regulations, 2006, Schedule,
# as amended: ₹10 per crore of turnover on each side = 0.0001 % (the rate on brokers'
# contract notes and published charge sheets, checked 2026-11-24).
_SEBI_FEE_PCT = 10.0 / 1e7 * 100.0
# Stamp duty: Indian Stamp Act, 1899 as amended by the Finance Act 2019, collected through
# the exchanges under the Indian Stamp (Collection of Stamp-Duty through Stock Exchanges,
# Clearing Corporations and Depositories) Rules, 2019, w.e.f. 2020-07-01: buy side only,
# 0.015 % for delivery and 0.003 % for non-delivery (intraday).
_STAMP_DELIVERY_BUY_PCT = 0.015
_STAMP_INTRADAY_BUY_PCT = 0.003
# GST: 18 % (CGST 9 % + SGST 9 %, or IGST 18 %) on brokerage, exchange transaction charges
# and the SEBI fee (stock-broking services, SAC 9971; CGST notification 11/2017-Central Tax
# (Rate) of 2017-06-28). STT and stamp duty are taxes and attract no GST.
_GST_PCT = 18.0
# Brokerage is a broker's price, not a statute; profiles name the model they follow:
# discount brokers (e.g. Zerodha's published tariff, checked 2026-11): ₹0 on equity
# delivery, min(₹20, 0.03 %) per executed order intraday. Full-service brokers commonly
# quote 0.5 % of turnover for delivery with no cap.


class CostProfile(BaseModel):
    """Per-order transaction costs of one segment and broker model.

    All ``*_pct`` fields are percentages of the order's turnover (price × quantity), as the
    statutes state them. Brokerage per order is
    ``min(brokerage_flat_inr + turnover × brokerage_pct / 100, brokerage_cap_inr)``;
    GST is ``gst_pct`` of brokerage + exchange charges + SEBI fee.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    brokerage_pct: float = Field(0.0, ge=0.0)
    brokerage_flat_inr: float = Field(0.0, ge=0.0)
    brokerage_cap_inr: float | None = Field(None, ge=0.0)
    stt_buy_pct: float = Field(0.0, ge=0.0)
    stt_sell_pct: float = Field(0.0, ge=0.0)
    exchange_txn_pct: float = Field(0.0, ge=0.0)
    sebi_fee_pct: float = Field(0.0, ge=0.0)
    stamp_duty_buy_pct: float = Field(0.0, ge=0.0)
    gst_pct: float = Field(0.0, ge=0.0)
    dp_charge_sell_inr: float = Field(0.0, ge=0.0)

    def as_kernel_array(self) -> np.ndarray:
        """Return the profile as the float64 vector the Numba kernel reads (fractions)."""
        cap = math.inf if self.brokerage_cap_inr is None else self.brokerage_cap_inr
        return np.array(
            [
                self.brokerage_pct / 100.0, self.brokerage_flat_inr, cap,
                self.stt_buy_pct / 100.0, self.stt_sell_pct / 100.0,
                self.exchange_txn_pct / 100.0, self.sebi_fee_pct / 100.0,
                self.stamp_duty_buy_pct / 100.0, self.gst_pct / 100.0,
                self.dp_charge_sell_inr,
            ],
            dtype=np.float64,
        )

    def breakdown(self, turnover_inr: float, *, side: str) -> dict[str, float]:
        """Return the charges of one order of ``turnover_inr`` on ``side`` ("buy"/"sell").

        Keys: brokerage_inr, stt_inr, exchange_txn_inr, sebi_fee_inr, stamp_duty_inr,
        gst_inr, dp_charge_inr, total_inr: the lines of a contract note.
        """
        if side not in ("buy", "sell"):
            raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")
        parts = order_costs(float(turnover_inr), side == "buy", self.as_kernel_array())
        keys = ("brokerage_inr", "stt_inr", "exchange_txn_inr", "sebi_fee_inr",
                "stamp_duty_inr", "gst_inr", "dp_charge_inr")
        out = {k: float(v) for k, v in zip(keys, parts, strict=True)}
        out["total_inr"] = float(sum(parts))
        return out


def _profile(**kw: Any) -> CostProfile:
    return CostProfile(**kw)


COST_PROFILES: dict[str, CostProfile] = {
    p.name: p
    for p in (
        _profile(name="zero", description="No costs at all (research baseline)."),
        _profile(
            name="nse_delivery_discount",
            description="NSE equity delivery (CNC) at a discount broker: ₹0 brokerage.",
            stt_buy_pct=_STT_DELIVERY_PCT, stt_sell_pct=_STT_DELIVERY_PCT,
            exchange_txn_pct=_NSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_DELIVERY_BUY_PCT, gst_pct=_GST_PCT,
        ),
        _profile(
            name="nse_intraday_discount",
            description="NSE equity intraday (MIS) at a discount broker: min(₹20, 0.03 %).",
            brokerage_pct=0.03, brokerage_cap_inr=20.0,
            stt_sell_pct=_STT_INTRADAY_SELL_PCT,
            exchange_txn_pct=_NSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_INTRADAY_BUY_PCT, gst_pct=_GST_PCT,
        ),
        _profile(
            name="nse_delivery_fullservice",
            description="NSE equity delivery at a full-service broker: 0.5 % brokerage.",
            brokerage_pct=0.5,
            stt_buy_pct=_STT_DELIVERY_PCT, stt_sell_pct=_STT_DELIVERY_PCT,
            exchange_txn_pct=_NSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_DELIVERY_BUY_PCT, gst_pct=_GST_PCT,
        ),
        _profile(
            name="bse_delivery_discount",
            description="BSE equity delivery (group A/B) at a discount broker: ₹0 brokerage.",
            stt_buy_pct=_STT_DELIVERY_PCT, stt_sell_pct=_STT_DELIVERY_PCT,
            exchange_txn_pct=_BSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_DELIVERY_BUY_PCT, gst_pct=_GST_PCT,
        ),
        _profile(
            name="bse_intraday_discount",
            description="BSE equity intraday (group A/B) at a discount broker: min(₹20, 0.03 %).",
            brokerage_pct=0.03, brokerage_cap_inr=20.0,
            stt_sell_pct=_STT_INTRADAY_SELL_PCT,
            exchange_txn_pct=_BSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_INTRADAY_BUY_PCT, gst_pct=_GST_PCT,
        ),
    )
}
