"""Score news alerts (impact, confidence), key stories for repeat suppression, and combine
news with technical alerts on the same symbol.

Impact of a news alert (how much the story should move the stock), in [0, 1]::

    impact = event weight x (0.35 + 0.65 x |sentiment score|)
                          x (0.50 + 0.50 x best publisher weight)
                          x (0.55 + 0.45 x breadth)

``event weight`` is :data:`EVENT_WEIGHTS` of the headline's event type
(:func:`chitti.signals.events.classify_event`), ``best publisher weight`` the highest
:func:`publisher_weight` among the publishers carrying the story, and ``breadth =
1 - 0.5 ** reach`` with ``reach`` = distinct publishers + 0.25 x further copies
(syndicated repeats count a quarter), so each extra publisher adds less. Each factor only
grows with its input, so more publishers, stronger sentiment, a weightier event or a
better outlet never lower impact.

Confidence (how sure we are of the direction), in [0, 1]::

    confidence = 0.50 x model + 0.20 x models agree + 0.10 x corroboration + price term

``model`` is the direction model's confidence rescaled from chance (1/3 for three classes)
to certainty: ``(p - 1/3) / (2/3)``; ``models agree`` is the sentiment model's confidence
when its score has the alert's sign, 0 when neutral, minus it when opposed (so the two
models agreeing adds up to 0.2 and contradicting removes up to 0.2); ``corroboration`` is
``breadth``; the price term is +0.2 when the day's price change (``price_change_pct``) moves
at least :data:`PRICE_FLAT_PCT` in the alert's direction, -0.2 when it moves that much
against it, 0 when flat or unknown. The result is clipped to [0, 1].
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from chitti.errors import BadRequest
from chitti.news.dedup import title_tokens
from chitti.signals.events import classify_event
from chitti.signals.patterns import IST

__all__ = [
    "DEFAULT_PUBLISHER_WEIGHT",
    "EVENT_WEIGHTS",
    "PRICE_FLAT_PCT",
    "PUBLISHER_WEIGHTS",
    "AlertLike",
    "CombinedAlert",
    "NewsScore",
    "combine",
    "publisher_weight",
    "score_news_alert",
    "story_key",
]

Direction = Literal["bullish", "bearish"]

#: How much each event type moves a stock, before sentiment and reach.
EVENT_WEIGHTS: dict[str, float] = {
    "penalty": 0.90, "mna": 0.85, "results": 0.85, "guidance": 0.80, "order_win": 0.70,
    "management": 0.65, "rating_change": 0.60, "dividend_buyback": 0.55, "other": 0.40,
}

#: Publisher weights in [0, 1]: wires and the major business dailies and channels first.
#: Keys are normalised names (see :func:`publisher_weight`); aliases share a weight.
PUBLISHER_WEIGHTS: dict[str, float] = {
    # wires
    "reuters": 1.0, "bloomberg": 1.0, "press trust of india": 0.9, "pti": 0.9,
    "dow jones": 0.9, "ani": 0.65, "ians": 0.6,
    # business dailies, portals and channels
    "the economic times": 0.9, "economic times": 0.9, "et markets": 0.9, "et now": 0.85,
    "mint": 0.9, "livemint": 0.9, "business standard": 0.9, "moneycontrol": 0.85,
    "cnbc-tv18": 0.85, "cnbctv18": 0.85, "cnbc tv18": 0.85, "cnbc": 0.85,
    "the financial express": 0.85, "financial express": 0.85,
    "the hindu businessline": 0.85, "hindu businessline": 0.85, "businessline": 0.85,
    "ndtv profit": 0.8, "bq prime": 0.8, "bloombergquint": 0.8, "business today": 0.75,
    "zee business": 0.7, "cnbc awaaz": 0.7, "financial times": 0.95,
    "the wall street journal": 0.95, "wall street journal": 0.95,
    # general news
    "the times of india": 0.7, "times of india": 0.7, "the hindu": 0.75,
    "hindustan times": 0.7, "the indian express": 0.7, "indian express": 0.7, "ndtv": 0.7,
    "india today": 0.65, "news18": 0.6, "firstpost": 0.6, "deccan herald": 0.6,
    "the print": 0.6, "theprint": 0.6, "scroll": 0.55, "outlook business": 0.65,
    "forbes india": 0.7, "fortune india": 0.7, "the morning context": 0.75,
    "the ken": 0.75, "inc42": 0.6, "entrackr": 0.55, "vccircle": 0.65,
    # aggregators and retail-tips sites
    "marketsmojo": 0.35, "trade brains": 0.35, "goodreturns": 0.4, "equitymaster": 0.5,
    "investing.com": 0.55, "yahoo finance": 0.55, "tradingview": 0.4, "stocktwits": 0.3,
}
DEFAULT_PUBLISHER_WEIGHT = 0.5
#: A day's move smaller than this (percent) neither confirms nor contradicts news.
PRICE_FLAT_PCT = 0.5

_DOMAINS = {
    "economictimes": "the economic times", "livemint": "mint", "business-standard":
    "business standard", "moneycontrol": "moneycontrol", "cnbctv18": "cnbc-tv18",
    "financialexpress": "financial express", "thehindubusinessline": "businessline",
    "ndtvprofit": "ndtv profit", "timesofindia": "times of india", "zeebiz": "zee business",
    "reuters": "reuters", "bloomberg": "bloomberg", "businesstoday": "business today",
    "hindustantimes": "hindustan times", "indianexpress": "indian express",
    "thehindu": "the hindu", "ndtv": "ndtv",
}
_NON_WORD = re.compile(r"[^\w&.\- ]+")


def _normalise_publisher(name: str) -> str:
    raw = name.strip().lower()
    host = re.sub(r"^(?:https?://)?(?:www\.|m\.)?", "", raw).split("/")[0]
    if "." in host and " " not in host:  # a domain: economictimes.indiatimes.com
        for label in host.split("."):
            if label in _DOMAINS:
                return _DOMAINS[label]
    return " ".join(_NON_WORD.sub(" ", raw).split())


def publisher_weight(name: str | None) -> float:
    """Return the weight of publisher ``name`` (a name or a domain; case, "The" and
    punctuation ignored); :data:`DEFAULT_PUBLISHER_WEIGHT` when unknown."""
    if not name:
        return DEFAULT_PUBLISHER_WEIGHT
    key = _normalise_publisher(name)
    for candidate in (key, key.removeprefix("the "), "the " + key):
        if candidate in PUBLISHER_WEIGHTS:
            return float(PUBLISHER_WEIGHTS[candidate])
    return DEFAULT_PUBLISHER_WEIGHT


def story_key(symbol: str, title: str, publisher: str | None = None) -> str:
    """Return a stable key of one story about one symbol, for repeat suppression.

    Two headlines give the same key when their normalised word sets are equal (the news
    deduplicator's: case, stop-words, plural "s", "per cent"/"%" and a trailing
    " - Publisher" ignored), so a story re-reported in other words of the same set, or
    re-ingested, is not alerted twice for the symbol.
    """
    words = " ".join(sorted(title_tokens(title, publisher)))
    digest = hashlib.blake2b(words.encode(), digest_size=10).hexdigest()
    return f"{symbol.strip().upper()}:{digest}"


@dataclass(frozen=True, slots=True)
class NewsScore:
    """The score of one news alert (article x symbol)."""

    impact: float
    confidence: float
    event_type: str
    explanation: str
    publishers: int


def _breadth(publishers: set[str], duplicate_count: int) -> float:
    distinct = max(len(publishers), 1)
    extra = max(duplicate_count + 1 - distinct, 0)
    return 1.0 - float(0.5 ** (distinct + 0.25 * extra))


def _headline(title: str, publisher: str | None) -> str:
    text = " ".join(title.split())
    if publisher:
        suffix = f" - {publisher}"
        if text.lower().endswith(suffix.lower()):
            text = text[: -len(suffix)].rstrip()
    return text if len(text) <= 120 else text[:117].rstrip() + "..."


def _unit(name: str, value: float, lo: float = 0.0, hi: float = 1.0) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
        raise BadRequest(f"{name}: must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def score_news_alert(
    *,
    symbol: str,
    title: str,
    publisher: str | None,
    publishers: Sequence[str] = (),
    duplicate_count: int = 0,
    sentiment_score: float,
    sentiment_confidence: float,
    direction: str,
    direction_confidence: float,
    price_change_pct: float | None = None,
) -> NewsScore:
    """Score one article's alert for one symbol (see the module docstring for the formulas).

    ``sentiment_score`` is P(positive) - P(negative) in [-1, 1] and ``sentiment_confidence``
    its label's probability; ``direction``/``direction_confidence`` the direction model's
    label ("bullish"/"bearish"; neutral articles make no alert) and probability;
    ``publishers`` every publisher carrying the story and ``duplicate_count`` its other
    copies (from news dedup); ``price_change_pct`` the symbol's move on the news day.
    """
    if direction not in ("bullish", "bearish"):
        raise BadRequest(f"direction: a news alert is bullish or bearish, got {direction!r}")
    if duplicate_count < 0:
        raise BadRequest(f"duplicate_count: must be >= 0, got {duplicate_count}")
    score = _unit("sentiment_score", sentiment_score, -1.0, 1.0)
    s_conf = _unit("sentiment_confidence", sentiment_confidence)
    d_conf = _unit("direction_confidence", direction_confidence)
    sign = 1.0 if direction == "bullish" else -1.0
    names = {p.strip() for p in (*publishers, publisher or "") if p and p.strip()}
    best = max((publisher_weight(p) for p in names), default=DEFAULT_PUBLISHER_WEIGHT)
    breadth = _breadth(names, duplicate_count)
    event = classify_event(title)

    impact = (EVENT_WEIGHTS[event] * (0.35 + 0.65 * abs(score)) * (0.5 + 0.5 * best)
              * (0.55 + 0.45 * breadth))

    model = max(0.0, (d_conf - 1.0 / 3.0) / (2.0 / 3.0))
    agree = s_conf * (1.0 if score * sign > 0 else -1.0 if score * sign < 0 else 0.0)
    price_term = 0.0
    price_note = ""
    if price_change_pct is not None:
        if not math.isfinite(price_change_pct):
            raise BadRequest(f"price_change_pct: must be a finite number, got "
                             f"{price_change_pct!r}")
        move = price_change_pct * sign
        if move >= PRICE_FLAT_PCT:
            price_term, price_note = 0.2, f"; price {price_change_pct:+.1f}% agrees"
        elif move <= -PRICE_FLAT_PCT:
            price_term, price_note = -0.2, f"; price {price_change_pct:+.1f}% disagrees"
    confidence = 0.5 * model + 0.2 * agree + 0.1 * breadth + price_term

    count = max(len(names), 1)
    label = "publisher" if count == 1 else "publishers"
    text = (f"{symbol}: {direction} \u2014 {_headline(title, publisher)} ({count} {label})"
            f"{price_note}")
    return NewsScore(impact=round(min(max(impact, 0.0), 1.0), 4),
                     confidence=round(min(max(confidence, 0.0), 1.0), 4),
                     event_type=event, explanation=text, publishers=count)


# --- combined alerts ----------------------------------------------------------------------

class AlertLike(Protocol):
    """What :func:`combine` reads of a news or technical alert (``CandidateAlert`` fits)."""

    @property
    def symbol(self) -> str: ...
    @property
    def ts(self) -> date | datetime: ...
    @property
    def direction(self) -> str: ...
    @property
    def impact(self) -> float: ...
    @property
    def confidence(self) -> float: ...
    @property
    def explanation(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CombinedAlert:
    """A news alert with the technical alerts on its symbol within the window.

    ``agreement`` is "agree" (every technical alert points the news' way), "disagree"
    (every one points the other way) or "mixed"; only "agree" keeps the news' direction,
    the others are "neutral" and ``flagged``.
    """

    symbol: str
    ts: date
    direction: str
    agreement: str
    flagged: bool
    impact: float
    confidence: float
    explanation: str
    news: AlertLike
    agreeing: tuple[AlertLike, ...] = field(default=())
    disagreeing: tuple[AlertLike, ...] = field(default=())


def _day(ts: date | datetime) -> date:
    if isinstance(ts, datetime):
        return (ts.astimezone(IST) if ts.tzinfo is not None else ts).date()
    return ts


def _tail(explanation: str, symbol: str) -> str:
    prefix = f"{symbol}: "
    return explanation[len(prefix):] if explanation.startswith(prefix) else explanation


def combine(news: Sequence[AlertLike], technical: Sequence[AlertLike], *,
            window_days: int = 2) -> list[CombinedAlert]:
    """Pair each news alert with the technical alerts on its symbol at most ``window_days``
    calendar days before or after it.

    Agreement raises confidence as independent evidence does (``1 - (1 - c_news) x
    prod(1 - c_tech)``, capped at 0.95) and impact to the larger of the two plus 0.05 per
    agreeing alert (capped at 1). Disagreement is flagged: direction "neutral", confidence
    ``c_news x (1 - strongest contrary confidence)``. News alerts with no technical alert in
    the window give nothing (they stand alone).
    """
    if window_days < 0:
        raise BadRequest(f"window_days: must be >= 0, got {window_days}")
    by_symbol: dict[str, list[tuple[date, AlertLike]]] = {}
    for t in technical:
        if t.direction in ("bullish", "bearish"):
            by_symbol.setdefault(t.symbol, []).append((_day(t.ts), t))
    out = []
    for item in news:
        if item.direction not in ("bullish", "bearish"):
            continue
        day = _day(item.ts)
        near = [t for d, t in by_symbol.get(item.symbol, ())
                if abs((d - day).days) <= window_days]
        if not near:
            continue
        agreeing = tuple(t for t in near if t.direction == item.direction)
        disagreeing = tuple(t for t in near if t.direction != item.direction)
        last = max([day, *(_day(t.ts) for t in near)])
        out.append(_combined(item, agreeing, disagreeing, last))
    return out


def _combined(item: AlertLike, agreeing: tuple[AlertLike, ...],
              disagreeing: tuple[AlertLike, ...], day: date) -> CombinedAlert:
    news_text = _tail(item.explanation, item.symbol)
    if agreeing and not disagreeing:
        miss = 1.0 - item.confidence
        for t in agreeing:
            miss *= 1.0 - t.confidence
        confidence = min(1.0 - miss, 0.95)
        impact = min(max(item.impact, *(t.impact for t in agreeing)) + 0.05 * len(agreeing),
                     1.0)
        tech = "; ".join(_tail(t.explanation, t.symbol) for t in agreeing[:3])
        text = f"{item.symbol}: {news_text}; price agrees: {tech}"
        return CombinedAlert(item.symbol, day, item.direction, "agree", False,
                             round(impact, 4), round(confidence, 4), text, item, agreeing)
    contrary = max(t.confidence for t in disagreeing)
    agreement = "mixed" if agreeing else "disagree"
    tech = "; ".join(f"{t.direction} {_tail(t.explanation, t.symbol)}"
                     for t in disagreeing[:3])
    text = f"{item.symbol}: conflicting signals \u2014 news: {news_text}; price: {tech}"
    return CombinedAlert(item.symbol, day, "neutral", agreement, True,
                         round(item.impact, 4), round(item.confidence * (1.0 - contrary), 4),
                         text, item, agreeing, disagreeing)
