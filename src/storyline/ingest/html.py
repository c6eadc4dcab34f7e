"""HTML pages: main text and metadata via trafilatura, publication time from page metadata."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import IO, Any

import lxml.html
import trafilatura
from lxml import etree

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import clean_text, date_from_url, decode_text, guarded, make_article
from storyline.model import Article, ReadResult

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Page furniture, told apart from content to tell a page that is all boilerplate (a cookie wall)
# from an article. Elements that are never content:
_NEVER_CONTENT = frozenset(
    {"head", "script", "style", "noscript", "template", "svg", "iframe", "button", "select"}
)
# ...and elements that usually are not, unless they hold the article (ASP.NET pages wrap the
# whole body in a <form>; a wrapper's class may say "has-sidebar").
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu", "dialog"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search"}
)
_FURNITURE_NAMES = re.compile(
    r"cookie|consent|gdpr|privacy|banner|newsletter|subscri|signup|paywall|modal|popup|overlay"
    r"|\bnav|menu|footer|masthead|sidebar|breadcrumb|share|social|promo|advert",
    re.IGNORECASE,
)
_HOLDS_ARTICLE = etree.XPath("boolean(.//article | .//main | .//h1)")
_MIN_CONTENT_SHARE = 0.5
_LIST_BULLET = re.compile(r"^[-*\u2022]\s+")
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


def _is_boilerplate(element: Any) -> bool:
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return False
    tag = tag.lower()
    if tag in _NEVER_CONTENT:
        return True
    if tag in ("html", "body", "main", "article"):
        return False
    names = f"{element.get('id') or ''} {element.get('class') or ''}"
    furniture = (
        tag in _FURNITURE_TAGS
        or (element.get("role") or "").lower() in _FURNITURE_ROLES
        or (bool(names.strip()) and _FURNITURE_NAMES.search(names) is not None)
    )
    return furniture and not _HOLDS_ARTICLE(element)


def _content_text(tree: Any) -> str:
    """The page's visible text outside navigation, headers, footers, banners and forms."""
    content = copy.deepcopy(tree)
    for element in [e for e in content.iter() if _is_boilerplate(e)]:
        element.drop_tree()
    return " ".join(content.text_content().split())


def only_boilerplate(tree: Any, extracted: str) -> bool:
    """True when the text trafilatura kept comes mostly from boilerplate, not from content.

    trafilatura falls back to whatever text a page has, so a page that is only a cookie
    banner and a footer still "extracts" the banner, sometimes longer than a short article.
    We check where the extracted lines live.
    """
    pieces = _text_pieces(extracted)
    total = sum(len(piece) for piece in pieces)
    if not total:
        return True
    content = _content_text(tree)
    in_content = sum(len(piece) for piece in pieces if piece in content)
    return in_content < _MIN_CONTENT_SHARE * total


def _text_pieces(extracted: str) -> list[str]:
    """Extracted lines as the page holds them: without list bullets, table rows as cells."""
    pieces: list[str] = []
    for line in extracted.splitlines():
        line = _LIST_BULLET.sub("", line.strip())
        cells = line.strip("|").split("|") if line.startswith("|") else [line]
        pieces.extend(" ".join(cell.split()) for cell in cells if cell.strip())
    return pieces


def _page_date(document: Any, tree: Any, url: str | None) -> str | None:
    """The page's own date: its metadata, else trafilatura's, unless that one came from the URL.

    Dates read from the URL are the URL origin, not page metadata (``resolve_published`` does
    that step itself, and labels it so).
    """
    own = published_from_page(tree)
    if own:
        return own
    found = getattr(document, "date", None)
    if not found:
        return None
    for candidate in (url, getattr(document, "url", None)):
        guessed = date_from_url(candidate)
        if guessed is not None and str(found).startswith(guessed.date().isoformat()):
            return None
    return str(found)


def _parse(markup: str) -> Any:
    # lxml refuses a str that still carries an XML encoding declaration (XHTML pages).
    markup = _XML_DECLARATION.sub("", markup, count=1)
    try:
        return lxml.html.fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise RecordRejected(RejectCode.BOILERPLATE_ONLY, f"no parseable HTML: {exc}") from None


def article_from_html(
    data: bytes | str,
    *,
    location: str,
    settings: Settings,
    url: str | None = None,
    declared_encoding: str | None = None,
    published: object = None,
    source: str | None = None,
    reader: str = "html",
    id: str | None = None,
    title: str | None = None,
    author: str | None = None,
    language: str | None = None,
) -> Article:
    """Extract one article from an HTML page. Raises ``RecordRejected`` when there is none.

    ``data`` is the page's bytes (decoded here: BOM, UTF-8, declared charset, detection) or its
    already decoded text. ``published``, ``source``, ``id``, ``title``, ``author`` and
    ``language`` are what the container (a JSONL record, a feed entry, an HTTP response) knew;
    the page's own metadata fills what they leave empty.
    """
    if isinstance(data, str):
        markup = data
    else:
        if len(data) > settings.ingest.max_record_bytes:
            raise RecordRejected(
                RejectCode.OVERSIZE_INPUT,
                f"page has {len(data)} bytes, above the limit of "
                f"{settings.ingest.max_record_bytes}",
            )
        markup = decode_text(data, declared=declared_encoding or declared_charset(data))
    if not markup.strip():
        raise RecordRejected(RejectCode.BLANK_CONTENT, "the page is empty")
    tree = _parse(markup)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        # No guessing from the page's free text: a "(c) 2019" footer is not a publication date.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise RecordRejected(
            RejectCode.BOILERPLATE_ONLY, "no article text found: the page is only boilerplate"
        )
    page_title = getattr(document, "title", None) or None
    if only_boilerplate(tree, text):
        raise RecordRejected(
            RejectCode.BOILERPLATE_ONLY,
            "no article text found: the page's text is navigation, footer or banners",
        )
    for heading in (page_title, title):
        text = _strip_leading_title(text, heading)
    return make_article(
        text=clean_text(text),
        settings=settings.ingest,
        location=location,
        reader=reader,
        id=id,
        title=title or page_title,
        url=url or getattr(document, "url", None),
        source=source or getattr(document, "sitename", None),
        author=author or getattr(document, "author", None),
        language=language or getattr(document, "language", None),
        published=published,
        published_metadata=_page_date(document, tree, url),
    )


def read_html(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read one HTML page file: one article or one rejection."""
    data = stream.read(settings.ingest.max_record_bytes + 1)
    yield guarded(location, lambda: article_from_html(data, location=location, settings=settings))
