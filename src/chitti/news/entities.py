"""Find the listed companies, indices and sectors a piece of news mentions.

``extract(text)`` returns :class:`EntityMention` objects: NSE symbol, company name, sector and
the matched span. The matcher is built once from the symbol master (``EQUITY_L.csv``) and the
Nifty index lists (which add the sector), and then scans a text in one pass.

How matching works, and why:

- **Tokens, not characters.** The text is split into alphanumeric runs and ``&``; aliases are
  token sequences held in a trie (a word-level Aho-Corasick without failure links: a match can
  only start at a token, so the scan restarts at the next token). Word boundaries therefore
  come for free: "RIL" never matches inside "APRIL", nor "SBI" inside "SBICARD". "and" and "&"
  are the same token, so "Larsen and Toubro" finds LT.
- **Longest match wins**, leftmost first: "HDFC Bank" beats "HDFC", "State Bank of India"
  beats "Bank of India", "Tata Motors Passenger Vehicles" beats "Tata Motors". Blocker phrases
  ("Reserve Bank of India", "World Bank", ...) are matched like aliases and discarded, so the
  "Bank of India" inside "Reserve Bank of India" is never reported.
- **Case rules.** Short all-capital alias words (SBI, ITC, RIL, L&T, HUL) must appear in
  capitals; other alias words must start with a capital ("Reliance" the company, "reliance on
  imports" not); connectors (of, and, &, the) match in any case.
- **Aliases** are generated from the official name: legal suffixes dropped ("Limited", "Ltd"),
  then trailing descriptors ("Industries", "Corporation", "India", "Company", ...) one at a
  time: "Hindalco Industries Limited" → "Hindalco Industries", "Hindalco" (one-word forms
  only for Nifty 500 constituents: in the long tail they are mostly names, "Man", "Deep",
  "Max"). A derived alias is discarded when it is made only of common words ("Indian Oil",
  "Power Finance"), is a business-group name ("Adani", "Tata"), a common first name
  ("Arvind", "Atul") or English word ("Symphony", "Trident"), or is derived from more than
  one company. Official names of two
  words or more are kept even when generic ("Indian Bank", "Bank of Baroda"): the case rule
  protects them. A curated table adds the short names the press uses (RIL, HUL, SBI, L&T, M&M,
  Airtel, Infy, TCS, ...), which win over any derived alias.

Everything here is pure: records in, matcher out; text in, mentions out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from chitti.marketdata.symbols import load_reference_dir

__all__ = [
    "EntityMatcher",
    "EntityMention",
    "SymbolRecord",
    "build_matcher",
    "default_matcher",
    "extract",
    "load_symbol_records",
]

MentionKind = Literal["company", "index", "sector"]

DEFAULT_REFERENCE_DIR = Path(__file__).resolve().parents[3] / "data" / "demo" / "reference"


@dataclass(frozen=True, slots=True)
class SymbolRecord:
    """One listed company: NSE symbol, official name, ISIN, sector and extra aliases.

    ``sector`` is the "Industry" column of the NSE index lists (NSE's macro-sector, e.g.
    "Financial Services"); None for companies outside the Nifty 500.
    """

    symbol: str
    name: str
    isin: str | None = None
    sector: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A company, index or sector found in a text; ``text[start:end] == mention``.

    For companies ``symbol`` is the NSE symbol; for indices it is the index name ("NIFTY 50",
    "SENSEX"); for sectors it is None and ``sector`` names the sector.
    """

    symbol: str | None
    name: str
    sector: str | None
    start: int
    end: int
    mention: str
    kind: MentionKind


# --- vocabulary --------------------------------------------------------------------------------

