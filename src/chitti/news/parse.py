"""Parse RSS 2.0 (and 0.9x/1.0) and Atom feeds into plain, immutable records.

Safety: feeds are untrusted bytes from the internet. lxml runs with DTD loading, entity
resolution and network access off and the huge-tree limits on, and any document whose DOCTYPE
declares entities is refused before lxml sees it. That closes XXE (``<!ENTITY x SYSTEM
"file:///etc/passwd">``) and entity-expansion bombs ("billion laughs") twice over: the refusal
is the first line, the parser configuration the second (tested separately).

Robustness: the bytes are decoded by us, not by lxml, so that a feed declaring UTF-8 but
carrying Windows-1252 bytes (a classic CMS bug) keeps its curly quotes and rupee-less text
instead of failing; HTML named entities (``&nbsp;``), stray ``&`` and control characters,
all invalid XML that real feeds contain, are repaired on a second attempt.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import html.entities
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from types import ModuleType
from typing import Literal, NamedTuple, cast
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from chitti.errors import BadRequest
from chitti.news.text import (
    collapse_whitespace,
    html_to_text,
    remove_all_whitespace,
    split_publisher_suffix,
)

__all__ = [
    "FeedParseError",
    "ParsedArticle",
    "ParsedFeed",
    "google_news_original_url",
    "link_hash",
    "normalise_url",
    "parse_date",
    "parse_feed",
]

FeedKind = Literal["rss", "atom"]


class FeedParseError(BadRequest):
    """The bytes are not a feed we can read safely; the message says why. Do not retry as is."""


class ParsedArticle(NamedTuple):
    """One feed item, normalised.

    ``title`` has the " - Publisher" suffix removed when the publisher is known from the feed;
    ``summary`` is plain text; ``published_at`` is an aware UTC datetime or None when the item
    has no readable date; ``link_hash`` identifies the story (see :func:`link_hash`).

    A named tuple (that dataclasses.replace/fields also accept) rather than a frozen dataclass:
    as immutable, and a tenth of the cost to build, which counts at one per item.
    """

    title: str
    summary: str
    link: str | None
    guid: str | None
    publisher: str | None
    publisher_url: str | None
    published_at: datetime | None
    link_hash: str


# Callers written against the former frozen dataclass keep working: dataclasses.replace(),
# fields() and asdict() accept it, and assigning a field raises FrozenInstanceError.
dataclass(frozen=True, init=False, repr=False, eq=False)(ParsedArticle)
# Builds a ParsedArticle from a tuple of its eight fields in order, without keyword handling.
_new_article: Callable[[tuple[str, str, str | None, str | None, str | None, str | None,
                              datetime | None, str]], ParsedArticle] = partial(
    tuple.__new__, ParsedArticle)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its kind, title and link, and its items in document order."""

    kind: FeedKind
    title: str
    link: str | None
    items: tuple[ParsedArticle, ...]


# --- decoding --------------------------------------------------------------------------------

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    # Bytes that are not UTF-8 in a "UTF-8" feed are nearly always Windows-1252 (smart quotes,
    # dashes, NBSP pasted from Word); the five bytes cp1252 leaves undefined become U+FFFD.
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("chitti-cp1252", _cp1252_fallback)


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    match = _XML_DECL.match(data[:512])
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        codec = "utf-8"
    if codec in ("utf-8", "ascii"):
        return data.decode("utf-8", errors="chitti-cp1252")
    if codec == "latin-1":
        codec = "cp1252"  # as browsers do: "ISO-8859-1" feeds carry cp1252 quotes and dashes
    return data.decode(codec, errors="replace")


# --- safe XML --------------------------------------------------------------------------------

_DECL_LINE = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED_REF = re.compile(r"&(?!#\d+;|#x[0-9A-Fa-f]+;)([A-Za-z][A-Za-z0-9]*;)?")
_XML_NAMED = frozenset({"amp;", "lt;", "gt;", "quot;", "apos;"})
_MAX_BYTES = 32 * 1024 * 1024


def _new_parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
        remove_pis=True,
        remove_comments=True,
        recover=recover,
        encoding="utf-8",
    )


_STRICT_PARSER = _new_parser(recover=False)
_RECOVER_PARSER = _new_parser(recover=True)


