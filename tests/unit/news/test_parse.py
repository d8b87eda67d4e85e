"""Tests of chitti.news.parse on the project's fixtures, the recorded real feeds and hostile XML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.feed_server import FIXTURES, RECORDED, SHARED_RSS, needs_shared

from chitti.errors import BadRequest
from chitti.news import parse as parse_module
from chitti.news.parse import (
    FeedParseError,
    google_news_original_url,
    link_hash,
    normalise_url,
    parse_date,
    parse_feed,
)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- Google-News-like feed -----------------------------------------------------------------


@pytest.fixture(scope="module")
def google_feed() -> parse_module.ParsedFeed:
    return parse_feed(_fixture("googlenews_in_markets.xml"))


def test_google_news_titles_lose_the_publisher_suffix(google_feed: parse_module.ParsedFeed) -> None:
    first = google_feed.items[0]
    assert first.title == "Reliance Industries shares jump 3% after Jio tariff hike"
    assert first.publisher == "The Economic Times"
    assert first.publisher_url == "https://economictimes.indiatimes.com"


def test_google_news_summary_does_not_repeat_title_and_publisher(
    google_feed: parse_module.ParsedFeed,
) -> None:
    assert all(item.summary == "" for item in google_feed.items)


def test_plus_0530_date_is_converted_to_utc(google_feed: parse_module.ParsedFeed) -> None:
    assert google_feed.items[0].published_at == datetime(2024, 7, 4, 4, 45, tzinfo=UTC)


def test_missing_date_is_none(google_feed: parse_module.ParsedFeed) -> None:
    sbi = next(i for i in google_feed.items if i.title.startswith("SBI cuts"))
    assert sbi.published_at is None


def test_cdata_title_and_whitespace_inside_link(google_feed: parse_module.ParsedFeed) -> None:
    lt = next(i for i in google_feed.items if i.publisher == "The Hindu BusinessLine")
    assert lt.title.startswith("L&T bags 'mega' order")
    airtel = next(i for i in google_feed.items if i.publisher == "Reuters")
    assert airtel.link is not None and " " not in airtel.link and "\n" not in airtel.link
    assert airtel.link.startswith("https://news.google.com/rss/articles/CBMi")


def test_feed_metadata(google_feed: parse_module.ParsedFeed) -> None:
    assert google_feed.kind == "rss"
    assert google_feed.title == '"NSE stocks" - Google News'
    assert len(google_feed.items) == 11


def test_repeated_item_has_the_same_hash_and_distinct_publishers_differ(
    google_feed: parse_module.ParsedFeed,
) -> None:
    items = google_feed.items
    assert items[0].link_hash == items[-1].link_hash
    assert len({i.link_hash for i in items[:3]}) == 3


def test_google_news_id_decodes_to_publisher_url() -> None:
    article_id = ("CBMiN2h0dHBzOi8vd3d3LmFzYWhpLmNvbS9hcnRpY2xlcy9BU1MyNTZIR1ZTMjRVVElMMDBY"
                  "Lmh0bWzSAQA")
    assert google_news_original_url(article_id) == (
        "https://www.asahi.com/articles/ASS256HGVS24UTIL00X.html"
    )
    assert google_news_original_url("AU_yqLopaque") is None


def test_google_news_link_and_publisher_link_share_identity() -> None:
    publisher = "https://www.asahi.com/articles/ASS256HGVS24UTIL00X.html"
    google = ("https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3LmFzYWhpLmNvbS9hcnRpY2xl"
              "cy9BU1MyNTZIR1ZTMjRVVElMMDBYLmh0bWzSAQA?oc=5&hl=en-IN")
    assert link_hash(google, None) == link_hash(publisher + "?utm_source=x", None)


def test_opaque_google_news_ids_ignore_varying_parameters() -> None:
    a = "https://news.google.com/rss/articles/CBMiK0FVX3lxTE9wYXF1ZQ?oc=5"
    b = "https://news.google.com/articles/CBMiK0FVX3lxTE9wYXF1ZQ?hl=en-IN&gl=IN&ceid=IN:en"
    assert normalise_url(a) == normalise_url(b)


# --- URL normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  HTTPS://Example.COM/a/B?utm_source=x&b=2&a=1#frag \n",
         "https://example.com/a/B?a=1&b=2"),
        ("http://example.com:80", "https://example.com/"),
        ("https://example.com:8443/x?fbclid=1", "https://example.com:8443/x"),
        ("https://www.bbc.com/news/articles/c0q751vlxw1o?at_medium=RSS&at_campaign=rss",
         "https://bbc.com/news/articles/c0q751vlxw1o"),
        ("https://example.com/plain", "https://example.com/plain"),
        ("http://www.example.com/plain", "https://example.com/plain"),
        ("https://www.Example.com/plain", "https://example.com/plain"),
        ("https://example.com/a?q=%20x&b=1", "https://example.com/a?b=1&q=%20x"),
        ("ftp://example.com/a", "ftp://example.com/a"),
    ],
)
def test_normalise_url(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


def test_link_hash_falls_back_to_guid_then_text() -> None:
    assert link_hash(None, "abc") == link_hash(None, " abc ")
    assert link_hash(None, "abc") != link_hash(None, "abd")
    assert link_hash(None, None, fallback="x") != link_hash(None, None, fallback="y")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 3 Apr 2025 22:41:45 +0530", datetime(2025, 4, 3, 17, 11, 45, tzinfo=UTC)),
        ("Thu, 03 Apr 2025 20:14:25 GMT", datetime(2025, 4, 3, 20, 14, 25, tzinfo=UTC)),
        ("Thu, 03 Apr 2025 20:14:25 IST", datetime(2025, 4, 3, 14, 44, 25, tzinfo=UTC)),
        ("2024-08-28T16:35:03+05:30", datetime(2024, 8, 28, 11, 5, 3, tzinfo=UTC)),
        ("2024-08-28T16:35:03Z", datetime(2024, 8, 28, 16, 35, 3, tzinfo=UTC)),
        ("\n   Mon, 05 Feb 2024 19:00:00 GMT\n  ", datetime(2024, 2, 5, 19, tzinfo=UTC)),
        # real Times of India quirks: missing spaces
        ("Sun, 30Mar 2025 12:41:13 +0530", datetime(2025, 3, 30, 7, 11, 13, tzinfo=UTC)),
        ("Mon, 31 Mar 202510:50:41 +0530", datetime(2025, 3, 31, 5, 20, 41, tzinfo=UTC)),
        ("Tue, 06 Feb 2024 00:06:16", datetime(2024, 2, 6, 0, 6, 16, tzinfo=UTC)),
        ("Thu, 3 Apr 2025 25:41:45 +0530", None),
        ("Thu, 3 Foo 2025 22:41:45 +0530", None),
        ("Thursday, 3 April 2025 22:41 +0530", datetime(2025, 4, 3, 17, 11, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw: str | None, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


# --- Atom, old RSS, encodings -----------------------------------------------------------------


def test_atom_feed() -> None:
    feed = parse_feed(_fixture("atom_markets.xml"), source_url="https://markets.example.in/f")
    assert feed.kind == "atom" and feed.title == "Markets desk"
    infy, wipro, undated = feed.items
    assert infy.title == "Infosys raises FY25 revenue guidance"
    assert infy.summary == "Infosys now expects revenue growth of 3.75%–4.5%."  # no script body
    assert infy.link == ("https://markets.example.in/markets/infosys-raises-guidance"
                         "?utm_source=feed&utm_medium=atom#top")
    assert infy.link_hash == link_hash("https://markets.example.in/markets/infosys-raises-guidance",
                                       None)
    assert infy.publisher == "Example Wire"
    assert infy.published_at == datetime(2024, 10, 1, 3, 45, tzinfo=UTC)  # published, not updated
    assert wipro.summary == "Wipro trades flat."
    assert wipro.publisher == "markets.example.in"
    assert undated.published_at is None


def test_rss091_with_external_doctype_latin1_and_html_entities() -> None:
    feed = parse_feed(_fixture("rss091_doctype.xml"))
    (item,) = feed.items
    assert item.title == "Café Coffee Day results & more"
    assert item.summary == "Results are in & strong & rising"


def test_declared_utf8_with_cp1252_bytes_is_recovered() -> None:
    feed = parse_feed(_fixture("rss_declared_utf8_cp1252_bytes.xml"))
    assert [i.title for i in feed.items] == [
        "Sensex at record — proper UTF-8",
        "\u201cHUL\u201d Q2 profit \u2013 analysts\u2019 view",
    ]
    assert feed.items[1].summary == "Control char and entity"


def test_utf16_with_bom() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>Ünïcode</title>' \
           "<item><title>₹ rises</title><link>https://x.example/1</link></item></channel></rss>"
    feed = parse_feed(text.encode("utf-16"))
    assert feed.title == "Ünïcode" and feed.items[0].title == "₹ rises"


def test_rss10_rdf_items() -> None:
    data = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel><title>RDF</title><link>https://r.example/</link></channel>
      <item><title>One</title><link>https://r.example/1</link>
      <dc:date>2024-01-02T03:04:05Z</dc:date></item></rdf:RDF>"""
    feed = parse_feed(data)
    assert [(i.title, i.link) for i in feed.items] == [("One", "https://r.example/1")]
    assert feed.items[0].published_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_items_without_title_or_link_are_skipped() -> None:
    data = b"<rss><channel><title>t</title><item><description>x</description></item>" \
           b"<item><title>kept</title></item></channel></rss>"
    assert [i.title for i in parse_feed(data).items] == ["kept"]


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01\x02garbage\xff", "not well-formed"),
        (b'{"json": true}', "not well-formed"),
        (b"<opml><body/></opml>", "root element is <opml>"),
    ],
)
def test_non_feeds_raise_feed_parse_error(data: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError, match=reason):
        parse_feed(data)


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError, match="root element is <html>"):
        parse_feed(_fixture("html_page.html"))


