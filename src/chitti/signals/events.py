"""Classify a news headline into the corporate event it reports (keyword table, no model).

>>> classify_event("L&T bags order worth Rs 2,500 crore from NHAI")
'order_win'
>>> event_types("Infosys Q2 profit beats estimates; raises FY25 revenue guidance")
('guidance', 'results')

The table is ordered by precedence: a headline that matches several types reports the first
one (a probe into an acquisition is a ``penalty``; a results story that revises guidance is
``guidance``). Patterns are compiled once, matched case-insensitively except the regulator
and role acronyms (ED, CBI, MD...), which must be upper case so "ed"/"md" inside words or
in lower case never match.
"""

from __future__ import annotations

import re

__all__ = ["EVENT_TYPES", "classify_event", "event_types"]

_I = re.IGNORECASE

# (event type, case-insensitive patterns, case-sensitive patterns); precedence = order.
_TABLE: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("penalty", (
        r"\bpenal(?:ty|ties|ises?|ized?|izes?|ised)\b", r"\bfined?\b", r"\bfines\b",
        r"\bprobes?\b", r"\bprobed\b", r"\bprobing\b", r"\bfraud\w*", r"\bscam\b",
        r"\braids?\b", r"\braided\b", r"\bshow[- ]cause\b", r"\binsider trading\b",
        r"\binvestigat\w+", r"\bbann?(?:ed|s)?\b(?! bank)", r"\bbars\b", r"\bbarred\b",
        r"\btax (?:demand|notice|evasion)\b", r"\bgst (?:demand|notice)\b",
        r"\bnotice from (?:sebi|rbi|income tax)", r"\bmoney laundering\b", r"\bchargesheet",
        r"\bforensic audit\b", r"\bdefaults? on\b", r"\bcease and desist\b",
    ), (r"\bED\b", r"\bCBI\b", r"\bSFIO\b", r"\bDRI\b")),
    ("mna", (
        r"\bacquir(?:e|es|ed|ing)\b", r"\bacquisitions?\b", r"\bmergers?\b",
        r"\bmerg(?:e|es|ed|ing)\b",
        r"\bamalgamation\b", r"\bdemerger\b", r"\btakeover\b", r"\btakes? over\b",
        r"\bopen offer\b", r"\bstake\b", r"\bbuyout\b", r"\bdivest\w*", r"\bjoint venture\b",
        r"\bsells? (?:its )?(?:unit|business|division)\b",
    ), (r"\bJV\b", r"\bM&A\b")),
    ("guidance", (
        r"\bguidance\b", r"\boutlook\b", r"\b(?:revenue|sales|growth|margin|volume|earnings|"
        r"capex|loan growth|deposit growth) (?:forecast|target|estimate)s? for (?:fy|q)",
        r"\b(?:raises|cuts|lowers|revises|retains|maintains|reiterates) (?:its )?"
        r"(?:fy\s?\d{2,4} )?(?:revenue|sales|growth|margin|volume|earnings)",
        r"\bforecasts? (?:revenue|sales|growth|margin)",
    ), ()),
    ("results", (
        r"\bq[1-4]\b", r"\bq[1-4]\s?fy\s?\d{2,4}\b", r"\bh[12]\s?fy\s?\d{2,4}\b",
        r"\bresults?\b", r"\bearnings\b", r"\bnet profit\b",
        r"\bprofit(?!\s*(?:booking|taking))\b", r"\b(?:net )?loss widens\b",
        r"\bloss narrows\b", r"\bquarterly\b", r"\bebitda\b", r"\brevenue (?:rises|falls|"
        r"jumps|grows|up|down|declines|surges|dips)", r"\b(?:beats?|miss(?:es)?) "
        r"(?:street |analysts'? |market )?(?:estimates|expectations|forecasts)\b",
        r"\bbottom line\b", r"\btop line\b", r"\bnii\b", r"\bnet interest income\b",
    ), (r"\bPAT\b",)),
    ("order_win", (
        r"\b(?:bags?|bagged|wins?|won|secures?|secured|receives?|received|gets?|lands?|"
        r"landed|bag|emerges? (?:as )?(?:the )?lowest bidder (?:for|in))\b[^.;]{0,60}?"
        r"\b(?:orders?|contracts?|deals?|projects?|mandates?|letters? of award)\b",
        r"\borders? (?:worth|valued|of rs|of ₹|inflow)", r"\border win\b",
        r"\border book\b", r"\bcontract worth\b", r"\blowest bidder\b",
    ), (r"\bLoA\b", r"\bLOA\b")),
    ("rating_change", (
        r"\bupgrad(?:e|es|ed|ing)\b", r"\bdowngrad(?:e|es|ed|ing)\b",
        r"\btarget(?: price)?\b", r"\b(?:buy|sell|hold|neutral|accumulate|reduce|add) "
        r"(?:rating|call)\b", r"\b(?:overweight|underweight|outperform|underperform)\b",
        r"\binitiates? coverage\b", r"\bprice target\b", r"\brating\b", r"\bbrokerages?\b",
    ), (r"\bTP\b",)),
    ("management", (
        r"\bresign(?:s|ed|ation)?\b", r"\bsteps? down\b", r"\bquits?\b", r"\bappoint\w*",
        r"\bnames? (?:new )?(?:ceo|cfo|chairman|chief|md|head)\b", r"\bchief executive\b",
        r"\bchief financial officer\b", r"\bchairman\b", r"\bchairperson\b",
        r"\bmanaging director\b", r"\bsuccession\b", r"\belevat\w+ as\b", r"\bexits?\b(?= as)",
        r"\bboard reshuffle\b", r"\bre-?appoint\w*", r"\bceo\b", r"\bcfo\b",
    ), (r"\bMD\b", r"\bCOO\b")),
    ("dividend_buyback", (
        r"\bdividends?\b", r"\bbuy-?backs?\b", r"\bbonus (?:issue|shares?)\b",
        r"\bstock split\b", r"\bshare split\b", r"\brecord date\b", r"\bpayout\b",
    ), ()),
)

#: Every event type, in precedence order, then "other".
EVENT_TYPES: tuple[str, ...] = (*(t for t, _, _ in _TABLE), "other")

_COMPILED = tuple(
    (etype, re.compile("|".join(f"(?:{p})" for p in loose), _I) if loose else None,
     re.compile("|".join(f"(?:{p})" for p in strict)) if strict else None)
    for etype, loose, strict in _TABLE
)


def event_types(title: str) -> tuple[str, ...]:
    """Return every event type ``title`` matches, in precedence order (empty: none)."""
    text = " ".join(title.split())
    return tuple(etype for etype, loose, strict in _COMPILED
                 if (loose is not None and loose.search(text))
                 or (strict is not None and strict.search(text)))


def classify_event(title: str) -> str:
    """Return the event type of ``title``: the first match of the table, else "other"."""
    found = event_types(title)
    return found[0] if found else "other"
