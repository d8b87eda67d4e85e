"""News scoring (monotonicity, bounds, explanations), story keys and news x technical
combination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from chitti.errors import BadRequest
from chitti.signals.scoring import (
    DEFAULT_PUBLISHER_WEIGHT,
    combine,
    publisher_weight,
    score_news_alert,
    story_key,
)

IST = timezone(timedelta(hours=5, minutes=30))
BASE: dict[str, Any] = dict(
    symbol="HDFCBANK", title="HDFC Bank Q2 profit beats estimates", publisher="Mint",
    publishers=("Mint",), duplicate_count=0, sentiment_score=0.6, sentiment_confidence=0.8,
    direction="bullish", direction_confidence=0.8)


def _score(**changes: Any) -> Any:
    return score_news_alert(**{**BASE, **changes})


def test_explanation_is_one_line_with_headline_and_publisher_count() -> None:
    s = _score(title="HDFC Bank Q2 profit beats estimates - Reuters", publisher="Reuters",
               publishers=("Reuters", "Mint", "Moneycontrol"), duplicate_count=3)
    assert s.explanation == ("HDFCBANK: bullish \u2014 HDFC Bank Q2 profit beats estimates "
                             "(3 publishers)")
    assert s.event_type == "results" and s.publishers == 3
    assert 0.0 <= s.impact <= 1.0 and 0.0 <= s.confidence <= 1.0


def test_more_publishers_raise_impact() -> None:
    impacts = [_score(publishers=pubs, duplicate_count=len(pubs) - 1).impact for pubs in (
        ("Mint",), ("Mint", "Reuters"), ("Mint", "Reuters", "Business Standard"),
        ("Mint", "Reuters", "Business Standard", "Moneycontrol"))]
    assert impacts == sorted(impacts) and len(set(impacts)) == len(impacts)
    # syndicated copies count, but less than new publishers
    assert _score(duplicate_count=3).impact > _score().impact
    assert _score(duplicate_count=1).impact < _score(publishers=("Mint", "Zee Business"),
                                                     duplicate_count=1).impact


def test_stronger_sentiment_raises_impact() -> None:
    impacts = [_score(sentiment_score=s).impact for s in (0.1, 0.3, 0.6, 0.9)]
    assert impacts == sorted(impacts) and len(set(impacts)) == 4
    assert _score(sentiment_score=-0.9, direction="bearish").impact == pytest.approx(
        _score(sentiment_score=0.9).impact)


def test_event_type_and_publisher_weigh_on_impact() -> None:
    assert _score(title="SEBI penalises HDFC Bank").impact > _score(
        title="HDFC Bank shares in focus").impact
    assert _score(publisher="Reuters", publishers=()).impact > _score(
        publisher="Some Blog", publishers=()).impact


def test_price_action_moves_confidence() -> None:
    agree = _score(price_change_pct=2.0)
    flat = _score(price_change_pct=0.2)
    unknown = _score()
    against = _score(price_change_pct=-2.0)
    assert agree.confidence > flat.confidence == unknown.confidence > against.confidence
    assert "disagrees" in against.explanation and "agrees" in agree.explanation
    bearish = _score(direction="bearish", sentiment_score=-0.6, price_change_pct=-2.0)
    assert bearish.confidence == pytest.approx(agree.confidence)


def test_model_confidence_and_sentiment_agreement_raise_confidence() -> None:
    confs = [_score(direction_confidence=c).confidence for c in (0.4, 0.6, 0.8, 0.95)]
    assert confs == sorted(confs) and len(set(confs)) == 4
    assert _score(sentiment_score=-0.6).confidence < _score(sentiment_score=0.0).confidence \
        < _score(sentiment_score=0.6).confidence


@pytest.mark.parametrize(("changes", "field"), [
    ({"direction": "neutral"}, "direction"),
    ({"sentiment_score": 1.5}, "sentiment_score"),
    ({"direction_confidence": float("nan")}, "direction_confidence"),
    ({"duplicate_count": -1}, "duplicate_count"),
    ({"price_change_pct": float("inf")}, "price_change_pct"),
])
def test_invalid_inputs_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequest, match=field):
        _score(**changes)


def test_publisher_weight_table() -> None:
    assert publisher_weight("Reuters") == 1.0
    assert publisher_weight("The Economic Times") == publisher_weight("economic times") == \
        publisher_weight("https://economictimes.indiatimes.com/markets") == 0.9
    assert publisher_weight("Livemint") == publisher_weight("Mint")
    assert publisher_weight("CNBC-TV18") > publisher_weight("MarketsMojo")
    assert publisher_weight("Unheard Of Daily") == DEFAULT_PUBLISHER_WEIGHT
    assert publisher_weight(None) == DEFAULT_PUBLISHER_WEIGHT


def test_story_key_suppresses_repeats_of_a_story_for_a_symbol() -> None:
    key = story_key("HDFCBANK", "HDFC Bank Q2 profit beats estimates")
    assert key == story_key("hdfcbank", "HDFC Bank Q2 profits beat estimates")
    assert key == story_key("HDFCBANK", "HDFC Bank Q2 profit beats estimates - Reuters",
                            "Reuters")
    assert key != story_key("ICICIBANK", "HDFC Bank Q2 profit beats estimates")
    assert key != story_key("HDFCBANK", "HDFC Bank Q3 profit beats estimates")
    assert key.startswith("HDFCBANK:")


@dataclass(frozen=True)
class _Alert:
    symbol: str
    ts: date | datetime
    direction: str
    impact: float
    confidence: float
    explanation: str


NEWS = _Alert("HDFCBANK", datetime(2024, 10, 21, 9, 0, tzinfo=IST), "bullish", 0.6, 0.6,
              "HDFCBANK: bullish \u2014 Q2 profit beats estimates (3 publishers)")


def test_combine_agreement_raises_confidence() -> None:
    tech = _Alert("HDFCBANK", date(2024, 10, 22), "bullish", 0.4, 0.5,
                  "HDFCBANK: close 1750.00 broke above the 20-day high 1740.00")
    (alert,) = combine([NEWS], [tech])
    assert alert.agreement == "agree" and not alert.flagged
    assert alert.direction == "bullish"
    assert alert.confidence > max(NEWS.confidence, tech.confidence)
    assert alert.confidence == pytest.approx(1 - 0.4 * 0.5)
    assert alert.impact >= NEWS.impact
    assert alert.ts == date(2024, 10, 22)
    assert alert.explanation == ("HDFCBANK: bullish \u2014 Q2 profit beats estimates "
                                 "(3 publishers); price agrees: close 1750.00 broke above the "
                                 "20-day high 1740.00")
    more = _Alert("HDFCBANK", date(2024, 10, 21), "bullish", 0.3, 0.4, "HDFCBANK: x")
    assert combine([NEWS], [tech, more])[0].confidence > alert.confidence


def test_combine_flags_disagreement_and_respects_window_and_symbol() -> None:
    against = _Alert("HDFCBANK", date(2024, 10, 19), "bearish", 0.6, 0.5,
                     "HDFCBANK: death cross")
    (alert,) = combine([NEWS], [against])
    assert alert.flagged and alert.agreement == "disagree" and alert.direction == "neutral"
    assert alert.confidence < NEWS.confidence
    assert "conflicting" in alert.explanation
    agreeing = _Alert("HDFCBANK", date(2024, 10, 21), "bullish", 0.4, 0.5, "HDFCBANK: y")
    (mixed,) = combine([NEWS], [against, agreeing])
    assert mixed.agreement == "mixed" and mixed.flagged
    far = _Alert("HDFCBANK", date(2024, 10, 25), "bullish", 0.4, 0.5, "HDFCBANK: z")
    other = _Alert("ICICIBANK", date(2024, 10, 21), "bullish", 0.4, 0.5, "ICICIBANK: z")
    assert combine([NEWS], [far, other]) == []
    assert len(combine([NEWS], [far], window_days=4)) == 1
    with pytest.raises(BadRequest, match="window_days"):
        combine([NEWS], [far], window_days=-1)