def test_feed_parse_error_is_a_bad_request() -> None:
    with pytest.raises(BadRequest) as caught:
        parse_feed(b"")
    assert caught.value.code == "bad_request"


@pytest.mark.timeout(10)  # an expanding parser would hang here; refusal is immediate
def test_billion_laughs_is_refused() -> None:
    with pytest.raises(FeedParseError, match="declares entities"):
        parse_feed(_fixture("billion_laughs.xml"))


def test_xxe_is_refused_and_the_file_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    doc = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
           "<rss><channel><title>&x;</title><item><title>&x;</title></item></channel></rss>")
    with pytest.raises(FeedParseError, match="declares entities"):
        parse_feed(doc.encode())
    with pytest.raises(FeedParseError, match="declares entities"):
        parse_feed(_fixture("xxe_file.xml"))


def test_entity_declaration_hidden_behind_a_long_comment_is_refused() -> None:
    doc = (b'<?xml version="1.0"?><!--' + b"x" * 100_000 + b'-->'
           b'<!DOCTYPE rss [<!ENTITY a "aaaa">]><rss><channel><title>&a;</title></channel></rss>')
    with pytest.raises(FeedParseError, match="declares entities"):
        parse_feed(doc)


@pytest.mark.timeout(10)
def test_parser_configuration_alone_neither_reads_files_nor_expands(tmp_path: Path) -> None:
    """Second line of defence: even if the DOCTYPE check were bypassed, lxml must not resolve."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    xxe = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>').encode()
    root = etree.fromstring(xxe, parse_module._STRICT_PARSER)
    assert "TOP-SECRET-TOKEN" not in etree.tostring(root).decode()
    bomb = _fixture("billion_laughs.xml").replace(b'<?xml version="1.0"?>', b"")
    try:
        root = etree.fromstring(bomb, parse_module._STRICT_PARSER)
        text = "".join(root.itertext())
    except etree.XMLSyntaxError:
        text = ""  # refusing is fine too
    assert len(text) < 10_000


# --- every recorded real feed --------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("path", RECORDED, ids=[p.name for p in RECORDED])
def test_every_recorded_feed_parses_completely(path: Path) -> None:
    data = path.read_bytes()
    feed = parse_feed(data)
    expected_items = data.count(b"<item>") + data.count(b"<item ")
    assert len(feed.items) == expected_items > 0
    for item in feed.items:
        assert item.title and item.title == " ".join(item.title.split())
        assert item.link and item.link.startswith("https://") and " " not in item.link
        assert item.published_at is not None and item.published_at.tzinfo is UTC
        assert item.publisher
        assert "<" not in item.summary
    assert len({i.link_hash for i in feed.items}) == len(feed.items)


@needs_shared
def test_recorded_hindu_feed_values() -> None:
    feed = parse_feed((SHARED_RSS / "thehindu_business_economy_2025-04-03.xml").read_bytes())
    first = feed.items[0]
    assert first.title.startswith("Asian economies growth may dip")
    assert first.published_at == datetime(2025, 4, 3, 14, 44, 25, tzinfo=UTC)
    assert first.publisher == "thehindu.com"


@needs_shared
def test_recorded_google_news_feed_publishers() -> None:
    feed = parse_feed(
        (SHARED_RSS / "googlenews_topstories_ja-JP_2024-02-06_prettified.xml").read_bytes()
    )
    first = feed.items[0]
    assert first.publisher == "朝日新聞デジタル"
    assert not first.title.endswith("朝日新聞デジタル - 朝日新聞デジタル")
    assert first.title.endswith("：朝日新聞デジタル")  # only the " - Publisher" suffix goes
    assert first.link_hash == link_hash("https://www.asahi.com/articles/ASS256HGVS24UTIL00X.html",
                                        None)


@needs_shared
def test_recorded_toi_gadgets_iso_dates() -> None:
    feed = parse_feed((SHARED_RSS / "toi_gadgets_tech_2024-08.xml").read_bytes())
    assert feed.items[0].published_at == datetime(2024, 8, 28, 11, 5, 3, tzinfo=UTC)


# --- properties -------------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from([
    "<rss>", "</rss>", "<channel>", "</channel>", "<item>", "</item>", "<title>", "</title>",
    "<link>", "</link>", "<pubDate>", "</pubDate>", "<![CDATA[", "]]>", "&amp;", "&nbsp;", "&",
    "<!DOCTYPE x>", "<!ENTITY a 'b'>", "&a;", "Sensex", " - Mint", "https://x.in/a?utm_source=1",
    "Thu, 3 Apr 2025 22:41:45 +0530", "\x00", "\xe9", "₹",
    "<feed xmlns='http://www.w3.org/2005/Atom'>",
    "<entry>", "</entry>", "</feed>",
])


@given(st.binary(max_size=512))
@settings(max_examples=150, deadline=None)
def test_random_bytes_either_parse_or_raise_feed_parse_error(data: bytes) -> None:
    try:
        feed = parse_feed(data)
    except FeedParseError:
        return
    assert feed.kind in ("rss", "atom")


@given(st.lists(_FRAGMENTS, max_size=40).map("".join))
@settings(max_examples=200, deadline=None)
def test_feed_like_text_either_parses_cleanly_or_raises_feed_parse_error(text: str) -> None:
    try:
        feed = parse_feed(text.encode("utf-8"))
    except FeedParseError:
        return
    for item in feed.items:
        assert item.title == " ".join(item.title.split())
        assert item.link is None or " " not in item.link
        assert item.published_at is None or item.published_at.tzinfo is UTC
        assert len(item.link_hash) == 32


_URLS = st.builds(
    lambda scheme, www, host, path, query, fragment: (
        f"{scheme}://{www}{host}/{path}{query}{fragment}"
    ),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["", "www.", "WWW."]),
    st.from_regex(r"[a-zA-Z0-9-]{1,12}\.(in|com)", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9/_.-]{0,20}", fullmatch=True),
    st.sampled_from(["", "?a=1", "?utm_source=x&b=2", "?b=2&a=1&fbclid=z"]),
    st.sampled_from(["", "#top"]),
)


@given(_URLS)
@settings(max_examples=200, deadline=None)
def test_normalise_url_is_idempotent_and_drops_tracking(url: str) -> None:
    once = normalise_url(url)
    assert normalise_url(once) == once
    assert "utm_" not in once and "fbclid" not in once and "#" not in once
    assert once.startswith("https://") and "://www." not in once.lower()


# --- frozen output: speed work must not change a single field ------------------------------------

SNAPSHOT = FIXTURES / "parsed_snapshot.json"
SNAPSHOT_FIXTURES = ("atom_markets.xml", "billion_laughs.xml", "googlenews_in_markets.xml",
                     "html_page.html", "rss091_doctype.xml", "rss_declared_utf8_cp1252_bytes.xml",
                     "xxe_file.xml")
# Parsed once without and once with a source URL: it changes relative links, the aggregator
# detection and the fallback identity.
SNAPSHOT_SOURCES = ("", "https://feeds.example.in/rss")


def _parsed_fields(data: bytes, source_url: str) -> object:
    """Every field of ``parse_feed``'s result as JSON-ready data, or the refusal message."""
    try:
        feed = parse_feed(data, source_url=source_url or None)
    except FeedParseError as error:
        return {"error": error.message}
    return {
        "kind": feed.kind,
        "title": feed.title,
        "link": feed.link,
        "items": [
            {
                "title": item.title,
                "summary": item.summary,
                "link": item.link,
                "guid": item.guid,
                "publisher": item.publisher,
                "publisher_url": item.publisher_url,
                "published_at": None if item.published_at is None
                else item.published_at.isoformat(),
                "published_at_tzinfo_is_utc": None if item.published_at is None
                else item.published_at.tzinfo is UTC,
                "link_hash": item.link_hash,
            }
            for item in feed.items
        ],
    }


