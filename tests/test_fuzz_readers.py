"""Hostile input, fuzzed: every reader turns any bytes into Articles and coded Rejections.

Hypothesis builds structured-but-hostile inputs for each format (JSON of odd types, deep nesting,
huge numbers, lone surrogates, NUL bytes, invalid UTF-8, broken tags, feeds with missing fields,
WARC records with lying lengths, truncated or fake compression, hostile URL lists) and feeds
them through the public entry point, :func:`storyline.ingest.read_articles`. The promise checked
(docs/reliability.md, "Hostile input"):

- nothing raises, and nothing is a ``reader_error`` (the code of an exception a reader did not
  expect): each failure is a rejection with a code that says why;
- every article is storable: its fields are text that encodes as UTF-8;
- one bad record never costs the file its good ones: a good line, entry or page placed beside
  the bad ones is still read.

Examples are bounded (``max_examples``) and have no deadline, so the module runs in seconds.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.cli import cli
from storyline.config import Settings, load_settings
from storyline.errors import RejectCode
from storyline.ingest import read_articles
from storyline.model import Article, ReadResult, Rejected

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
SETTINGS = load_settings(environ={}, overrides={"ingest.min_text_chars": 20})
GOOD_TEXT = (
    "MARLOW FALLS (Tri-County Wire) - The Marlow Falls council voted 7-2 on Monday to close the "
    "Old Mill bridge for repairs, council chair Edda Voss said, after inspectors found cracks."
)
GOOD_PAGE = (
    "<!DOCTYPE html><html><head><title>Council closes Old Mill bridge</title></head><body>"
    f"<article><h1>Council closes Old Mill bridge</h1><p>{GOOD_TEXT}</p>"
    "<p>Repairs are expected to take six weeks, the city engineer Tomas Brandt said.</p>"
    "</article></body></html>"
)

_scratch = Path(tempfile.mkdtemp(prefix="storyline-fuzz-"))
_counter = iter(range(10**9))


def write(data: bytes, suffix: str) -> Path:
    """A fresh file per example (Hypothesis does not mix with function-scoped tmp_path)."""
    path = _scratch / f"input-{next(_counter)}{suffix}"
    path.write_bytes(data)
    return path


def read(data: bytes, suffix: str, settings: Settings = SETTINGS, **kw: bool) -> list[ReadResult]:
    path = write(data, suffix)
    try:
        return list(read_articles(path, settings=settings, **kw))
    finally:
        path.unlink()


def assert_well_formed(results: list[ReadResult]) -> list[Article]:
    """Every result is an Article or a coded Rejection, never a reader_error; articles store."""
    assert results, "an input gave no result at all"
    for result in results:
        assert isinstance(result, (Article, Rejected)), result
        if isinstance(result, Rejected):
            assert result.code in set(RejectCode), result
            assert result.code is not RejectCode.READER_ERROR, result
            continue
        assert result.text.strip() and result.id.strip(), result
        for value in (result.id, result.text, result.title, result.url, result.source):
            if value is not None:
                value.encode("utf-8")  # no lone surrogate: the store could not hold it
    return [r for r in results if isinstance(r, Article)]


# ---------------------------------------------------------------------------------------------
# Hostile pieces

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
FIELDS = ("id", "url", "source", "title", "text", "html", "published", "author", "language")
odd_records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS))
hostile_lines = st.sampled_from(
    [
        b"[" * 100_000,
        b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"id": ' + b"9" * 5000 + b', "text": "' + GOOD_TEXT.encode() + b'"}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "published": 1e400}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "published": -1e300}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "published": NaN}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "published": "99999-99-99T99:99"}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "published": "0001-01-01T00:00:00+14:00"}',
        b'{"text": "lone \\ud800 surrogate in a long enough text for the minimum"}',
        b'{"title": "\\udfff", "text": "' + GOOD_TEXT.encode() + b'"}',
        b'{"text": "nul \\u0000 bytes \\u0000\\u0000 inside a text long enough to keep"}',
        b'{"text": "\xff\xfe\xfd invalid utf-8 bytes in a text long enough to keep"}',
        b'{"text": "' + b"\x00" * 64 + b'"}',
        b'{"html": "<p><b><i>unclosed <script>alert(1)</p>' + b"<div>" * 3000 + b'"}',
        b'{"html": "<!DOCTYPE html><html><body></body></html>"}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "url": "http://[::1"}',
        b'{"text": "' + GOOD_TEXT.encode() + b'", "url": "http://x/2023/02/31/"}',
        b"\x00\x00\x00\x00",
        b'{"text": "unterminated',
        b"{}",
        b"null",
        b'"just a string"',
        b"\xef\xbb\xbf" + b'{"text": "bom mid-file ' + GOOD_TEXT.encode() + b'"}',
    ]
)


def _json_line(record: dict[str, object]) -> bytes:
    return json.dumps(record, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


bad_lines = (
    odd_records.map(_json_line)
    | hostile_lines
    | st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" "))
    | st.text(max_size=80).map(lambda t: t.replace("\n", " ").encode("utf-8", "surrogatepass"))
)
GOOD_LINE = json.dumps({"id": "good-1", "title": "Bridge closed", "text": GOOD_TEXT}).encode()


# ---------------------------------------------------------------------------------------------
# JSONL


@FUZZ
@given(before=st.lists(bad_lines, max_size=5), after=st.lists(bad_lines, max_size=5))
def test_jsonl_bad_lines_never_cost_the_good_one(before: list[bytes], after: list[bytes]) -> None:
    data = b"\n".join([*before, GOOD_LINE, *after]) + b"\n"
    # The first line decides the format; a leading good line keeps it JSONL whatever follows.
    results = read(b"\n".join([GOOD_LINE.replace(b"good-1", b"good-0"), data]), ".jsonl")

    articles = assert_well_formed(results)

    ids = [a.id for a in articles]
    assert "good-0" in ids and "good-1" in ids
    # One result per non-blank line: nothing is dropped silently, nothing is read twice.
    lines = [line for line in data.split(b"\n") if line.strip()]
    assert len(results) == len(lines) + 1


@FUZZ
@given(data=st.binary(max_size=2000) | bad_lines)
def test_any_bytes_named_jsonl_give_coded_results(data: bytes) -> None:
    assert_well_formed(read(data, ".jsonl"))


# ---------------------------------------------------------------------------------------------
# HTML and plain text

tags = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div",
        "</div>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<![CDATA[",
        "<meta charset='x-unknown'>",
        '<meta http-equiv="content-type" content="text/html; charset=utf-7">',
        "<html>",
        "</html>",
        "<body onload=alert(1)>",
        "<title>",
        "&#0;",
        "&#xD800;",
        "&#99999999;",
        "&bogus;",
        "<svg><foreignObject>",
        "<a href='javascript:alert(1)'>",
        "\x00",
        "<time datetime='9999-99-99'>",
        '<meta property="article:published_time" content="-1e999">',
        "<?xml version='1.0' encoding='nonsense'?>",
    ]
)
html_documents = st.lists(tags | st.text(max_size=30), min_size=1, max_size=40).map("".join)


@FUZZ
@given(prefix=html_documents, middle=html_documents, garbage=st.binary(max_size=64))
def test_html_with_broken_tags_gives_coded_results(
    prefix: str, middle: str, garbage: bytes
) -> None:
    document = "<!DOCTYPE html>" + prefix + GOOD_PAGE.replace("<p>Repairs", middle + "<p>Repairs")
    data = document.encode("utf-8", "surrogatepass") + garbage

    assert_well_formed(read(data, ".html"))


@FUZZ
@given(
    data=st.binary(max_size=3000)
    | st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_plain_text_gives_coded_results(data: bytes) -> None:
    assert_well_formed(read(data, ".txt"))


# ---------------------------------------------------------------------------------------------
# RSS and Atom

optional_text = st.none() | st.text(max_size=60) | tags
dates = st.none() | st.sampled_from(
    ["Mon, 27 Mar 2023 09:00:00 +0000", "not a date", "Tue, 99 Foo 99999 99:99:99", "", "0", "-1"]
)


def _element(name: str, value: str | None) -> str:
    if value is None:
        return ""
    clean = "".join(c for c in value if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF)
    return f"<{name}>{escape(clean)}</{name}>"


rss_entries = st.builds(
    lambda title, link, body, date, guid: (
        "<item>"
        + _element("title", title)
        + _element("link", link)
        + _element("description", body)
        + _element("pubDate", date)
        + _element("guid", guid)
        + "</item>"
    ),
    optional_text,
    optional_text,
    optional_text | html_documents,
    dates,
    optional_text,
)
GOOD_ITEM = (
    "<item><title>Council closes Old Mill bridge</title>"
    "<link>https://wire.example/2023/03/27/bridge</link>"
    f"<description>{escape(GOOD_TEXT)}</description>"
    "<pubDate>Mon, 27 Mar 2023 09:00:00 +0000</pubDate></item>"
)


@FUZZ
@given(before=st.lists(rss_entries, max_size=4), after=st.lists(rss_entries, max_size=4))
def test_rss_bad_entries_never_cost_the_good_one(before: list[str], after: list[str]) -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Tri-County Wire</title>" + "".join([*before, GOOD_ITEM, *after])
    ) + "</channel></rss>"

    articles = assert_well_formed(read(feed.encode(), ".rss"))

    assert any(a.title == "Council closes Old Mill bridge" for a in articles)


atom_entries = st.builds(
    lambda title, body, kind, date: (
        "<entry>"
        + _element("title", title)
        + (f'<content type="{kind}">{escape(body)}</content>' if body is not None else "")
        + _element("updated", date)
        + "</entry>"
    ),
    optional_text,
    st.none() | html_documents,
    st.sampled_from(["html", "text", "xhtml", "application/octet-stream", ""]),
    dates,
)


@FUZZ
@given(entries=st.lists(atom_entries, max_size=6), cut=st.integers(min_value=0, max_value=4000))
def test_atom_feeds_with_missing_fields_and_cuts_give_coded_results(
    entries: list[str], cut: int
) -> None:
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Courier</title>'
        + "".join(entries)
        + "</feed>"
    ).encode()

    assert_well_formed(read(feed[: max(cut, 60)], ".atom"))


# ---------------------------------------------------------------------------------------------
# WARC


def warc_record(payload: bytes, *, length: int | None = None, kind: str = "response") -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + payload
    declared = len(http) if length is None else length
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{next(_counter)}>\r\n"
        "WARC-Target-URI: https://wire.example/2023/03/27/bridge\r\n"
        "WARC-Date: 2023-03-27T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


@FUZZ
@given(
    payload=html_documents.map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=300),
    length=st.none() | st.integers(min_value=-5, max_value=5000),
    kind=st.sampled_from(["response", "request", "resource", "revisit", "bogus"]),
    tail=st.binary(max_size=64),
)
def test_warc_bad_lengths_keep_the_pages_before_them(
    payload: bytes, length: int | None, kind: str, tail: bytes
) -> None:
    data = warc_record(GOOD_PAGE.encode()) + warc_record(payload, length=length, kind=kind) + tail

    articles = assert_well_formed(read(data, ".warc"))

    assert any(GOOD_TEXT[:40] in a.text for a in articles)


# ---------------------------------------------------------------------------------------------
# Compression wrappers

COMPRESSORS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
MAGICS = [b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"BZh91AY&SY", b"\xfd7zXZ\x00"]
payloads = st.sampled_from(
    [
        GOOD_LINE + b"\n" + GOOD_LINE.replace(b"good-1", b"good-2") + b"\n",
        GOOD_PAGE.encode(),
        GOOD_TEXT.encode(),
        b"",
        gzip.compress(GOOD_LINE),
    ]
) | st.binary(max_size=500)


@FUZZ
@given(
    payload=payloads,
    suffix=st.sampled_from(sorted(COMPRESSORS)),
    cut=st.none() | st.integers(min_value=0, max_value=600),
    flip=st.none() | st.tuples(st.integers(min_value=0, max_value=600), st.integers(1, 255)),
)
def test_truncated_or_damaged_compression_gives_coded_results(
    payload: bytes, suffix: str, cut: int | None, flip: tuple[int, int] | None
) -> None:
    data = bytearray(COMPRESSORS[suffix](payload))
    if flip is not None and flip[0] < len(data):
        data[flip[0]] ^= flip[1]
    if cut is not None:
        del data[cut:]

    assert_well_formed(read(bytes(data) or b"\x1f\x8b", ".jsonl" + suffix))


@FUZZ
@given(magic=st.sampled_from(MAGICS), rest=st.binary(max_size=2000))
def test_random_bytes_behind_a_compression_magic_are_rejected(magic: bytes, rest: bytes) -> None:
    results = read(magic + rest, ".gz")

    assert_well_formed(results)


def test_a_truncated_gzip_keeps_the_lines_before_the_cut() -> None:
    lines = b"".join(
        json.dumps({"id": f"wire-{n}", "text": f"{GOOD_TEXT} Item {n}."}).encode() + b"\n"
        for n in range(400)
    )
    data = gzip.compress(lines)

    results = read(data[: len(data) * 3 // 4], ".jsonl.gz")

    articles = assert_well_formed(results)
    assert len(articles) > 100
    assert results[-1].code is RejectCode.CORRUPT_COMPRESSION  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# URL lists

url_lines = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{path}",
    st.sampled_from(["http://", "https://", "ftp://", "file://", "javascript:", "HTTP://", ""]),
    st.sampled_from(["", "[::1", "a" * 300 + ".test", "exa mple.test", "\x00", "xn--", ":99999"]),
    st.text(max_size=40).map(lambda t: "/" + t.replace("\n", "").replace("\r", "")),
)


@FUZZ
@given(lines=st.lists(url_lines | st.text(max_size=40), min_size=1, max_size=8))
def test_url_lists_without_fetch_are_one_coded_rejection(lines: list[str]) -> None:
    data = "\n".join(["https://wire.example/2023/03/27/bridge", *lines]).encode(
        "utf-8", "surrogatepass"
    )

    results = assert_well_formed(read(data, ".urls"))

    assert results == []


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True


class _PageHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else GOOD_PAGE.encode()
        kind = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def page_server() -> Iterator[str]:
    server = _PageServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# Only hosts that never reach a DNS server: the test server, and names refused before lookup.
# Control bytes are left out here: a list holding them is binary, one rejection (tested above).
local_url_lines = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{path}",
    st.sampled_from(["http://", "https://", "ftp://", "javascript:", "HTTP://", "//"]),
    st.sampled_from(["{server}", "{server}", "[::1", "a" * 300 + ".test", ":99999", ""]),
    st.text(st.characters(min_codepoint=32), max_size=30).map(lambda t: "/" + t),
)


@settings(FUZZ, max_examples=60)
@given(lines=st.lists(local_url_lines, min_size=1, max_size=5))
def test_fetched_url_lists_give_one_result_per_url(page_server: str, lines: list[str]) -> None:
    good = f"http://{page_server}/2023/03/27/bridge"
    urls = [good, *(line.replace("{server}", page_server) for line in lines)]
    data = "\n".join(urls).encode("utf-8", "surrogatepass")
    fetching = load_settings(
        environ={},
        overrides={
            "ingest.min_text_chars": 20,
            "fetch.allow_private_addresses": True,
            "fetch.timeout_seconds": 5,
            "fetch.host_delay_seconds": 0,
        },
    )

    results = read(data, ".urls", fetching, fetch=True)

    articles = assert_well_formed(results)
    assert any(a.url == good for a in articles)


# ---------------------------------------------------------------------------------------------
# storyline annotate


@settings(FUZZ, max_examples=40)
@given(lines=st.lists(bad_lines, min_size=1, max_size=6))
def test_annotate_accounts_for_every_line_and_never_crashes(lines: list[bytes]) -> None:
    data = b"\n".join([GOOD_LINE, *lines]) + b"\n"
    path = write(data, ".jsonl")
    try:
        result = CliRunner().invoke(cli, ["annotate", os.fspath(path)], env={})
    finally:
        path.unlink()

    assert result.exit_code == 0, (result.output, result.exception)
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    rejected = [line for line in result.stderr.splitlines() if "storyline: rejected" in line]
    assert not any("reader_error" in line for line in rejected), rejected
    assert printed[0]["id"] == "good-1" and "error" not in printed[0]
    assert len(printed) + len(rejected) == sum(1 for line in data.split(b"\n") if line.strip())
