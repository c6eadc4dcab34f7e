"""Plain text files: one article per file, its first line the title."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import decode_text, guarded, make_article
from storyline.model import Article, ReadResult

MAX_TITLE_CHARS = 300
"""A first line longer than this is a paragraph, not a title."""


def split_title(text: str) -> tuple[str | None, str]:
    """Split a plain text article into its title and its text.

    The first non-empty line is the title and the rest is the text. When the article is a
    single paragraph, all of it is the text (the title is still its first line). A first line
    too long to be a title is kept in the text and the article has no title.

    >>> split_title("Floods close valley road\\n\\nHeavy rain closed the road on Monday.")
    ('Floods close valley road', 'Heavy rain closed the road on Monday.')
    >>> split_title("Heavy rain closed the road\\non Monday.")
    ('Heavy rain closed the road', 'Heavy rain closed the road\\non Monday.')
    """
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    first, _, rest = body.partition("\n")
    title = first.strip()
    if len(title) > MAX_TITLE_CHARS:
        return None, body
    single_paragraph = "\n\n" not in _squeeze_blank_lines(body)
    if single_paragraph or not rest.strip():
        return title or None, body
    return title or None, rest.strip()


def _squeeze_blank_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n"))


def article_from_text(data: bytes, *, location: str, settings: Settings) -> Article:
    """One article from the bytes of a plain text file. Raises ``RecordRejected``."""
    limit = settings.ingest.max_record_bytes
    if len(data) > limit:
        raise RecordRejected(
            RejectCode.OVERSIZE_INPUT,
            f"text file is larger than ingest.max_record_bytes ({limit} bytes)",
        )
    if settings.ingest.keep_text:
        title, body = None, decode_text(data)
    else:
        title, body = split_title(decode_text(data))
    return make_article(
        text=body,
        title=title,
        settings=settings.ingest,
        location=location,
        reader="text",
        verbatim=settings.ingest.keep_text,
    )


def read_text(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read one plain text file: one article or one rejection."""
    data = stream.read(settings.ingest.max_record_bytes + 1)
    yield guarded(location, lambda: article_from_text(data, location=location, settings=settings))
