"""NSE corporate actions: read the exchange's export and classify each purpose text.

Pure: text in, actions out. NSE's corporate-actions export (``CF-CA-equities-*.csv``) has
the columns ``SYMBOL, COMPANY NAME, SERIES, PURPOSE, FACE VALUE, EX-DATE, RECORD DATE,
BOOK CLOSURE START DATE, BOOK CLOSURE END DATE`` (quoted, sometimes with a BOM; newer
exports add more columns, which are ignored). The ``PURPOSE`` column is free text whose
wording has changed over the years::

    Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share
    Face Value Split From Rs.10/- To Rs.2/-
    Bonus 1:1            Bonus Issue of 2:1
    Interim Dividend - Rs 4 Per Share          Final Dividend - Rs. - 10.0000
    Dividend - Rs 10 Per Share/Special Dividend - Rs 30 Per Share
    Dividend - 60%       (of the face value, in old announcements)
    Rights 1:15 @ Premium Rs 1247/-            Rights 3:5 @ Par

One purpose may announce several actions separated by ``/`` (a ``/-`` after an amount is
part of the amount); each becomes its own :class:`CorporateAction` with its position in
``part``. A part that no rule recognises is kept as kind ``other`` with ``recognised`` false,
so the loader can report it: an action is never guessed, and never silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from chitti.errors import BadRequest
from chitti.marketdata.bars import RejectedRow, parse_date

ActionKind = Literal["split", "bonus", "dividend", "rights", "demerger", "other"]

_AMOUNT = r"(?:rs|re|inr)\.?\s*-?\s*(\d+(?:\.\d+)?)"
_PARTS = re.compile(r"\s*/(?!-)\s*")
_SPLIT = re.compile(
    r"(?:split|sub-?division|splt|consolidation)\b.*?\bfro?m\s*" + _AMOUNT
    + r".*?\bto\s*" + _AMOUNT, re.IGNORECASE)
_BONUS = re.compile(r"\bbonus\b(?:\s*issue)?(?:\s*of)?\s*(\d+)\s*:\s*(\d+)", re.IGNORECASE)
_RIGHTS = re.compile(
    r"\brights?\b(?:\s*issue)?(?:\s*of)?\s*(\d+)\s*:\s*(\d+)"
    r"(?:\s*@\s*(?:(par)\b|premium\s*(?:of\s*)?" + _AMOUNT + r"|" + _AMOUNT + r"))?",
    re.IGNORECASE)
_DIVIDEND = re.compile(r"\b(?:dividend|div)\b", re.IGNORECASE)
_DIVIDEND_AMOUNT = re.compile(_AMOUNT, re.IGNORECASE)
_DIVIDEND_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DEMERGER = re.compile(r"\bde-?merger\b|\bspin[\s-]*off\b", re.IGNORECASE)
#: Announcements with no effect on the price series: recognised, stored as ``other``.
_NO_PRICE_EFFECT = re.compile(
    r"annual\s+general\s+meeting|\bagm\b|\begm\b|extra[\s-]*ordinary\s+general|buy\s*-?back"
    r"|interest\s+payment|redemption|amalgamation|scheme\s+of\s+arrangement|\bnil\b"
    r"|distribution|capital\s+reduction|reduction\s+of\s+capital", re.IGNORECASE)


@dataclass(frozen=True)
class CorporateAction:
    """One action of one symbol (a row of ``md.corporate_actions``).

    ``ratio_num``/``ratio_den`` follow NSE's notation: for a split the face value goes from
    ``ratio_num`` to ``ratio_den``; for a bonus or rights issue ``ratio_num`` new shares come
    for every ``ratio_den`` held. ``amount`` is rupees per share: the dividend, or the rights
    issue price (face value plus premium).
    """

    symbol: str
    ex_date: date
    purpose: str
    part: int
    kind: ActionKind
    ratio_num: float | None = None
    ratio_den: float | None = None
    amount: float | None = None
    series: str | None = None
    face_value: float | None = None
    record_date: date | None = None
    source: str = ""
    recognised: bool = True
    note: str | None = None


@dataclass(frozen=True)
class Classified:
    """What one part of a purpose text says (no symbol or date yet)."""

    kind: ActionKind
    ratio_num: float | None = None
    ratio_den: float | None = None
    amount: float | None = None
    recognised: bool = True
    note: str | None = None


@dataclass
class ParsedActions:
    source: str
    actions: list[CorporateAction] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def unrecognised(self) -> list[CorporateAction]:
        """Parts no rule recognised, or recognised without the numbers to apply them."""
        return [a for a in self.actions if not a.recognised or a.note]


#: Largest ratio term taken at face value: NSE's actions stay far below it (a 1:10 split,
#: a 10:1 bonus); a larger number is a typo that would wipe out a price series.
_MAX_RATIO_TERM = 1000.0


def _positive(text: str | None) -> float | None:
    """A ratio term or face value: positive and plausible, else None (reported unread)."""
    if text is None:
        return None
    value = float(text)
    return value if 0 < value <= _MAX_RATIO_TERM else None


def _split(match: re.Match[str], _: float | None) -> Classified:
    old, new = _positive(match[1]), _positive(match[2])
    if old and new and old != new:
        return Classified("split", old, new)
    return Classified("split", recognised=False,
                      note="face values zero, equal or implausible (over 1000)")


def _bonus(match: re.Match[str], _: float | None) -> Classified:
    new_shares, held = _positive(match[1]), _positive(match[2])
    if new_shares and held:
        return Classified("bonus", new_shares, held)
    return Classified("bonus", recognised=False,
                      note="bonus ratio zero or implausible (over 1000)")


def _rights(match: re.Match[str], face_value: float | None) -> Classified:
    new_shares, held = _positive(match[1]), _positive(match[2])
    if not (new_shares and held):
        return Classified("rights", recognised=False,
                          note="rights ratio zero or implausible (over 1000)")
    at_par, premium, price = match[3], match[4], match[5]
    if price:
        return Classified("rights", new_shares, held, float(price))
    if not (at_par or premium):
        return Classified("rights", new_shares, held, note="rights issue price not stated")
    if face_value is None:
        return Classified("rights", new_shares, held,
                          note="rights price needs the face value, which the row lacks")
    return Classified("rights", new_shares, held,
                      face_value + (float(premium) if premium else 0.0))


def _dividend(found: re.Match[str], face_value: float | None) -> Classified:
    text = found.string
    if match := _DIVIDEND_AMOUNT.search(text):
        return Classified("dividend", amount=float(match[1]))
    if match := _DIVIDEND_PERCENT.search(text):
        if face_value is None:
            return Classified("dividend", note="dividend in % of a face value the row lacks")
        return Classified("dividend", amount=round(face_value * float(match[1]) / 100, 6))
    return Classified("dividend", note="dividend amount not stated")


#: The rules, tried in order on each part of a purpose text; the first that matches wins.
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], float | None], Classified]],
              ...] = (
    (_SPLIT, _split),
    (_BONUS, _bonus),
    (_RIGHTS, _rights),
    (_DIVIDEND, _dividend),  # before the no-effect wordings: "AGM/Dividend" parts pay out
    (_DEMERGER, lambda _m, _f: Classified("demerger")),
    (_NO_PRICE_EFFECT, lambda _m, _f: Classified("other")),
)


def _classify_part(text: str, face_value: float | None) -> Classified:
    for pattern, rule in _RULES:
        if match := pattern.search(text):
            return rule(match, face_value)
    return Classified("other", recognised=False)


def classify_purpose(purpose: str, *, face_value: float | None = None) -> list[Classified]:
    """Classify every action a purpose text announces, in order.

    ``face_value`` (rupees) prices a rights issue "at par" or "at a premium" and a dividend
    given as a percentage; without it those come back with a ``note`` and no amount.
    """
    parts = [p for p in _PARTS.split(purpose.strip()) if p.strip()]
    return [_classify_part(part, face_value) for part in parts] or [
        Classified("other", recognised=False, note="empty purpose")]


# Canonical column -> header names as NSE has spelled them (compared without spaces,
# hyphens, underscores and case).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "symbol": ("symbol",),
    "series": ("series",),
    "purpose": ("purpose", "subject"),
    "face_value": ("facevalue", "faceval"),
    "ex_date": ("exdate",),
    "record_date": ("recorddate",),
}


def _column_key(header: str) -> str:
    return re.sub(r"[\s\-_.]", "", header).lower()


def _optional_date(text: str) -> date | None:
    text = text.strip()
    return None if text in ("", "-", "--") else parse_date(text)


def parse_actions(text: str, *, source: str) -> ParsedActions:
    """Parse an NSE corporate-actions export; rows without symbol, purpose or a readable
    ex-date are rejected with their line number (the header is line 1)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise BadRequest(f"{source}: empty file")
    keys = {_column_key(name): i for i, name in enumerate(header)}
    cols = {name: next((keys[a] for a in aliases if a in keys), -1)
            for name, aliases in _COLUMNS.items()}
    missing = [name for name in ("symbol", "purpose", "ex_date") if cols[name] < 0]
    if missing:
        raise BadRequest(
            f"{source}: columns {header!r} lack {', '.join(missing)}; expected NSE's "
            "corporate-actions export (SYMBOL, COMPANY NAME, SERIES, PURPOSE, FACE VALUE, "
            "EX-DATE, RECORD DATE, ...)")
    result = ParsedActions(source)
    for line, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        try:
            result.actions.extend(_row_actions(row, cols, source))
        except ValueError as exc:
            result.rejected.append(RejectedRow(line, str(exc)))
    return result


