"""Headline event classification on hand-written Indian headlines."""

from __future__ import annotations

import pytest

from chitti.signals.events import EVENT_TYPES, classify_event, event_types


@pytest.mark.parametrize(("title", "expected"), [
    ("Infosys Q2 profit beats estimates", "results"),
    ("HUL net profit rises 12% to Rs 2,600 crore in Q3FY24", "results"),
    ("Tata Motors loss narrows as JLR sales recover", "results"),
    ("Infosys Q2 profit beats estimates; raises FY25 revenue guidance", "guidance"),
    ("Bajaj Finance cuts FY25 AUM growth guidance", "guidance"),
    ("L&T bags order worth Rs 2,500 crore", "order_win"),
    ("BEL secures contracts worth Rs 3,000 crore from defence ministry", "order_win"),
    ("NTPC emerges as lowest bidder for solar project", "order_win"),
    ("Motilal Oswal upgrades HDFC Bank, raises target", "rating_change"),
    ("Jefferies downgrades Tata Motors to hold; cuts target price to Rs 800",
     "rating_change"),
    ("Kotak Institutional Equities initiates coverage on Zomato with buy rating",
     "rating_change"),
    ("HDFC Bank to acquire stake in fintech startup", "mna"),
    ("Reliance Jio, bp form joint venture", "mna"),
    ("Zee-Sony merger called off", "mna"),
    ("SEBI penalises Reliance Industries for disclosure lapses", "penalty"),
    ("RBI imposes Rs 1 crore penalty on SBI", "penalty"),
    ("ED raids Vivo offices in money laundering case", "penalty"),
    ("SEBI probes Adani group's acquisition of NDTV stake", "penalty"),
    ("Vedanta hit with GST notice of Rs 100 crore", "penalty"),
    ("Tata Steel CEO resigns", "management"),
    ("Bharti Airtel appoints Gopal Vittal as vice chairman", "management"),
    ("Wipro names new CFO", "management"),
    ("ITC declares interim dividend of Rs 6.25", "dividend_buyback"),
    ("TCS board approves Rs 17,000 crore buyback", "dividend_buyback"),
    ("Sensex falls 500 points on profit booking", "other"),
    ("Maruti Suzuki sales rise 10% in October", "other"),
    ("", "other"),
])
def test_classify_event(title: str, expected: str) -> None:
    assert classify_event(title) == expected


def test_acronyms_match_only_in_upper_case() -> None:
    assert classify_event("CBI books promoters of Jet Airways") == "penalty"
    assert classify_event("Cbi and ed appear in lower case: reported") == "other"
    assert classify_event("Shares of MD Holdings edged up") == "management"
    assert classify_event("Tired, embedded and mdma") == "other"


def test_event_types_lists_every_match_in_precedence_order() -> None:
    found = event_types("Infosys Q2 profit beats estimates; raises FY25 revenue guidance")
    assert found == ("guidance", "results")
    assert all(t in EVENT_TYPES for t in found)
    assert EVENT_TYPES[-1] == "other"
