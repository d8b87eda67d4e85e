"""News features per symbol and trading day, using only what was published before the close.

Point in time
-------------
NSE closes at 15:30 IST (``chitti.marketdata.sessions.NSE_CLOSE``; IST has no daylight
saving). An article counts on the first trading day in ``dates`` whose close comes strictly
after its publication: one published at 15:29:59 IST on day d counts on d, one published at
15:30:00 (or later, or on a weekend or holiday) on the next trading day. That is the rule of
``chitti.signals.patterns.news_series``: an article's *session day* is its IST calendar day,
or the next calendar day when it was published at or after the close, and it counts on the
first trading day on or after its session day. (``news_series`` compares ``> 15:30`` today,
so an article stamped exactly 15:30:00.000 counts on that day there; at the close the price
is already fixed, so here it counts on the next day.) Articles whose session day falls before
``dates[0]`` or after ``dates[-1]`` are left out: the trading day they belong to is not in
``dates``. So a feature on day d reads only articles published before d's close.

Conventions
-----------
* Windows count trading days (rows of ``dates``), the day itself included: ``_5d`` on day d
  reads the articles counted on d and on the four trading days before it. A window that
  reaches before ``dates[0]`` reads the days it has (the first rows are warm-up; the catalogue
  states each feature's ``lookback_days``, the trading days before d that it reads).
* ``score`` is a sentiment in [-1, 1] (``chitti.news.direction``: P(bullish) - P(bearish));
  ``direction`` is +1 bullish, -1 bearish, 0 neutral.
* Counts are 0 when there is no article. Means, shares and balances are NaN when their
  denominator is empty: "no news" is not "neutral news".
* ``story`` groups copies of one story carried by several publishers: an article is *novel*
  when its story was not counted for the same symbol on any of the previous 20 trading days.
  Copies published on the same trading day are all novel (or all not): novelty measures
  staleness, not breadth of coverage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import numpy as np
from numba import njit

from chitti.errors import BadRequest
from chitti.marketdata.sessions import NSE_CLOSE, ist_days

__all__ = ["NEWS_FEATURES", "NewsItems", "news_features"]

#: How many previous trading days a story stays "seen" for the novelty features.
NOVELTY_MEMORY_DAYS = 20
#: ``news_days_since_last`` stops counting here (about one trading year).
DAYS_SINCE_CAP = 250
#: Trading days of the baseline of ``news_abnormal_count_5d``, before its 5-day window.
ABNORMAL_BASELINE_DAYS = 60

_COUNT_WINDOWS = (1, 5, 20)
_DECAY_HALF_LIVES = (1, 5, 20)
_BALANCE_WINDOWS = (5, 20)
_NOVELTY_WINDOWS = (1, 5)
_DIRECTIONS = {"bullish": 1, "bearish": -1, "neutral": 0}


def _decay_lookback(half_life_days: int) -> int:
    # Trading days after which an article's weight falls below 1 %.
    return math.ceil(half_life_days * math.log2(100.0))


#: (name, description with the formula, lookback_days), in a stable order.
NEWS_FEATURES: tuple[tuple[str, str, int], ...] = (
    *((f"news_count_{w}d",
       f"Articles counted over the last {w} trading day(s): sum of daily counts, day d "
       "included; 0 when there are none.", w - 1) for w in _COUNT_WINDOWS),
    *((f"news_sentiment_mean_{w}d",
       f"Mean sentiment score (-1..1) of the articles of the last {w} trading day(s): "
       "sum(score) / count; NaN when there are none.", w - 1) for w in _COUNT_WINDOWS),
    *((f"news_sentiment_decay_hl{h}",
       f"Exponentially decayed mean sentiment: sum(w*score) / sum(w) over every article up "
       f"to d, w = 0.5**(age / {h}), age in trading days (0 on d); NaN before the first "
       "article.", _decay_lookback(h)) for h in _DECAY_HALF_LIVES),
    ("news_bullish_count_5d",
     "Bullish articles (direction +1) over the last 5 trading days.", 4),
    ("news_bearish_count_5d",
     "Bearish articles (direction -1) over the last 5 trading days.", 4),
    *((f"news_balance_{w}d",
       f"Direction balance over the last {w} trading days: (bullish - bearish) / "
       "(bullish + bearish), in -1..1; NaN when no article is bullish or bearish.", w - 1)
      for w in _BALANCE_WINDOWS),
    *((f"news_novelty_{w}d",
       f"Share (0..1) of the articles of the last {w} trading day(s) whose story was not "
       f"counted for the symbol on the {NOVELTY_MEMORY_DAYS} trading days before the "
       "article's own day; NaN when there are none.", w - 1 + NOVELTY_MEMORY_DAYS)
      for w in _NOVELTY_WINDOWS),
    ("news_days_since_last",
     "Trading days since the last day with an article (0 when d has one), capped at "
     f"{DAYS_SINCE_CAP}; NaN before the first article.", DAYS_SINCE_CAP),
    ("news_abnormal_count_5d",
     "Abnormal news volume: ln((1 + n5) / (1 + b)), n5 = articles over the last 5 trading "
     f"days, b = the 5-day rate over the {ABNORMAL_BASELINE_DAYS} trading days before them "
     "(articles * 5 / days, fewer days at the start); 0 = usual volume, > 0 = a burst; NaN "
     "on the first 5 days (no baseline).", 4 + ABNORMAL_BASELINE_DAYS),
)


# --- the input -------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class NewsItems:
    """Articles tagged with one symbol each: one row per (article, symbol).

    Parameters
    ----------
    published_at : datetime64[s]
        Publication instants in UTC (finer units are floored to the second, which keeps
        every comparison with the 15:30:00 IST close exact).
    symbol : object array of str
        The symbol the row is about; an article about two companies is two rows.
    score : float64
        Sentiment in [-1, 1].
    direction : int8
        +1 bullish, -1 bearish, 0 neutral.
    story : int64
        Story id: rows with equal ids are the same story from several publishers.

    The arrays are validated, copied and made read-only; bad values raise `BadRequest`
    naming the field and the first bad row.
    """

    published_at: np.ndarray
    symbol: np.ndarray
    score: np.ndarray
    direction: np.ndarray
    story: np.ndarray

    def __post_init__(self) -> None:
        fields = {
            "published_at": _checked_instants(self.published_at),
            "symbol": _checked_symbols(self.symbol),
            "score": _checked_scores(self.score),
            "direction": _checked_directions(self.direction),
            "story": _checked_stories(self.story),
        }
        lengths = {name: len(values) for name, values in fields.items()}
        if len(set(lengths.values())) > 1:
            raise BadRequest(f"news items: every field needs one value per row, got lengths "
                             f"{lengths}")
        for name, values in fields.items():
            values.setflags(write=False)
            object.__setattr__(self, name, values)

    def __len__(self) -> int:
        return len(self.score)

    @classmethod
    def from_records(cls, rows: Iterable[Mapping[str, Any]]) -> NewsItems:
        """Build the items from mappings, e.g. database rows or JSON objects.

        Keys: ``published_at`` (an aware ``datetime`` or an ISO 8601 string with an offset;
        naive times are refused, since a missing zone shifts articles across the close),
        ``symbol``, ``score`` (-1..1), ``direction`` ("bullish", "bearish", "neutral" or
        +1, -1, 0) and optionally ``story`` (an int; a row without one is a story of its own).
        Other keys are ignored.
        """
        published: list[np.datetime64] = []
        symbols: list[Any] = []
        scores: list[float] = []
        directions: list[int] = []
        stories: list[int | None] = []
        for row_number, row in enumerate(rows):
            published.append(_record_instant(row_number, _required(row_number, row,
                                                                   "published_at")))
            symbols.append(_required(row_number, row, "symbol"))
            scores.append(_record_score(row_number, _required(row_number, row, "score")))
            directions.append(_record_direction(row_number,
                                                _required(row_number, row, "direction")))
            stories.append(_record_story(row_number, row.get("story")))
        return cls(
            published_at=np.array(published, dtype="datetime64[s]"),
            symbol=np.array(symbols, dtype=object),
            score=np.array(scores, dtype=np.float64),
            direction=np.array(directions, dtype=np.int8),
            story=_fill_stories(stories),
        )


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _checked_instants(values: object) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind != "M":
        raise BadRequest(f"news published_at: expected a 1-D datetime64 array of UTC instants, "
                         f"got dtype {arr.dtype} with shape {arr.shape}")
    out = arr.astype("datetime64[s]")  # floors: 15:29:59.9 stays before the close
    if np.isnat(out).any():
        raise BadRequest(f"news published_at: row {_first_bad(np.isnat(out))} is NaT; "
                         "drop articles without a publication time")
    return out.copy()


def _checked_symbols(values: object) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "OU":
        raise BadRequest(f"news symbol: expected a 1-D array of str, got dtype {arr.dtype} "
                         f"with shape {arr.shape}")
    out = arr.astype(object)
    for row, symbol in enumerate(out):
        if not isinstance(symbol, str) or not symbol:
            raise BadRequest(f"news symbol: row {row} is {symbol!r}; every row needs a "
                             "non-empty symbol string such as 'RELIANCE'")
    return out


def _checked_scores(values: object) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iuf":
        raise BadRequest(f"news score: expected a 1-D array of numbers in [-1, 1], got dtype "
                         f"{arr.dtype} with shape {arr.shape}")
    out = arr.astype(np.float64)
    bad = ~(np.abs(out) <= 1.0)  # NaN and +-inf are bad too
    if bad.any():
        row = _first_bad(bad)
        raise BadRequest(f"news score: row {row} is {float(out[row])!r}; sentiment scores "
                         "must be finite and in [-1, 1] (rescale the model's output)")
    return out


def _checked_directions(values: object) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise BadRequest(f"news direction: expected a 1-D integer array of +1 (bullish), "
                         f"-1 (bearish) or 0 (neutral), got dtype {arr.dtype} with shape "
                         f"{arr.shape}")
    bad = (arr < -1) | (arr > 1)
    if bad.any():
        row = _first_bad(bad)
        raise BadRequest(f"news direction: row {row} is {int(arr[row])}; use +1 (bullish), "
                         "-1 (bearish) or 0 (neutral)")
    return arr.astype(np.int8)


def _checked_stories(values: object) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise BadRequest(f"news story: expected a 1-D integer array of story ids, got dtype "
                         f"{arr.dtype} with shape {arr.shape}")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        raise BadRequest("news story: ids must fit in int64")
    return arr.astype(np.int64)


def _required(row_number: int, row: Mapping[str, Any], key: str) -> Any:
    if key not in row:
        raise BadRequest(f"news rows[{row_number}]: missing {key!r}; every row needs "
                         "published_at, symbol, score and direction")
    return row[key]


def _record_instant(row_number: int, value: Any) -> np.datetime64:
    where = f"news rows[{row_number}].published_at"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise BadRequest(f"{where}: {value!r} is not an ISO 8601 time; use e.g. "
                             "'2024-03-01T15:29:59+05:30'") from None
    if not isinstance(value, datetime):
        raise BadRequest(f"{where}: expected an aware datetime or an ISO 8601 string, got "
                         f"{value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadRequest(f"{where}: {value.isoformat()} has no time zone; add one (e.g. "
                         "+05:30 for IST, Z for UTC): a guessed zone can move an article "
                         "across the 15:30 IST close")
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "s")


def _record_score(row_number: int, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise BadRequest(f"news rows[{row_number}].score: expected a number in [-1, 1], got "
                         f"{value!r}")
    score = float(value)
    if not abs(score) <= 1.0:
        raise BadRequest(f"news rows[{row_number}].score: {value!r} is outside [-1, 1]; "
                         "sentiment scores must be finite and in [-1, 1]")
    return score


def _record_direction(row_number: int, value: Any) -> int:
    if isinstance(value, str) and value.lower() in _DIRECTIONS:
        return _DIRECTIONS[value.lower()]
    if (isinstance(value, int | np.integer) and not isinstance(value, bool)
            and int(value) in (-1, 0, 1)):
        return int(value)
    raise BadRequest(f"news rows[{row_number}].direction: {value!r} is not a direction; use "
                     "'bullish', 'bearish', 'neutral' (or +1, -1, 0)")


def _record_story(row_number: int, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise BadRequest(f"news rows[{row_number}].story: expected an integer story id (or "
                         f"none), got {value!r}")
    return int(value)


def _fill_stories(stories: list[int | None]) -> np.ndarray:
    # A row without a story id is a story of its own: ids above every given one.
    given = [s for s in stories if s is not None]
    next_id = max(given) + 1 if given else 0
    out = np.empty(len(stories), dtype=np.int64)
    for row, story in enumerate(stories):
        if story is None:
            out[row] = next_id
            next_id += 1
        else:
            out[row] = story
    return out


# --- the features ----------------------------------------------------------------------------

def news_features(dates: np.ndarray, symbols: Sequence[str],
                  items: NewsItems) -> dict[str, np.ndarray]:
    """Return every feature of `NEWS_FEATURES` for each trading day and symbol.

    Parameters
    ----------
    dates : datetime64[D]
        The trading days, strictly increasing. A day missing from ``dates`` (weekend,
        holiday) is not a session: its articles count on the next day in ``dates``.
    symbols : sequence of str
        The universe, unique; rows of ``items`` about other symbols are ignored.
    items : NewsItems
        The articles (any order).

    Returns
    -------
    dict
        Feature name -> float64 array of shape ``(len(dates), len(symbols))``, in the order
        of `NEWS_FEATURES`. A feature on day d reads only articles published before d's close
        (15:30 IST); see the module docstring for the exact rule and conventions.
    """
    days = _checked_dates(dates)
    universe = _checked_universe(symbols)
    if not isinstance(items, NewsItems):
        raise BadRequest(f"news items: expected NewsItems, got {type(items).__name__}; build "
                         "them with NewsItems.from_records(rows)")
    daily = _daily_totals(days, universe, items)
    out: dict[str, np.ndarray] = {}
    out.update(_count_features(daily))
    out.update(_decay_features(daily))
    out.update(_direction_features(daily))
    out.update(_novelty_features(daily))
    out["news_days_since_last"] = _days_since_last(daily["count"])
    out["news_abnormal_count_5d"] = _abnormal_count(daily["count"])
    return {name: out[name] for name, _, _ in NEWS_FEATURES}


def _checked_dates(dates: object) -> np.ndarray:
    arr = np.asarray(dates)
    if arr.ndim != 1 or arr.dtype != np.dtype("datetime64[D]"):
        raise BadRequest(f"dates: expected a 1-D datetime64[D] array of trading days, got "
                         f"dtype {arr.dtype} with shape {arr.shape}")
    if np.isnat(arr).any():
        raise BadRequest(f"dates: row {_first_bad(np.isnat(arr))} is NaT; pass trading days "
                         "only")
    if arr.size > 1 and not (arr[1:] > arr[:-1]).all():
        row = _first_bad(~(arr[1:] > arr[:-1])) + 1
        raise BadRequest(f"dates: {arr[row]} at row {row} does not come after {arr[row - 1]}; "
                         "pass trading days sorted, without repeats")
    return arr


def _checked_universe(symbols: Sequence[str]) -> dict[str, int]:
    if isinstance(symbols, str):
        raise BadRequest(f"symbols: expected a sequence of symbols, got the string "
                         f"{symbols!r}; wrap it in a list")
    index: dict[str, int] = {}
    for position, symbol in enumerate(symbols):
        if not isinstance(symbol, str) or not symbol:
            raise BadRequest(f"symbols[{position}]: {symbol!r} is not a symbol; pass "
                             "non-empty strings such as 'RELIANCE'")
        if symbol in index:
            raise BadRequest(f"symbols: {symbol!r} is listed twice (positions "
                             f"{index[symbol]} and {position}); list each symbol once")
        index[symbol] = position
    return index


def _day_of_article(days: np.ndarray, published_at: np.ndarray) -> np.ndarray:
    # Row of `days` each article counts on, -1 when that day is outside `days`. The session
    # day is the IST calendar day of (published + 24h - 15:30): at 15:30:00 IST it rolls over.
    close_s = NSE_CLOSE.hour * 3600 + NSE_CLOSE.minute * 60
    session = ist_days(published_at + np.timedelta64(86_400 - close_s, "s"))
    if days.size == 0:
        return np.full(session.shape, -1, dtype=np.int64)
    row = np.searchsorted(days, session, side="left").astype(np.int64)
    row[(session < days[0]) | (row >= days.size)] = -1
    return row


def _novel_flags(day: np.ndarray, symbol: np.ndarray, story: np.ndarray, n_days: int,
                 n_symbols: int) -> np.ndarray:
    # An article is novel when no article of its (symbol, story) counted on any of the
    # NOVELTY_MEMORY_DAYS trading days before its own day. Sorted by (story, symbol, day),
    # the previous distinct day of a group is the day of the element just before the first
    # element of the current (story, symbol, day) run. One int64 key sorts fastest.
    story_rank = np.unique(story, return_inverse=True)[1].reshape(-1).astype(np.int64)
    if (story.size + 1) * max(n_symbols, 1) * max(n_days, 1) < 2**62:
        key = (story_rank * n_symbols + symbol) * n_days + day
        order = np.argsort(key)
        group, d = np.divmod(key[order], n_days)
    else:  # pragma: no cover - beyond any realistic panel
        order = np.lexsort((day, symbol, story_rank))
        group, d = story_rank[order] * n_symbols + symbol[order], day[order]
    n = d.size
    same_group = np.zeros(n, dtype=bool)
    same_group[1:] = group[1:] == group[:-1]
    run_start = np.ones(n, dtype=bool)
    run_start[1:] = ~same_group[1:] | (d[1:] != d[:-1])
    prev_day = np.full(n, np.iinfo(np.int64).min // 2, dtype=np.int64)
    starts = np.flatnonzero(run_start & same_group)
    prev_day[starts] = d[starts - 1]
    run_of = np.maximum.accumulate(np.where(run_start, np.arange(n), 0))
    novel = np.empty(n, dtype=bool)
    novel[order] = d - prev_day[run_of] > NOVELTY_MEMORY_DAYS
    return novel


def _daily_totals(days: np.ndarray, universe: dict[str, int],
                  items: NewsItems) -> dict[str, np.ndarray]:
    # Per (trading day, symbol): article count, score sum, bullish, bearish and novel counts.
    n_days, n_symbols = days.size, len(universe)
    symbol = np.fromiter(map(universe.get, items.symbol, repeat(-1)), dtype=np.int64,
                         count=len(items))
    day = _day_of_article(days, items.published_at)
    keep = (symbol >= 0) & (day >= 0)
    symbol, day = symbol[keep], day[keep]
    flat = day * n_symbols + symbol
    size = n_days * n_symbols
    direction = items.direction[keep]

    def total(weights: np.ndarray | None = None) -> np.ndarray:
        counts = np.bincount(flat, weights=weights, minlength=size).astype(np.float64)
        return counts.reshape(n_days, n_symbols)

    novel = _novel_flags(day, symbol, items.story[keep], n_days, n_symbols)
    return {
        "count": total(),
        "score": total(items.score[keep]),
        "bullish": total((direction == 1).astype(np.float64)),
        "bearish": total((direction == -1).astype(np.float64)),
        "novel": total(novel.astype(np.float64)),
    }


@njit(cache=True)
def _trailing_sum(x: np.ndarray, window: int) -> np.ndarray:  # pragma: no cover - numba
    # Sum of rows i-window+1..i (fewer at the start), summed directly (no running sum drift).
    n, m = x.shape
    out = np.empty((n, m))
    for i in range(n):
        lo = max(0, i - window + 1)
        for j in range(m):
            total = 0.0
            for k in range(lo, i + 1):
                total += x[k, j]
            out[i, j] = total
    return out


@njit(cache=True)
def _decayed_mean(score_sum: np.ndarray, count: np.ndarray,
                  decay: float) -> np.ndarray:  # pragma: no cover - numba
    # num/den with num_i = decay*num_{i-1} + score_i, den likewise with counts. Once den
    # nears underflow (a long silence at a short half-life) the old weight is held at 1e-200:
    # relative to any new article (weight >= 1) it is below double precision anyway, and
    # the value stays the last decayed mean instead of turning into 0/0.
    n, m = score_sum.shape
    out = np.full((n, m), np.nan)
    for j in range(m):
        num = 0.0
        den = 0.0
        for i in range(n):
            num = decay * num + score_sum[i, j]
            den = decay * den + count[i, j]
            if den > 0.0:
                out[i, j] = num / den
                if den < 1e-200:
                    num = num / den * 1e-200
                    den = 1e-200
    return out


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _count_features(daily: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for window in _COUNT_WINDOWS:
        count = _trailing_sum(daily["count"], window)
        out[f"news_count_{window}d"] = count
        out[f"news_sentiment_mean_{window}d"] = _ratio(
            _trailing_sum(daily["score"], window), count)
    return out


def _decay_features(daily: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"news_sentiment_decay_hl{h}": _decayed_mean(daily["score"], daily["count"],
                                                         0.5 ** (1.0 / h))
            for h in _DECAY_HALF_LIVES}


def _direction_features(daily: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for window in _BALANCE_WINDOWS:
        bullish = _trailing_sum(daily["bullish"], window)
        bearish = _trailing_sum(daily["bearish"], window)
        if window == 5:
            out["news_bullish_count_5d"] = bullish
            out["news_bearish_count_5d"] = bearish
        out[f"news_balance_{window}d"] = _ratio(bullish - bearish, bullish + bearish)
    return out


def _novelty_features(daily: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"news_novelty_{w}d": _ratio(_trailing_sum(daily["novel"], w),
                                         _trailing_sum(daily["count"], w))
            for w in _NOVELTY_WINDOWS}


def _days_since_last(count: np.ndarray) -> np.ndarray:
    rows = np.arange(count.shape[0])[:, None]
    last = np.maximum.accumulate(np.where(count > 0, rows, -1), axis=0)
    out = np.minimum(rows - last, DAYS_SINCE_CAP).astype(np.float64)
    out[last < 0] = np.nan
    return out


def _abnormal_count(count: np.ndarray) -> np.ndarray:
    # Baseline: days max(0, i-64)..i-5, as a 5-day rate; the counts are whole numbers, so the
    # cumulative sums are exact.
    n = count.shape[0]
    cum = np.zeros((n + 1, count.shape[1]))
    np.cumsum(count, axis=0, out=cum[1:])
    rows = np.arange(n)
    recent = cum[rows + 1] - cum[np.maximum(rows - 4, 0)]
    hi = np.maximum(rows - 4, 0)
    lo = np.maximum(rows - 4 - ABNORMAL_BASELINE_DAYS, 0)
    span = (hi - lo).astype(np.float64)[:, None]
    baseline = _ratio((cum[hi] - cum[lo]) * 5.0, np.broadcast_to(span, count.shape).copy())
    out = np.log((1.0 + recent) / (1.0 + baseline))
    return out