def _refuse_entity_declarations(text: str) -> None:
    # Deliberately blunt: the whole text is searched, so neither a long comment before the
    # DOCTYPE nor a comment inside its subset can hide a declaration. A false refusal needs an
    # article quoting both keywords, which costs one feed; a false acceptance costs the host.
    if "<!ENTITY" in text and "<!DOCTYPE" in text:
        raise FeedParseError(
            "refused: the document's DOCTYPE declares entities (XXE / entity-expansion "
            "protection); feeds never need them"
        )


def _repair_references(text: str) -> str:
    # `&nbsp;` and friends are HTML, not XML; a bare `&` is invalid. Turn both into numeric
    # references so a strict XML parse can succeed without losing the characters.
    def fix(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "&amp;"
        if name in _XML_NAMED:
            return match.group(0)
        char = html.entities.html5.get(name)
        return "".join(f"&#{ord(c)};" for c in char) if char else f"&amp;{name}"

    return _NAMED_REF.sub(fix, _CONTROL.sub(" ", text))


def _parse_xml(data: bytes) -> etree._Element:
    if not data or data.isspace():
        raise FeedParseError("not a feed: the document is empty")
    if len(data) > _MAX_BYTES:
        raise FeedParseError(f"not a feed: {len(data)} bytes is over the {_MAX_BYTES}-byte limit")
    declared = _XML_DECL.match(data[:512])
    utf8 = declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")
    if utf8 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Fast path: well-formed UTF-8 without a DOCTYPE goes straight to libxml2.
        if not (_fast.declares(data) if _fast is not None else
                b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            try:
                return etree.fromstring(data, _STRICT_PARSER)
            except etree.XMLSyntaxError:
                pass  # bad bytes or HTML entities: decode and repair below
    text = _decode(data)
    _refuse_entity_declarations(text)
    body = _DECL_LINE.sub("", text, count=1).encode("utf-8")
    try:
        return etree.fromstring(body, _STRICT_PARSER)
    except etree.XMLSyntaxError as first_error:
        repaired = _repair_references(text)
        _refuse_entity_declarations(repaired)
        body = _DECL_LINE.sub("", repaired, count=1).encode("utf-8")
        try:
            root = etree.fromstring(body, _RECOVER_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise FeedParseError(f"not a feed: not well-formed XML ({first_error})") from None
        return root


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_RFC822 = re.compile(
    r"(?:[A-Za-z]{3,9},?\s*)?(\d{1,2})[\s-]*([A-Za-z]{3})[a-z]*\.?[\s-]+(\d{4}|\d{2})\s*"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?\s*$"
)
_ZONE_NAMES = {
    "GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "IST": 330, "EST": -300, "EDT": -240, "CST": -360,
    "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "BST": 60, "CET": 60,
    "CEST": 120, "JST": 540, "SGT": 480, "HKT": 480,
}
_ISO_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NO_OFFSET = timedelta(0)
# Zone text -> UTC offset, filled as zones are met; a feed uses one or two ("+0530", "GMT").
_ZONE_DELTAS: dict[str, timedelta] = {}
_ZONE_DELTAS_LIMIT = 512  # the zone token is untrusted text: bound what it can add

# (day, month, year, zone) -> the UTC instant of that local midnight, or None when unreadable.
# One per parse: the items of a feed share a handful of days, so most dates cost one lookup
# and a timedelta instead of a datetime built and shifted.
DayStarts = dict[tuple[str, str, str, str | None], datetime | None]


def _zone_delta(zone: str) -> timedelta | None:
    # "+0530" / "-05:00" / a zone name (unknown names count as UTC); None for a malformed
    # numeric zone, which makes the whole date unreadable.
    if zone[0] not in "+-":
        minutes = _ZONE_NAMES.get(zone.upper(), 0)
    else:
        digits = zone[1:].replace(":", "")
        if len(digits) != 4 or not digits.isdigit():
            return None
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        minutes = -minutes if zone[0] == "-" else minutes
    delta = timedelta(minutes=minutes)
    if len(_ZONE_DELTAS) < _ZONE_DELTAS_LIMIT:
        _ZONE_DELTAS[zone] = delta
    return delta


def _day_start(day: str, month_name: str, year: str, zone: str | None) -> datetime | None:
    month = _MONTHS.get(month_name[:3].lower())
    if month is None or not (day.isdigit() and year.isdigit()):
        return None
    delta = _ZONE_DELTAS.get(zone) if zone else _NO_OFFSET
    if delta is None:
        delta = _zone_delta(zone)  # type: ignore[arg-type]  # zone is non-empty here
        if delta is None:
            return None
    year_number = int(year) if year.isdecimal() else -1  # "²" is a digit but not a number
    if 0 <= year_number < 100:
        year_number += 2000 if year_number < 70 else 1900
    try:
        return datetime(year_number, month, int(day), tzinfo=UTC) - delta
    except (ValueError, OverflowError):
        return None


def _parse_rfc822(value: str, days: DayStarts) -> datetime | None:
    # Splitting and integer arithmetic: ~4x faster than email.utils (the final fallback).
    # "Thu, 26 Sep 2024 15:25:45 +0530" by splitting (most feeds), else the tolerant regex.
    parts = value.split()
    if len(parts) == 6 and len(clock := parts[4]) == 8 and clock[2] == ":" and clock[5] == ":":
        day, month_name, year, hour, minute, second, zone = (
            parts[1], parts[2], parts[3], clock[:2], clock[3:5], clock[6:], parts[5])
    else:
        match = _RFC822.match(value)
        if match is None:
            return None
        day, month_name, year, hour, minute, second, zone = match.groups()
        second = second or "0"
    key = (day, month_name, year, zone)
    try:
        start = days[key]
    except KeyError:
        start = days[key] = _day_start(day, month_name, year, zone)
    if start is None or not (hour.isdecimal() and minute.isdecimal() and second.isdecimal()):
        return None
    hours, minutes, seconds = int(hour), int(minute), int(second)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    try:
        return start + timedelta(0, hours * 3600 + minutes * 60 + seconds)
    except OverflowError:
        return None


def _parse_date(value: str, days: DayStarts) -> datetime | None:
    value = value.strip()
    parsed: datetime | None = None
    # isdigit() is true for every character \d matches, so a letter first skips the regex.
    if value[:1].isdigit() and _ISO_LIKE.match(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        parsed = _parse_rfc822(value, days)
        if parsed is not None:
            return parsed  # already UTC
        try:
            parsed = parsedate_to_datetime(" ".join(value.split()))
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    except OverflowError:
        return None


def parse_date(value: str | None) -> datetime | None:
    """Return the UTC datetime of an RFC 822 or ISO 8601 feed date, or None when unreadable.

    Accepts ``Thu, 3 Apr 2025 22:41:45 +0530``, ``... GMT``, ``... IST`` (India Standard Time,
    which the standard library does not know), ``2024-08-28T16:35:03+05:30`` and ``...Z``.
    A date without a zone is taken as UTC.
    """
    return _parse_date(value, {}) if value else None


# --- links and identity ----------------------------------------------------------------------

_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "cmpid",
     "_ga", "yclid", "spm", "at_medium", "at_campaign", "at_link_origin", "at_ptr_name"}
)
_GOOGLE_NEWS_HOSTS = frozenset({"news.google.com"})
_GOOGLE_ARTICLE = re.compile(r"/(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]+)")


def _is_tracking(key: str) -> bool:
    return key.startswith("utm_") or key in _TRACKING_PARAMS


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while pos < len(data) and shift < 35:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def google_news_original_url(article_id: str) -> str | None:
    """Return the publisher URL embedded in a Google News article id, or None.

    Older ids (``CBMi...``) are base64url-encoded protobuf messages whose first string field is
    the publisher's URL; newer ids are opaque. Decoding lets a story reached through Google News
    and through the publisher's own feed share one identity.
    """
    try:
        raw = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except ValueError:
        return None
    pos = 0
    try:
        while pos < len(raw):
            key, pos = _read_varint(raw, pos)
            wire = key & 7
            if wire == 0:
                _, pos = _read_varint(raw, pos)
            elif wire == 2:
                length, pos = _read_varint(raw, pos)
                chunk = raw[pos : pos + length]
                pos += length
                if chunk.startswith((b"http://", b"https://")) and len(chunk) == length:
                    return chunk.decode("utf-8", errors="strict")
            else:
                return None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _fast_form(url: str) -> str | None:
    # The canonical form of the common URL by plain string scans: http(s), a lower-case host
    # without port or credentials, a path, perhaps a query; no fragment and no whitespace.
    # For a URL without whitespace (as the parser passes them) the result is what _split_form
    # gives, a Google News article link included, at a fraction of the cost; None sends the
    # URL down that path.
    if url.startswith("https://"):
        rest = url[8:]
    elif url.startswith("http://"):
        rest = url[7:]
    else:
        return None
    slash = rest.find("/")
    if slash <= 0:
        return None
    host = rest[:slash]
    if not (
        host.islower()
        and ":" not in host
        and "@" not in host
        and "#" not in rest
        and " " not in rest
        and "\n" not in rest
        and "\t" not in rest
        and "\r" not in rest
    ):
        return None
    query_at = rest.find("?")
    if query_at < 0 and host != "news.google.com":
        return "https://" + (rest[4:] if rest.startswith("www.") else rest)
    # A query to filter, or a Google News link: only for text urlsplit takes as it is (no
    # whitespace of any kind, an ASCII host it does not re-check, the query after the path).
    if not rest.isprintable() or not host.isascii() or "[" in host or 0 <= query_at < slash:
        return None
    if host == "news.google.com":
        return _google_form(rest[slash:query_at] if query_at >= 0 else rest[slash:])
    query = "&".join(sorted(
        pair for pair in rest[query_at + 1 :].split("&")
        if pair and not _is_tracking(pair.partition("=")[0].lower())
    ))
    host = host[4:] if host.startswith("www.") else host
    path = rest[slash:query_at]
    return f"https://{host}{path}?{query}" if query else f"https://{host}{path}"


def _google_form(path: str) -> str | None:
    match = _GOOGLE_ARTICLE.search(path)
    if match is None:
        return None
    article_id = match.group(1)
    original = google_news_original_url(article_id)
    if original and urlsplit(original).hostname not in _GOOGLE_NEWS_HOSTS:
        return normalise_url(original)
    return f"https://news.google.com/articles/{article_id}"


def normalise_url(url: str) -> str:
    """Return the canonical form of an article URL, used for identity only (not for display).

    Whitespace removed; ``http`` and ``https`` are one scheme and ``www.`` is dropped (sites
    serve the same article under all four); host lower-cased; default port, fragment and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ...) dropped; remaining query
    parameters sorted (raw, without re-encoding). A Google News article link becomes the
    publisher URL it wraps when the id carries one, else
    ``https://news.google.com/articles/<id>`` without the ``oc``/``hl``/``gl`` parameters that
    vary between feeds.
    """
    fast = _fast_form(url)
    return fast if fast is not None else _split_form(url)


def _split_form(url: str) -> str:
    # The general path; _fast_form must agree with it wherever it answers (tested).
    url = remove_all_whitespace(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host in _GOOGLE_NEWS_HOSTS and (match := _GOOGLE_ARTICLE.search(parts.path)):
        original = google_news_original_url(match.group(1))
        if original and urlsplit(original).hostname not in _GOOGLE_NEWS_HOSTS:
            return normalise_url(original)
        return f"https://news.google.com/articles/{match.group(1)}"
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    host = host.removeprefix("www.")
    if scheme == "http":
        scheme = "https"
    # Raw "key=value" pairs are filtered and sorted without decoding, so the encoding the
    # publisher chose is kept byte for byte.
    query = "&".join(sorted(
        pair for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.partition("=")[0].lower())
    ))
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


# Identity digests start from one prepared BLAKE2b state: copying it costs less than building
# one with its parameters per item (the base is never updated, so sharing it is safe).
_BLAKE2B_16 = hashlib.blake2b(digest_size=16)


def _digest(key: str) -> str:
    digest = _BLAKE2B_16.copy()
    digest.update(key.encode("utf-8"))
    return digest.hexdigest()


def link_hash(link: str | None, guid: str | None, *, fallback: str = "") -> str:
    """Return the 32-hex-digit identity of a story: its normalised link, else guid, else fallback.

    The store keeps one article per hash, so re-ingesting a feed (or the same story from a
    second feed) adds nothing.
    """
    if link:
        return _digest("url:" + normalise_url(link))
    if guid:
        return _digest("guid:" + collapse_whitespace(guid))
    return _digest("text:" + collapse_whitespace(fallback).lower())


# --- items -----------------------------------------------------------------------------------

_ATOM_NS = "http://www.w3.org/2005/Atom"
_RSS1_NS = "http://purl.org/rss/1.0/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# Item child tag -> slot in the per-item row. RSS core tags are un-namespaced (RSS 1.0 puts
# them in its namespace); dc:date and content:encoded are the common extensions that matter.
_TITLE, _LINK, _GUID, _DESCRIPTION, _PUB_DATE, _SOURCE, _DC_DATE, _CONTENT = range(8)
_RSS_SLOTS: dict[str, int] = {
    "title": _TITLE, "link": _LINK, "guid": _GUID, "description": _DESCRIPTION,
    "pubDate": _PUB_DATE, "source": _SOURCE,
    f"{{{_DC_NS}}}date": _DC_DATE, f"{{{_CONTENT_NS}}}encoded": _CONTENT,
    f"{{{_RSS1_NS}}}title": _TITLE, f"{{{_RSS1_NS}}}link": _LINK,
    f"{{{_RSS1_NS}}}description": _DESCRIPTION,
}
_RSS_SLOT_TAGS = tuple(_RSS_SLOTS)
_HOST = re.compile(r"https?://(?:www\.)?([^/?#:@\s]+)", re.I)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, *, stop: str | None = None
              ) -> dict[str, etree._Element]:
    # First child per local name; an un-namespaced element wins over a namespaced one.
    # ``stop`` ends the scan at the first item: channel metadata comes before the items.
    found: dict[str, etree._Element] = {}
    for child in element:
        tag = child.tag
        if tag == stop:
            break
        name = _local(tag)
        if not name:
            continue
        current = found.get(name)
        if current is None or (current.tag[0] == "{" and tag[0] != "{"):
            found[name] = child
    return found


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if len(element):
        return "".join(element.itertext())
    return element.text or ""


def _clean_title(raw: str) -> str:
    if "<" in raw or "&" in raw:
        return html_to_text(raw)
    return collapse_whitespace(raw)


def _host(url: str | None) -> str | None:
    match = _HOST.match(url) if url else None
    return match.group(1).lower() if match else None


class _Feed:
    """What the items of one parse share: where relative links resolve, whether titles carry a
    " - Publisher" suffix (Google News), and memos of values items repeat (the start of a
    day in a zone, the host of a site). Memos live for one parse only."""

    __slots__ = ("aggregator", "base_url", "days", "hosts")

    def __init__(self, base_url: str | None, aggregator: bool) -> None:
        self.base_url = base_url
        self.aggregator = aggregator
        self.days: DayStarts = {}
        self.hosts: dict[str, str | None] = {}


def _py_article(
    feed: _Feed,
    raw_title: str,
    summary_markup: str,
    link: str | None,
    guid: str | None,
    source_name: str | None,
    source_url: str | None,
    date_text: str | None,
) -> ParsedArticle | None:
    # One item's fields, cleaned; positional and flat because it runs once per item. The
    # compiled form (_fastparse.article) gives the same answer, and hands back what it does not
    # take on; this is the reference and the fallback.
    title = (html_to_text(raw_title) if "<" in raw_title or "&" in raw_title
             else collapse_whitespace(raw_title))
    publisher = collapse_whitespace(source_name) if source_name else None
    if publisher:
        title, _ = split_publisher_suffix(title, publisher)
    elif feed.aggregator:
        title, publisher = split_publisher_suffix(title)
    if link:
        link = remove_all_whitespace(link)
        if feed.base_url and not link.startswith(("http://", "https://")):
            link = urljoin(feed.base_url, link)
    if guid:
        guid = guid.strip()
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    if not title and not link:
        return None
    if link:
        identity = _digest("url:" + normalise_url(link))
        publisher = publisher or _site_host(feed, link)
    elif guid:
        identity = _digest("guid:" + collapse_whitespace(guid))
        publisher = publisher or None
    else:
        fallback = collapse_whitespace(f"{feed.base_url or ''}\n{title}").lower()
        identity = _digest("text:" + fallback)
        publisher = publisher or None
    return _new_article((
        title,
        _summary(feed, summary_markup, title, publisher) if summary_markup else "",
        link or None,
        guid or None,
        publisher,
        remove_all_whitespace(source_url) if source_url else None,
        _parse_date(date_text, feed.days) if date_text else None,
        identity,
    ))


def _article(
    feed: _Feed,
    raw_title: str,
    summary_markup: str,
    link: str | None,
    guid: str | None,
    source_name: str | None,
    source_url: str | None,
    date_text: str | None,
) -> ParsedArticle | None:
    if _fast is not None:
        article = _fast.article(feed.base_url, feed.aggregator, raw_title, summary_markup, link,
                                guid, source_name, source_url, date_text)
        if article is not NotImplemented:
            return cast(ParsedArticle | None, article)
    return _py_article(feed, raw_title, summary_markup, link, guid, source_name, source_url,
                       date_text)


def _summary(feed: _Feed, markup: str, title: str, publisher: str | None) -> str:
    if "<" in markup or "&" in markup:
        summary = html_to_text(markup)
    else:
        summary = collapse_whitespace(markup)
    if feed.aggregator and summary.startswith(title):
        # Google News repeats "headline publisher" (plus related headlines) as the description.
        summary = summary[len(title) :].lstrip()
        if publisher and summary.startswith(publisher):
            summary = summary[len(publisher) :].lstrip()
    return summary


def _site_host(feed: _Feed, link: str) -> str | None:
    # The host is read from the text before the first "/" after the scheme, so that prefix
    # keys the memo: one regex per site instead of one per item.
    cut = link.find("/", 8)
    site = link if cut < 0 else link[:cut]
    try:
        return feed.hosts[site]
    except KeyError:
        host = feed.hosts[site] = _host(link)
        return host


def _rss_articles(feed: _Feed, container: etree._Element, item_tag: str) -> list[ParsedArticle]:
    if _fast is not None:
        # The compiled walk reads the same fields off the libxml2 tree; None when the tree
        # holds something it leaves to this code (markup elements in a field, a DTD).
        href, _, name = item_tag[1:].partition("}") if item_tag[0] == "{" else ("", "", item_tag)
        fast = _fast.rss_articles(container, name, href or None, feed.base_url, feed.aggregator,
                                  partial(_py_article, feed))
        if fast is not None:
            return cast(list[ParsedArticle], fast)
    # One C-filtered pass over the container's descendants yields the items and their field
    # elements in document order, so elements of no interest (categories, media, enclosures)
    # never become Python objects; a field counts only as a direct child of its item, the
    # first per slot wins, and its text is read only when used.
    rows: list[list[etree._Element | None]] = []
    row: list[etree._Element | None] = []
    item: etree._Element | None = None
    slot_of = _RSS_SLOTS.__getitem__
    for element in container.iterdescendants(item_tag, *_RSS_SLOT_TAGS):
        tag = element.tag
        if tag == item_tag:
            if element.getparent() is container:
                item = element
                row = [None] * 8
                rows.append(row)
        elif item is not None:
            slot = slot_of(tag)
            if row[slot] is None and element.getparent() is item:
                row[slot] = element
    articles = []
    for title, link, guid_element, description, pub_date, source, dc_date, content in rows:
        guid = _text(guid_element) or None
        permalink = (guid if guid_element is None or guid_element.get("isPermaLink") != "false"
                     else None)
        date = _text(pub_date if pub_date is not None else dc_date)
        article = _article(
            feed,
            _text(title),
            _text(description if description is not None else content),
            _text(link) or permalink,
            guid,
            _text(source) or None,
            source.get("url") if source is not None else None,
            date or None,
        )
        if article is not None:
            articles.append(article)
    return articles


def _atom_link(entry: etree._Element) -> str | None:
    fallback: str | None = None
    for link in entry.iterchildren(f"{{{_ATOM_NS}}}link"):
        rel = link.get("rel", "alternate")
        href: str | None = link.get("href")
        if href and rel == "alternate":
            return href
        fallback = fallback or href
    return fallback


def _atom_articles(feed: _Feed, root: etree._Element) -> list[ParsedArticle]:
    articles = []
    for entry in root.iterchildren(f"{{{_ATOM_NS}}}entry"):
        fields = _children(entry)
        source = fields.get("source")
        source_name = source_url = None
        if source is not None:
            source_name = _text(_children(source).get("title")) or None
            source_url = _atom_link(source)
        summary = fields.get("summary", fields.get("content"))
        article = _article(
            feed,
            _text(fields.get("title")),
            _text(summary),
            _atom_link(entry),
            _text(fields.get("id")) or None,
            source_name,
            source_url,
            _text(fields.get("published", fields.get("updated"))) or None,
        )
        if article is not None:
            articles.append(article)
    return articles


def _is_google_news(link: str | None, generator: str, source_url: str | None) -> bool:
    return "news.google.com" in (_host(link), _host(source_url)) or generator.strip().startswith(
        "NFE/"
    )


def parse_feed(data: bytes, *, source_url: str | None = None) -> ParsedFeed:
    """Parse RSS or Atom bytes into a :class:`ParsedFeed`.

    ``source_url`` (where the feed was fetched from) resolves relative links and tells an
    aggregator feed apart. Raises :class:`FeedParseError` for empty, non-XML and non-feed
    documents and for documents that declare entities (XXE / billion laughs).
    """
    root = _parse_xml(data)
    name = _local(root.tag)
    if name in ("rss", "RDF"):
        channel = next((c for c in root if _local(c.tag) == "channel"), None)
        head = _children(channel, stop="item") if channel is not None else {}
        link = collapse_whitespace(_text(head.get("link"))) or None
        feed = _Feed(source_url or link,
                     _is_google_news(link, _text(head.get("generator")), source_url))
        kind: FeedKind = "rss"
        if name == "RDF":
            articles = _rss_articles(feed, root, f"{{{_RSS1_NS}}}item")
        else:
            articles = _rss_articles(feed, channel, "item") if channel is not None else []
    elif root.tag == f"{{{_ATOM_NS}}}feed":
        head = _children(root, stop=f"{{{_ATOM_NS}}}entry")
        link = _atom_link(root)
        feed = _Feed(source_url or link,
                     _is_google_news(link, _text(head.get("generator")), source_url))
        kind = "atom"
        articles = _atom_articles(feed, root)
    else:
        raise FeedParseError(
            f"not a feed: the root element is <{name or root.tag}>, expected <rss> or Atom <feed>"
        )
    return ParsedFeed(kind=kind, title=_clean_title(_text(head.get("title"))), link=link,
                      items=tuple(articles))


# --- the compiled form -----------------------------------------------------------------------

# What the import check parses both ways: markup, entities, CDATA, a tracking parameter, a
# permalink guid, a publisher suffix, both date forms. The compiled module reads lxml's tree
# through the public C layouts of lxml and libxml2; if this lxml ever laid them out otherwise,
# the two answers would differ and the Python form stays in use.
_SELF_TEST_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Markets</title><link>https://example.in/</link>
<item><title>Sensex &amp; Nifty &lt;b&gt;rise&lt;/b&gt; - Mint</title>
<link> https://www.example.in/a?utm_source=x&amp;b=2&amp;a=1 </link>
<guid isPermaLink="false">id-1</guid>
<description><![CDATA[<p>Markets <b>rose</b>&nbsp;today &amp; more</p>]]></description>
<pubDate>Thu, 26 Sep 2024 15:25:45 +0530</pubDate><source url="https://mint.example/">Mint</source>
</item>
<item><title>Second \xe0\xa4\xb8\xe0\xa5\x87</title><guid> https://example.in/b </guid>
<dc:date>2024-08-28T16:35:03+05:30</dc:date></item>
</channel></rss>"""

_fast: ModuleType | None = None


def _load_fast() -> ModuleType | None:
    # The compiled module when it is built and reads the check feed as this code does.
    global _fast
    try:
        from chitti.news import _fastparse
    except ImportError:
        return None
    try:
        _fastparse.configure(ParsedArticle, etree._Element, html.unescape)
        _fast = None
        expected = parse_feed(_SELF_TEST_FEED)
        _fast = _fastparse
        if parse_feed(_SELF_TEST_FEED) != expected:
            _fast = None
    except Exception:  # any surprise: the Python form, which is always right
        _fast = None
    return _fast


_load_fast()
