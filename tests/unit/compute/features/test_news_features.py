"""News features against a per-article reference written from the definitions, point in time.

The reference places each article with Python datetimes ("the first trading day whose 15:30
IST close comes after it") and recomputes every feature by iterating over the articles, so
it shares no code (no searchsorted, bincount, cumulative sums or numba) with the module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import pytest

from chitti.compute.features.news import NEWS_FEATURES, NewsItems, news_features
from chitti.errors import BadRequest
from chitti.marketdata.sessions import IST

SYMBOLS = ("INFY", "TCS", "SBIN")
NAMES = [name for name, _, _ in NEWS_FEATURES]


# --- random inputs -----------------------------------------------------------------------------

def _trading_days(rng: np.random.Generator, start: str, n: int) -> np.ndarray:
    # Weekdays with a few random holidays removed.
    weekdays = np.busday_offset(np.datetime64(start), np.arange(n + n // 10 + 5), roll="forward")
    holidays = rng.choice(np.arange(1, weekdays.size - 1), size=n // 12, replace=False)
    days = np.delete(weekdays, holidays)[:n]
    return days.astype("datetime64[D]")


def _random_instants(rng: np.random.Generator, days: np.ndarray, n: int) -> list[datetime]:
    # Calendar days from a week before the first trading day to a few days after the last;
    # times of day uniform, or at the close / midnight boundaries (IST).
    first, last = days[0].item() - timedelta(days=7), days[-1].item() + timedelta(days=4)
    span = (last - first).days
    boundaries = [time(15, 29, 59), time(15, 30, 0), time(15, 30, 1), time(0, 0, 0),
                  time(23, 59, 59), time(9, 15, 0)]
    out = []
    for _ in range(n):
        day = first + timedelta(days=int(rng.integers(0, span + 1)))
        if rng.random() < 0.35:
            clock = boundaries[int(rng.integers(0, len(boundaries)))]
        else:
            clock = (datetime.min + timedelta(seconds=int(rng.integers(0, 86_400)))).time()
        out.append(datetime.combine(day, clock, IST))
    return out


def _random_rows(rng: np.random.Generator, days: np.ndarray, n: int) -> list[dict[str, Any]]:
    symbols = (*SYMBOLS, "OTHER")  # OTHER is not in the universe: ignored
    rows = []
    for when in _random_instants(rng, days, n):
        rows.append({
            "published_at": when,
            "symbol": symbols[int(rng.integers(0, len(symbols)))],
            "score": float(np.round(rng.uniform(-1, 1), 3)) if rng.random() > 0.05 else 1.0,
            "direction": ("bullish", "bearish", "neutral")[int(rng.integers(0, 3))],
            "story": int(rng.integers(0, 40)),  # few stories: many repeats, near and far
        })
    return rows


# --- the reference -----------------------------------------------------------------------------

def _close(day: date) -> datetime:
    return datetime.combine(day, time(15, 30), IST)


def _reference_day(days: Sequence[date], when: datetime) -> int | None:
    # The first trading day whose close is after the article; None before the session of
    # days[0] (published before the close of the calendar day before it) or after the last.
    if when < _close(days[0] - timedelta(days=1)):
        return None
    for i, day in enumerate(days):
        if _close(day) > when:
            return i
    return None


def _reference(days_np: np.ndarray, symbols: Sequence[str],
               rows: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    days = [d.item() for d in days_np]
    n = len(days)
    direction_of = {"bullish": 1, "bearish": -1, "neutral": 0}
    articles: dict[str, list[dict[str, Any]]] = {s: [] for s in symbols}
    for row in rows:
        i = _reference_day(days, row["published_at"])
        if i is not None and row["symbol"] in articles:
            articles[row["symbol"]].append({"day": i, "score": row["score"],
                                            "dir": direction_of[row["direction"]],
                                            "story": row["story"]})
    for arts in articles.values():
        for a in arts:
            a["novel"] = not any(b["story"] == a["story"] and a["day"] - 20 <= b["day"] < a["day"]
                                 for b in arts)
    out = {name: np.full((n, len(symbols)), np.nan) for name in NAMES}
    for j, symbol in enumerate(symbols):
        arts = articles[symbol]
        for i in range(n):
            for name, value in _reference_row(arts, i).items():
                out[name][i, j] = value
    return out


def _reference_row(arts: list[dict[str, Any]], i: int) -> dict[str, float]:
    def window(w: int, day: int = i) -> list[dict[str, Any]]:
        return [a for a in arts if day - w < a["day"] <= day]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else math.nan

    row: dict[str, float] = {}
    for w in (1, 5, 20):
        row[f"news_count_{w}d"] = len(window(w))
        row[f"news_sentiment_mean_{w}d"] = mean([a["score"] for a in window(w)])
    past = [a for a in arts if a["day"] <= i]
    for hl in (1, 5, 20):
        if past:  # weights 0.5**(age/hl), rescaled by the newest article's weight
            newest = max(a["day"] for a in past)
            weights = [0.5 ** ((newest - a["day"]) / hl) for a in past]
            total = sum(w * a["score"] for w, a in zip(weights, past, strict=True))
            row[f"news_sentiment_decay_hl{hl}"] = total / sum(weights)
        else:
            row[f"news_sentiment_decay_hl{hl}"] = math.nan
    for w in (5, 20):
        bull = sum(a["dir"] == 1 for a in window(w))
        bear = sum(a["dir"] == -1 for a in window(w))
        if w == 5:
            row["news_bullish_count_5d"], row["news_bearish_count_5d"] = bull, bear
        row[f"news_balance_{w}d"] = (bull - bear) / (bull + bear) if bull + bear else math.nan
    for w in (1, 5):
        row[f"news_novelty_{w}d"] = mean([float(a["novel"]) for a in window(w)])
    row["news_days_since_last"] = min(i - max(a["day"] for a in past), 250) if past else math.nan
    if i < 5:
        row["news_abnormal_count_5d"] = math.nan
    else:
        base_days = range(max(0, i - 64), i - 4)
        base = sum(a["day"] in base_days for a in arts) * 5 / len(base_days)
        row["news_abnormal_count_5d"] = math.log((1 + len(window(5))) / (1 + base))
    return row


def _features(days: np.ndarray, rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    return news_features(days, list(SYMBOLS), NewsItems.from_records(rows))


# --- against the reference ---------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_feature_equals_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    days = _trading_days(rng, "2021-01-04", 110)
    rows = _random_rows(rng, days, 500)
    got = _features(days, rows)
    want = _reference(days, SYMBOLS, rows)
    assert list(got) == NAMES
    for name in NAMES:
        assert got[name].shape == (days.size, len(SYMBOLS))
        assert got[name].dtype == np.float64
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=1e-12,
                                   err_msg=name)
    # The random set exercises every branch: empty and non-empty windows, novel and repeated
    # stories, capped and uncapped gaps are not all trivially NaN.
    assert np.isfinite(got["news_novelty_5d"]).any() and np.isnan(got["news_novelty_1d"]).any()
    assert 0 < np.nanmean(got["news_novelty_5d"]) < 1


def test_order_of_items_does_not_matter() -> None:
    rng = np.random.default_rng(7)
    days = _trading_days(rng, "2022-06-01", 60)
    rows = _random_rows(rng, days, 300)
    shuffled = [rows[k] for k in rng.permutation(len(rows))]
    a, b = _features(days, rows), _features(days, shuffled)
    for name in NAMES:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-12, err_msg=name)


def test_decayed_sentiment_survives_a_long_silence() -> None:
    # 0.5**1500 underflows: a naive num/den turns into 0/0 after ~1,075 quiet days at hl=1.
    days = np.busday_offset(np.datetime64("2010-01-04"), np.arange(1600)).astype("datetime64[D]")
    first = datetime.combine(days[0].item(), time(10), IST)
    later = datetime.combine(days[1550].item(), time(10), IST)
    rows = [{"published_at": first, "symbol": "INFY", "score": 0.4, "direction": "bullish",
             "story": 1},
            {"published_at": later, "symbol": "INFY", "score": -0.7, "direction": "bearish",
             "story": 2}]
    got = _features(days, rows)
    want = _reference(days, SYMBOLS, rows)
    for name in ("news_sentiment_decay_hl1", "news_sentiment_decay_hl5", "news_days_since_last"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=1e-12, err_msg=name)
    assert got["news_sentiment_decay_hl1"][1549, 0] == pytest.approx(0.4, abs=1e-15)


# --- point in time -----------------------------------------------------------------------------

def _future_mutation(rng: np.random.Generator, rows: list[dict[str, Any]], cutoff: datetime,
                     days: np.ndarray) -> list[dict[str, Any]]:
    # Remove, change and add articles published at or after `cutoff` only.
    past = [r for r in rows if r["published_at"] < cutoff]
    future = [dict(r) for r in rows if r["published_at"] >= cutoff and rng.random() < 0.6]
    for r in future:
        if rng.random() < 0.5:
            r["score"] = float(rng.uniform(-1, 1))
            r["direction"] = ("bullish", "bearish", "neutral")[int(rng.integers(0, 3))]
            r["story"] = int(rng.integers(0, 40))
    extra = _random_rows(rng, days, 150)
    extra = [r for r in extra if r["published_at"] >= cutoff]
    extra.append({"published_at": cutoff, "symbol": SYMBOLS[0], "score": -1.0,
                  "direction": "bearish", "story": past[0]["story"] if past else 0})
    return past + future + extra


def test_articles_after_a_close_never_change_features_up_to_that_day() -> None:
    rng = np.random.default_rng(11)
    days = _trading_days(rng, "2020-03-02", 90)
    rows = _random_rows(rng, days, 400)
    base = _features(days, rows)
    for _ in range(12):
        t = int(rng.integers(0, days.size - 1))
        cutoff = _close(days[t].item())
        mutated = _features(days, _future_mutation(rng, rows, cutoff, days))
        for name in NAMES:
            np.testing.assert_array_equal(mutated[name][: t + 1], base[name][: t + 1],
                                          err_msg=f"{name} changed at or before day {t}")
        assert any(not np.array_equal(mutated[n], base[n], equal_nan=True) for n in NAMES)


def test_an_article_counts_on_the_day_only_when_published_before_the_close() -> None:
    # Thu 2024-03-07, (Fri 03-08 Mahashivratri holiday), Mon 03-11, Tue 03-12.
    days = np.array(["2024-03-07", "2024-03-11", "2024-03-12"], dtype="datetime64[D]")

    def row(when: str) -> dict[str, Any]:
        return {"published_at": when, "symbol": "TCS", "score": 0.5, "direction": "bullish"}

    def counts(*whens: str) -> list[float]:
        return list(_features(days, [row(w) for w in whens])["news_count_1d"][:, 1])

    assert counts("2024-03-07T15:29:59+05:30") == [1, 0, 0]
    assert counts("2024-03-07T15:30:00+05:30") == [0, 1, 0]  # the close: next trading day
    assert counts("2024-03-07T09:59:59.999999Z") == [1, 0, 0]  # 15:29:59.999999 IST
    assert counts("2024-03-07T10:00:00Z") == [0, 1, 0]
    assert counts("2024-03-08T12:00:00+05:30") == [0, 1, 0]  # holiday
    assert counts("2024-03-10T23:00:00+05:30") == [0, 1, 0]  # Sunday
    assert counts("2024-03-11T15:29:59+05:30") == [0, 1, 0]
    assert counts("2024-03-12T15:29:59+05:30") == [0, 0, 1]
    assert counts("2024-03-12T15:30:00+05:30") == [0, 0, 0]  # after the last close: ignored
    assert counts("2024-03-06T15:29:59+05:30") == [0, 0, 0]  # before the first session
    assert counts("2024-03-06T15:30:00+05:30") == [1, 0, 0]


def test_day_assignment_matches_the_rule_language_news_series() -> None:
    # signals.patterns.news_series places articles by the same session rule (an article at
    # exactly 15:30:00 IST counts on the next session in both).
    from chitti.signals.patterns import news_series  # the rule language loads lazily

    rng = np.random.default_rng(5)
    days = _trading_days(rng, "2023-01-02", 80)
    rows = _random_rows(rng, days, 400)
    assert any(r["published_at"].astimezone(IST).time() == time(15, 30) for r in rows)
    got = _features(days, rows)
    for j, symbol in enumerate(SYMBOLS):
        events = [(r["published_at"], r["direction"]) for r in rows if r["symbol"] == symbol]
        theirs = news_series(days, events)
        np.testing.assert_array_equal(got["news_bullish_count_5d"][:, j],
                                      theirs["news.bullish_5d"], err_msg=symbol)
        np.testing.assert_array_equal(got["news_bearish_count_5d"][:, j],
                                      theirs["news.bearish_5d"], err_msg=symbol)


# --- the input ---------------------------------------------------------------------------------

def test_from_records_builds_read_only_utc_arrays_and_unique_default_stories() -> None:
    items = NewsItems.from_records([
        {"published_at": "2024-01-02T15:29:59.7+05:30", "symbol": "INFY", "score": 0.25,
         "direction": "Bullish", "story": 7, "title": "ignored"},
        {"published_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "symbol": "INFY",
         "score": -1, "direction": -1},
        {"published_at": "2024-01-03T00:00:00Z", "symbol": "TCS", "score": 0.0,
         "direction": 0},
    ])
    assert len(items) == 3
    assert items.published_at.dtype == np.dtype("datetime64[s]")
    assert list(items.published_at.astype(str)) == [
        "2024-01-02T09:59:59", "2024-01-02T03:04:05", "2024-01-03T00:00:00"]
    assert list(items.direction) == [1, -1, 0] and items.direction.dtype == np.int8
    assert items.story[0] == 7 and len({int(s) for s in items.story}) == 3
    for values in (items.published_at, items.symbol, items.score, items.direction, items.story):
        with pytest.raises(ValueError, match="read-only"):
            values[0] = values[1]


def test_empty_items_give_zero_counts_and_nan_means() -> None:
    days = np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")
    got = news_features(days, ["INFY"], NewsItems.from_records([]))
    assert (got["news_count_20d"] == 0).all() and np.isnan(got["news_sentiment_mean_5d"]).all()
    assert np.isnan(got["news_days_since_last"]).all()


_GOOD = {"published_at": "2024-01-02T10:00:00+05:30", "symbol": "INFY", "score": 0.1,
         "direction": "neutral"}


@pytest.mark.parametrize(("change", "message"), [
    ({"score": 1.5}, r"rows\[0\]\.score: 1\.5 is outside \[-1, 1\]"),
    ({"score": math.nan}, r"rows\[0\]\.score: nan is outside"),
    ({"score": True}, r"rows\[0\]\.score: expected a number"),
    ({"published_at": "2024-01-02T10:00:00"}, r"published_at: .* has no time zone"),
    ({"published_at": datetime(2024, 1, 2, 10)}, r"published_at: .* has no time zone"),
    ({"published_at": "yesterday"}, r"published_at: 'yesterday' is not an ISO 8601 time"),
    ({"published_at": 1_700_000_000}, r"published_at: expected an aware datetime"),
    ({"direction": "up"}, r"direction: 'up' is not a direction; use 'bullish'"),
    ({"direction": 2}, r"direction: 2 is not a direction"),
    ({"story": "abc"}, r"story: expected an integer story id"),
    ({"symbol": ""}, r"news symbol: row 0 is ''"),
])
def test_bad_records_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        NewsItems.from_records([{**_GOOD, **change}])


def test_missing_key_is_named() -> None:
    row = {k: v for k, v in _GOOD.items() if k != "score"}
    with pytest.raises(BadRequest, match=r"rows\[0\]: missing 'score'"):
        NewsItems.from_records([row])


def _arrays(**change: Any) -> dict[str, Any]:
    arrays: dict[str, Any] = {
        "published_at": np.array(["2024-01-02T04:30:00"] * 2, dtype="datetime64[s]"),
        "symbol": np.array(["INFY", "TCS"], dtype=object),
        "score": np.array([0.1, -0.2]),
        "direction": np.array([1, 0]),
        "story": np.array([1, 2]),
    }
    arrays.update(change)
    return arrays


@pytest.mark.parametrize(("change", "message"), [
    ({"score": np.array([0.1, -1.0001])}, r"news score: row 1 is -1\.0001"),
    ({"score": np.array([0.1, np.inf])}, r"news score: row 1 is inf"),
    ({"direction": np.array([1, -2])}, r"news direction: row 1 is -2"),
    ({"direction": np.array([1.0, 0.0])}, r"news direction: expected a 1-D integer array"),
    ({"published_at": np.array(["2024-01-02", "NaT"], dtype="datetime64[s]")},
     r"news published_at: row 1 is NaT"),
    ({"published_at": np.array(["2024-01-02", "2024-01-03"])},
     r"news published_at: expected a 1-D datetime64 array"),
    ({"symbol": np.array(["INFY", None], dtype=object)}, r"news symbol: row 1 is None"),
    ({"story": np.array([1.0, 2.0])}, r"news story: expected a 1-D integer array"),
    ({"story": np.array([1, 2, 3])}, r"one value per row, got lengths"),
])
def test_bad_arrays_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        NewsItems(**_arrays(**change))


@pytest.mark.parametrize(("dates", "symbols", "message"), [
    (np.array(["2024-01-02", "2024-01-01"], dtype="datetime64[D]"), ["INFY"],
     r"dates: 2024-01-01 at row 1 does not come after 2024-01-02"),
    (np.array(["2024-01-02", "2024-01-02"], dtype="datetime64[D]"), ["INFY"],
     r"dates: .* without repeats"),
    (np.array(["2024-01-02T00:00"], dtype="datetime64[m]"), ["INFY"],
     r"dates: expected a 1-D datetime64\[D\] array"),
    (np.array(["2024-01-02"], dtype="datetime64[D]"), ["INFY", "INFY"],
     r"symbols: 'INFY' is listed twice"),
    (np.array(["2024-01-02"], dtype="datetime64[D]"), "INFY", r"symbols: .* wrap it in a list"),
    (np.array(["2024-01-02"], dtype="datetime64[D]"), ["INFY", 3], r"symbols\[1\]: 3 is not"),
])
def test_bad_panel_arguments_name_the_field(dates: np.ndarray, symbols: Any,
                                            message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        news_features(dates, symbols, NewsItems(**_arrays()))


def test_items_must_be_news_items() -> None:
    days = np.array(["2024-01-02"], dtype="datetime64[D]")
    with pytest.raises(BadRequest, match=r"news items: expected NewsItems, got list"):
        news_features(days, ["INFY"], [_GOOD])  # type: ignore[arg-type]


def test_catalogue_rows_are_unique_described_and_have_lookbacks() -> None:
    assert len(NAMES) == len(set(NAMES)) >= 15
    for name, description, lookback in NEWS_FEATURES:
        assert name.startswith("news_") and description.endswith(".") and lookback >= 0