# Short names the press uses, by symbol. They win over generated aliases.
_KNOWN_ALIASES: dict[str, tuple[str, ...]] = {
    "RELIANCE": ("RIL", "Reliance", "Reliance Industries"),
    "HINDUNILVR": ("HUL", "Hindustan Unilever"),
    "SBIN": ("SBI", "State Bank of India"),
    "LT": ("L&T", "Larsen", "Larsen & Toubro"),
    "M&M": ("M&M", "Mahindra & Mahindra", "Mahindra and Mahindra"),
    "ITC": ("ITC",),
    "HDFCBANK": ("HDFC Bank", "HDFC"),
    "BHARTIARTL": ("Airtel", "Bharti Airtel"),
    "INFY": ("Infy", "INFY", "Infosys"),
    "TCS": ("TCS", "Tata Consultancy", "Tata Consultancy Services"),
    "KOTAKBANK": ("Kotak", "Kotak Bank", "Kotak Mahindra Bank"),
    "ICICIBANK": ("ICICI Bank",),
    "MARUTI": ("Maruti", "Maruti Suzuki"),
    "SUNPHARMA": ("Sun Pharma", "Sun Pharmaceutical"),
    "DRREDDY": ("Dr Reddy's", "Dr. Reddy's", "Dr Reddys"),
    "ULTRACEMCO": ("UltraTech", "Ultratech Cement"),
    "ONGC": ("ONGC",),
    "LICI": ("LIC",),
    "IOC": ("IOC", "IOCL", "Indian Oil"),
    "BPCL": ("BPCL", "Bharat Petroleum"),
    "HINDPETRO": ("HPCL", "Hindustan Petroleum"),
    "BEL": ("BEL", "Bharat Electronics"),
    "HAL": ("HAL", "Hindustan Aeronautics"),
    "BHEL": ("BHEL",),
    "INDIGO": ("IndiGo", "InterGlobe"),
    "ETERNAL": ("Eternal", "Zomato"),
    "PAYTM": ("Paytm",),
    "NYKAA": ("Nykaa",),
    "HCLTECH": ("HCLTech", "HCL Tech", "HCL Technologies"),
    "TECHM": ("TechM", "Tech Mahindra"),
    "ADANIPORTS": ("Adani Ports",),
    "ADANIENT": ("Adani Enterprises",),
    "ADANIGREEN": ("Adani Green",),
    "APOLLOHOSP": ("Apollo Hospitals",),
    "DIVISLAB": ("Divi's", "Divis Labs", "Divi's Labs"),
    "POWERGRID": ("Power Grid", "PowerGrid"),
    "NESTLEIND": ("Nestle India",),
    "TATACONSUM": ("Tata Consumer",),
    "HDFCLIFE": ("HDFC Life",),
    "HDFCAMC": ("HDFC AMC",),
    "SBILIFE": ("SBI Life",),
    "SBICARD": ("SBI Card", "SBI Cards"),
    "BAJAJ-AUTO": ("Bajaj Auto",),
    "HEROMOTOCO": ("Hero MotoCorp", "Hero Moto"),
    "JIOFIN": ("Jio Financial", "Jio Financial Services"),
    "IRCTC": ("IRCTC",),
    "IRFC": ("IRFC",),
    "PFC": ("PFC", "Power Finance Corporation"),
    "RECLTD": ("REC",),
    "PNB": ("PNB",),
    "BANKBARODA": ("Bank of Baroda",),
    "IDEA": ("Vodafone Idea",),
    "DMART": ("DMart", "D-Mart", "Avenue Supermarts"),
    "NAUKRI": ("Info Edge", "Naukri"),
    "ZEEL": ("Zee Entertainment", "ZEEL"),
    "SAIL": ("SAIL",),
    "GAIL": ("GAIL",),
    "COALINDIA": ("Coal India",),
    "MAZDOCK": ("Mazagon Dock",),
    "INDUSINDBK": ("IndusInd", "IndusInd Bank"),
    "TMCV": ("Tata Motors",),
    "TMPV": ("Tata Motors Passenger Vehicles", "Tata Motors PV"),
    "VEDL": ("Vedanta",),
}

# Index names; the symbol is the index's official name.
_INDEX_ALIASES: dict[str, tuple[str, ...]] = {
    "NIFTY 50": ("Nifty", "Nifty 50", "Nifty50", "NSE Nifty"),
    "SENSEX": ("Sensex", "BSE Sensex", "S&P BSE Sensex"),
    "NIFTY BANK": ("Bank Nifty", "Nifty Bank", "BankNifty"),
    "NIFTY IT": ("Nifty IT",),
    "NIFTY NEXT 50": ("Nifty Next 50",),
    "NIFTY MIDCAP 100": ("Nifty Midcap 100", "Nifty Midcap"),
    "NIFTY SMALLCAP 100": ("Nifty Smallcap 100", "Nifty Smallcap"),
    "NIFTY FIN SERVICE": ("Nifty Financial Services", "FinNifty", "Nifty Fin Service"),
    "NIFTY AUTO": ("Nifty Auto",),
    "NIFTY PHARMA": ("Nifty Pharma",),
    "NIFTY FMCG": ("Nifty FMCG",),
    "NIFTY METAL": ("Nifty Metal",),
    "NIFTY REALTY": ("Nifty Realty",),
    "NIFTY PSU BANK": ("Nifty PSU Bank",),
    "INDIA VIX": ("India VIX",),
}

