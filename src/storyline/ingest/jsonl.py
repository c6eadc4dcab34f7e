"""JSON Lines: one article per line, in the input contract of DESIGN.md.

``{"id", "url", "source", "title", "text" | "html", "published", "author", "language"}``, all
optional but for a text or an HTML page; other fields are ignored. A blank line is not a record.
A bad line becomes a ``Rejected`` at ``path:LINE`` and the rest of the file is still read.

Lines are read one at a time with a bounded ``readline``: a file of any size streams, and a line
over ``ingest.max_record_bytes`` is skipped in chunks, never held in memory whole.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import clean_field, detect_encoding, guarded, make_article
from storyline.ingest.files import prepend
from storyline.model import Article, ReadResult, Rejected

_SHORT_FIELDS = ("url", "source", "title", "author", "language")
_BODY_FIELDS = ("text", "html")
_SKIP_CHUNK = 1 << 16
# A JSON escape of a UTF-16 surrogate: json.loads pairs them up, but an unpaired one becomes a
# str that cannot be encoded (and so cannot be stored). Scanning raw bytes keeps the check cheap.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def read_jsonl(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read a JSON Lines file: one ``Article`` or ``Rejected`` per non-blank line."""
    limit = settings.ingest.max_record_bytes
    parser = _LineParser()
    for number, line in _lines(stream, limit):
        where = f"{location}:{number}"
        result: ReadResult
        if line is None:
            result = Rejected(
                location=where,
                code=RejectCode.OVERSIZE_INPUT,
                message=f"line is longer than ingest.max_record_bytes ({limit} bytes)",
            )
        else:
            result = guarded(
                where,
                functools.partial(_parse_record, parser, line, location=where, settings=settings),
                content=line,
            )
        yield result


def _parse_record(
    parser: _LineParser, line: bytes, *, location: str, settings: Settings
) -> Article:
    return article_from_record(parser.parse(line), location=location, settings=settings, raw=line)


def article_from_record(
    record: object, *, location: str, settings: Settings, raw: bytes | None = None
) -> Article:
    """One article from a parsed JSONL record. Raises ``RecordRejected``.

    ``raw`` is the line's bytes, only used to skip the unpaired-surrogate check when the line
    holds no ``\\u`` escape of a surrogate.

    >>> from storyline.config import IngestSettings, Settings
    >>> settings = Settings(ingest=IngestSettings(min_text_chars=20))
    >>> record = {"id": "hg-1", "text": "Floods hit the valley on Monday.", "published": 0}
    >>> article = article_from_record(record, location="x:1", settings=settings)
    >>> (article.id, article.published.isoformat(), article.published_from.value)
    ('hg-1', '1970-01-01T00:00:00+00:00', 'input')
    """
    if not isinstance(record, dict):
        kind = _JSON_TYPES.get(type(record), "number")
        raise RecordRejected(RejectCode.JSON_NOT_OBJECT, f"line is a JSON {kind}, not an object")
    get = record.get
    fields = {name: clean_field(get(name), name) for name in _SHORT_FIELDS}
    text, html = get("text"), get("html")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise _invalid(name, value, "text")
    published = get("published")
    if isinstance(published, (bool, list, dict)):
        raise _invalid("published", published, "an ISO-8601 text or a Unix timestamp")
    if raw is None or _SURROGATE_ESCAPE.search(raw):
        _reject_surrogates(record)
    article_id = _record_id(get("id"))
    if text is not None and text.strip():
        return make_article(
            text=text,
            settings=settings.ingest,
            location=location,
            reader="jsonl",
            id=article_id,
            published=published,
            verbatim=True,  # offsets index the caller's own string (``storyline annotate`` too)
            **fields,
        )
    if html is not None and html.strip():
        from storyline.ingest.html import article_from_html  # trafilatura: only when needed

        return article_from_html(
            html,
            location=location,
            settings=settings,
            reader="jsonl",
            id=article_id,
            published=published,
            **fields,
        )
    if text is None and html is None:
        raise RecordRejected(RejectCode.MISSING_TEXT, "the record has no 'text' and no 'html'")
    raise RecordRejected(RejectCode.BLANK_CONTENT, "the record's text is empty or whitespace")


def _record_id(value: object) -> str | None:
    # Integer ids are common in database dumps; their decimal form is kept verbatim.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _invalid("id", value, "text")


def _invalid(name: str, value: object, expected: str) -> RecordRejected:
    kind = _JSON_TYPES.get(type(value), "number")
    return RecordRejected(
        RejectCode.INVALID_FIELD, f"field {name!r} must be {expected}, got a JSON {kind}"
    )


def _reject_surrogates(record: dict[str, Any]) -> None:
    for name in (*_BODY_FIELDS, *_SHORT_FIELDS, "id", "published"):
        value = record.get(name)
        if isinstance(value, str) and _SURROGATE.search(value):
            raise RecordRejected(
                RejectCode.INVALID_FIELD,
                f"field {name!r} holds an unpaired UTF-16 surrogate (a broken \\u escape)",
            )


class _LineParser:
    """Parses lines of one file; remembers the legacy encoding once one line needed it."""

    def __init__(self) -> None:
        self._fallback: str | None = None

    def parse(self, line: bytes) -> object:
        try:
            return json.loads(line)
        except UnicodeDecodeError:
            pass  # not UTF-8: decode below, then parse
        except (ValueError, RecursionError) as exc:
            raise _malformed(exc) from None
        try:
            return json.loads(self._decode(line))
        except (ValueError, RecursionError) as exc:
            raise _malformed(exc) from None

    def _decode(self, line: bytes) -> str:
        if self._fallback is not None:
            try:
                return line.decode(self._fallback)
            except UnicodeDecodeError:
                pass
        encoding = detect_encoding(line)
        if encoding is None:
            raise RecordRejected(RejectCode.UNDECODABLE_TEXT, "line is not UTF-8 nor legacy text")
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            raise RecordRejected(
                RejectCode.UNDECODABLE_TEXT, f"line is neither UTF-8 nor {encoding}"
            ) from None
        self._fallback = encoding
        return text


def _malformed(exc: BaseException) -> RecordRejected:
    if isinstance(exc, json.JSONDecodeError):
        detail = f"{exc.msg} (column {exc.colno})"
    elif isinstance(exc, RecursionError):
        detail = "nested too deeply"
    else:
        detail = str(exc)
    return RecordRejected(RejectCode.MALFORMED_JSON, f"line is not valid JSON: {detail}")


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` for each non-blank line; ``None`` for a line over ``limit``."""
    readline = stream.readline
    line = readline(limit + 1)
    for bom, encoding in _WIDE_BOMS:
        if line.startswith(bom):
            yield from _wide_lines(prepend(line, stream), encoding, limit)
            return
    number = 0
    while line:
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        elif not line.isspace():
            yield number, line
        line = readline(limit + 1)


def _wide_lines(stream: IO[bytes], encoding: str, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Lines of a UTF-16 or UTF-32 file (Windows PowerShell writes UTF-16), re-encoded as UTF-8."""
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    number = 0
    try:
        while line := text.readline(limit + 1):
            number += 1
            if len(line) > limit and not line.endswith("\n"):
                while (rest := text.readline(_SKIP_CHUNK)) and not rest.endswith("\n"):
                    pass
                yield number, None
            elif line.strip():
                yield number, line.encode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordRejected(
            RejectCode.UNDECODABLE_TEXT, f"invalid {encoding} after line {number}: {exc.reason}"
        ) from None
