"""RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 feeds: one article or rejection per entry.

Parsing is feedparser's, which is lenient: a feed that is not well-formed XML but still yields
entries ("bozo") is read, not rejected. Nothing is fetched: entries carry their text inline.

Feed bodies are HTML *fragments* written to be the article itself, so they are turned into text
directly (:func:`fragment_text`) rather than through trafilatura, whose boilerplate removal is built
for whole pages and drops real content (lists, short paragraphs) from fragments. A body that is a
whole HTML document goes through :func:`~storyline.ingest.html.article_from_html`.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import io
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any

import feedparser
import lxml.html
from lxml import etree

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import guarded, make_article, reject
from storyline.ingest.html import article_from_html
from storyline.model import Article, ReadResult, Rejected

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_WHOLE_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html[\s>]|body[\s>])", re.IGNORECASE)
_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "svg",
    "nav",
    # Photo credits and captions describe an image, not the story.
    "figure",
    "figcaption",
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_CONTROL_BYTES = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_SPACES = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_NAME_BESIDE_EMAIL = re.compile(r"\(\s*([^()@]+?)\s*\)|^\s*([^<>@]+?)\s*<[^<>]+>")
# Lines feed generators append to every entry: they name the outlet, they are not the story.
_FOOTER_LINE = re.compile(
    r"^(?:The post .+ appeared first on .+|(?:Continue reading|Read more)\W*)$", re.IGNORECASE
)


def fragment_text(markup: str) -> str:
    """Plain text of an HTML fragment: one line per paragraph, list item or heading.

    >>> fragment_text("<p>Roads <b>closed</b>.</p><ul><li>Route 9</li><li>Route 12</li></ul>")
    'Roads closed.\\nRoute 9\\nRoute 12'
    """
    # lxml parses control bytes into text nodes, then refuses them when text is set (below);
    # they are no part of any text (clean_text deletes them too).
    markup = markup.translate(_CONTROL_BYTES)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROPPED_TAGS)):
        element.drop_tree()
    for element in root.iter():
        if element.text:
            element.text = _SPACES.sub(" ", element.text)
        if element.tail:
            element.tail = _SPACES.sub(" ", element.tail)
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (line.strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line and not _FOOTER_LINE.match(line))


def _plain_text(value: str) -> str:
    # Line breaks inside a plain-text body are the feed file's wrapping; blank lines are paragraphs.
    paragraphs = (_SPACES.sub(" ", part).strip() for part in _PARAGRAPH_BREAK.split(value))
    return "\n".join(part for part in paragraphs if part)


@dataclasses.dataclass(frozen=True, slots=True)
class _Feed:
    """What every entry of one feed shares."""

    reader: str
    source: str | None
    language: str | None


def _parse(data: bytes) -> Any:
    # A file object, never bytes or str: given a string, feedparser may open it as a path or URL.
    # No sanitizing: markup is only ever reduced to text here, never rendered, and the sanitizer
    # strips <html> and <body>, hiding whole pages that need boilerplate removal.
    return feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=True)


def _feed_info(parsed: Any) -> _Feed:
    version = str(parsed.get("version") or "")
    feed = parsed.get("feed") or {}
    title = feed.get("title_detail") or {}
    source = feed.get("title")
    if title.get("type") in _HTML_TYPES and source:
        source = fragment_text(source)
    return _Feed(
        reader="atom" if version.startswith("atom") else "rss",
        source=source or None,
        language=feed.get("language") or None,
    )


def _entry_body(entry: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """The entry's fullest body: (markup or text, its media type, its language)."""
    candidates = [*entry.get("content", []), entry.get("summary_detail") or {}]
    for candidate in candidates:
        value = candidate.get("value")
        if isinstance(value, str) and value.strip():
            return value, str(candidate.get("type") or "text/html"), candidate.get("language")
    raise RecordRejected(RejectCode.MISSING_TEXT, "the entry has no content and no summary")


def _entry_published(entry: Mapping[str, Any]) -> datetime | None:
    # feedparser normalizes every date format it knows (RFC 822 zones like "EST" included) to UTC.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        moment = entry.get(key)
        if moment:
            try:
                return datetime.fromtimestamp(calendar.timegm(moment), tz=UTC)
            except (OverflowError, OSError, ValueError):
                continue
    return None


