"""The compiled per-item work (chitti.news._fastparse) against the Python form it replaces.

The C module must answer exactly as chitti.news.parse's Python code, or hand the item (or the
feed) back to it. Each test runs both forms on the same input: the recorded feeds, the
fixtures, and hypothesis-generated fields and feeds (markup, entities, case-folding letters,
dates, hostile and broken text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.feed_server import FIXTURES, RECORDED

from chitti.news import parse as parse_module
from chitti.news.parse import FeedParseError, ParsedFeed, parse_feed
from chitti.news.text import html_to_text

fastparse = pytest.importorskip("chitti.news._fastparse")

FEEDS = RECORDED + sorted(FIXTURES.glob("*.xml"))


@pytest.fixture(autouse=True)
def _compiled_form_in_use() -> None:
    assert parse_module._fast is fastparse, "the import check turned the compiled form off"


def _python_form(run: Callable[[], object]) -> object:
    saved, parse_module._fast = parse_module._fast, None
    try:
        return run()
    finally:
        parse_module._fast = saved


def _outcome(run: Callable[[], object]) -> object:
    try:
        return run()
    except FeedParseError as error:
        return ("FeedParseError", error.message)
    except ValueError as error:  # what the Python form raises, the compiled form must too
        return (type(error).__name__, str(error))


def _assert_same_feed(data: bytes, source_url: str | None = None) -> None:
    def run() -> object:
        return _outcome(lambda: parse_feed(data, source_url=source_url))

    expected, actual = _python_form(run), run()
    assert actual == expected
    if isinstance(actual, ParsedFeed):
        for article in actual.items:
            assert type(article) is parse_module.ParsedArticle
            assert article.published_at is None or article.published_at.tzinfo is UTC


@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
@pytest.mark.parametrize("source_url", [None, "https://www.example.in/feeds/x.xml",
                                        "https://news.google.com/rss?hl=en-IN"])
def test_recorded_feeds_parse_the_same_both_ways(path: Path, source_url: str | None) -> None:
    _assert_same_feed(path.read_bytes(), source_url)


@pytest.mark.parametrize("path", FEEDS, ids=[p.name for p in FEEDS])
def test_declaration_scan_agrees_with_substring_search(path: Path) -> None:
    data = path.read_bytes()
    assert fastparse.declares(data) == (b"<!DOCTYPE" in data or b"<!ENTITY" in data)


# --- generated inputs --------------------------------------------------------------------------

# Fragments that exercise every branch of the text, link and date code: markup that the
# regexes take or refuse, entities common and rare, letters re's IGNORECASE folds into
# "script"/"style" (long s, dotless and dotted I, Kelvin sign), Unicode whitespace and digits.
_TEXT_FRAGMENTS = st.sampled_from([
    "<", ">", "</", "<b>", "</b>", "<a href='https://x.in/?a=1&amp;b=2'>", "<p class=x>",
    "<script>", "</script>", "</SCRIPT >", "<ſcript>", "</ſcript>", "<scrİpt>", "</scrıpt>",
    "<style type=x>", "</style\n>", "<Style>", "<s", "<S", "<sx>", "<script_x>", "<!--", "-->",
    "<!-->", "<![CDATA[", "]]>", "]]", "&", "&amp;", "&amp;lt;", "&lt;", "&gt;", "&quot;",
    "&#39;", "&#039;", "&apos;", "&nbsp;", "&hellip;", "&rsquo;", "&#8377;", "&#x20B9;",
    "&#x;", "&#", "&#١;", "&copy", "&Amp;", "&unknownref;", "J&K", " - ", " – ", " — ", " | ",
    " ", "  ", "\n", "\t", "\xa0", "\u3000", "\u2028", "\x1c", "Mint", "मिंट", "日本", "K", "ſ",
    "ı", "İ", "x", "Sensex", "www.", "http://", "https://", "/", "?", "#", "=", ":", "@", "[",
    "\ud800", "\U0001f600",
])
_TEXT = st.one_of(
    st.lists(_TEXT_FRAGMENTS, max_size=25).map("".join),
    st.text(max_size=30),
)
_HOSTS = st.sampled_from([
    "example.in", "www.example.in", "WWW.Example.in", "news.google.com", "a.b.co.uk", "x", "1.2",
    "müller.de", "例え.jp", "ex:8080", "u@ex.in", "[::1]", "ex[.in", "", "www.",
])
_PATHS = st.lists(st.sampled_from([
    "/", "/a", "/b/c.html", "/rss/articles/", "/articles/", "/read/", "/rss/read/",
    "CBMiK2h0dHBzOi8vd3d3LnRoZWhpbmR1LmNvbS9uZXdzL3N0YXRlcy9rLmVjZdIBAA",
    "CBMiF2h0dHBzOi8vbmV3cy5nb29nbGUuY29tL3g", "CBMiEWh0dHA6Ly94LmluL8OpL3o", "CAIiEA", "Q",
    "AU_yqL", "é", "%20", " ", "\n", "#frag", "?", "&",
]), max_size=6).map("".join)
_QUERIES = st.lists(st.sampled_from([
    "a=1", "b=2", "utm_source=x", "UTM_Medium=y", "fbclid=z", "msclKid=k", "spm=1", "ſpm=1",
    "oc=5", "hl=en-IN", "", "=", "x", "a=1&a=1", "é=1", "q=a b",
]), max_size=5).map("&".join)
_GOOD_LINKS = st.builds(
    lambda scheme, host, path, query: f"{scheme}{host}/{path}{query}",
    st.sampled_from(["https://", "http://"]),
    st.sampled_from(["example.in", "www.example.in", "news.google.com", "www.thehindu.com"]),
    _PATHS, st.one_of(st.just(""), _QUERIES.map(lambda q: "?" + q)),
)
_LINKS = st.one_of(
    _GOOD_LINKS,
    _GOOD_LINKS,
    st.builds(lambda scheme, host, path, query: f"{scheme}{host}{path}{query}",
              st.sampled_from(["https://", "http://", "HTTP://", "ftp://", "", " https://"]),
              _HOSTS, _PATHS, st.one_of(st.just(""), _QUERIES.map(lambda q: "?" + q))),
    _TEXT,
)
_GOOD_DATES = st.builds(
    lambda weekday, day, month, year, clock, zone: f"{weekday} {day} {month} {year} {clock} {zone}",
    st.sampled_from(["Thu,", "Mon,", "x"]), st.integers(1, 28).map(str),
    st.sampled_from(["Jan", "Feb", "Sep", "Dec"]), st.integers(1, 9999).map(str),
    st.builds(lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}", st.integers(0, 23), st.integers(0, 59),
              st.integers(0, 59)),
    st.sampled_from(["+0530", "-0800", "GMT", "IST", "+0000", "-1200", "+1400"]),
)
_DATES = st.one_of(
    _GOOD_DATES,
    _GOOD_DATES,
    st.builds(
        lambda day, month, year, clock, zone, spaces: spaces.join(
            ["Thu,", day, month, year, clock, zone]),
        st.sampled_from(["1", "01", "26", "29", "31", "0", "32", "x", "٣"]),
        st.sampled_from(["Sep", "SEP", "sept", "Feb", "Xyz", "Se", "İan"]),
        st.sampled_from(["2024", "24", "69", "70", "99", "0001", "9999", "1", "12345", "２０２４"]),
        st.sampled_from(["15:25:45", "00:00:00", "23:59:59", "24:00:00", "1:2:3", "15-25-45"]),
        st.sampled_from(["+0530", "-0800", "+05:30", "+:0530", "GMT", "ist", "XYZ", "Z",
                         "+1400", "+0599", "-9999", "+053", "CEST", "UTCX"]),
        st.sampled_from([" ", "  ", "\n", "\u3000"]),
    ),
    st.builds(
        lambda date, sep, clock, zone: f"{date}{sep}{clock}{zone}",
        st.sampled_from(["2024-08-28", "0001-01-01", "9999-12-31", "2024-02-30", "2024-13-01",
                         "2023-02-29", "2024-02-29", "0000-01-01"]),
        st.sampled_from(["T", " ", "t", "_"]),
        st.sampled_from(["16:35:03", "00:00:00", "23:59:59", "24:00:00", "16:35", "16:35:03.5",
                         ""]),
        st.sampled_from(["", "Z", "+05:30", "-05:30", "+00:00", "-00:00", "+14:00", "+24:00",
                         "+0530", "+05:30:15"]),
    ),
    st.builds(lambda d: f" \n {d} \t", st.sampled_from(["Mon, 5 Feb 2024 10:00:00 GMT",
                                                        "2024-08-28T16:35:03+05:30"])),
    _TEXT,
)
_OPTIONAL_TEXT = st.one_of(st.none(), _TEXT)


@given(st.lists(_TEXT_FRAGMENTS, max_size=40).map("".join))
@settings(max_examples=3000, deadline=None)
def test_html_to_text_is_the_same_both_ways(markup: str) -> None:
    assert fastparse.html_to_text(markup) == html_to_text(markup)


@given(
    base_url=st.one_of(st.none(), st.sampled_from(["", "https://www.example.in/feed",
                                                   "https://news.google.com/rss", "Ĳ/x"])),
    aggregator=st.booleans(),
    raw_title=_TEXT,
    summary=_TEXT,
    link=st.one_of(st.none(), _LINKS),
    guid=st.one_of(st.none(), _LINKS, _TEXT),
    source_name=_OPTIONAL_TEXT,
    source_url=st.one_of(st.none(), _LINKS),
    date_text=st.one_of(st.none(), _DATES),
)
@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_article_fields_are_the_same_both_ways(
    base_url: str | None, aggregator: bool, raw_title: str, summary: str, link: str | None,
    guid: str | None, source_name: str | None, source_url: str | None, date_text: str | None,
) -> None:
    fields = (raw_title, summary, link, guid, source_name, source_url, date_text)
    feed = parse_module._Feed(base_url, aggregator)
    try:
        expected = parse_module._py_article(feed, *fields)
    except (ValueError, UnicodeError):
        expected = None
        raised = True
    else:
        raised = False
    actual = fastparse.article(base_url, aggregator, *fields)
    if actual is NotImplemented:
        return  # handed back: the Python form answers
    assert not raised, "the Python form raises here; the compiled form must hand it back"
    assert actual == expected
    if actual is not None:
        assert type(actual) is parse_module.ParsedArticle
        assert actual.published_at is None or actual.published_at.tzinfo is UTC


def test_common_items_are_not_handed_back() -> None:
    # The point of the module: the usual shapes are answered in C.
    common = [
        ("Sensex rises - Mint", "<p>Markets <b>rose</b>&nbsp;today</p>",
         "https://www.example.in/a?utm_source=x&b=2", "id-1", None, None,
         "Thu, 26 Sep 2024 15:25:45 +0530"),
        ("Nifty", "", "https://news.google.com/rss/articles/CBMiK2h0dHBzOi8vd3d3LnRoZWhpbmR1LmNv"
         "bS9uZXdzL3N0YXRlcy9rLmVjZdIBAA?oc=5", None, "The Hindu", "https://www.thehindu.com",
         "2024-08-28T16:35:03+05:30"),
        ("日本のニュース", "", None, "https://example.jp/x", None, None,
         "Mon, 5 Feb 2024 10:00:00 GMT"),
    ]
    for fields in common:
        for aggregator in (False, True):
            article = fastparse.article(None, aggregator, *fields)
            assert article is not NotImplemented
            assert article == parse_module._py_article(parse_module._Feed(None, aggregator),
                                                       *fields)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_text(text: str) -> str:
    # Only characters XML 1.0 allows; the rest become spaces (lone surrogates included).
    return "".join(
        c if c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
        or c >= "\U00010000" else " "
        for c in text
    )


@st.composite
def _items(draw: st.DrawFn) -> str:
    parts = []
    fields = [("title", _TEXT), ("link", _LINKS), ("guid", _LINKS), ("description", _TEXT),
              ("pubDate", _DATES), ("source", _TEXT), ("dc:date", _DATES),
              ("content:encoded", _TEXT), ("category", _TEXT), ("rss1:title", _TEXT)]
    for _ in range(draw(st.integers(0, 6))):
        name, strategy = draw(st.sampled_from(fields))
        text = _xml_text(draw(strategy))
        body = _cdata(text) if draw(st.booleans()) else escape(text)
        if draw(st.integers(0, 9)) == 0:
            body = f"{body}<b>{escape(_xml_text(draw(_TEXT)))}</b>"  # markup in a field
        attributes = ""
        if name == "guid" and draw(st.booleans()):
            attributes = f' isPermaLink="{draw(st.sampled_from(["false", "true", "False", ""]))}"'
        if name == "source" and draw(st.booleans()):
            attributes = f' url="{escape(_xml_text(draw(_LINKS)), {chr(34): "&quot;"})}"'
        parts.append(f"<{name}{attributes}>{body}</{name}>")
    return "<item>" + "".join(parts) + "</item>"


@given(items=st.lists(_items(), max_size=5), generator=st.sampled_from(["", "NFE/5.0", "x"]),
       link=st.sampled_from(["", "https://news.google.com/", "https://www.example.in/"]),
       source_url=st.sampled_from([None, "https://www.example.in/feed", "https://news.google.com/x"]))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_feeds_parse_the_same_both_ways(
    items: list[str], generator: str, link: str, source_url: str | None,
) -> None:
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:rss1="http://purl.org/rss/1.0/"><channel><title>T</title>'
        f"<link>{link}</link><generator>{generator}</generator>{''.join(items)}"
        "</channel></rss>"
    )
    _assert_same_feed(document.encode("utf-8"), source_url)


@given(st.binary(max_size=200), st.sampled_from([b"", b"<!DOCTYPE", b"<!ENTITY", b"<!DOCTYP",
                                                 b"<!", b"<<!ENTITY"]))
@settings(max_examples=500, deadline=None)
def test_declaration_scan_agrees_on_generated_bytes(data: bytes, marker: bytes) -> None:
    for sample in (data + marker, marker + data, data[:50] + marker + data[50:]):
        assert fastparse.declares(sample) == (b"<!DOCTYPE" in sample or b"<!ENTITY" in sample)


def _long_inputs() -> Iterator[str]:
    # Shapes on which a naive scan would be quadratic: every start re-searching to the end.
    n = 20_000
    yield "<script>" * (n // 8)
    yield "<style x" * (n // 8)
    yield "<!--" * (n // 4)
    yield "<a" * (n // 2)
    yield "<script>" + "</scrip" * (n // 7)
    yield "&" * n
    yield "]]" * (n // 2)


@pytest.mark.parametrize("markup", list(_long_inputs()), ids=range(7))
def test_long_hostile_markup_is_the_same_both_ways(markup: str) -> None:
    assert fastparse.html_to_text(markup) == html_to_text(markup)