def _digest(value: object) -> str:
    import hashlib
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_snapshot() -> None:
    """Regenerate ``parsed_snapshot.json`` from the current parser.

    Only for a deliberate change of output: ``python -c "from tests.unit.news.test_parse import
    write_snapshot; write_snapshot()"``. The recorded feeds are stored as SHA-256 digests of
    their parsed fields, not as text (their content may not be redistributed).
    """
    import json

    snapshot = {
        "fixtures": {
            name: {source: _parsed_fields(_fixture(name), source) for source in SNAPSHOT_SOURCES}
            for name in SNAPSHOT_FIXTURES
        },
        "recorded_sha256": {
            path.name: {source: _digest(_parsed_fields(path.read_bytes(), source))
                        for source in SNAPSHOT_SOURCES}
            for path in RECORDED
        },
    }
    SNAPSHOT.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")


def _snapshot() -> dict[str, dict[str, dict[str, object]]]:
    import json

    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SNAPSHOT_FIXTURES)
@pytest.mark.parametrize("source", SNAPSHOT_SOURCES)
def test_fixture_output_matches_frozen_snapshot(name: str, source: str) -> None:
    assert _parsed_fields(_fixture(name), source) == _snapshot()["fixtures"][name][source]


@needs_shared
@pytest.mark.parametrize("path", RECORDED, ids=[p.name for p in RECORDED])
@pytest.mark.parametrize("source", SNAPSHOT_SOURCES)
def test_recorded_feed_output_matches_frozen_digest(path: Path, source: str) -> None:
    expected = _snapshot()["recorded_sha256"].get(path.name, {}).get(source)
    if expected is None:
        pytest.skip(f"{path.name} was recorded after the snapshot was taken")
    assert _digest(_parsed_fields(path.read_bytes(), source)) == expected


