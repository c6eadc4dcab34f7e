"""Opening inputs: paths, folders and stdin, with size caps, transparent decompression and sniffing.

Everything here raises :class:`~storyline.errors.RecordRejected` for a whole input that cannot be
read (the dispatcher in :mod:`storyline.ingest` turns it into one ``Rejected`` for that input).

Which reader gets an input is decided by its *content*: the first bytes after decompression. The
file name's extension only breaks ties, when the content alone says nothing more than "text".

Two codes for bytes we do not read, on purpose distinct:

- ``unsupported_format``: a recognized container or document format that could hold articles but
  has no reader here (PDF, ZIP, Zstandard, tar...). The fix is on the user's side: convert it.
- ``binary_content``: bytes that are not text at all (images, executables, random data).
"""

from __future__ import annotations

import bz2
import errno
import io
import json
import lzma
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from storyline.config import IngestSettings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest.base import looks_binary
from storyline.model import Rejected

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

SNIFF_BYTES = 8192
"""How much of an input (after decompression) the sniffer looks at."""
_BUFFER_BYTES = 1 << 20
_COMPRESSED_CHUNK = 16 * 1024
# Small compressed reads keep the ratio check tight: a bomb is caught after inflating at most
# ``max_compression_ratio * _COMPRESSED_CHUNK`` bytes past the first MiB.
_RATIO_GRACE_BYTES = 1 << 20


class Format(StrEnum):
    """The readers the sniffer can pick."""

    JSONL = "jsonl"
    HTML = "html"
    TEXT = "text"
    FEED = "feed"
    WARC = "warc"
    URLS = "urls"


# ---------------------------------------------------------------------------------------------
# Streams


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes | None: ...


def _reader(stream: _Readable) -> Callable[[int], bytes | None]:
    """``read1`` when the stream has it: one underlying read, so a pipe never waits to fill a
    whole buffer before the records already received are processed."""
    read1: Callable[[int], bytes | None] | None = getattr(stream, "read1", None)
    return read1 if read1 is not None else stream.read


class _Source(io.RawIOBase):
    """The bytes of one input, counted: past ``limit`` the input is ``oversize_input``.

    The on-disk size is checked before reading; counting also covers pipes, stdin and files
    that report no size (``/proc``) or grow while being read.
    """

    def __init__(self, inner: _Readable, *, limit: int) -> None:
        super().__init__()
        self._read = _reader(inner)
        self._limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._read(len(view))
        if not data:
            return 0
        self.count += len(data)
        if self.count > self._limit:
            raise RecordRejected(
                RejectCode.OVERSIZE_INPUT,
                f"input is larger than ingest.max_file_bytes ({self._limit} bytes); "
                "raise it (STORYLINE_INGEST_MAX_FILE_BYTES) to read it",
            )
        view[: len(data)] = data
        return len(data)


class _Replay(io.RawIOBase):
    """Replays bytes already read (for sniffing), then continues with the rest of the stream."""

    def __init__(self, head: bytes, rest: _Readable) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._read = _reader(rest)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._read(len(view)) or b""
        view[: len(data)] = data
        return len(data)


class _Decompressor(Protocol):
    """The shared shape of ``bz2.BZ2Decompressor`` and ``lzma.LZMADecompressor``."""

    @property
    def eof(self) -> bool: ...
    @property
    def needs_input(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class _GzipDecompressor:
    """One gzip member through ``zlib``, shaped like the bz2 and lzma decompressors."""

    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(wbits=31)

    @property
    def eof(self) -> bool:
        return self._zlib.eof

    @property
    def needs_input(self) -> bool:
        return not self._zlib.unconsumed_tail

    @property
    def unused_data(self) -> bytes:
        return self._zlib.unused_data

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        return self._zlib.decompress(self._zlib.unconsumed_tail + data, max(max_length, 0))


@dataclass(frozen=True, slots=True)
class _Codec:
    name: str
    magic: bytes
    new: Callable[[], _Decompressor]


_GZIP = _Codec("gzip", b"\x1f\x8b", _GzipDecompressor)
_BZIP2 = _Codec("bzip2", b"BZh", bz2.BZ2Decompressor)
_XZ = _Codec("xz", b"\xfd7zXZ\x00", lzma.LZMADecompressor)
_BZIP2_BLOCK = re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)")


