"""Tests of chitti.news.direction: per-target direction on clear cases with the shipped weights,
the input contract, and (with ../shared/data/nlp present) SEntFiN entity-level accuracy on
the fixed hold-out split."""

from __future__ import annotations

import pytest

from chitti.errors import BadRequest
from chitti.news import _model, nlpdata
from chitti.news.direction import assess, assess_many, classify, classify_many
from chitti.news.evaluate import evaluate

DATA = nlpdata.default_data_dir()
SKIP_WITHOUT_DATA = pytest.mark.skipif(
    DATA is None,
    reason="labelled NLP sets not found at ../shared/data/nlp (they are not part of the "
    "project); accuracy on them cannot be checked",
)

CASES = [
    ("Tata Steel gains while JSW Steel slumps", "Tata Steel", "bullish"),
    ("Tata Steel gains while JSW Steel slumps", "JSW Steel", "bearish"),
    ("Infosys Q2 profit jumps 20%, beats estimates", "Infosys", "bullish"),
    ("SEBI penalises Karvy Stock Broking for fraud", "Karvy Stock Broking", "bearish"),
    ("Wipro shares fall 5% after weak guidance", "Wipro", "bearish"),
    ("Maruti Suzuki to hold board meeting on Friday", "Maruti Suzuki", "neutral"),
    ("Sun Pharma rallies; Cipla, Lupin slip", "Sun Pharma", "bullish"),
    ("Sun Pharma rallies; Cipla, Lupin slip", "Lupin", "bearish"),
]


@pytest.mark.parametrize(("text", "target", "expected"), CASES)
def test_clear_cases_get_the_expected_direction(text: str, target: str, expected: str) -> None:
    assert classify(text, target) == expected


def test_opposite_news_in_one_headline_gives_opposite_scores() -> None:
    text = "Tata Steel gains while JSW Steel slumps"
    assert assess(text, "Tata Steel").score > 0 > assess(text, "JSW Steel").score


def test_target_is_found_case_insensitively_and_by_its_leading_words() -> None:
    tokens = _model.tokenize("TCS, Tata Consultancy shares rise")
    assert _model.find_target(tokens, "tcs") == (0, 1)
    assert _model.find_target(tokens, "Tata Consultancy Services") == (2, 4)
    assert _model.find_target(tokens, "Bajaj Finance") is None


def test_missing_target_falls_back_to_the_tone_and_says_so() -> None:
    r = assess("Markets rally as inflation eases", "Bajaj Finance")
    assert r.target_found is False
    assert r.label in ("bullish", "bearish", "neutral")
    assert assess("Tata Steel gains", "Tata Steel").target_found is True


def test_result_is_consistent() -> None:
    for text, target, _ in CASES:
        r = assess(text, target)
        assert -1 <= r.score <= 1
        assert 1 / 3 - 1e-6 <= r.confidence <= 1
        assert r.confidence >= abs(r.score) - 1e-6
        assert (r.label == "bullish") <= (r.score > 0)
        assert (r.label == "bearish") <= (r.score < 0)


def test_many_equals_one_by_one() -> None:
    pairs = [(t, e) for t, e, _ in CASES] + [("", "Infosys")]
    assert assess_many(pairs) == [assess(t, e) for t, e in pairs]
    assert classify_many(pairs) == [classify(t, e) for t, e in pairs]
    assert assess("", "Infosys").label == "neutral"
    assert assess("", "Infosys").confidence == 0.0


@pytest.mark.parametrize(("text", "target"), [(None, "Infosys"), ("Infosys up", None),
                                              ("Infosys up", ""), (b"x", "Infosys"),
                                              ("Infosys up", "  ")])
def test_bad_input_is_bad_request(text: object, target: object) -> None:
    with pytest.raises(BadRequest):
        classify(text, target)  # type: ignore[arg-type]


def test_many_refuses_malformed_pairs() -> None:
    with pytest.raises(BadRequest):
        assess_many("Infosys up")  # type: ignore[arg-type]
    with pytest.raises(BadRequest):
        assess_many([("only text",)])  # type: ignore[list-item]


@pytest.mark.needs_shared
@SKIP_WITHOUT_DATA
def test_sentfin_entity_direction_holdout_accuracy_reaches_080() -> None:
    result = evaluate(DATA)["sentfin_entity_direction"]
    assert result["accuracy"] >= 0.80, result