# --- text helpers on their fast paths agree with the straightforward forms ---------------------

_MARKUP_FRAGMENTS = st.sampled_from([
    "&amp;", "&nbsp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#039;", "&apos;", "&#x27;", "&eacute;",
    "&notin;", "&not", "&", "amp;", "lt;", "#39;", ";", "J&K", "<a href='x?a=1&b=2'>", "</a>",
    "<b>", "</b>", "< 5", "<", ">", "<![CDATA[", "]]>", "<script>x</script>", "<!-- c -->",
    "<font color=\"#6f6f6f\">", "Sensex", "₹", " ", "  ", "\n", "\t", "\xa0", "\u2009", "\u3000",
])


def _html_to_text_reference(markup: str) -> str:
    """html_to_text as first written (one tag regex, html.unescape, split/join)."""
    import html
    import re

    if "<" in markup:
        markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", " ", markup,
                        flags=re.I | re.S)
        markup = re.sub(r"</?[A-Za-z][^<>]*>|<!\[CDATA\[|\]\]>", " ", markup)
    if re.search(r"&(?:#\d|#[xX][0-9A-Fa-f]|[A-Za-z][A-Za-z0-9]*;?)", markup):
        markup = html.unescape(markup)
    return " ".join(markup.split())


@given(st.lists(_MARKUP_FRAGMENTS, max_size=30).map("".join))
@settings(max_examples=400, deadline=None)
def test_html_to_text_matches_its_reference_form(markup: str) -> None:
    from chitti.news.text import html_to_text

    assert html_to_text(markup) == _html_to_text_reference(markup)