def _entry_author(entry: Mapping[str, Any]) -> str | None:
    author = entry.get("author")
    if not isinstance(author, str) or not author.strip():
        return None
    if "@" not in author:
        return author
    # RSS 2.0 <author> is an e-mail address, often with the name in brackets; feedparser's own
    # split fails on long top-level domains, and an address alone names nobody.
    match = _NAME_BESIDE_EMAIL.search(author)
    return next((group for group in match.groups() if group), None) if match else None


def _entry_title(entry: Mapping[str, Any]) -> str | None:
    title = entry.get("title")
    if not title:
        return None
    if (entry.get("title_detail") or {}).get("type") in _HTML_TYPES:
        return fragment_text(title) or None
    return str(title)


def _entry_article(
    entry: Mapping[str, Any], feed: _Feed, *, location: str, settings: Settings
) -> Article:
    body, media_type, language = _entry_body(entry)
    size = len(body.encode("utf-8"))
    if size > settings.ingest.max_record_bytes:
        raise RecordRejected(
            RejectCode.OVERSIZE_INPUT,
            f"entry has {size} bytes, above the limit of {settings.ingest.max_record_bytes}",
        )
    url = entry.get("link") or None
    title, author = _entry_title(entry), _entry_author(entry)
    published = _entry_published(entry)
    if media_type in _HTML_TYPES and _WHOLE_DOCUMENT.search(body):
        article = article_from_html(
            body.encode("utf-8"),
            location=location,
            settings=settings,
            url=url,
            published=published,
            source=feed.source,
            reader=feed.reader,
        )
        return dataclasses.replace(
            article,
            title=title or article.title,
            author=author or article.author,
            language=article.language or language or feed.language,
        )
    text = fragment_text(body) if media_type in _HTML_TYPES else _plain_text(body)
    return make_article(
        text=text,
        settings=settings.ingest,
        location=location,
        reader=feed.reader,
        title=title,
        url=url,
        source=feed.source,
        author=author,
        language=language or feed.language,
        published=published,
    )


def _whole_feed_rejection(parsed: Any, location: str) -> Rejected:
    version = parsed.get("version")
    if version and not parsed.get("bozo"):
        return Rejected(
            location=location, code=RejectCode.EMPTY_FEED, message="the feed has no entries"
        )
    problem = parsed.get("bozo_exception")
    detail = f": {problem}" if problem else ""
    kind = f"{version} feed" if version else "RSS or Atom feed"
    return Rejected(
        location=location,
        code=RejectCode.MALFORMED_FEED,
        message=f"not a readable {kind}{detail}",
    )


def read_feed(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read an RSS 2.0, RSS 1.0/RDF or Atom 1.0 feed: one result per entry, at ``path#N``.

    Each entry's ``content:encoded`` or Atom ``content``, else its summary or description, is the
    article text; the entry link is the URL, the feed title the source, the entry date the
    publication time. A feed that cannot be parsed at all is one ``malformed_feed``; a valid feed
    without entries is one ``empty_feed``.

    >>> import io
    >>> from storyline.config import Settings
    >>> feed = b'<rss version="2.0"><channel><title>Daily Ledger</title></channel></rss>'
    >>> [r.code for r in read_feed(io.BytesIO(feed), location="f.xml", settings=Settings())]
    [<RejectCode.EMPTY_FEED: 'empty_feed'>]
    """
    limit = settings.ingest.max_file_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        yield from reject(
            location, RejectCode.OVERSIZE_INPUT, f"feed is larger than the limit of {limit} bytes"
        )
        return
    parsed = _parse(data)
    entries = parsed.get("entries") or []
    if not entries:
        yield _whole_feed_rejection(parsed, location)
        return
    feed = _feed_info(parsed)
    for number, entry in enumerate(entries, start=1):
        where = f"{location}#{number}"
        yield guarded(
            where,
            functools.partial(_entry_article, entry, feed, location=where, settings=settings),
            content=repr(sorted((k, str(v)) for k, v in entry.items())),
        )
