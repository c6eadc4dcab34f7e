"""HTML pages: main text and metadata via trafilatura, publication time from page metadata."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

import lxml.html
import trafilatura
from lxml import etree

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import clean_text, decode_text, guarded, make_article
from storyline.model import Article, ReadResult

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)

# Meta tags that carry a full publication timestamp, most specific first.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first KiB (``<meta charset>`` or http-equiv)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _jsonld_dates(tree: Any) -> Iterator[str]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                value = node.get("datePublished")
                if isinstance(value, str):
                    yield value
                stack.extend(v for v in node.values() if isinstance(v, (dict, list)))


def published_from_page(tree: Any) -> str | None:
    """The page's own publication timestamp, with its time of day when the page gives one."""
    wanted = {name.lower() for name in _PUBLISHED_META}
    for meta in tree.xpath("//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in wanted and meta.get("content"):
            return str(meta.get("content"))
    for value in _jsonld_dates(tree):
        return value
    for node in tree.xpath("//time[@datetime]")[:1]:
        return str(node.get("datetime"))
    return None


def _strip_leading_title(text: str, title: str | None) -> str:
    if title:
        first, _, rest = text.partition("\n")
        if first.strip() == title.strip() and rest.strip():
            return rest
    return text


def article_from_html(
    data: bytes,
    *,
    location: str,
    settings: Settings,
    url: str | None = None,
    declared_encoding: str | None = None,
    published: object = None,
    source: str | None = None,
    reader: str = "html",
) -> Article:
    """Extract one article from an HTML page. Raises ``RecordRejected`` when there is none.

    ``published`` and ``source`` are what the container (a feed entry, an HTTP response) knew;
    the page's own metadata fills what they leave empty.
    """
    if len(data) > settings.ingest.max_record_bytes:
        raise RecordRejected(
            RejectCode.OVERSIZE_INPUT,
            f"page has {len(data)} bytes, above the limit of {settings.ingest.max_record_bytes}",
        )
    markup = decode_text(data, declared=declared_encoding or declared_charset(data))
    if not markup.strip():
        raise RecordRejected(RejectCode.BLANK_CONTENT, "the page is empty")
    try:
        tree = lxml.html.fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise RecordRejected(RejectCode.BOILERPLATE_ONLY, f"no parseable HTML: {exc}") from None
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, favor_precision=True
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise RecordRejected(
            RejectCode.BOILERPLATE_ONLY, "no article text found: the page is only boilerplate"
        )
    title = getattr(document, "title", None) or None
    body = clean_text(_strip_leading_title(text, title))
    return make_article(
        text=body,
        settings=settings.ingest,
        location=location,
        reader=reader,
        title=title,
        url=url or getattr(document, "url", None),
        source=source or getattr(document, "sitename", None),
        author=getattr(document, "author", None),
        language=getattr(document, "language", None),
        published=published,
        published_metadata=published_from_page(tree) or getattr(document, "date", None),
    )


def read_html(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read one HTML page file: one article or one rejection."""
    data = stream.read(settings.ingest.max_record_bytes + 1)
    yield guarded(location, lambda: article_from_html(data, location=location, settings=settings))
