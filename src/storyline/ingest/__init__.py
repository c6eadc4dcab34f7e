"""Readers: every supported input becomes a stream of ``Article | Rejected``.

One entry point, :func:`read_articles`, takes a file, a folder or ``"-"`` (stdin), decompresses
gzip, bzip2 and xz transparently, picks the reader by content (:func:`storyline.ingest.files.sniff`)
and never raises on bad content: every record read yields exactly one ``Article`` or ``Rejected``,
and a whole input that cannot be read yields one ``Rejected`` for it.

>>> from storyline.config import Settings
>>> [type(r).__name__ for r in read_articles("no/such/file.jsonl", settings=Settings())]
['Rejected']
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import IO, Protocol

from storyline.config import Settings, load_settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.files import Format, Opened, open_path, open_stream, sniff, walk
from storyline.model import Article, ReadResult, Rejected

STDIN = "-"
STDIN_LOCATION = "<stdin>"

Source = str | os.PathLike[str]


class Reader(Protocol):
    """What every format's reader is: a stream of bytes in, one result per record out."""

    def __call__(
        self, stream: IO[bytes], *, location: str, settings: Settings
    ) -> Iterator[ReadResult]: ...


def reader_for(fmt: Format, *, fetch: bool = False) -> Reader:
    """The reader function for a format (URL lists get the ``fetch`` flag).

    Readers are imported on first use: a run over JSONL never pays for feedparser or warcio.
    """
    if fmt is Format.JSONL:
        from storyline.ingest.jsonl import read_jsonl

        return read_jsonl
    if fmt is Format.HTML:
        from storyline.ingest.html import read_html

        return read_html
    if fmt is Format.TEXT:
        from storyline.ingest.text import read_text

        return read_text
    if fmt is Format.FEED:
        from storyline.ingest.feeds import read_feed

        return read_feed
    if fmt is Format.WARC:
        from storyline.ingest.warc import read_warc

        return read_warc
    from storyline.ingest.urls import read_url_list

    return functools.partial(read_url_list, fetch=fetch)


def read_articles(
    source: Source,
    *,
    settings: Settings | None = None,
    fetch: bool = False,
    exclude: Iterable[Source] = (),
) -> Iterator[Article | Rejected]:
    """Read every article in a file, a folder (recursively) or ``"-"`` (stdin).

    Yields one ``Article`` or ``Rejected`` per record, in a deterministic order (folders are
    walked sorted by name; hidden entries are skipped). Never raises on bad content. Large inputs
    are streamed, never loaded whole. ``settings`` defaults to :func:`load_settings` (file and
    ``STORYLINE_*`` environment); ``fetch`` lets URL lists download their pages.

    Only the string ``"-"`` means stdin; ``Path("-")`` is a file named ``-``. Files in
    ``exclude`` (the store's own database files, say) are skipped, wherever a folder walk meets
    them.
    """
    resolved = settings if settings is not None else load_settings()
    skipped = _file_keys(exclude)
    if isinstance(source, str) and source == STDIN:
        yield from _read_input(_open_stdin(resolved), STDIN_LOCATION, "", resolved, fetch)
        return
    path = os.fspath(source)
    if not os.path.isdir(path):
        if skipped and _file_keys([path]) & skipped:
            return
        yield from _read_input(open_path(path, resolved.ingest), path, path, resolved, fetch)
        return
    for item in walk(path, follow_symlinks=resolved.ingest.follow_symlinks):
        if isinstance(item, Rejected):
            yield item
        elif not (skipped and _file_keys([item]) & skipped):
            name = os.fspath(item)
            yield from _read_input(open_path(name, resolved.ingest), name, name, resolved, fetch)


def read_many(
    sources: Iterable[Source],
    *,
    settings: Settings | None = None,
    fetch: bool = False,
    exclude: Iterable[Source] = (),
) -> Iterator[Article | Rejected]:
    """:func:`read_articles` over several sources, one after the other."""
    resolved = settings if settings is not None else load_settings()
    excluded = list(exclude)
    for source in sources:
        yield from read_articles(source, settings=resolved, fetch=fetch, exclude=excluded)


def _file_keys(paths: Iterable[Source]) -> set[tuple[int, int]]:
    """(device, inode) of the paths that exist: the same file whatever path names it."""
    keys = set()
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        keys.add((info.st_dev, info.st_ino))
    return keys


@contextmanager
def _open_stdin(settings: Settings) -> Iterator[Opened]:
    # Not closed afterwards: stdin belongs to the process.
    yield open_stream(sys.stdin.buffer, settings.ingest)


def _read_input(
    opening: AbstractContextManager[Opened],
    location: str,
    name: str,
    settings: Settings,
    fetch: bool,
) -> Iterator[ReadResult]:
    """Sniff one opened input and run its reader; a failure of the whole input is one rejection.

    Records the reader already yielded stand; the rejection says how far it got.
    """
    count = 0
    try:
        with opening as opened:
            reader = reader_for(sniff(opened.head, name=name), fetch=fetch)
            for result in reader(opened.stream, location=location, settings=settings):
                count += 1
                yield result
    except RecordRejected as exc:
        yield _whole_input(location, exc.code, exc.message, count)
    except OSError as exc:
        detail = exc.strerror or str(exc)
        yield _whole_input(location, RejectCode.UNREADABLE_PATH, f"read error: {detail}", count)
    except Exception as exc:
        message = f"unexpected {type(exc).__name__}: {exc}"
        yield _whole_input(location, RejectCode.READER_ERROR, message, count)


def _whole_input(location: str, code: RejectCode, message: str, count: int) -> Rejected:
    if count:
        message = f"{message} (after {count} records were read)"
    return Rejected(location=location, code=code, message=message)


__all__ = ["Reader", "Source", "read_articles", "read_many", "reader_for"]