# Sector words (NSE macro-sector names as in the index lists). Matched in any case, except
# abbreviations written in capitals here (IT, FMCG, NBFC, PSU, OMC).
_SECTOR_ALIASES: dict[str, tuple[str, ...]] = {
    "Financial Services": ("banking", "banks", "bank stocks", "banking stocks", "PSU banks",
                           "private banks", "private lenders", "lenders", "NBFC", "NBFCs",
                           "financials", "insurers", "financial stocks"),
    "Information Technology": ("IT sector", "IT stocks", "IT companies", "IT firms",
                               "IT services", "IT majors", "IT shares", "tech stocks",
                               "software services", "software exporters"),
    "Automobile and Auto Components": ("auto sector", "auto stocks", "auto shares",
                                       "automobile", "automobiles", "automakers",
                                       "carmakers", "auto companies", "two-wheeler makers",
                                       "automotive"),
    "Healthcare": ("pharma", "pharmaceutical", "pharmaceuticals", "drugmakers", "healthcare",
                   "pharma stocks", "hospitals"),
    "Fast Moving Consumer Goods": ("FMCG", "consumer goods", "FMCG stocks"),
    "Metals & Mining": ("metal stocks", "metals", "metal shares", "steelmakers", "mining",
                        "metal sector"),
    "Oil Gas & Consumable Fuels": ("oil and gas", "oil & gas", "oil marketing companies",
                                   "OMCs", "OMC", "refiners"),
    "Power": ("power sector", "power stocks", "power companies", "power utilities",
              "utilities"),
    "Realty": ("realty", "real estate", "realty stocks", "property developers"),
    "Telecommunication": ("telecom", "telecom sector", "telcos", "telecom operators"),
    "Capital Goods": ("capital goods", "defence stocks"),
    "Construction Materials": ("cement", "cement makers", "cement stocks"),
    "Chemicals": ("chemicals", "chemical stocks", "specialty chemicals", "agrochemicals"),
    "Consumer Durables": ("consumer durables",),
    "Media Entertainment & Publication": ("media stocks", "media and entertainment"),
    "Textiles": ("textiles", "textile sector", "textile stocks"),
}

# Phrases that contain a company alias but are not the company; matched and dropped.
_BLOCKERS = (
    "Reserve Bank of India", "Reserve Bank", "World Bank", "Asian Development Bank",
    "New Development Bank", "State Bank of Pakistan", "Bank of England", "Bank of Japan",
    "Bank of America", "Bank of China", "Bank of Canada", "Bombay Stock Exchange",
    "National Stock Exchange", "Securities and Exchange Board of India", "Tata Group",
    "Tata Sons", "Adani Group", "Reliance Foundation", "Indian Railways", "Coal Ministry",
    "Power Ministry", "Life Insurance Corporation Act", "Hero Cup", "Reliance on",
    "Reliance upon",
)