def _row_actions(row: list[str], cols: dict[str, int], source: str) -> list[CorporateAction]:
    def cell(name: str) -> str:
        index = cols[name]
        return row[index].strip() if 0 <= index < len(row) else ""

    symbol, purpose = cell("symbol").upper(), " ".join(cell("purpose").split())
    if not symbol:
        raise ValueError("empty symbol")
    if not purpose:
        raise ValueError(f"{symbol}: empty purpose")
    ex_date = _optional_date(cell("ex_date"))
    if ex_date is None:
        raise ValueError(f"{symbol}: no ex-date for {purpose!r}")
    face_text = cell("face_value").replace(",", "")
    try:
        face_value = float(face_text) if face_text not in ("", "-") else None
    except ValueError:
        raise ValueError(f"{symbol}: face value {face_text!r} is not a number") from None
    record_date = _optional_date(cell("record_date"))
    return [
        CorporateAction(symbol=symbol, ex_date=ex_date, purpose=purpose, part=part,
                        kind=c.kind, ratio_num=c.ratio_num, ratio_den=c.ratio_den,
                        amount=c.amount, series=cell("series") or None, face_value=face_value,
                        record_date=record_date, source=source, recognised=c.recognised,
                        note=c.note)
        for part, c in enumerate(classify_purpose(purpose, face_value=face_value))
    ]