@given(st.one_of(st.text(max_size=40), st.lists(_MARKUP_FRAGMENTS, max_size=20).map("".join)))
@settings(max_examples=300, deadline=None)
def test_whitespace_helpers_match_split_and_join(text: str) -> None:
    from chitti.news.text import collapse_whitespace, remove_all_whitespace

    assert collapse_whitespace(text) == " ".join(text.split())
    assert remove_all_whitespace(text) == "".join(text.split())


_RFC822_DATES = st.builds(
    lambda weekday, day, month, year, h, m, s, zone, pad: (
        f"{weekday}, {day:02d} {month} {year} {h:02d}:{m:02d}:{s:02d} {zone}" if pad
        else f"{weekday}, {day} {month} {year} {h:02d}:{m:02d}:{s:02d} {zone}"
    ),
    st.sampled_from(["Mon", "Thu", "Sun"]),
    st.integers(1, 28),
    st.sampled_from(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                     "Nov", "Dec"]),
    st.integers(1971, 2098),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.one_of(
        st.sampled_from(["GMT", "UT", "UTC", "EST", "EDT", "CST", "PDT"]),
        st.builds(lambda sign, hours, minutes: f"{sign}{hours:02d}{minutes:02d}",
                  st.sampled_from("+-"), st.integers(0, 14), st.sampled_from([0, 30, 45])),
    ),
    st.booleans(),
)


