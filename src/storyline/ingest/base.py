"""Pieces every reader shares: decoding bytes, parsing dates, deriving ids, building articles.

Helpers here raise :class:`~storyline.errors.RecordRejected` for bad content; the reader that
called them turns it into a :class:`~storyline.model.Rejected` for that one record.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from dateutil import parser as date_parser

from storyline.config import IngestSettings
from storyline.errors import RecordRejected, RejectCode
from storyline.model import Article, PublishedFrom, ReadResult, Rejected

_T = TypeVar("_T")

# Control characters other than tab, newline and carriage return: many of them in a "text" means
# the bytes were not text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """True when ``data`` (a leading sample is enough) is not text in any common encoding."""
    if not data:
        return False
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        # UTF-16 without a BOM has a zero in every other byte of ASCII text; binary data has
        # zeros scattered.
        even, odd = sample[0::2], sample[1::2]
        ascii_utf16 = even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd)
        return not ascii_utf16
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > 0.01 * len(sample)


# Pages labelled latin-1 or ASCII are in practice windows-1252 (curly quotes, euro sign), which
# is why browsers decode those labels as windows-1252 (WHATWG Encoding Standard).
_WHATWG_LABELS = {"iso8859-1": "cp1252", "ascii": "cp1252"}
# How much more "chaos" (charset-normalizer's mess score) windows-1252 may show than the best
# guess and still win: on short texts the detector often prefers cp1250 or cp852 for plain
# Western text with curly quotes, which garbles it.
_CP1252_TOLERANCE = 0.02


def detect_encoding(data: bytes) -> str | None:
    """Guess the encoding of bytes that are not UTF-8; windows-1252 wins near-ties.

    Only for the fallback path: it costs two detector runs.
    """
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    if best.encoding != "cp1252":
        western = from_bytes(data, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos + _CP1252_TOLERANCE:
            return "cp1252"
    return str(best.encoding)


def decode_text(data: bytes, *, declared: str | None = None) -> str:
    """Decode bytes whose encoding is not known for sure.

    Order: a byte-order mark, UTF-8, the ``declared`` encoding (HTTP header, XML or meta
    charset), then detection. Raises ``binary_content`` or ``undecodable_text``.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise RecordRejected(
                    RejectCode.UNDECODABLE_TEXT, f"bytes are not valid {encoding} despite a BOM"
                ) from None
    if looks_binary(data):
        raise RecordRejected(RejectCode.BINARY_CONTENT, "content is binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            name = codecs.lookup(declared).name
            return data.decode(_WHATWG_LABELS.get(name, name))
        except (LookupError, UnicodeDecodeError):
            pass
    detected = detect_encoding(data)
    if detected is None:
        raise RecordRejected(RejectCode.UNDECODABLE_TEXT, "cannot detect the text encoding")
    text = data.decode(detected, errors="replace")
    if _CONTROL.search(text) and len(_CONTROL.findall(text)) > 0.01 * max(len(text), 1):
        raise RecordRejected(RejectCode.BINARY_CONTENT, "decoded content is mostly control bytes")
    return text


_WHITESPACE_RUN = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u3000]+")
_ODD_SPACE = re.compile(r"[\t\f\v\u00a0\u2000-\u200b\u3000]")
_BLANK_LINES = re.compile(r"\n{3,}")
# The same characters as _CONTROL, for str.translate (several times faster than re.sub).
_DELETE_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _has_spacing_to_collapse(text: str) -> bool:
    if "  " in text:
        return True
    if text.isascii():
        return "\t" in text or "\f" in text or "\v" in text
    return _ODD_SPACE.search(text) is not None


def clean_text(text: str) -> str:
    """Normalize line ends and spacing, keep paragraphs: the text later offsets index."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_DELETE_CONTROL)
    # Runs never span lines (no newline in the class), so one pass over the whole text does
    # what a pass per line would; most texts need none (this is the JSONL hot path).
    if _has_spacing_to_collapse(text):
        text = _WHITESPACE_RUN.sub(" ", text)
    joined = "\n".join([line.strip() for line in text.split("\n")])
    if "\n\n\n" in joined:
        joined = _BLANK_LINES.sub("\n\n", joined)
    return joined.strip()


def clean_field(value: object, name: str) -> str | None:
    """A short metadata field (title, author, outlet): text, single line, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordRejected(
            RejectCode.INVALID_FIELD, f"field {name!r} must be text, got {type(value).__name__}"
        )
    cleaned = " ".join(value.split())
    return cleaned or None