_LEGAL_SUFFIX = re.compile(
    r"(?i)[\s,.]*\b(?:limited|ltd|l\s*imited|co\.?\s*ltd|pvt|private)\.?\s*$"
)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_DESCRIPTORS = frozenset(
    """india industries industry corporation corp company co enterprises enterprise
    laboratories labs holdings international incorporated inc""".split()
)
_CONNECTORS = frozenset({"&", "of", "the", "for", "de"})
# Words too common to identify a company alone (derived aliases made only of these go).
_GENERIC = frozenset(
    """india indian bharat hindustan national state central union federal bank banks finance
    financial capital investment investments securities insurance life general power energy
    oil gas natural petroleum coal steel metal metals cement cements chemical chemicals
    pharma pharmaceutical pharmaceuticals motor motors auto automobile automobiles industries
    industry corporation company enterprises services service technologies technology tech
    infotech systems solutions software global international ventures holdings trust group
    housing home homes realty properties property infrastructure infra developers
    construction engineering engineers textile textiles mills sugar paper foods food agro
    electricals electric electronics cables products healthcare hospital hospitals labs
    laboratories communications media entertainment news network airlines aviation
    logistics shipping ports port railway railways transport travel hotels hotel resorts
    retail fashion gold silver diamond diamonds jewellers north south east west eastern
    western southern northern new first one great premier standard united modern reliable
    supreme royal prime star sun moon delta alpha omega apex ideal universal asian asia
    gujarat punjab kerala karnataka tamil nadu andhra maharashtra bengal rajasthan delhi
    mumbai bombay madras calcutta kolkata chennai hyderabad orissa odisha assam haryana goa
    kashmir jammu madhya pradesh uttar bihar jaipur exports export trading traders
    commercial credit fund funds money payments payment card cards digital data cloud
    water plastics plastic glass tyres tyre rubber leather tea coffee dairy fertilisers
    fertilizers seeds crop sciences science research life-sciences rail road cargo
    container marine ocean air space defence manufacturing machines machinery tools
    equipment projects ventures""".split()
)
# Business-group names: shared by many listed companies, never one of them alone.
_GROUP_NAMES = frozenset(
    """adani tata birla aditya bajaj mahindra godrej jindal jsw hinduja murugappa kirloskar
    piramal wadia shriram essar ambani reliance tvs hero dalmia jaypee jaiprakash lodha
    raheja oberoi essel zee gmr gvk lanco videocon muthoot manappuram shree sri""".split()
)
# Single words that are also common English words or first names.
_AMBIGUOUS_WORDS = frozenset(
    """antarctica astral atul arvind ashima suraj sonam raymond cupid ethos kross mazda
    midwest skipper symphony trident linc pakka gloster glottis weizmann kaya nava airan
    archies sobha mukand alembic orient swan polo vista aarti amber choice cummins graphite
    page pine solar urban brigade man deep jai max lux excel platinum singer everest coastal
    dollar valiant
    delta cello campus safari route race focus sigma beta crown globe marine wealth total
    wheels clean advance aries iris rain rainbow""".split()
)
# Capitalised acronyms that name something else more often than the company.
_AMBIGUOUS_ACRONYMS = frozenset(
    """BSE NSE BPL PDS NCC ITI GRP EMS SIS TIL MPS EPL GFL KCP TRF DCM GTL BSL HLV IVP FDC
    EIH MMTC IT AI EV US UK UN PM CM ED SC HC CBI GDP IPO CEO RBI GST TV MSTC DPSC""".split()
)
_SHORT_UPPER = 5  # an all-capital alias word this short (SBI, ITC, NTPC) is an acronym

_TOKEN = re.compile(r"[A-Za-z0-9]+|&")


def _key(word: str) -> str:
    low = word.lower()
    return "&" if low == "and" else low


# --- alias generation ------------------------------------------------------------------------


def _official_name(name: str) -> str:
    name = " ".join(name.split())
    previous = None
    while previous != name:
        previous = name
        name = _LEGAL_SUFFIX.sub("", name).strip(" ,.")
    if name.lower().startswith("the "):
        name = name[4:]
    return name


def _words(alias: str) -> list[str]:
    return _TOKEN.findall(alias)


def _derived_aliases(official: str) -> list[str]:
    base = _PARENTHESES.sub("", official).strip()
    out: list[str] = []
    if base != official:
        out.append(base)
    words = base.split()
    while len(words) > 1:
        last = words[-1].lower().strip(".,")
        if len(words) > 2 and words[-2].lower() == "of" and last == "india":
            words = words[:-2]
        elif last in _DESCRIPTORS:
            words = words[:-1]
        else:
            break
        out.append(" ".join(words))
    return out


def _is_generic(words: Sequence[str]) -> bool:
    content = [w.lower() for w in words if w.lower() not in _CONNECTORS and w.lower() != "and"]
    return all(w in _GENERIC or w.isdigit() for w in content)


def _acceptable_derived(alias: str) -> bool:
    words = _words(alias)
    if not words or _is_generic(words):
        return False
    if len(words) == 1:
        word = words[0]
        lowered = word.lower()
        if lowered in _GROUP_NAMES or lowered in _AMBIGUOUS_WORDS or len(word) < 3:
            return False
        if word.isupper() and word in _AMBIGUOUS_ACRONYMS:
            return False
    return True


