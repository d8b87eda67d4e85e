# Stub of the optional C extension (src/chitti/news/_fastparse.c); see chitti.news.parse.
from collections.abc import Callable
from types import NotImplementedType

from lxml import etree

from chitti.news.parse import ParsedArticle

def configure(
    article_type: type[ParsedArticle], element_type: type[etree._Element],
    unescape: Callable[[str], str], /,
) -> None: ...
def article(
    base_url: str | None, aggregator: bool, raw_title: str, summary_markup: str,
    link: str | None, guid: str | None, source_name: str | None, source_url: str | None,
    date_text: str | None, /,
) -> ParsedArticle | None | NotImplementedType: ...
def rss_articles(
    container: etree._Element, item_name: str, item_href: str | None, base_url: str | None,
    aggregator: bool,
    fallback: Callable[
        [str, str, str | None, str | None, str | None, str | None, str | None],
        ParsedArticle | None,
    ], /,
) -> list[ParsedArticle] | None: ...
def html_to_text(markup: str, /) -> str: ...
