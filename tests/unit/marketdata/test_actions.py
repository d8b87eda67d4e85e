"""NSE corporate-action purposes: every wording NSE has used is classified, none guessed."""

from __future__ import annotations

from datetime import date

import pytest

from chitti.marketdata.actions import classify_purpose, parse_actions

# Purpose texts as NSE printed them (its corporate-actions export and announcements),
# with what each announces: (kind, ratio_num, ratio_den, amount) per part.
REAL_WORDINGS = [
    ("Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share", 2,
     [("split", 10, 2, None)]),
    ("Face Value Split (Sub-Division) - From Rs 2/- Per Share To Re 1/- Per Share", 1,
     [("split", 2, 1, None)]),
    ("Face Value Split (Sub-Division) - From Rs 5/- Per Share To Re 1/- Per Share", 1,
     [("split", 5, 1, None)]),
    ("Face Value Split From Rs.10/- To Rs.2/-", 2, [("split", 10, 2, None)]),
    ("Face Value Split From Rs.10/- To Re.1/-", 1, [("split", 10, 1, None)]),
    ("Face Value Split (Sub-Division) From Rs 10 To Rs 2", 2, [("split", 10, 2, None)]),
    ("Consolidation Of Shares From Re 1/- To Rs 10/-", 10, [("split", 1, 10, None)]),
    ("Bonus 1:1", 10, [("bonus", 1, 1, None)]),
    ("Bonus 2:1", 10, [("bonus", 2, 1, None)]),
    ("Bonus 1:2", 10, [("bonus", 1, 2, None)]),
    ("Bonus Issue of 3:1", 5, [("bonus", 3, 1, None)]),
    ("Interim Dividend - Rs 4 Per Share", 1, [("dividend", None, None, 4.0)]),
    ("Final Dividend - Rs. - 10.0000", 10, [("dividend", None, None, 10.0)]),
    ("Dividend - Re 0.70 Per Share", 1, [("dividend", None, None, 0.70)]),
    ("Dividend - Rs 10 Per Share/Special Dividend - Rs 30 Per Share", 10,
     [("dividend", None, None, 10.0), ("dividend", None, None, 30.0)]),
    ("Interim Dividend - Rs 2 Per Share / Special Dividend - Rs 3.50 Per Share", 2,
     [("dividend", None, None, 2.0), ("dividend", None, None, 3.5)]),
    ("Annual General Meeting/Dividend - Rs 8 Per Share", 10,
     [("other", None, None, None), ("dividend", None, None, 8.0)]),
    ("Dividend - 60%", 10, [("dividend", None, None, 6.0)]),
    ("Rights 1:15 @ Premium Rs 1247/-", 10, [("rights", 1, 15, 1257.0)]),
    ("Rights 19:67 @ Premium Rs 215/-", 5, [("rights", 19, 67, 220.0)]),
    ("Rights 3:5 @ Par", 10, [("rights", 3, 5, 10.0)]),
    ("Demerger", 10, [("demerger", None, None, None)]),
    ("Buy Back", 10, [("other", None, None, None)]),
]


@pytest.mark.parametrize(("purpose", "face_value", "expected"), REAL_WORDINGS)
def test_real_nse_wordings_are_classified(purpose: str, face_value: float,
                                          expected: list[tuple[object, ...]]) -> None:
    parts = classify_purpose(purpose, face_value=face_value)
    assert [(p.kind, p.ratio_num, p.ratio_den, p.amount) for p in parts] == expected
    assert all(p.recognised and p.note is None for p in parts)


@pytest.mark.parametrize("purpose", ["Something NSE never wrote", "Change In Name", "E"])
def test_an_unknown_wording_is_kept_as_other_and_flagged(purpose: str) -> None:
    (part,) = classify_purpose(purpose)
    assert part.kind == "other" and not part.recognised


def test_amounts_that_need_the_face_value_are_not_guessed_without_it() -> None:
    (rights,) = classify_purpose("Rights 1:4 @ Premium Rs 8/-")
    (dividend,) = classify_purpose("Dividend - 60%")
    assert rights.amount is None and "face value" in (rights.note or "")
    assert dividend.amount is None and "face value" in (dividend.note or "")


EXPORT = (
    '\ufeff"SYMBOL","COMPANY NAME","SERIES","PURPOSE","FACE VALUE","EX-DATE","RECORD DATE",'
    '"BOOK CLOSURE START DATE","BOOK CLOSURE END DATE"\n'
    '"RELIANCE","Reliance Industries Limited","EQ","Bonus 1:1","10","07-Sep-2017",'
    '"09-Sep-2017","-","-"\n'
    '"TCS","Tata Consultancy Services Limited","EQ","Dividend - Rs 10 Per Share/Special '
    'Dividend - Rs 30 Per Share","1","05-Nov-2020","-","-","-"\n'
    '"ACME","Acme Limited","EQ","A Wording Nobody Knows","10","01-Jan-2021","-","-","-"\n'
    '"NODATE","No Date Limited","EQ","Bonus 1:1","10","-","-","-","-"\n'
)


def test_the_export_is_parsed_with_bom_quotes_and_parts() -> None:
    parsed = parse_actions(EXPORT, source="CF-CA.csv")
    rows = [(a.symbol, a.ex_date, a.part, a.kind, a.amount) for a in parsed.actions]
    assert rows == [
        ("RELIANCE", date(2017, 9, 7), 0, "bonus", None),
        ("TCS", date(2020, 11, 5), 0, "dividend", 10.0),
        ("TCS", date(2020, 11, 5), 1, "dividend", 30.0),
        ("ACME", date(2021, 1, 1), 0, "other", None),
    ]
    assert parsed.actions[0].record_date == date(2017, 9, 9)
    assert [(r.line, "no ex-date" in r.reason) for r in parsed.rejected] == [(5, True)]
    assert [a.symbol for a in parsed.unrecognised] == ["ACME"]


def test_a_file_that_is_not_an_actions_export_is_refused() -> None:
    with pytest.raises(Exception, match="EX-DATE"):
        parse_actions("Date,Open,High,Low,Close\n", source="bars.csv")


@pytest.mark.parametrize("purpose", ["Bonus 99999999999999999999999:1", "Bonus 0:1",
                                     "Face Value Split From Rs 0 To Rs 2",
                                     "Rights 5000:1 @ Par"])
def test_impossible_ratios_are_reported_not_applied(purpose: str) -> None:
    (part,) = classify_purpose(purpose, face_value=10)
    assert not part.recognised and "implausible" in (part.note or "")
    assert part.ratio_num is None