def _acceptable_official(alias: str) -> bool:
    words = _words(alias)
    if len(words) >= 2:
        return True
    return _acceptable_derived(alias) if words else False


# --- the matcher -----------------------------------------------------------------------------

# A case rule per alias word: None = any case, "" = must start with a capital or digit,
# any other string = must equal it exactly.
_CaseRule = tuple[str | None, ...]


def _case_rule(words: Sequence[str], *, sector: bool = False) -> _CaseRule:
    rules: list[str | None] = []
    for word in words:
        lowered = word.lower()
        if word == "&" or lowered in _CONNECTORS or lowered == "and":
            rules.append(None)
        elif (word.isupper() and len(word) <= _SHORT_UPPER and word.isalpha()) or (
            len(word) == 1 and word.isalpha()
        ):
            rules.append(word)  # acronym: SBI, ITC, the L and T of L&T
        elif sector or word[0].islower():
            rules.append(None)
        else:
            rules.append("")
    return tuple(rules)


@dataclass(frozen=True, slots=True)
class _Target:
    kind: MentionKind | Literal["block"]
    symbol: str | None
    name: str
    sector: str | None
    rule: _CaseRule
    priority: int  # higher wins when two targets share one alias


_PRIORITY_KNOWN, _PRIORITY_OFFICIAL, _PRIORITY_DERIVED = 3, 2, 1


@dataclass(slots=True)
class _Builder:
    targets: dict[tuple[str, ...], list[_Target]] = field(default_factory=dict)

    def add(self, alias: str, *, kind: MentionKind | Literal["block"], symbol: str | None,
            name: str, sector: str | None, priority: int, sector_word: bool = False) -> None:
        words = _words(alias)
        if not words:
            return
        key = tuple(_key(w) for w in words)
        target = _Target(kind=kind, symbol=symbol, name=name, sector=sector,
                         rule=_case_rule(words, sector=sector_word), priority=priority)
        bucket = self.targets.setdefault(key, [])
        if any(t.symbol == target.symbol and t.kind == target.kind for t in bucket):
            return
        bucket.append(target)

    def resolve(self) -> dict[tuple[str, ...], tuple[_Target, ...]]:
        resolved: dict[tuple[str, ...], tuple[_Target, ...]] = {}
        for key, bucket in self.targets.items():
            top = max(t.priority for t in bucket)
            best = [t for t in bucket if t.priority == top]
            blocks = [t for t in bucket if t.kind == "block"]
            if blocks:
                resolved[key] = tuple(blocks[:1])
            elif len(best) == 1 or top == _PRIORITY_KNOWN:
                resolved[key] = (best[0],)
            elif top == _PRIORITY_OFFICIAL:
                # Two companies with the same official name: prefer one with a sector (an
                # index constituent), else keep neither.
                with_sector = [t for t in best if t.sector]
                if len(with_sector) == 1:
                    resolved[key] = (with_sector[0],)
            # derived alias shared by several companies: ambiguous, dropped
        return resolved


class EntityMatcher:
    """A compiled alias trie; :meth:`extract` scans a text for companies, indices, sectors."""

    def __init__(self, aliases: dict[tuple[str, ...], tuple[_Target, ...]]) -> None:
        # Nested dicts: token -> child node; the key None holds the targets ending there.
        root: dict[str | None, Any] = {}
        for key, targets in aliases.items():
            node = root
            for token in key:
                node = node.setdefault(token, {})
            node[None] = targets
        self._root = root
        self.alias_count = len(aliases)

    def extract(self, text: str) -> list[EntityMention]:
        """Return the mentions in ``text``, in order, non-overlapping, longest match first."""
        matches = _TOKEN.findall(text)
        if not matches:
            return []
        spans = [m.span() for m in _TOKEN.finditer(text)]
        keys = ["&" if (low := w.lower()) == "and" else low for w in matches]
        root = self._root
        out: list[EntityMention] = []
        count = len(keys)
        i = 0
        while i < count:
            node = root.get(keys[i])
            if node is None:
                i += 1
                continue
            ends: list[tuple[int, tuple[_Target, ...]]] = []
            j = i
            while True:
                targets = node.get(None)
                if targets is not None:
                    ends.append((j, targets))
                j += 1
                if j >= count:
                    break
                node = node.get(keys[j])
                if node is None:
                    break
            hit = _first_acceptable(ends, matches, i)
            if hit is None:
                i += 1
                continue
            last, target = hit
            if target.kind != "block":
                start, end = spans[i][0], spans[last][1]
                out.append(EntityMention(symbol=target.symbol, name=target.name,
                                         sector=target.sector, start=start, end=end,
                                         mention=text[start:end], kind=target.kind))
            i = last + 1
        return out

    def symbols(self, text: str) -> list[str]:
        """Return the distinct company symbols mentioned in ``text``, in order of appearance."""
        seen: dict[str, None] = {}
        for mention in self.extract(text):
            if mention.kind == "company" and mention.symbol:
                seen.setdefault(mention.symbol, None)
        return list(seen)