@given(_RFC822_DATES)
@settings(max_examples=300, deadline=None)
def test_parse_date_agrees_with_the_standard_library_on_rfc822(value: str) -> None:
    from email.utils import parsedate_to_datetime

    parsed = parse_date(value)
    assert parsed is not None and parsed.tzinfo is UTC
    assert parsed == parsedate_to_datetime(value).astimezone(UTC)


# --- fast paths of the per-item work agree with the general forms ------------------------------

_URLS_WITH_QUERIES = st.builds(
    lambda scheme, www, host, path, query, fragment, space: (
        f"{scheme}://{www}{host}/{path}{query}{fragment}{space}"
    ),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["", "www.", "WWW."]),
    st.sampled_from(["example.com", "Example.com", "news.google.com", "bbc.co.uk", "a.in:8080",
                     "u@b.in", "[::1]", "exämple.in", "www"]),
    st.sampled_from(["", "x", "rss/articles/CBMiN2h0dHBzOi8vd3d3LmFzYWhpLmNvbS9hcnRpY2xlcy9BU1My"
                     "NTZIR1ZTMjRVVElMMDBYLmh0bWzSAQA", "articles/CBMiK0FVX3lxTE9wYXF1ZQ",
                     "a b/c", "a\xa0b", "a?b/c", "p/q.html"]),
    st.sampled_from(["", "?", "?a=1", "?utm_source=x&b=2", "?b=2&a=1&fbclid=z", "?oc=5&hl=en",
                     "?x=%20y&&z", "?a=1?b=2"]),
    st.sampled_from(["", "#top"]),
    st.sampled_from(["", " ", "\n"]),
)


