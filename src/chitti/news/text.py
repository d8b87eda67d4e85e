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

_WHITESPACE = re.compile(r"\s+")
# Script/style bodies are code, not prose; comments may hide markup.
_DROP_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_ENTITY = re.compile(r"&(?:#\d|#[xX][0-9A-Fa-f]|[A-Za-z][A-Za-z0-9]*;?)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!\[CDATA\[|\]\]>")
# Separators a headline uses before the publisher name ("Headline - Publisher").
_PUBLISHER_SEPARATORS = (" - ", " – ", " — ", " | ")


def collapse_whitespace(text: str) -> str:
    """Return ``text`` with every run of whitespace (newlines, tabs, NBSP) as one space, trimmed.

    Feeds that were pretty-printed or re-indented by an editor pad text nodes with newlines;
    headlines must compare equal regardless.
    """
    return _WHITESPACE.sub(" ", text).strip()


def remove_all_whitespace(text: str) -> str:
    """Return ``text`` without any whitespace: a URL never contains a literal space or newline,
    so any found inside a ``<link>`` came from line wrapping and must go."""
    return _WHITESPACE.sub("", text)


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML fragment: tags dropped, entities decoded.

    ``<script>``/``<style>`` bodies and comments are removed; tags become spaces so that
    ``<li>a</li><li>b</li>`` reads ``a b``; whitespace is collapsed. Text without ``<`` or
    ``&`` skips the regexes.
    """
    if "<" in markup:
        if "<!--" in markup or "<s" in markup or "<S" in markup:
            markup = _DROP_BLOCKS.sub(" ", markup)
        markup = _TAG.sub(" ", markup)
    if "&" in markup and _ENTITY.search(markup):  # "J&K" needs no unescaping
        markup = html.unescape(markup)
    return " ".join(markup.split())


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