def _first_acceptable(ends: list[tuple[int, tuple[_Target, ...]]], words: list[str],
                      start: int) -> tuple[int, _Target] | None:
    for last, targets in reversed(ends):
        for target in targets:
            if _case_ok(target.rule, words, start):
                return last, target
    return None


def _case_ok(rule: _CaseRule, words: list[str], start: int) -> bool:
    for offset, expected in enumerate(rule):
        if expected is None:
            continue
        word = words[start + offset]
        if expected == "":
            first = word[0]
            if not (first.isupper() or first.isdigit()):
                return False
        elif word != expected:
            return False
    return True


def _add_company(builder: _Builder, record: SymbolRecord) -> None:
    def add(alias: str, priority: int) -> None:
        builder.add(alias, kind="company", symbol=record.symbol, name=record.name,
                    sector=record.sector, priority=priority)

    official = _official_name(record.name)
    if _acceptable_official(official):
        add(official, _PRIORITY_OFFICIAL)
    for alias in _derived_aliases(official):
        # One-word short forms ("Hindalco") only for index constituents: in the long tail
        # they are mostly names and words ("Man", "Deep", "Max").
        if _acceptable_derived(alias) and (record.sector or len(_words(alias)) > 1):
            add(alias, _PRIORITY_DERIVED)
    for alias in record.aliases + _KNOWN_ALIASES.get(record.symbol, ()):
        add(alias, _PRIORITY_KNOWN)


def build_matcher(records: Iterable[SymbolRecord]) -> EntityMatcher:
    """Compile an :class:`EntityMatcher` from symbol records (plus indices, sectors, blockers).

    Building takes a few tens of milliseconds for the ~2,100 NSE equities; build once and reuse.
    """
    builder = _Builder()
    by_symbol: dict[str, SymbolRecord] = {}
    for record in records:
        by_symbol.setdefault(record.symbol, record)
    for record in by_symbol.values():
        _add_company(builder, record)
    for index_name, aliases in _INDEX_ALIASES.items():
        display = "Nifty 50" if index_name == "NIFTY 50" else aliases[0]
        for alias in aliases:
            builder.add(alias, kind="index", symbol=index_name, name=display, sector=None,
                        priority=_PRIORITY_KNOWN)
    for sector, aliases in _SECTOR_ALIASES.items():
        for alias in aliases:
            builder.add(alias, kind="sector", symbol=None, name=sector, sector=sector,
                        priority=_PRIORITY_KNOWN, sector_word=True)
    for phrase in _BLOCKERS:
        builder.add(phrase, kind="block", symbol=None, name=phrase, sector=None,
                    priority=_PRIORITY_KNOWN + 1)
    return EntityMatcher(builder.resolve())


# --- reference files ---------------------------------------------------------------------------


def load_symbol_records(reference_dir: Path) -> list[SymbolRecord]:
    """Read ``EQUITY_L.csv`` and the ``ind_nifty{50,100,200,500}list.csv`` files of a directory.

    The symbol master as ``chitti load-symbols`` reads it: every equity of the master, with
    the sector from the Nifty lists, plus any constituent missing from the master.
    """
    return [SymbolRecord(symbol=r.symbol, name=r.name, isin=r.isin, sector=r.sector)
            for r in load_reference_dir(reference_dir)]


@lru_cache(maxsize=1)
def default_matcher() -> EntityMatcher:
    """Return the matcher over the shipped reference files, built on first use."""
    return build_matcher(load_symbol_records(DEFAULT_REFERENCE_DIR))


def extract(text: str) -> list[EntityMention]:
    """Return the companies, indices and sectors mentioned in ``text`` (default matcher)."""
    return default_matcher().extract(text)
