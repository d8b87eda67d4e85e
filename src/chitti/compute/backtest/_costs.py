"""Indian equity transaction costs as named, documented profiles.

A profile is data: percentages exactly as the statute or circular states them. The engine
charges them per order (each fill is one order) through :func:`_order_costs`, which the
Numba kernel and :meth:`CostProfile.breakdown` share, so a contract note computed by hand
and the engine can never disagree.

Contract notes round STT and stamp duty to the rupee per contract note and other charges to
the paisa; the engine does not round (a backtest order is not a contract note), so expect
differences of under one rupee per order against a broker's note.

Statutory rates change. A named profile carries, beside today's rates, a dated schedule of
what each statutory rate was before (STT since its introduction in 2004, service tax then
GST, stamp duty before and after it became a central levy, exchange and SEBI fees), each
entry with its source; a backtest charges every order the rates in force on its date
(:meth:`CostProfile.kernel_rates`) and reports the periods it used
(:meth:`CostProfile.periods`).

Depository (DP) charges on delivery sells (e.g. ₹13 + GST per scrip per day at discount
brokers) are billed in the ledger, not on the contract note, and are broker specific; add
them with ``dp_charge_sell_inr`` when you need them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, PrivateAttr, model_validator

from chitti.compute.backtest._kernel import order_costs
from chitti.schemas import REQUEST_CONFIG

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



@dataclass(frozen=True)
class _RateTable:
    starts: np.ndarray                    # datetime64[D], ascending; the first is date.min
    rows: np.ndarray                      # (periods, C_LEN) kernel rates
    rates_pct: list[dict[str, float]]     # the scheduled rates of each period
    sources: list[dict[str, str]]


class DatedRate(BaseModel):
    """A rate (a percentage, like the profile's ``*_pct`` fields) in force from ``since``
    until the next entry of its schedule, with the statute or circular that set it."""

    model_config = REQUEST_CONFIG

    since: date
    pct: float = Field(ge=0.0)
    source: str


def _rates(*entries: tuple[date, float, str]) -> tuple[DatedRate, ...]:
    return tuple(DatedRate(since=d, pct=pct, source=src) for d, pct, src in entries)


# A schedule's first entry starts at _EARLIEST: it also covers the years before the first
# change the sources speak of (said in its source text).
_EARLIEST = date(1994, 11, 3)  # NSE's capital market segment opened
# STT: Finance (No. 2) Act 2004, Chapter VII, from 2004-10-01; rates of the Finance Acts
# 2005 and 2006 (w.e.f. 1 June each) and 2012 (delivery 0.125 -> 0.1, w.e.f. 2012-07-01,
# Memorandum to the Finance Bill 2012). Zerodha's published STT history dates the delivery
# cut to 2013-06-01; the Finance Act 2012 text gives 2012-07-01, used here.
_STT_DELIVERY = _rates(
    (_EARLIEST, 0.0, "no STT before the Finance (No. 2) Act 2004"),
    (date(2004, 10, 1), 0.075, "Finance (No. 2) Act 2004, s.98: 0.075 % buy and sell"),
    (date(2005, 6, 1), 0.1, "Finance Act 2005: 0.1 %"),
    (date(2006, 6, 1), 0.125, "Finance Act 2006: 0.125 %"),
    (date(2012, 7, 1), 0.1, "Finance Act 2012: 0.1 % w.e.f. 2012-07-01"))
_STT_INTRADAY_SELL = _rates(
    (_EARLIEST, 0.0, "no STT before the Finance (No. 2) Act 2004"),
    (date(2004, 10, 1), 0.015, "Finance (No. 2) Act 2004, s.98: 0.015 % on sells"),
    (date(2005, 6, 1), 0.02, "Finance Act 2005: 0.02 %"),
    (date(2006, 6, 1), 0.025, "Finance Act 2006: 0.025 %"))
# Service tax on brokerage (Finance Act 1994, Chapter V; rates of the Finance Acts named),
# replaced by GST from 2017-07-01.
_GST = _rates(
    (_EARLIEST, 5.0, "service tax 5 % (Finance Act 1994, Chapter V)"),
    (date(2003, 5, 14), 8.0, "service tax 8 % (Finance Act 2003)"),
    (date(2004, 9, 10), 10.2, "service tax 10 % + 2 % education cess (Finance Act 2004)"),
    (date(2006, 4, 18), 12.24, "service tax 12 % + 2 % cess (Finance Act 2006)"),
    (date(2007, 5, 11), 12.36, "service tax 12 % + 3 % cess (Finance Act 2007)"),
    (date(2009, 2, 24), 10.3, "service tax 10 % + 3 % cess (notification 8/2009-ST)"),
    (date(2012, 4, 1), 12.36, "service tax 12 % + 3 % cess (Finance Act 2012)"),
    (date(2015, 6, 1), 14.0, "service tax 14 % (Finance Act 2015)"),
    (date(2015, 11, 15), 14.5, "14 % + Swachh Bharat cess 0.5 %"),
    (date(2016, 6, 1), 15.0, "14 % + SBC 0.5 % + Krishi Kalyan cess 0.5 %"),
    (date(2017, 7, 1), 18.0, "GST 18 % (CGST notification 11/2017-Central Tax (Rate))"))
# Stamp duty: before 2020-07-01 a state levy at the client's state's rate, on both sides;
# modelled with Maharashtra's (delivery 0.01 %, non-delivery 0.002 %, as brokers charged
# them; state-wise tables of 2019-20). From 2020-07-01 the central rates on the buy side.
_STAMP_DELIVERY_BUY = _rates(
    (_EARLIEST, 0.01, "state levy before 2020-07-01: Maharashtra 0.01 %, buy and sell"),
    (date(2020, 7, 1), _STAMP_DELIVERY_BUY_PCT, "Indian Stamp Act as amended 2019: 0.015 %"))
_STAMP_DELIVERY_SELL = _rates(
    (_EARLIEST, 0.01, "state levy before 2020-07-01: Maharashtra 0.01 %, buy and sell"),
    (date(2020, 7, 1), 0.0, "central levy from 2020-07-01: buy side only"))
_STAMP_INTRADAY_BUY = _rates(
    (_EARLIEST, 0.002, "state levy before 2020-07-01: Maharashtra 0.002 %, both sides"),
    (date(2020, 7, 1), _STAMP_INTRADAY_BUY_PCT, "Indian Stamp Act as amended 2019: 0.003 %"))
_STAMP_INTRADAY_SELL = _rates(
    (_EARLIEST, 0.002, "state levy before 2020-07-01: Maharashtra 0.002 %, both sides"),
    (date(2020, 7, 1), 0.0, "central levy from 2020-07-01: buy side only"))
# SEBI turnover fee: ₹15 per crore before 2019-04-01 (the rate the SEBI board cut that
# year; when ₹15 began is not established here, so earlier years are charged ₹15 too);
# ₹10 from 2019-04-01 (SEBI (Payment of Fees) (Amendment) Regulations 2019), halved for
# June 2020 - March 2021 (SEBI press release of 2020-04-23, COVID-19 relief).
_SEBI_FEE = _rates(
    (_EARLIEST, 15.0 / 1e7 * 100.0, "₹15 per crore (the rate cut in 2019; start unverified)"),
    (date(2019, 4, 1), _SEBI_FEE_PCT, "₹10 per crore (SEBI notification of 2019-03-22)"),
    (date(2020, 6, 1), _SEBI_FEE_PCT / 2, "₹5 per crore: 50 % COVID-19 relief"),
    (date(2021, 4, 1), _SEBI_FEE_PCT, "₹10 per crore again"))
# NSE cash-market transaction charges (top slab, as discount brokers pass them on): 0.00325 %
# before 2021 (earlier slab changes not modelled), +6 % from 2021-01-01 for the investor
# protection fund (0.00345 %), rolled back from 2023-04-01 (0.00322 %), and the uniform
# 0.00297 % from 2024-10-01 (NSE circular of 2024-09-27).
_NSE_TXN = _rates(
    (_EARLIEST, 0.00325, "0.00325 % (rate before 2021; earlier changes not modelled)"),
    (date(2021, 1, 1), 0.00345, "NSE: +6 % from 2021-01-01 (IPF corpus)"),
    (date(2023, 4, 1), 0.00322, "NSE: the 6 % increase rolled back from 2023-04-01"),
    (date(2024, 10, 1), _NSE_TXN_PCT, "NSE circular 2024-09-27: ₹2.97 per lakh"))


class CostProfile(BaseModel):
    """Per-order transaction costs of one segment and broker model.

    All ``*_pct`` fields are percentages of the order's turnover (price × quantity), as the
    statutes state them. Brokerage per order is
    ``min(brokerage_flat_inr + turnover × brokerage_pct / 100, brokerage_cap_inr)``;
    GST is ``gst_pct`` of brokerage + exchange charges + SEBI fee.

    The ``*_pct`` fields are today's rates. ``schedule`` maps some of them to their dated
    history (:class:`DatedRate`, oldest first); :meth:`on` gives the rates of any date.
    """

    model_config = REQUEST_CONFIG

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
    stamp_duty_sell_pct: float = Field(0.0, ge=0.0)
    gst_pct: float = Field(0.0, ge=0.0)
    dp_charge_sell_inr: float = Field(0.0, ge=0.0)
    schedule: dict[str, tuple[DatedRate, ...]] = Field(default_factory=dict)
    _table: _RateTable | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_schedule(self) -> CostProfile:
        for name, rates in self.schedule.items():
            if not name.endswith("_pct") or name not in type(self).model_fields:
                raise ValueError(f"schedule.{name}: not a *_pct rate of the profile")
            if not rates or any(a.since >= b.since for a, b in zip(rates, rates[1:],
                                                                    strict=False)):
                raise ValueError(f"schedule.{name}: give dated rates, oldest first")
        return self

    def on(self, day: date) -> CostProfile:
        """The profile with each scheduled rate as it was on ``day`` (the oldest entry of a
        schedule also covers the days before it)."""
        if not self.schedule:
            return self
        rates = {name: next((r.pct for r in reversed(entries) if r.since <= day),
                            entries[0].pct) for name, entries in self.schedule.items()}
        return self.model_copy(update={**rates, "schedule": {}})

    def _rate_table(self) -> _RateTable:
        # every period of the schedule (its start, kernel row, rates and sources), built
        # once per profile: a backtest only looks its dates up
        if self._table is None:
            starts = sorted({date.min, *(r.since for entries in self.schedule.values()
                                         for r in entries)})
            entries = [{name: next((r for r in reversed(rates) if r.since <= start),
                                   rates[0]) for name, rates in self.schedule.items()}
                       for start in starts]
            self._table = _RateTable(
                np.array(starts, dtype="datetime64[D]"),
                np.stack([self.on(start).as_kernel_array() for start in starts]),
                [{name: r.pct for name, r in entry.items()} for entry in entries],
                [{name: r.source for name, r in entry.items()} for entry in entries])
        return self._table

    def kernel_rates(self, ts: np.ndarray) -> np.ndarray:
        """One row of kernel rates per bar (``ts`` ascending ``datetime64``): the rates in
        force on each bar's date."""
        table = self._rate_table()
        return table.rows[np.searchsorted(table.starts, ts.astype("datetime64[D]"),
                                          side="right") - 1]

    def periods(self, first: date, last: date) -> list[dict[str, Any]]:
        """The rate periods between ``first`` and ``last``, for a result to show what it
        charged: each period's dates, its scheduled rates and their sources."""
        if not self.schedule:
            return []
        table = self._rate_table()
        lo, hi = np.searchsorted(table.starts, np.array([first, last], dtype="datetime64[D]"),
                                 side="right") - 1
        out = []
        for i in range(int(lo), int(hi) + 1):
            begin = first if i == lo else table.starts[i].item()
            end = last if i == hi else table.starts[i + 1].item() - timedelta(days=1)
            out.append({"from": begin.isoformat(), "to": end.isoformat(),
                        "rates_pct": table.rates_pct[i], "sources": table.sources[i]})
        return out

    def as_kernel_array(self) -> np.ndarray:
        """Return the profile as the float64 vector the Numba kernel reads (fractions)."""
        cap = math.inf if self.brokerage_cap_inr is None else self.brokerage_cap_inr
        return np.array(
            [
                self.brokerage_pct / 100.0, self.brokerage_flat_inr, cap,
                self.stt_buy_pct / 100.0, self.stt_sell_pct / 100.0,
                self.exchange_txn_pct / 100.0, self.sebi_fee_pct / 100.0,
                self.stamp_duty_buy_pct / 100.0, self.gst_pct / 100.0,
                self.dp_charge_sell_inr, self.stamp_duty_sell_pct / 100.0,
            ],
            dtype=np.float64,
        )

    def breakdown(self, turnover_inr: float, *, side: str,
                  on: date | None = None) -> dict[str, float]:
        """Return the charges of one order of ``turnover_inr`` on ``side`` ("buy"/"sell"),
        at today's rates or at those in force ``on`` a date.

        Keys: brokerage_inr, stt_inr, exchange_txn_inr, sebi_fee_inr, stamp_duty_inr,
        gst_inr, dp_charge_inr, total_inr: the lines of a contract note.
        """
        if side not in ("buy", "sell"):
            raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")
        rates = self.on(on) if on is not None else self
        parts = order_costs(float(turnover_inr), side == "buy", rates.as_kernel_array())
        keys = ("brokerage_inr", "stt_inr", "exchange_txn_inr", "sebi_fee_inr",
                "stamp_duty_inr", "gst_inr", "dp_charge_inr")
        out = {k: float(v) for k, v in zip(keys, parts, strict=True)}
        out["total_inr"] = float(sum(parts))
        return out


_DELIVERY_SCHEDULE = {"stt_buy_pct": _STT_DELIVERY, "stt_sell_pct": _STT_DELIVERY,
                      "stamp_duty_buy_pct": _STAMP_DELIVERY_BUY,
                      "stamp_duty_sell_pct": _STAMP_DELIVERY_SELL, "gst_pct": _GST,
                      "sebi_fee_pct": _SEBI_FEE}
_INTRADAY_SCHEDULE = {"stt_sell_pct": _STT_INTRADAY_SELL,
                      "stamp_duty_buy_pct": _STAMP_INTRADAY_BUY,
                      "stamp_duty_sell_pct": _STAMP_INTRADAY_SELL, "gst_pct": _GST,
                      "sebi_fee_pct": _SEBI_FEE}


def _profile(**kw: Any) -> CostProfile:
    """A profile whose scheduled rates end at the ``*_pct`` values it is given (checked:
    a schedule that disagrees with today's rate is a typo in one of them)."""
    profile = CostProfile(**kw)
    for name, entries in profile.schedule.items():
        if entries[-1].pct != getattr(profile, name):
            raise ValueError(f"{profile.name}.schedule.{name}: ends at {entries[-1].pct}, "
                             f"but today's rate is {getattr(profile, name)}")
    return profile


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
            schedule={**_DELIVERY_SCHEDULE, "exchange_txn_pct": _NSE_TXN},
        ),
        _profile(
            name="nse_intraday_discount",
            description="NSE equity intraday (MIS) at a discount broker: min(₹20, 0.03 %).",
            brokerage_pct=0.03, brokerage_cap_inr=20.0,
            stt_sell_pct=_STT_INTRADAY_SELL_PCT,
            exchange_txn_pct=_NSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_INTRADAY_BUY_PCT, gst_pct=_GST_PCT,
            schedule={**_INTRADAY_SCHEDULE, "exchange_txn_pct": _NSE_TXN},
        ),
        _profile(
            name="nse_delivery_fullservice",
            description="NSE equity delivery at a full-service broker: 0.5 % brokerage.",
            brokerage_pct=0.5,
            stt_buy_pct=_STT_DELIVERY_PCT, stt_sell_pct=_STT_DELIVERY_PCT,
            exchange_txn_pct=_NSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_DELIVERY_BUY_PCT, gst_pct=_GST_PCT,
            schedule={**_DELIVERY_SCHEDULE, "exchange_txn_pct": _NSE_TXN},
        ),
        _profile(
            name="bse_delivery_discount",
            description="BSE equity delivery (group A/B) at a discount broker: ₹0 brokerage.",
            stt_buy_pct=_STT_DELIVERY_PCT, stt_sell_pct=_STT_DELIVERY_PCT,
            exchange_txn_pct=_BSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_DELIVERY_BUY_PCT, gst_pct=_GST_PCT,
            schedule=_DELIVERY_SCHEDULE,  # BSE's own charges: history not modelled
        ),
        _profile(
            name="bse_intraday_discount",
            description="BSE equity intraday (group A/B) at a discount broker: min(₹20, 0.03 %).",
            brokerage_pct=0.03, brokerage_cap_inr=20.0,
            stt_sell_pct=_STT_INTRADAY_SELL_PCT,
            exchange_txn_pct=_BSE_TXN_PCT, sebi_fee_pct=_SEBI_FEE_PCT,
            stamp_duty_buy_pct=_STAMP_INTRADAY_BUY_PCT, gst_pct=_GST_PCT,
            schedule=_INTRADAY_SCHEDULE,  # BSE's own charges: history not modelled
        ),
    )
}
