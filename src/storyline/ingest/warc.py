"""WARC web archives: every archived HTML page (a 2xx ``response`` record) becomes an article.

Requests, warcinfo, metadata and revisit records, and responses that are not HTML or not 2xx
(images, redirects, errors) are not articles and are passed over without a rejection; a WARC
with no HTML page at all is one ``warc_no_html``. ``WARC-Date`` is when the page was crawled, not
when it was published, so the publication time comes from the page itself, else its URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from email.message import Message
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from storyline.config import Settings
from storyline.errors import RejectCode
from storyline.ingest.base import guarded
from storyline.ingest.html import article_from_html
from storyline.model import ReadResult, Rejected

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_CHUNK = 1 << 16


@dataclasses.dataclass(slots=True)
class _Tally:
    """What one WARC held, to explain a WARC without pages."""

    records: int = 0
    responses: int = 0
    pages: int = 0
    not_html: int = 0
    not_ok: int = 0

    def summary(self) -> str:
        return (
            f"no HTML page with a 2xx status among {self.records} records "
            f"({self.responses} responses: {self.not_html} not HTML, {self.not_ok} not 2xx)"
        )


def _media_type(header: str | None) -> tuple[str, str | None]:
    """``("text/html", "windows-1252")`` from ``text/html; charset=windows-1252``."""
    if not header:
        return "", None
    message = Message()
    message["Content-Type"] = header
    return message.get_content_type(), message.get_content_charset()


def _drain(record: Any) -> int:
    """Read what is left of a record's block; return how many promised bytes never came."""
    raw = record.raw_stream
    while raw.read(_CHUNK):
        pass
    return int(getattr(raw, "limit", 0))


def _truncated(location: str, what: str, missing: int) -> Rejected:
    return Rejected(
        location=location,
        code=RejectCode.MALFORMED_WARC,
        message=f"{what} is truncated: {missing} bytes of it are missing",
    )


def _page(record: Any, *, location: str, settings: Settings) -> ReadResult:
    """Turn one HTML response record into an article or a rejection for that record."""
    limit = settings.ingest.max_record_bytes
    try:
        payload = record.content_stream().read(limit + 1)
    # warcio undoes chunked and gzip transfer encodings; a damaged one fails in many ways.
    except Exception as exc:
        _drain(record)
        return Rejected(
            location=location,
            code=RejectCode.MALFORMED_WARC,
            message=f"cannot decode the archived page: {exc}",
        )
    missing = _drain(record)
    if missing:
        return _truncated(location, "the record", missing)
    if len(payload) > limit:
        return Rejected(
            location=location,
            code=RejectCode.OVERSIZE_INPUT,
            message=f"the archived page is larger than the limit of {limit} bytes",
        )
    _, charset = _media_type(record.http_headers.get_header("Content-Type"))
    url = record.rec_headers.get_header("WARC-Target-URI") or None
    return guarded(
        location,
        lambda: article_from_html(
            payload,
            location=location,
            settings=settings,
            url=url,
            declared_encoding=charset,
            reader="warc",
        ),
    )


def _is_page(record: Any, tally: _Tally) -> bool:
    """Count a response record and say whether it is an HTML page with a 2xx status."""
    headers = record.http_headers
    if headers is None:
        tally.not_html += 1
        return False
    media_type, _ = _media_type(headers.get_header("Content-Type"))
    if media_type not in _HTML_TYPES:
        tally.not_html += 1
        return False
    if not str(headers.get_statuscode() or "").startswith("2"):
        tally.not_ok += 1
        return False
    return True


def _records(stream: IO[bytes], location: str, tally: _Tally) -> Iterator[Any]:
    """The archive's records; a structure warcio cannot read ends it with a ``Rejected``."""
    archive = ArchiveIterator(stream)
    while True:
        try:
            record = next(archive)
        except StopIteration:
            # warcio ends quietly when the file stops inside a record header; the bytes it read
            # past the end of the last whole record tell.
            if archive.fh.tell() > archive.offset:
                yield Rejected(
                    location=location,
                    code=RejectCode.MALFORMED_WARC,
                    message=f"the archive ends inside the header of record {tally.records + 1}",
                )
            return
        # warcio reports bad structure with many exception types (its own, zlib, header parser
        # errors); whichever it raises, the rest of the archive cannot be read.
        except Exception as exc:
            yield Rejected(
                location=location,
                code=RejectCode.MALFORMED_WARC,
                message=f"cannot read the archive after {tally.records} records: {exc}",
            )
            return
        tally.records += 1
        # warcio also reads the older ARC format, and takes a line of prose for an ARC header.
        if record.format != "warc":
            yield Rejected(
                location=location,
                code=RejectCode.MALFORMED_WARC,
                message=f"record {tally.records} is not a WARC record (ARC files are not read)",
            )
            return
        if record.length is None:
            yield Rejected(
                location=location,
                code=RejectCode.MALFORMED_WARC,
                message=f"record {tally.records} has no Content-Length: its header is cut short",
            )
            return
        yield record


def read_warc(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read a WARC file (plain or gzip'd): one result per archived HTML page, at ``path#N``.

    ``N`` counts the archive's ``response`` records from 1. The page's charset comes from its
    HTTP ``Content-Type``, its URL from ``WARC-Target-URI``. A truncated or corrupt archive
    yields the pages before the damage, then one ``malformed_warc``.
    """
    tally = _Tally()
    for record in _records(stream, location, tally):
        if isinstance(record, Rejected):
            yield record
            return
        if record.rec_type == "response":
            tally.responses += 1
            if _is_page(record, tally):
                tally.pages += 1
                yield _page(record, location=f"{location}#{tally.responses}", settings=settings)
                continue
        missing = _drain(record)
        if missing:
            yield _truncated(location, f"record {tally.records} ({record.rec_type})", missing)
            return
    if tally.records == 0:
        yield Rejected(
            location=location, code=RejectCode.MALFORMED_WARC, message="no WARC records found"
        )
    elif tally.pages == 0:
        yield Rejected(location=location, code=RejectCode.WARC_NO_HTML, message=tally.summary())