@given(_URLS_WITH_QUERIES)
@settings(max_examples=400, deadline=None)
def test_fast_url_form_agrees_with_the_urlsplit_form(url: str) -> None:
    fast = parse_module._fast_form(url)
    # Links reach it without whitespace (the parser removes it first). A query-less URL with
    # non-ASCII whitespace such as NBSP keeps it on the fast path, as it always has.
    if fast is not None and url == "".join(url.split()):
        assert fast == parse_module._split_form(url)


def test_fast_url_form_covers_queries_and_google_news_links() -> None:
    bbc = "https://www.bbc.com/news/articles/c0q751vlxw1o?at_medium=RSS&at_campaign=rss"
    assert parse_module._fast_form(bbc) == "https://bbc.com/news/articles/c0q751vlxw1o"
    google = ("https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3LmFzYWhpLmNvbS9hcnRpY2xl"
              "cy9BU1MyNTZIR1ZTMjRVVElMMDBYLmh0bWzSAQA?oc=5")
    assert parse_module._fast_form(google) == (
        "https://asahi.com/articles/ASS256HGVS24UTIL00X.html"
    )


@pytest.mark.parametrize(
    "raw",
    ["Fri, 31 Dec 9999 23:59:59 -0500", "9999-12-31T23:59:59-05:00",
     "0001-01-01T00:00:00+05:30"],
)
def test_dates_beyond_the_datetime_range_are_unreadable(raw: str) -> None:
    assert parse_date(raw) is None


def test_dates_of_one_feed_sharing_a_day_keep_their_own_time_and_zone() -> None:
    items = "".join(
        f"<item><title>t{i}</title><link>https://x.example/{i}</link>"
        f"<pubDate>{date}</pubDate></item>"
        for i, date in enumerate([
            "Thu, 03 Apr 2025 20:14:25 +0530", "Thu, 03 Apr 2025 01:00:00 +0530",
            "Thu, 03 Apr 2025 01:00:00 GMT", "Thu, 03 Apr 2025 24:00:00 GMT",
            "Thu, 03 Apr 2025 01:00:00 +05x0", "Thu, 31 Apr 2025 01:00:00 GMT",
        ])
    )
    feed = parse_feed(f"<rss><channel><title>t</title>{items}</channel></rss>".encode())
    assert [i.published_at for i in feed.items] == [
        datetime(2025, 4, 3, 14, 44, 25, tzinfo=UTC), datetime(2025, 4, 2, 19, 30, tzinfo=UTC),
        datetime(2025, 4, 3, 1, tzinfo=UTC), None,
        datetime(2025, 4, 3, 1, tzinfo=UTC),  # a malformed zone: email.utils reads it as UTC
        None,
    ]


def test_parsed_article_is_immutable_and_dataclass_compatible(
    google_feed: parse_module.ParsedFeed,
) -> None:
    from dataclasses import FrozenInstanceError, fields, replace

    first = google_feed.items[0]
    assert [f.name for f in fields(first)] == list(parse_module.ParsedArticle._fields)
    changed = replace(first, title="x")
    assert changed.title == "x" and changed.link_hash == first.link_hash
    with pytest.raises(FrozenInstanceError):
        first.title = "y"  # type: ignore[misc]


def test_nested_and_repeated_item_children_follow_the_first_direct_child() -> None:
    data = b"""<rss><channel><title>t</title><image><title>logo</title></image>
      <item><title>first</title><title>second</title>
        <media:group xmlns:media="http://search.yahoo.com/mrss/"><link>https://x.example/n</link>
        </media:group><link>https://x.example/1</link>
        <description>d</description><content:encoded
         xmlns:content="http://purl.org/rss/1.0/modules/content/">c</content:encoded></item>
      <wrapper><item><title>not an item of the channel</title></item></wrapper>
      <item><title>two</title><content:encoded
         xmlns:content="http://purl.org/rss/1.0/modules/content/">only content</content:encoded>
        <pubDate></pubDate><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/"
        >2024-01-02T03:04:05Z</dc:date></item></channel></rss>"""
    first, second = parse_feed(data).items
    assert (first.title, first.link, first.summary) == ("first", "https://x.example/1", "d")
    assert (second.title, second.summary, second.published_at) == ("two", "only content", None)