def _codec(head: bytes) -> _Codec | None:
    if head.startswith(_GZIP.magic):
        return _GZIP
    if head.startswith(_XZ.magic):
        return _XZ
    if _BZIP2_BLOCK.match(head):
        return _BZIP2
    return None


_CORRUPT_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError)


class _Inflating(io.RawIOBase):
    """Decompresses a stream on the fly, with a guard against decompression bombs.

    Output is produced in bounded steps and checked after each one, so a bomb is stopped after
    inflating a few MiB, never in full. Concatenated members (``cat a.gz b.gz``) are read as one
    stream, as ``gzip -d`` does; trailing NUL padding is ignored.
    """

    def __init__(self, compressed: _Readable, codec: _Codec, limits: IngestSettings) -> None:
        super().__init__()
        self._compressed = compressed
        self._codec = codec
        self._limits = limits
        self._decompressor = codec.new()
        self._pending = b""  # compressed bytes read past the end of the previous member
        self._consumed = 0
        self._produced = 0
        self._finished = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = b""
        while not data and not self._finished:
            data = self._step(len(view))
        view[: len(data)] = data
        self._produced += len(data)
        self._check_bomb()
        return len(data)

    def _step(self, size: int) -> bytes:
        decompressor = self._decompressor
        if decompressor.eof:
            self._next_member(decompressor.unused_data)
            return b""
        chunk = b""
        at_end = False
        if decompressor.needs_input:
            chunk = self._read_compressed()
            at_end = not chunk
        try:
            data = decompressor.decompress(chunk, size)
        except _CORRUPT_ERRORS as exc:
            raise self._corrupt(f"{exc}") from None
        if at_end and not data and not decompressor.eof:
            raise self._corrupt("the compressed data ends early (truncated file?)")
        return data

    def _read_compressed(self) -> bytes:
        if self._pending:
            chunk, self._pending = self._pending, b""
            return chunk
        chunk = self._compressed.read(_COMPRESSED_CHUNK) or b""
        self._consumed += len(chunk)
        return chunk

    def _next_member(self, leftover: bytes) -> None:
        """After one member ends: start the next one, or finish at the end of the input."""
        while not leftover.strip(b"\x00"):
            more = self._read_compressed()
            if not more:
                self._finished = True
                return
            leftover += more
        leftover = leftover.lstrip(b"\x00")
        if not leftover.startswith(self._codec.magic):
            raise self._corrupt("unexpected bytes after the end of the compressed data")
        self._decompressor = self._codec.new()
        self._pending = leftover

    def _corrupt(self, detail: str) -> RecordRejected:
        return RecordRejected(
            RejectCode.CORRUPT_COMPRESSION,
            f"corrupt {self._codec.name} data after {self._produced} decompressed bytes: {detail}",
        )

    def _check_bomb(self) -> None:
        limits = self._limits
        if self._produced > limits.max_decompressed_bytes:
            reason = f"more than ingest.max_decompressed_bytes ({limits.max_decompressed_bytes})"
        elif (
            self._produced > _RATIO_GRACE_BYTES
            and self._produced > limits.max_compression_ratio * max(self._consumed, 1)
        ):
            reason = f"a ratio above ingest.max_compression_ratio ({limits.max_compression_ratio})"
        else:
            return
        raise RecordRejected(
            RejectCode.DECOMPRESSION_BOMB,
            f"{self._codec.name} data inflates to {reason}: stopped after inflating "
            f"{self._produced} bytes from {self._consumed} compressed bytes",
        )


class _Failing(io.RawIOBase):
    """The rest of a stream whose reading already failed: raises that failure when read."""

    def __init__(self, failure: RecordRejected) -> None:
        super().__init__()
        self._failure = failure

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        raise self._failure


