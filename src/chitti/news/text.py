"""Small, fast text helpers shared by the news parser, de-duplicator and entity matcher.

Everything here is pure (str in, str out) and avoids building DOMs: feed summaries are short
and arrive by the thousand, so a couple of C-level regex passes beat an HTML parser by far.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "collapse_whitespace",
    "html_to_text",
    "remove_all_whitespace",
    "split_publisher_suffix",
]

# Script/style bodies are code, not prose; comments may hide markup.
_DROP_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_ENTITY = re.compile(r"&(?:#\d|#[xX][0-9A-Fa-f]|[A-Za-z][A-Za-z0-9]*;?)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!\[CDATA\[|\]\]>")
# The same without the CDATA markers, for markup that has none: a pattern that starts with a
# literal "<" lets the regex engine skip to the next "<" instead of trying every position.
_TAG_ONLY = re.compile(r"<(?:/?[A-Za-z][^<>]*>)")
# The references feeds actually use, with what html.unescape makes of them. Replacing these
# with str.replace is ~20x faster than html.unescape's per-reference Python callback. "&amp;"
# is not here: it must go last (see _unescape).
_COMMON_REFERENCES = (
    ("&nbsp;", "\xa0"), ("&quot;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"),
    ("&#039;", "'"), ("&apos;", "'"),
)
# Separators a headline uses before the publisher name ("Headline - Publisher").
_PUBLISHER_SEPARATORS = (" - ", " – ", " — ", " | ")


def collapse_whitespace(text: str) -> str:
    """Return ``text`` with every run of whitespace (newlines, tabs, NBSP) as one space, trimmed.

    Feeds that were pretty-printed or re-indented by an editor pad text nodes with newlines;
    headlines must compare equal regardless. Text that is already collapsed (most headlines) is
    recognised by a few C-level scans and returned without splitting it into words.
    """
    # isprintable() is False for every whitespace character except the ASCII space, so with
    # no doubled, leading or trailing space there is nothing to collapse.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())  # str.split and regex \s agree on what whitespace is


def remove_all_whitespace(text: str) -> str:
    """Return ``text`` without any whitespace: a URL never contains a literal space or newline,
    so any found inside a ``<link>`` came from line wrapping and must go."""
    if text.isprintable() and " " not in text:  # as in collapse_whitespace: nothing to remove
        return text
    return "".join(text.split())


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML fragment: tags dropped, entities decoded.

    ``<script>``/``<style>`` bodies and comments are removed; tags become spaces so that
    ``<li>a</li><li>b</li>`` reads ``a b``; whitespace is collapsed. Text without ``<`` or
    ``&`` skips the regexes.
    """
    if "<" in markup:
        if "<!--" in markup or "<s" in markup or "<S" in markup:
            markup = _DROP_BLOCKS.sub(" ", markup)
        cdata_markers = "<![CDATA[" in markup or "]]>" in markup
        markup = (_TAG if cdata_markers else _TAG_ONLY).sub(" ", markup)
    if "&" in markup and _ENTITY.search(markup):  # "J&K" needs no unescaping
        markup = _unescape(markup)
    return collapse_whitespace(markup)


def _unescape(markup: str) -> str:
    # Same result as html.unescape, faster for the common references. A reference starts at
    # its "&" and ends at its ";", so replacing one never touches another, and no replacement
    # produces an "&". Whatever is left must be "&amp;" alone, else html.unescape decides
    # (on the original text: "&amp;lt;" must stay "&lt;").
    text = markup
    for reference, char in _COMMON_REFERENCES:
        if reference in text:
            text = text.replace(reference, char)
    ampersands = text.count("&")
    if not ampersands:
        return text
    if ampersands == text.count("&amp;"):
        return text.replace("&amp;", "&")
    return html.unescape(markup)


def split_publisher_suffix(title: str, publisher: str | None = None) -> tuple[str, str | None]:
    """Split ``"Headline - Publisher"`` into ``("Headline", "Publisher")``.

    With ``publisher`` given (e.g. Google News ``<source>``), only that exact suffix is removed,
    so a dash inside the headline is never mistaken for the separator. Without it, the last
    `` - `` splits the title, which is only right for aggregator feeds whose titles are known to
    carry the suffix; callers decide when to use that form. Returns ``(title, None)`` when no
    suffix is found.
    """
    if publisher:
        for separator in _PUBLISHER_SEPARATORS:
            suffix = f"{separator}{publisher}"
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].rstrip(), publisher
        return title, None
    head, separator, tail = title.rpartition(" - ")
    if separator and head.strip() and tail.strip() and len(tail) <= 80:
        return head.rstrip(), tail.strip()
    return title, None
