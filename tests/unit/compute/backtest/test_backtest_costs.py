"""Cost profiles against contract notes computed by hand (rates as of 2024-10-01)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from chitti.compute.backtest import COST_PROFILES, BacktestConfig, Bars, Signals, run_backtest

# Delivery: buy 100 RELIANCE @ ₹2,500 (turnover ₹2,50,000), sell @ ₹2,600 (₹2,60,000).
#   buy : STT 0.1 % = 250.00; NSE txn 0.00297 % = 7.425; SEBI ₹10/cr = 0.25;
#         stamp 0.015 % = 37.50; GST 18 % × (0 + 7.425 + 0.25) = 1.3815   -> 296.5565
#   sell: STT 0.1 % = 260.00; NSE txn = 7.722; SEBI = 0.26; stamp 0;
#         GST 18 % × (7.722 + 0.26) = 1.43676                            -> 269.41876
DELIVERY_BUY = {"brokerage_inr": 0.0, "stt_inr": 250.0, "exchange_txn_inr": 7.425,
                "sebi_fee_inr": 0.25, "stamp_duty_inr": 37.5, "gst_inr": 1.3815,
                "total_inr": 296.5565}
DELIVERY_SELL = {"brokerage_inr": 0.0, "stt_inr": 260.0, "exchange_txn_inr": 7.722,
                 "sebi_fee_inr": 0.26, "stamp_duty_inr": 0.0, "gst_inr": 1.43676,
                 "total_inr": 269.41876}
# Intraday: buy 50 INFY @ ₹1,500 (₹75,000), sell @ ₹1,520 (₹76,000), discount broker.
#   buy : brokerage min(20, 0.03 % = 22.50) = 20; STT 0; NSE txn 2.2275; SEBI 0.075;
#         stamp 0.003 % = 2.25; GST 18 % × (20 + 2.2275 + 0.075) = 4.01445 -> 28.56695
#   sell: brokerage 20; STT 0.025 % = 19.00; NSE txn 2.2572; SEBI 0.076; stamp 0;
#         GST 18 % × (20 + 2.2572 + 0.076) = 4.019976                     -> 45.353176
INTRADAY_BUY = {"brokerage_inr": 20.0, "stt_inr": 0.0, "exchange_txn_inr": 2.2275,
                "sebi_fee_inr": 0.075, "stamp_duty_inr": 2.25, "gst_inr": 4.01445,
                "total_inr": 28.56695}
INTRADAY_SELL = {"brokerage_inr": 20.0, "stt_inr": 19.0, "exchange_txn_inr": 2.2572,
                 "sebi_fee_inr": 0.076, "stamp_duty_inr": 0.0, "gst_inr": 4.019976,
                 "total_inr": 45.353176}


@pytest.mark.parametrize(("profile", "turnover", "side", "expected"), [
    ("nse_delivery_discount", 250_000.0, "buy", DELIVERY_BUY),
    ("nse_delivery_discount", 260_000.0, "sell", DELIVERY_SELL),
    ("nse_intraday_discount", 75_000.0, "buy", INTRADAY_BUY),
    ("nse_intraday_discount", 76_000.0, "sell", INTRADAY_SELL),
])
def test_breakdown_matches_hand_computed_contract_note(
        profile: str, turnover: float, side: str, expected: dict[str, float]) -> None:
    got = COST_PROFILES[profile].breakdown(turnover, side=side)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_intraday_brokerage_is_percent_below_the_cap() -> None:
    # ₹5,000 order: 0.03 % = ₹1.50 < ₹20 cap
    assert COST_PROFILES["nse_intraday_discount"].breakdown(5_000.0, side="buy")[
        "brokerage_inr"] == pytest.approx(1.5)


def test_fullservice_delivery_charges_half_percent_brokerage_with_gst() -> None:
    got = COST_PROFILES["nse_delivery_fullservice"].breakdown(250_000.0, side="buy")
    assert got["brokerage_inr"] == pytest.approx(1250.0)
    assert got["gst_inr"] == pytest.approx(0.18 * (1250.0 + 7.425 + 0.25))
    assert got["total_inr"] == pytest.approx(1771.5565)


def test_zero_profile_charges_nothing() -> None:
    assert COST_PROFILES["zero"].breakdown(1e7, side="sell")["total_inr"] == 0.0


@pytest.mark.parametrize(("profile", "buy_px", "sell_px", "qty", "buy", "sell"), [
    ("nse_delivery_discount", 2500.0, 2600.0, 100, DELIVERY_BUY, DELIVERY_SELL),
    ("nse_intraday_discount", 1500.0, 1520.0, 50, INTRADAY_BUY, INTRADAY_SELL),
])
def test_engine_charges_the_contract_note_per_trade(
        profile: str, buy_px: float, sell_px: float, qty: int, buy: dict[str, float],
        sell: dict[str, float], make_bars: Callable[..., Bars],
        flags: Callable[..., np.ndarray]) -> None:
    # signal on day 0 -> buy at day 1's open; exit signal day 1 -> sell at day 2's open
    # (in 2025: the rates above are those in force since 2024-10-01)
    bars = make_bars(open_=[buy_px, buy_px, sell_px, sell_px],
                     high=[buy_px + 50, buy_px + 50, sell_px + 50, sell_px + 50],
                     low=[buy_px - 50, buy_px - 50, sell_px - 50, sell_px - 50],
                     close=[buy_px, buy_px, sell_px, sell_px], start="2025-01-06")
    cfg = BacktestConfig(initial_cash_inr=1_000_000.0, costs=profile,
                         sizing="fixed_quantity", size=qty)

    result = run_backtest(bars, Signals(entry_long=flags(4, 0), exit_long=flags(4, 1)),
                          config=cfg)

    (trade,) = result.trades
    costs = buy["total_inr"] + sell["total_inr"]
    assert (trade.entry_price_inr, trade.exit_price_inr, trade.quantity) == (buy_px, sell_px, qty)
    assert trade.costs_inr == pytest.approx(costs, abs=1e-9)
    assert trade.pnl_inr == pytest.approx(qty * (sell_px - buy_px) - costs, abs=1e-9)
    assert result.metrics["total_costs_inr"] == pytest.approx(costs, abs=1e-9)
    assert result.equity[-1] == pytest.approx(1_000_000.0 + trade.pnl_inr, abs=1e-6)


def test_profiles_are_data_with_statutory_rates() -> None:
    delivery = COST_PROFILES["nse_delivery_discount"]
    assert (delivery.stt_buy_pct, delivery.stt_sell_pct) == (0.1, 0.1)
    assert delivery.exchange_txn_pct == 0.00297
    assert delivery.stamp_duty_buy_pct == 0.015
    assert delivery.gst_pct == 18.0
    intraday = COST_PROFILES["nse_intraday_discount"]
    assert (intraday.stt_buy_pct, intraday.stt_sell_pct) == (0.0, 0.025)
    assert intraday.stamp_duty_buy_pct == 0.003
    assert COST_PROFILES["bse_delivery_discount"].exchange_txn_pct == 0.00375
    assert {"zero", "nse_delivery_discount", "nse_intraday_discount",
            "nse_delivery_fullservice"} <= set(COST_PROFILES)


# Delivery in 2010 and 2014, contract notes by hand from the rates then in force:
#   buy 100 @ ₹2,500 on 2010-03-02 (₹2,50,000): STT 0.125 % = 312.50; NSE 0.00325 % =
#     8.125; SEBI ₹15/cr = 0.375; stamp (Maharashtra, both sides) 0.01 % = 25.00;
#     service tax 10.3 % × (8.125 + 0.375) = 0.8755                    -> 346.8755
#   sell 100 @ ₹2,600 on 2014-03-04 (₹2,60,000): STT 0.1 % (since 2012-07-01) = 260.00;
#     NSE = 8.45; SEBI = 0.39; stamp 0.01 % = 26.00;
#     service tax 12.36 % × (8.45 + 0.39) = 1.092624                    -> 295.932624
OLD_BUY, OLD_SELL = 346.8755, 295.932624


def test_orders_pay_the_rates_in_force_on_their_dates(flags: Callable[..., np.ndarray]) -> None:
    days = np.array(["2010-03-01", "2010-03-02", "2014-03-03", "2014-03-04"],
                    dtype="datetime64[D]")
    px = np.array([2500.0, 2500.0, 2600.0, 2600.0])
    bars = Bars(ts=days, open=px, high=px + 50, low=px - 50, close=px, volume=np.zeros(4))
    cfg = BacktestConfig(initial_cash_inr=1_000_000.0, costs="nse_delivery_discount",
                         sizing="fixed_quantity", size=100)
    result = run_backtest(bars, Signals(entry_long=flags(4, 0), exit_long=flags(4, 2)),
                          config=cfg)
    (trade,) = result.trades
    assert trade.costs_inr == pytest.approx(OLD_BUY + OLD_SELL, abs=1e-9)
    profile = COST_PROFILES["nse_delivery_discount"]
    assert profile.breakdown(250_000.0, side="buy", on=date(2010, 3, 2))[
        "total_inr"] == pytest.approx(OLD_BUY, abs=1e-9)
    # the result lists the periods it charged: STT fell on 2012-07-01, service tax rose
    # on 2012-04-01
    periods = result.to_dict()["cost_schedule"]
    starts = [p["from"] for p in periods]
    assert starts[0] == "2010-03-01" and periods[-1]["to"] == "2014-03-04"
    assert {"2012-04-01", "2012-07-01"} <= set(starts)
    stt = {p["from"]: p["rates_pct"]["stt_buy_pct"] for p in periods}
    assert (stt["2010-03-01"], stt["2012-07-01"]) == (0.125, 0.1)
    assert "Finance Act 2012" in next(p for p in periods if p["from"] == "2012-07-01")[
        "sources"]["stt_buy_pct"]


def test_every_schedule_ends_at_todays_rate_and_starts_before_stt() -> None:
    for profile in COST_PROFILES.values():
        for name, entries in profile.schedule.items():
            assert entries[-1].pct == getattr(profile, name), (profile.name, name)
            assert entries[0].since <= date(2000, 1, 1)
            assert all(e.source for e in entries)
        today = profile.on(date(2026, 1, 1))
        assert today.as_kernel_array().tolist() == profile.as_kernel_array().tolist()