def _read_head(stream: io.RawIOBase) -> tuple[bytes, _Readable]:
    """The first bytes of a raw stream, and the stream to read after them.

    A failure while reading the head (a small truncated .gz) is deferred to the point where
    the reader reaches it, so the records before the damage are still read.
    """
    parts: list[bytes] = []
    missing = SNIFF_BYTES
    while missing > 0:
        try:
            data = stream.read(missing)
        except RecordRejected as failure:
            if not parts:
                raise
            return b"".join(parts), _Failing(failure)
        if not data:
            break
        parts.append(data)
        missing -= len(data)
    return b"".join(parts), stream


@dataclass(frozen=True, slots=True)
class Opened:
    """An input ready to read: the decompressed stream from its start, and its first bytes."""

    stream: IO[bytes]
    head: bytes
    """Up to :data:`SNIFF_BYTES` leading bytes (still also at the start of ``stream``)."""
    compression: str | None = None


def open_stream(raw: IO[bytes], settings: IngestSettings) -> Opened:
    """Wrap a binary stream: cap its size, decompress it if needed, and read its head.

    Raises ``empty_file``, ``oversize_input``, ``corrupt_compression``, ``decompression_bomb``
    or ``unsupported_format`` (compressed data inside compressed data).
    """
    head, source = _read_head(_Source(raw, limit=settings.max_file_bytes))
    if not head:
        raise RecordRejected(RejectCode.EMPTY_FILE, "the input is empty (0 bytes)")
    codec = _codec(head)
    if codec is None:
        return Opened(stream=prepend(head, source), head=head)
    inner, rest = _read_head(_Inflating(_Replay(head, source), codec, settings))
    if not inner:
        raise RecordRejected(
            RejectCode.EMPTY_FILE, f"{codec.name} data that decompresses to nothing"
        )
    if _codec(inner) is not None:
        raise RecordRejected(
            RejectCode.UNSUPPORTED_FORMAT, "compressed data inside compressed data is not read"
        )
    return Opened(stream=prepend(inner, rest), head=inner, compression=codec.name)


def prepend(head: bytes, rest: _Readable) -> IO[bytes]:
    """A buffered stream that reads ``head`` and then the rest of ``rest``."""
    return io.BufferedReader(_Replay(head, rest), _BUFFER_BYTES)


def _path_error(path: os.PathLike[str] | str, exc: OSError) -> RecordRejected:
    if exc.errno == errno.ELOOP:
        return RecordRejected(RejectCode.SYMLINK_LOOP, f"symbolic link loop at {os.fspath(path)}")
    reason = exc.strerror or type(exc).__name__
    return RecordRejected(RejectCode.UNREADABLE_PATH, f"cannot read {os.fspath(path)}: {reason}")


@contextmanager
def open_path(path: os.PathLike[str] | str, settings: IngestSettings) -> Iterator[Opened]:
    """Open one file (or named pipe) for reading, as :func:`open_stream` does.

    Raises ``unreadable_path`` or ``symlink_loop`` for a path that cannot be opened, and
    ``oversize_input`` before reading a byte when the file's size is above the limit.
    """
    try:
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _path_error(path, exc) from None
    with handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise RecordRejected(RejectCode.UNREADABLE_PATH, f"{os.fspath(path)} is a folder")
        if stat.S_ISREG(info.st_mode) and info.st_size > settings.max_file_bytes:
            raise RecordRejected(
                RejectCode.OVERSIZE_INPUT,
                f"file has {info.st_size} bytes, above ingest.max_file_bytes "
                f"({settings.max_file_bytes}); raise it (STORYLINE_INGEST_MAX_FILE_BYTES) "
                "to read it",
            )
        yield open_stream(handle, settings)


# ---------------------------------------------------------------------------------------------
# Folders


_Key = tuple[int, int]
"""(device, inode): the identity of a file or folder, whatever path reached it."""


def _rejected(location: str, error: RecordRejected) -> Rejected:
    return Rejected(location=location, code=error.code, message=error.message)


def _entries(folder: str) -> list[os.DirEntry[str]] | Rejected:
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        return _rejected(folder, _path_error(folder, exc))


def _stat(path: str) -> os.stat_result | Rejected:
    """The status of what ``path`` points to (links followed)."""
    try:
        return os.stat(path)
    except OSError as exc:
        error = _path_error(path, exc)
        if exc.errno == errno.ENOENT and os.path.islink(path):
            error = RecordRejected(
                error.code, f"broken symbolic link {path} -> {os.readlink(path)}"
            )
        return _rejected(path, error)


