"""Rule evaluation: each built-in fires where an independent computation says it should,
cooldowns, no lookahead, news series and a user rule with news."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.signals.data import USER_RULE, load_symbol, random_bars

from chitti.compute.backtest import Bars
from chitti.compute.candles import PATTERNS
from chitti.errors import BadRequest
from chitti.signals.patterns import (
    CONFIDENCE_BASE,
    CONFIDENCE_SPAN,
    CandidateAlert,
    evaluate_rules,
    news_series,
)
from chitti.signals.rules import BUILTIN_RULES, ONE_SIDED_PATTERNS, builtin_rule, parse_rule

SYMBOLS = ("RELIANCE", "INFY")


def _cooldown(mask: np.ndarray, bars: int) -> list[int]:
    out: list[int] = []
    for t in np.flatnonzero(mask):
        if not out or t - out[-1] > bars:
            out.append(int(t))
    return out


def _cross_above(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_prev, b_prev = np.roll(a, 1), np.roll(b, 1)
    a_prev[0] = b_prev[0] = np.nan
    with np.errstate(invalid="ignore"):
        return (a > b) & (a_prev <= b_prev)


def _shift(x: np.ndarray, k: int = 1) -> np.ndarray:
    return pd.Series(x).shift(k).to_numpy()


def _divergence(close: np.ndarray, rsi: np.ndarray, bullish: bool) -> np.ndarray:
    # the definition of chitti.signals.rules, written as a plain loop
    n, k = len(close), 3
    pivots = []
    for p in range(k, n - k):
        before, after = close[p - k:p], close[p + 1:p + k + 1]
        if bullish and close[p] < before.min() and close[p] <= after.min():
            pivots.append(p)
        if not bullish and close[p] > before.max() and close[p] >= after.max():
            pivots.append(p)
    out = np.zeros(n, dtype=bool)
    for q, p in zip(pivots, pivots[1:], strict=False):
        if not 5 <= p - q <= 60:
            continue
        if bullish and close[p] < close[q] and rsi[p] > rsi[q] and rsi[q] <= 40:
            out[p + k] = True
        if not bullish and close[p] > close[q] and rsi[p] < rsi[q] and rsi[q] >= 60:
            out[p + k] = True
    return out


def _expected_masks(b: Bars) -> dict[str, np.ndarray]:
    o, h, lo, c, v = b.open, b.high, b.low, b.close, b.volume
    sma50, sma200 = talib.SMA(c, 50), talib.SMA(c, 200)
    rsi = talib.RSI(c, 14)
    macd, signal, _ = talib.MACD(c, 12, 26, 9)
    upper, _, lower = talib.BBANDS(c, 20, 2.0, 2.0)
    hi20 = _shift(pd.Series(h).rolling(20).max().to_numpy())
    lo20 = _shift(pd.Series(lo).rolling(20).min().to_numpy())
    hi252 = _shift(pd.Series(h).rolling(252).max().to_numpy())
    lo252 = _shift(pd.Series(lo).rolling(252).min().to_numpy())
    prev_vol_mean = _shift(pd.Series(v).rolling(20).mean().to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        spike = v / prev_vol_mean > 2.0
        up_day, down_day = c > _shift(c), c < _shift(c)
        return {
            "golden_cross": _cross_above(sma50, sma200),
            "death_cross": _cross_above(sma200, sma50),
            "rsi_oversold": _cross_above(np.full_like(rsi, 30.0), rsi),
            "rsi_overbought": _cross_above(rsi, np.full_like(rsi, 70.0)),
            "rsi_bullish_divergence": _divergence(c, rsi, True),
            "rsi_bearish_divergence": _divergence(c, rsi, False),
            "macd_bullish_cross": _cross_above(macd, signal),
            "macd_bearish_cross": _cross_above(signal, macd),
            "bollinger_breakout_up": _cross_above(c, upper),
            "bollinger_breakout_down": _cross_above(lower, c),
            "donchian_breakout_up": _cross_above(c, hi20),
            "donchian_breakout_down": _cross_above(lo20, c),
            "new_52w_high": _cross_above(c, hi252),
            "new_52w_low": _cross_above(lo252, c),
            "volume_spike_up": spike & up_day,
            "volume_spike_down": spike & down_day,
            "gap_up": o / _shift(h) - 1.0 >= 0.01 - 1e-12,
            "gap_down": 1.0 - o / _shift(lo) >= 0.01 - 1e-12,
        }


@pytest.fixture(scope="module", params=SYMBOLS)
def evaluated(request: pytest.FixtureRequest) -> tuple[Bars, dict[str, list[int]]]:
    b = load_symbol(request.param)
    fired: dict[str, list[int]] = {r.name: [] for r in BUILTIN_RULES}
    for alert in evaluate_rules(b):
        fired[alert.rule].append(alert.bar_index)
    return b, fired


@pytest.mark.parametrize("name", list(_expected_masks(random_bars(0, 300))))
def test_builtin_rule_fires_where_an_independent_computation_says(
        evaluated: tuple[Bars, dict[str, list[int]]], name: str) -> None:
    b, fired = evaluated
    expected = _cooldown(_expected_masks(b)[name], builtin_rule(name).cooldown_bars)
    assert expected, f"{name} never fires on {b.symbol}: the test would prove nothing"
    assert fired[name] == expected


def test_candlestick_rules_follow_talib(evaluated: tuple[Bars, dict[str, list[int]]]) -> None:
    b, fired = evaluated
    checked = 0
    for name, spec in PATTERNS.items():
        if not spec.directional:
            continue
        values = getattr(talib, spec.talib)(b.open, b.high, b.low, b.close)
        short = name.removeprefix("cdl")
        for direction, mask in (("bullish", values > 0), ("bearish", values < 0)):
            rule = f"candle_{short}_{direction}"
            if ONE_SIDED_PATTERNS.get(name, direction) != direction:
                assert not mask.any(), f"{spec.talib} gave a {direction} value"
                continue
            assert fired[rule] == _cooldown(mask, 5), rule
            checked += bool(fired[rule])
    assert checked > 40


def test_alerts_carry_values_explanation_and_bounded_scores(reliance: Bars) -> None:
    alerts = evaluate_rules(reliance, [builtin_rule("golden_cross"),
                                       builtin_rule("rsi_oversold")])
    assert alerts and all(isinstance(a, CandidateAlert) for a in alerts)
    assert [a.bar_index for a in alerts] == sorted(a.bar_index for a in alerts)
    for a in alerts:
        assert a.symbol == "RELIANCE" and a.kind == "technical"
        assert a.ts == reliance.ts[a.bar_index].item()
        assert 0.0 <= a.impact <= 1.0
        assert CONFIDENCE_BASE <= a.confidence <= CONFIDENCE_BASE + CONFIDENCE_SPAN
        assert "\n" not in a.explanation and a.explanation.startswith("RELIANCE: ")
        record = a.to_record()
        assert record["dedup_key"] == f"technical:RELIANCE:{a.rule}:{a.ts.isoformat()}"
        assert record["ts"].utcoffset() == timedelta(hours=5, minutes=30)
    cross = next(a for a in alerts if a.rule == "golden_cross")
    t = cross.bar_index
    sma50 = talib.SMA(reliance.close, 50)[t]
    assert cross.values["sma50"] == pytest.approx(sma50)
    assert f"{sma50:.2f}" in cross.explanation
    oversold = next(a for a in alerts if a.rule == "rsi_oversold")
    assert oversold.values["rsi"] < 30
    # confidence is the documented vote of the confirmations
    votes = [v for v in oversold.confirmations.values() if v is not None]
    assert oversold.confidence == pytest.approx(
        CONFIDENCE_BASE + CONFIDENCE_SPAN * sum(votes) / len(votes), abs=1e-4)


def test_cooldown_silences_a_rule_for_the_next_bars(reliance: Bars) -> None:
    raw = parse_rule({**builtin_rule("rsi_overbought").model_dump(), "name": "rsi_above_60",
                      "condition": {"op": "gt", "left": "rsi", "right": 60},
                      "cooldown_bars": 0})
    every = [a.bar_index for a in evaluate_rules(reliance, [raw])]
    assert len(every) > 100
    for bars in (1, 5, 20):
        rule = raw.model_copy(update={"cooldown_bars": bars})
        got = [a.bar_index for a in evaluate_rules(reliance, [rule])]
        assert got == _cooldown(np.isin(np.arange(len(reliance)), every), bars)
        assert all(b - a > bars for a, b in zip(got, got[1:], strict=False))


def test_start_index_filters_output_but_keeps_cooldowns(reliance: Bars) -> None:
    full = evaluate_rules(reliance)
    start = len(reliance) - 300
    tail = evaluate_rules(reliance, start_index=start)
    assert tail == [a for a in full if a.bar_index >= start]


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cut=st.integers(30, 330), change=st.integers(0, 2**32 - 1))
def test_no_lookahead_changing_later_bars_never_changes_earlier_alerts(
        seed: int, cut: int, change: int) -> None:
    n = 340
    base = random_bars(seed, n)
    other = random_bars(change, n)
    scale = base.close[cut] / other.close[cut]
    mixed = Bars(ts=base.ts,
                 **{f: np.concatenate([getattr(base, f)[:cut + 1],
                                       getattr(other, f)[cut + 1:] * (scale if f != "volume"
                                                                      else 1.0)])
                    for f in ("open", "high", "low", "close", "volume")}, symbol="RAND")
    news = news_series(base.ts, [(base.ts[i].item(), "bullish") for i in range(0, n, 7)])

    def upto(b: Bars) -> list[CandidateAlert]:
        return [a for a in evaluate_rules(b, [*BUILTIN_RULES, parse_rule(USER_RULE)],
                                          news_series=news) if a.bar_index <= cut]

    before = upto(base)
    assert before == upto(mixed)
    prefix = base.slice(0, cut + 1)
    assert before == evaluate_rules(prefix, [*BUILTIN_RULES, parse_rule(USER_RULE)],
                                    news_series={k: v[:cut + 1] for k, v in news.items()})


def test_news_series_counts_articles_on_the_session_that_first_sees_them() -> None:
    ts = np.array(["2024-01-05", "2024-01-08", "2024-01-09", "2024-01-10"],
                  dtype="datetime64[D]")  # Fri, Mon, Tue, Wed
    ist = timezone(timedelta(hours=5, minutes=30))
    events = [
        (date(2024, 1, 5), "bullish"),                              # Fri session
        (datetime(2024, 1, 5, 18, 0, tzinfo=ist), "bullish"),       # after close -> Mon
        (datetime(2024, 1, 6, 10, 0), "bearish"),                   # Saturday -> Mon
        (datetime(2024, 1, 9, 4, 0, tzinfo=UTC), "bearish"),  # 09:30 IST Tue
        (date(2024, 1, 9), "neutral"),
        (date(2023, 12, 1), "bullish"),                             # before the data
        (date(2024, 2, 1), "bullish"),                              # after the data
    ]
    s = news_series(ts, events)
    assert s["news.bullish_1d"].tolist() == [1, 1, 0, 0]
    assert s["news.bearish_1d"].tolist() == [0, 1, 1, 0]
    assert s["news.bullish_2d"].tolist() == [1, 2, 1, 0]
    assert s["news.net_2d"].tolist() == [1, 1, -1, -1]
    assert s["news.bearish_10d"].tolist() == [0, 1, 2, 2]
    with pytest.raises(BadRequest, match="direction"):
        news_series(ts, [(date(2024, 1, 5), "up")])


def test_user_rule_rsi_below_30_with_bullish_news_within_2_days(reliance: Bars) -> None:
    rule = parse_rule(USER_RULE)
    rsi = talib.RSI(reliance.close, 14)
    oversold = np.flatnonzero(rsi < 30)
    assert len(oversold) > 20
    # bullish articles on two oversold days, one on a day RSI is not oversold, one bearish
    day_a, day_b = int(oversold[5]), int(oversold[-3])
    calm = int(np.flatnonzero(rsi > 50)[100])
    events = [(reliance.ts[day_a].item(), "bullish"), (reliance.ts[day_b].item(), "bullish"),
              (reliance.ts[calm].item(), "bullish"), (reliance.ts[day_b].item(), "bearish")]
    news = news_series(reliance.ts, events)
    alerts = evaluate_rules(reliance, [rule], news_series=news)
    expected = _cooldown((rsi < 30) & (news["news.bullish_2d"] >= 1), rule.cooldown_bars)
    assert [a.bar_index for a in alerts] == expected
    assert day_a in expected and day_b in expected
    first = alerts[0]
    assert first.kind == "combined" and first.direction == "bullish"
    assert first.values["news_bullish_2d"] == 1.0
    assert first.explanation == (f"RELIANCE: RSI(14) {rsi[day_a]:.0f} < 30 with 1 bullish "
                                 "articles in 2 days")
    # without news the rule never fires
    assert evaluate_rules(reliance, [rule]) == []


def test_news_agreement_is_a_confirmation_of_technical_alerts(reliance: Bars) -> None:
    rule = builtin_rule("golden_cross")
    plain = evaluate_rules(reliance, [rule])
    t = plain[0].bar_index
    bull = news_series(reliance.ts, [(reliance.ts[t].item(), "bullish")])
    bear = news_series(reliance.ts, [(reliance.ts[t].item(), "bearish")])
    with_bull = evaluate_rules(reliance, [rule], news_series=bull)[0]
    with_bear = evaluate_rules(reliance, [rule], news_series=bear)[0]
    assert with_bull.confirmations["news"] is True
    assert with_bear.confirmations["news"] is False
    assert with_bear.confidence < plain[0].confidence <= with_bull.confidence


def test_bars_may_be_a_mapping_and_errors_name_the_input(reliance: Bars) -> None:
    cols = {f: getattr(reliance, f) for f in ("ts", "open", "high", "low", "close", "volume")}
    assert evaluate_rules(cols, [builtin_rule("gap_up")], symbol="RELIANCE") == \
        evaluate_rules(reliance, [builtin_rule("gap_up")])
    with pytest.raises(BadRequest, match="symbol"):
        evaluate_rules(cols, [builtin_rule("gap_up")])
    with pytest.raises(BadRequest, match="missing column"):
        evaluate_rules({"ts": cols["ts"]}, symbol="X")
    with pytest.raises(BadRequest, match=r"news_series\.news\.bullish_2d"):
        evaluate_rules(reliance, news_series={"news.bullish_2d": np.zeros(3)})
    with pytest.raises(BadRequest, match=r"news_series\.news\.good"):
        evaluate_rules(reliance, news_series={"news.good": np.zeros(len(reliance))})