def normalize_url(url: str | None) -> str | None:
    """Canonical form for ids and comparisons: lower-case scheme and host, no fragment."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def derive_id(*, url: str | None, text: str) -> str:
    """A stable id for an article that came without one: from its URL, else its content."""
    canonical = normalize_url(url)
    if canonical:
        return "u" + hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return "t" + hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def parse_published(value: object) -> datetime | None:
    """Parse a publication time from ISO-8601, RFC 2822 or a common written form, to UTC.

    A time without a zone is taken as UTC (news feeds that omit it are mostly UTC); a bare date
    becomes midnight UTC. Unparseable or absurd values give ``None`` rather than a wrong date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = date_parser.parse(text)
            except (ValueError, OverflowError, date_parser.ParserError):
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):  # e.g. year 1 with a positive offset
        return None
    if not 1800 <= moment.year <= datetime.now(UTC).year + 1:
        return None
    return moment


_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>0?[1-9]|1[0-2])(?:[/-](?P<d>0?[1-9]|[12]\d|3[01]))?(?=[/-]|$)"
)


def date_from_url(url: str | None) -> datetime | None:
    """A publication date guessed from ``/2023/03/27/`` or ``/2023-03-27-`` in a URL path."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    match = _URL_DATE.search(path)
    if not match:
        return None
    try:
        return datetime(int(match["y"]), int(match["m"]), int(match["d"] or 1), tzinfo=UTC)
    except ValueError:
        return None


def resolve_published(
    *, given: object = None, metadata: object = None, url: str | None = None
) -> tuple[datetime | None, PublishedFrom | None]:
    """Pick the publication time from the input, else page metadata, else the URL."""
    for value, origin in ((given, PublishedFrom.INPUT), (metadata, PublishedFrom.METADATA)):
        moment = parse_published(value)
        if moment is not None:
            return moment, origin
    moment = date_from_url(url)
    if moment is not None:
        return moment, PublishedFrom.URL
    return None, None


def make_article(
    *,
    text: str,
    settings: IngestSettings,
    location: str,
    reader: str,
    id: str | None = None,
    title: object = None,
    url: object = None,
    source: object = None,
    author: object = None,
    language: object = None,
    published: object = None,
    published_metadata: object = None,
    verbatim: bool = False,
) -> Article:
    """Validate and normalize one article. Raises ``RecordRejected`` for unusable content.

    ``verbatim`` keeps ``text`` exactly as given instead of cleaning it: a text the input gave
    (a JSONL ``text``, a plain text file) is what the user's own copy holds, so the evidence
    spans computed on it must index it; only text we extracted (from HTML) is ours to normalize.
    The minimum length is checked on the cleaned text either way, so indentation and blank lines
    do not make a stub long enough.
    """
    if not text.strip():
        raise RecordRejected(RejectCode.BLANK_CONTENT, "the article text is empty or whitespace")
    cleaned = clean_text(text)
    body = text if verbatim else cleaned
    if len(cleaned) < settings.min_text_chars:
        raise RecordRejected(
            RejectCode.TEXT_TOO_SHORT,
            f"text has {len(cleaned)} characters, below the minimum of {settings.min_text_chars}",
        )
    clean_url = clean_field(url, "url")
    moment, origin = resolve_published(given=published, metadata=published_metadata, url=clean_url)
    if id is not None and not isinstance(id, str):
        raise RecordRejected(RejectCode.INVALID_FIELD, "field 'id' must be text")
    # The id comes from the cleaned text, so it does not change with how the text is stored.
    article_id = id.strip() if id and id.strip() else derive_id(url=clean_url, text=cleaned)
    return Article(
        id=article_id,
        text=body,
        title=clean_field(title, "title"),
        url=clean_url,
        source=clean_field(source, "source"),
        author=clean_field(author, "author"),
        language=clean_field(language, "language"),
        published=moment,
        published_from=origin,
        location=location,
        reader=reader,
    )


def guarded(
    location: str, build: Callable[[], _T], *, content: bytes | str | None = None
) -> _T | Rejected:
    """Run ``build`` for one record; a failure becomes a ``Rejected`` for that record only.

    ``content`` (the record's raw text or bytes) keys the rejection by content. An unexpected
    exception is a bug in a reader, but one record must never stop a batch: it is rejected as
    ``reader_error`` with the exception named, so it is visible and countable.
    """
    try:
        return build()
    except RecordRejected as exc:
        code, message = exc.code, exc.message
    except Exception as exc:
        code, message = RejectCode.READER_ERROR, f"unexpected {type(exc).__name__}: {exc}"
    if content is None:
        return Rejected(location=location, code=code, message=message)
    return Rejected.for_record(location=location, code=code, message=message, content=content)


def reject(location: str, code: RejectCode, message: str) -> Iterator[ReadResult]:
    """A one-record stream holding a single rejection (for whole-file failures)."""
    yield Rejected(location=location, code=code, message=message)
