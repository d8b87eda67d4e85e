"""Parse RSS 2.0 (and 0.9x/1.0) and Atom feeds into plain, frozen dataclasses.

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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal
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


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """One feed item, normalised.

    ``title`` has the " - Publisher" suffix removed when the publisher is known from the feed;
    ``summary`` is plain text; ``published_at`` is an aware UTC datetime or None when the item
    has no readable date; ``link_hash`` identifies the story (see :func:`link_hash`).
    """

    title: str
    summary: str
    link: str | None
    guid: str | None
    publisher: str | None
    publisher_url: str | None
    published_at: datetime | None
    link_hash: str


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
        if b"<!DOCTYPE" not in data and b"<!ENTITY" not in data:
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


def _rfc822_fields(value: str) -> tuple[str, ...] | None:
    # "Thu, 26 Sep 2024 15:25:45 +0530" by splitting (most feeds), else the tolerant regex.
    parts = value.split()
    if len(parts) == 6 and len(parts[4]) == 8 and parts[4][2] == ":" and parts[4][5] == ":":
        clock = parts[4]
        return parts[1], parts[2], parts[3], clock[:2], clock[3:5], clock[6:], parts[5]
    match = _RFC822.match(value)
    return None if match is None else match.groups()


def _parse_rfc822(value: str) -> datetime | None:
    # Splitting and integer arithmetic: ~4x faster than email.utils (the final fallback).
    fields = _rfc822_fields(value)
    if fields is None:
        return None
    day, month_name, year, hour, minute, second, zone = fields
    month = _MONTHS.get(month_name[:3].lower())
    if month is None or not (day.isdigit() and year.isdigit() and hour.isdigit()
                             and minute.isdigit() and (second or "0").isdigit()):
        return None
    year_number = int(year)
    if year_number < 100:
        year_number += 2000 if year_number < 70 else 1900
    delta = _ZONE_DELTAS.get(zone) if zone else _NO_OFFSET
    if delta is None:
        delta = _zone_delta(zone)
        if delta is None:
            return None
    try:
        moment = datetime(year_number, month, int(day), int(hour), int(minute),
                          int(second or 0), tzinfo=UTC)
    except ValueError:
        return None
    return moment - delta if delta else moment


_NO_OFFSET = timedelta(0)
# Zone text -> UTC offset, filled as zones are met; a feed uses one or two ("+0530", "GMT").
_ZONE_DELTAS: dict[str, timedelta] = {}
_ZONE_DELTAS_LIMIT = 512  # the zone token is untrusted text: bound what it can add


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


def parse_date(value: str | None) -> datetime | None:
    """Return the UTC datetime of an RFC 822 or ISO 8601 feed date, or None when unreadable.

    Accepts ``Thu, 3 Apr 2025 22:41:45 +0530``, ``... GMT``, ``... IST`` (India Standard Time,
    which the standard library does not know), ``2024-08-28T16:35:03+05:30`` and ``...Z``.
    A date without a zone is taken as UTC.
    """
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None = None
    # isdigit() is true for every character \d matches, so a letter first skips the regex.
    if value[:1].isdigit() and _ISO_LIKE.match(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        parsed = _parse_rfc822(value)
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(" ".join(value.split()))
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


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


def _clean_form(url: str) -> str | None:
    # The canonical form of the common URL that needs no parsing: http(s), a lower-case host
    # without port or credentials (and not Google News), a path, no query, fragment or
    # whitespace. None sends the URL down the full path. Plain string scans: once per item.
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
        and host != "news.google.com"
        and "?" not in rest
        and "#" not in rest
        and " " not in rest
        and "\n" not in rest
        and "\t" not in rest
        and "\r" not in rest
    ):
        return None
    return "https://" + (rest[4:] if rest.startswith("www.") else rest)


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
    if (clean := _clean_form(url)) is not None:
        return clean
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


def link_hash(link: str | None, guid: str | None, *, fallback: str = "") -> str:
    """Return the 32-hex-digit identity of a story: its normalised link, else guid, else fallback.

    The store keeps one article per hash, so re-ingesting a feed (or the same story from a
    second feed) adds nothing.
    """
    if link:
        key = "url:" + normalise_url(link)
    elif guid:
        key = "guid:" + collapse_whitespace(guid)
    else:
        key = "text:" + collapse_whitespace(fallback).lower()
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


# --- element access --------------------------------------------------------------------------

_ATOM_NS = "http://www.w3.org/2005/Atom"
_RSS1_NS = "http://purl.org/rss/1.0/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# Item child tag -> field. RSS core tags are un-namespaced (RSS 1.0 puts them in its
# namespace); dc:date and content:encoded are the common extensions that matter here.
_RSS_FIELDS: dict[str, str] = {
    "title": "title", "link": "link", "guid": "guid", "description": "summary",
    "pubDate": "date", "source": "source",
    f"{{{_DC_NS}}}date": "dc_date", f"{{{_CONTENT_NS}}}encoded": "content",
    f"{{{_RSS1_NS}}}title": "title", f"{{{_RSS1_NS}}}link": "link",
    f"{{{_RSS1_NS}}}description": "summary",
}
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


@dataclass(slots=True)
class _Context:
    base_url: str | None
    aggregator: bool  # titles carry " - Publisher" (Google News)


def _make_article(
    ctx: _Context,
    *,
    raw_title: str,
    summary_markup: str,
    link: str | None,
    guid: str | None,
    source_name: str | None,
    source_url: str | None,
    date_text: str | None,
) -> ParsedArticle | None:
    title = _clean_title(raw_title)
    publisher = collapse_whitespace(source_name) if source_name else None
    if publisher:
        title, _ = split_publisher_suffix(title, publisher)
    elif ctx.aggregator:
        title, publisher = split_publisher_suffix(title)
    if link:
        link = "".join(link.split())
        if ctx.base_url and not link.startswith(("http://", "https://")):
            link = urljoin(ctx.base_url, link)
    if guid:
        guid = guid.strip()
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    if not title and not link:
        return None
    if not summary_markup:
        summary = ""
    elif "<" in summary_markup or "&" in summary_markup:
        summary = html_to_text(summary_markup)
    else:
        summary = collapse_whitespace(summary_markup)
    if ctx.aggregator and summary.startswith(title):
        # Google News repeats "headline publisher" (plus related headlines) as the description.
        summary = summary[len(title) :].lstrip()
        if publisher and summary.startswith(publisher):
            summary = summary[len(publisher) :].lstrip()
    return ParsedArticle(
        title=title,
        summary=summary,
        link=link or None,
        guid=guid or None,
        publisher=publisher or _host(link),
        publisher_url="".join(source_url.split()) if source_url else None,
        published_at=parse_date(date_text),
        link_hash=link_hash(link, guid, fallback=f"{ctx.base_url or ''}\n{title}"),
    )


def _rss_items(ctx: _Context, items: Iterator[etree._Element]) -> Iterator[ParsedArticle]:
    # One plain pass over each item's children that reads the text of the first element per
    # field as it goes. (iterchildren(*tags) filters in C but builds its tag matcher on every
    # call, which costs more than it saves at five to ten children per item.)
    fields_by_tag = _RSS_FIELDS
    for item in items:
        texts: dict[str, str] = {}
        guid_el = source = None
        for child in item:
            name = fields_by_tag.get(child.tag)  # comments/PIs have non-str tags: no match
            if name is None or name in texts:
                continue
            texts[name] = "".join(child.itertext()) if len(child) else child.text or ""
            if name == "guid":
                guid_el = child
            elif name == "source":
                source = child
        guid = texts.get("guid") or None
        permalink = guid if guid_el is None or guid_el.get("isPermaLink") != "false" else None
        summary = texts["summary"] if "summary" in texts else texts.get("content", "")
        date = texts["date"] if "date" in texts else texts.get("dc_date")
        article = _make_article(
            ctx,
            raw_title=texts.get("title", ""),
            summary_markup=summary,
            link=texts.get("link") or permalink,
            guid=guid,
            source_name=texts.get("source") or None,
            source_url=source.get("url") if source is not None else None,
            date_text=date or None,
        )
        if article is not None:
            yield article


def _atom_link(entry: etree._Element) -> str | None:
    fallback: str | None = None
    for link in entry.iterchildren(f"{{{_ATOM_NS}}}link"):
        rel = link.get("rel", "alternate")
        href: str | None = link.get("href")
        if href and rel == "alternate":
            return href
        fallback = fallback or href
    return fallback


def _atom_items(ctx: _Context, entries: Iterator[etree._Element]) -> Iterator[ParsedArticle]:
    for entry in entries:
        fields = _children(entry)
        source = fields.get("source")
        source_name = source_url = None
        if source is not None:
            source_name = _text(_children(source).get("title")) or None
            source_url = _atom_link(source)
        summary = fields.get("summary", fields.get("content"))
        article = _make_article(
            ctx,
            raw_title=_text(fields.get("title")),
            summary_markup=_text(summary),
            link=_atom_link(entry),
            guid=_text(fields.get("id")) or None,
            source_name=source_name,
            source_url=source_url,
            date_text=_text(fields.get("published", fields.get("updated"))) or None,
        )
        if article is not None:
            yield article


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
        ctx = _Context(
            base_url=source_url or link,
            aggregator=_is_google_news(link, _text(head.get("generator")), source_url),
        )
        if name == "rss":
            items = channel.iterchildren("item") if channel is not None else iter(())
        else:
            items = root.iterchildren(f"{{{_RSS1_NS}}}item")
        kind: FeedKind = "rss"
        parsed = tuple(_rss_items(ctx, items))
    elif root.tag == f"{{{_ATOM_NS}}}feed":
        head = _children(root, stop=f"{{{_ATOM_NS}}}entry")
        link = _atom_link(root)
        ctx = _Context(
            base_url=source_url or link,
            aggregator=_is_google_news(link, _text(head.get("generator")), source_url),
        )
        kind = "atom"
        parsed = tuple(_atom_items(ctx, root.iterchildren(f"{{{_ATOM_NS}}}entry")))
    else:
        raise FeedParseError(
            f"not a feed: the root element is <{name or root.tag}>, expected <rss> or Atom <feed>"
        )
    return ParsedFeed(kind=kind, title=_clean_title(_text(head.get("title"))), link=link,
                      items=parsed)
