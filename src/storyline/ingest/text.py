"""Plain text files: one article per file, its first line the title.

The text below the title is stored exactly as the file has it (line ends, indentation and
spacing included), so evidence spans index it as the user wrote it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import IO

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import decode_text, guarded, make_article
from storyline.model import Article, ReadResult

MAX_TITLE_CHARS = 300
"""A first line longer than this is a paragraph, not a title."""


def split_title(text: str) -> tuple[str | None, str]:
    """Split a plain text article into its title and its text, the text unchanged.

    The first non-empty line is the title and the text starts at the next non-empty line; from
    there on nothing is cleaned. When the article is a single paragraph, all of it is the text
    (the title is still its first line). A first line too long to be a title is kept in the
    text and the article has no title.

    >>> split_title("Floods close valley road\\n\\nHeavy rain closed the road on Monday.")
    ('Floods close valley road', 'Heavy rain closed the road on Monday.')
    >>> split_title("Heavy rain closed the road\\non Monday.")
    ('Heavy rain closed the road', 'Heavy rain closed the road\\non Monday.')
    """
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    filled = [k for k, line in enumerate(lines) if line.strip()]
    if not filled:
        return None, text
    title = lines[filled[0]].strip()
    if len(title) > MAX_TITLE_CHARS:
        return None, text
    # One paragraph: no blank line between two lines with text.
    single_paragraph = all(b == a + 1 for a, b in itertools.pairwise(filled))
    if single_paragraph or len(filled) == 1:
        return title, text
    return title, text[starts[filled[1]] :]


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
        verbatim=True,
    )


def read_text(stream: IO[bytes], *, location: str, settings: Settings) -> Iterator[ReadResult]:
    """Read one plain text file: one article or one rejection."""
    data = stream.read(settings.ingest.max_record_bytes + 1)
    yield guarded(location, lambda: article_from_text(data, location=location, settings=settings))