def walk(
    folder: os.PathLike[str] | str, *, follow_symlinks: bool = True
) -> Iterator[Path | Rejected]:
    """The files under ``folder``, recursively, in sorted order; what cannot be read is rejected.

    Hidden files and folders (``.git``, ``.DS_Store``) are skipped. Symbolic links are followed
    (unless ``follow_symlinks`` is off); a link back to a folder being walked is reported once as
    ``symlink_loop`` and not entered. A file or folder reached twice (through links or hard
    links) is read once. Named pipes, sockets and devices are rejected, not opened: opening a
    pipe nobody writes to would block forever.
    """
    root = os.fspath(folder)
    root_info = _stat(root)
    if isinstance(root_info, Rejected):
        yield root_info
        return
    listing = _entries(root)
    if isinstance(listing, Rejected):
        yield listing
        return
    root_key = (root_info.st_dev, root_info.st_ino)
    seen: set[_Key] = {root_key}
    # Depth-first with an explicit stack: no recursion limit on deep trees.
    stack: list[tuple[Iterator[os.DirEntry[str]], frozenset[_Key]]] = [
        (iter(listing), frozenset({root_key}))
    ]
    while stack:
        entries, ancestors = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith(".") or (not follow_symlinks and entry.is_symlink()):
            continue
        info = _stat(entry.path)
        if isinstance(info, Rejected):
            yield info
            continue
        key = (info.st_dev, info.st_ino)
        if stat.S_ISDIR(info.st_mode) and key in ancestors:
            yield Rejected(
                location=entry.path,
                code=RejectCode.SYMLINK_LOOP,
                message=f"{entry.path} links back to a folder that contains it; not followed",
            )
        elif key in seen:
            continue
        elif stat.S_ISDIR(info.st_mode):
            seen.add(key)
            children = _entries(entry.path)
            if isinstance(children, Rejected):
                yield children
            else:
                stack.append((iter(children), ancestors | {key}))
        elif stat.S_ISREG(info.st_mode):
            seen.add(key)
            yield Path(entry.path)
        else:
            yield Rejected(
                location=entry.path,
                code=RejectCode.UNREADABLE_PATH,
                message=f"{entry.path} is not a regular file ({_kind(info.st_mode)}); not opened",
            )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


# ---------------------------------------------------------------------------------------------
# Sniffing

# Formats storyline recognizes but does not read: convert them first.
_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx, .odt or .epub document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x28\xb5\x2f\xfd", "Zstandard-compressed data"),
    (b"\x04\x22\x4d\x18", "LZ4-compressed data"),
    (b"\x1f\x9d", "Unix compress (.Z) data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 document (.doc, .xls, .msg)"),
)
# Binary data we name in the message (anything else binary is caught by looks_binary).
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_TEXT_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_EXTENSIONS: dict[str, Format] = {
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".json": Format.JSONL,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
    ".xml": Format.FEED,
    ".rss": Format.FEED,
    ".atom": Format.FEED,
    ".rdf": Format.FEED,
    ".warc": Format.WARC,
    ".urls": Format.URLS,
}
_COMPRESSION_SUFFIXES = {".gz", ".gzip", ".bz2", ".xz"}
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s[^>]*>)", re.DOTALL | re.IGNORECASE)
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html", re.IGNORECASE)
_ELEMENT = re.compile(r"\s*<([A-Za-z][\w.:-]*)")
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|a|article|section|main|header|footer|nav|h[1-6]|ul|ol|li"
    r"|table|tr|td|br|img|meta|title|link|script|style|strong|em|b|i|blockquote|figure)[\s/>]",
    re.IGNORECASE,
)
_MANY_HTML_TAGS = 10
_JSON_ARRAY_START = re.compile(r"\[\s*[\[{]")
_BLANK = "\ufeff \t\r\n\f\v"
_URL_LINE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)\S+")


def sniff(head: bytes, *, name: str = "") -> Format:
    """Pick the reader for an input from its first bytes; ``name``'s extension breaks ties.

    Raises ``unsupported_format``, ``binary_content`` or ``blank_content`` for inputs that no
    reader should see.

    >>> sniff(b'{"title": "Floods", "text": "..."}\\n', name="dump.txt")
    <Format.JSONL: 'jsonl'>
    """
    if head.startswith(b"WARC/"):
        return Format.WARC
    _reject_binary(head)
    complete = len(head) < SNIFF_BYTES
    text = _sniff_text(head).lstrip(_BLANK)
    if not text:
        if complete:
            raise RecordRejected(RejectCode.BLANK_CONTENT, "the input holds only whitespace")
        return _by_extension(name) or Format.TEXT
    found = _markup_format(text) if text[0] == "<" else _json_format(text, complete=complete)
    if found is not None:
        return found
    if _is_url_list(text, complete=complete):
        return Format.URLS
    if len(_HTML_TAG.findall(text)) >= _MANY_HTML_TAGS:
        return Format.HTML
    return _by_extension(name) or Format.TEXT


def _reject_binary(head: bytes) -> None:
    for magic, what in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise RecordRejected(RejectCode.UNSUPPORTED_FORMAT, f"{what} is not a format we read")
    if head[257:262] == b"ustar":
        raise RecordRejected(RejectCode.UNSUPPORTED_FORMAT, "a tar archive; extract it first")
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise RecordRejected(RejectCode.BINARY_CONTENT, f"the input is {what}, not text")
    # A JSON Lines file whose first line is a record is read line by line, and its reader
    # rejects a line of binary bytes on its own: one such line must not cost the whole file.
    if looks_binary(head) and not _starts_with_json_record(head):
        raise RecordRejected(RejectCode.BINARY_CONTENT, "the input is binary data, not text")


def _starts_with_json_record(head: bytes) -> bool:
    first, newline, _ = head.partition(b"\n")
    if not newline or not first.lstrip().startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


def _sniff_text(head: bytes) -> str:
    """The head as text, good enough to see its structure (exact decoding is the reader's)."""
    for bom, encoding in _TEXT_BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="replace")


def _markup_format(text: str) -> Format | None:
    position = 0
    while prolog := _PROLOG.match(text, position):
        if _HTML_DOCTYPE.match(prolog.group(0).lstrip()):
            return Format.HTML
        position = prolog.end()
    element = _ELEMENT.match(text, position)
    if element is None:
        return None
    root = element.group(1).lower()
    if root in ("rss", "feed", "rdf:rdf") or root.endswith((":feed", ":rdf")):
        return Format.FEED
    if root == "html" or _HTML_TAG.match(text, element.start(1) - 1):
        return Format.HTML
    if text.startswith("<?xml"):
        raise RecordRejected(
            RejectCode.UNSUPPORTED_FORMAT,
            f"an XML document with root <{element.group(1)}>; storyline reads RSS, Atom and "
            "RDF feeds",
        )
    return None


def _json_format(text: str, *, complete: bool) -> Format | None:
    if text[0] not in "{[":
        return None
    first, newline, _ = text.partition("\n")
    first = first.strip()
    if first in ("{", "["):
        raise RecordRejected(
            RejectCode.UNSUPPORTED_FORMAT,
            "a multi-line JSON document; storyline reads JSON Lines (one object per line)",
        )
    if text[0] == "{" or _JSON_ARRAY_START.match(first):
        return Format.JSONL
    # "[" also starts prose ("[Updated] ..."): only a whole first line that is JSON counts.
    if newline or complete:
        try:
            json.loads(first)
        except ValueError:
            return None
        return Format.JSONL
    return None


def _is_url_list(text: str, *, complete: bool) -> bool:
    lines = text.splitlines()
    if not complete:
        lines = lines[:-1]  # the last line may be cut short
    items = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return bool(items) and all(_URL_LINE.fullmatch(item) for item in items)


def _by_extension(name: str) -> Format | None:
    suffixes = [suffix.lower() for suffix in Path(name).suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes.pop()
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


__all__ = [
    "SNIFF_BYTES",
    "Format",
    "Opened",
    "open_path",
    "open_stream",
    "prepend",
    "sniff",
    "walk",
]
