"""Opening inputs: sniffing by content, transparent decompression, stdin, folder walks, text."""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import io
import json
import lzma
import shutil
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.errors import RecordRejected, RejectCode
from storyline.ingest import read_articles, read_many
from storyline.ingest.files import Format, sniff
from storyline.ingest.text import split_title
from storyline.model import Article, ReadResult, Rejected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOOD = FIXTURES / "good"
JSONL = GOOD / "flood-week.jsonl"


def _articles(results: list[ReadResult]) -> list[Article]:
    assert all(isinstance(r, Article) for r in results), [
        (r.location, r.code, r.message) for r in results if isinstance(r, Rejected)
    ]
    return [r for r in results if isinstance(r, Article)]


def _summary(articles: list[Article]) -> list[tuple[str, str, str | None]]:
    return [(a.id, a.text, a.title) for a in articles]


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", Format.WARC),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>', Format.FEED),
        (
            b'<?xml version="1.0"?>\n<!-- hourly -->\n<feed xmlns="http://www.w3.org/2005/Atom">',
            Format.FEED,
        ),
        (
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            Format.FEED,
        ),
        (b"<!DOCTYPE html>\n<html><head><title>Floods</title>", Format.HTML),
        (b"<!doctype HTML><title>Floods</title>", Format.HTML),
        (
            b'<?xml version="1.0" encoding="utf-8"?>\n'
            b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x">\n<html>',
            Format.HTML,
        ),
        (b"<div><p>Floods close the valley road.</p><p>More rain is due.</p></div>", Format.HTML),
        (b'{"title": "Floods", "text": "The river rose."}\n{"title": "Levee"}\n', Format.JSONL),
        (b'\xef\xbb\xbf{"title": "Floods"}\n', Format.JSONL),
        ('{"title": "Floods"}\r\n'.encode("utf-16"), Format.JSONL),
        (b"[1, 2]\n", Format.JSONL),
        (b"[1, 2]", Format.JSONL),
        (
            b"https://harborgazette.example/a\n\n# later\nhttps://valleycourier.example/b\n",
            Format.URLS,
        ),
        (b"Floods close the valley road\n\nHeavy rain closed the road on Monday.\n", Format.TEXT),
        (b"[Updated] Floods close the valley road\n\nHeavy rain closed the road.\n", Format.TEXT),
        (b"<Editor's note> this story was updated on Tuesday.\n", Format.TEXT),
    ],
)
def test_sniff_by_content(head: bytes, expected: Format) -> None:
    assert sniff(head, name="input.txt") is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.jsonl", Format.JSONL),
        ("notes.jsonl.gz", Format.JSONL),
        ("notes.HTML", Format.HTML),
        ("notes.xml", Format.FEED),
        ("notes.warc.gz", Format.WARC),
        ("notes.txt", Format.TEXT),
        ("notes", Format.TEXT),
    ],
)
def test_extension_breaks_ties_when_content_is_plain_text(name: str, expected: Format) -> None:
    assert sniff(b'"River floods Port Marlow quay"\n', name=name) is expected


def test_content_beats_extension(tmp_path: Path, settings: Settings) -> None:
    disguised = tmp_path / "export.txt"
    shutil.copy(JSONL, disguised)
    page = tmp_path / "page.txt"
    shutil.copy(GOOD / "levee.html", page)
    assert [a.reader for a in _articles(list(read_articles(disguised, settings=settings)))] == [
        "jsonl"
    ] * 4
    assert [a.reader for a in _articles(list(read_articles(page, settings=settings)))] == ["html"]


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/">', "unsupported"),
        (b"[\n  {\n", "unsupported"),
        (b"\x00" * 257 + b"ustar\x0000" + b"\x00" * 100, "unsupported"),
        (b"\x28\xb5\x2f\xfd\x00\x00", "unsupported"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary"),
        (b"  \n\t\n", "blank"),
    ],
)
def test_sniff_rejects(head: bytes, code: str) -> None:
    expected = {
        "unsupported": RejectCode.UNSUPPORTED_FORMAT,
        "binary": RejectCode.BINARY_CONTENT,
        "blank": RejectCode.BLANK_CONTENT,
    }[code]
    with pytest.raises(RecordRejected) as caught:
        sniff(head, name="input")
    assert caught.value.code is expected


# --- decompression ----------------------------------------------------------------------------


def test_gzipped_jsonl_is_read_transparently(settings: Settings) -> None:
    plain = _articles(list(read_articles(JSONL, settings=settings)))
    packed = _articles(list(read_articles(GOOD / "flood-week.jsonl.gz", settings=settings)))
    assert _summary(packed) == _summary(plain)
    assert [a.location for a in packed] == [
        f"{GOOD / 'flood-week.jsonl.gz'}:{n}" for n in (1, 2, 4, 5)
    ]


@pytest.mark.parametrize("compress", [bz2.compress, lzma.compress], ids=["bz2", "xz"])
def test_bz2_and_xz_are_read_transparently(
    tmp_path: Path, settings: Settings, compress: Callable[[bytes], bytes]
) -> None:
    packed = tmp_path / "flood-week.jsonl.packed"
    packed.write_bytes(compress(JSONL.read_bytes()))
    plain = _articles(list(read_articles(JSONL, settings=settings)))
    assert _summary(_articles(list(read_articles(packed, settings=settings)))) == _summary(plain)


def test_concatenated_gzip_members_read_as_one_stream(tmp_path: Path, settings: Settings) -> None:
    lines = JSONL.read_bytes().splitlines(keepends=True)
    joined = tmp_path / "joined.jsonl.gz"  # what `cat a.gz b.gz > joined.gz` makes
    joined.write_bytes(
        gzip.compress(b"".join(lines[:2]), mtime=0) + gzip.compress(b"".join(lines[2:]), mtime=0)
    )
    assert len(_articles(list(read_articles(joined, settings=settings)))) == 4


def test_gzip_inside_gzip_is_unsupported(tmp_path: Path, settings: Settings) -> None:
    nested = tmp_path / "twice.jsonl.gz.gz"
    nested.write_bytes(gzip.compress(gzip.compress(JSONL.read_bytes(), mtime=0), mtime=0))
    results = list(read_articles(nested, settings=settings))
    assert [getattr(r, "code", None) for r in results] == [RejectCode.UNSUPPORTED_FORMAT]


# --- stdin ------------------------------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    _stdin(monkeypatch, JSONL.read_bytes())
    articles = _articles(list(read_articles("-", settings=settings)))
    assert [a.location for a in articles] == ["<stdin>:1", "<stdin>:2", "<stdin>:4", "<stdin>:5"]


def test_stdin_gzip_and_single_documents(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    _stdin(monkeypatch, (GOOD / "flood-week.jsonl.gz").read_bytes())
    assert len(_articles(list(read_articles("-", settings=settings)))) == 4
    _stdin(monkeypatch, (GOOD / "levee.html").read_bytes())
    [page] = _articles(list(read_articles("-", settings=settings)))
    assert (page.location, page.reader) == ("<stdin>", "html")


def test_stdin_rejections_are_located(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    _stdin(monkeypatch, b"")
    [result] = list(read_articles("-", settings=settings))
    assert isinstance(result, Rejected)
    assert (result.location, result.code) == ("<stdin>", RejectCode.EMPTY_FILE)


def test_a_path_named_dash_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    shutil.copy(GOOD / "levee.html", tmp_path / "-")
    monkeypatch.chdir(tmp_path)
    [page] = _articles(list(read_articles(Path("-"), settings=settings)))
    assert page.location == "-"


# --- folders ----------------------------------------------------------------------------------


def test_folder_walk_is_sorted_recursive_and_skips_hidden(
    tmp_path: Path, settings: Settings
) -> None:
    root = tmp_path / "corpus"
    (root / "b-wire").mkdir(parents=True)
    (root / ".git" / "objects").mkdir(parents=True)
    shutil.copy(GOOD / "levee.html", root / "c-levee.html")
    shutil.copy(GOOD / "ferry.cp1252.txt", root / "b-wire" / "ferry.txt")
    shutil.copy(GOOD / "pumps.utf16.txt", root / "a-pumps.txt")
    shutil.copy(GOOD / "levee.html", root / ".draft.html")
    shutil.copy(GOOD / "levee.html", root / ".git" / "objects" / "page.html")
    locations = [a.location for a in _articles(list(read_articles(root, settings=settings)))]
    assert locations == [
        str(root / "a-pumps.txt"),
        str(root / "b-wire" / "ferry.txt"),
        str(root / "c-levee.html"),
    ]
    again = [a.location for a in _articles(list(read_articles(root, settings=settings)))]
    assert again == locations


def test_folder_walk_follows_symlinks_and_reads_each_file_once(
    tmp_path: Path, settings: Settings
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(GOOD / "levee.html", archive / "levee.html")
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "linked.html").symlink_to(archive / "levee.html")
    (root / "same-again.html").symlink_to(archive / "levee.html")
    (root / "archive").symlink_to(archive)
    locations = [a.location for a in _articles(list(read_articles(root, settings=settings)))]
    # archive/levee.html, linked.html and same-again.html are one file: read once, first in order
    assert locations == [str(root / "archive" / "levee.html")]

    without_links = dataclasses.replace(
        settings, ingest=dataclasses.replace(settings.ingest, follow_symlinks=False)
    )
    assert list(read_articles(root, settings=without_links)) == []


def test_read_many_reads_each_source_in_turn(settings: Settings) -> None:
    results = list(read_many([GOOD / "levee.html", str(JSONL)], settings=settings))
    assert [r.location for r in results] == [str(GOOD / "levee.html")] + [
        f"{JSONL}:{n}" for n in (1, 2, 4, 5)
    ]


def test_large_jsonl_streams_in_bounded_memory(tmp_path: Path, settings: Settings) -> None:
    record = json.loads(JSONL.read_text().splitlines()[0])
    big = tmp_path / "big.jsonl"
    with big.open("w") as out:
        for number in range(3000):  # ~6 MB
            out.write(json.dumps({**record, "id": f"hg-{number}"}) + "\n")
    tracemalloc.start()
    try:
        count = 0
        for result in read_articles(big, settings=settings):
            assert isinstance(result, Article)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 4 * 2**20


# --- plain text -------------------------------------------------------------------------------


def test_text_cp1252_with_crlf(settings: Settings) -> None:
    [article] = _articles(list(read_articles(GOOD / "ferry.cp1252.txt", settings=settings)))
    assert article.title == "Ferry service resumes after the flood"
    assert article.text.startswith("The Port Marlow ferry resumed")
    assert "“We’re back to the 20-minute crossing,” said the operator’s manager, Renée" in (
        article.text
    )
    assert "€40,000" in article.text
    # Below the title the file is kept as it is, line ends included: offsets index it.
    assert "\r\n" in article.text
    assert (GOOD / "ferry.cp1252.txt").read_bytes().decode("cp1252").endswith(article.text)
    assert article.reader == "text"


def test_text_utf16_with_bom(settings: Settings) -> None:
    [article] = _articles(list(read_articles(GOOD / "pumps.utf16.txt", settings=settings)))
    assert article.title == "County orders pumps for Quay Lane"
    assert article.text.startswith("Marlow county will install two permanent flood pumps")


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        (
            "Floods\n\nThe river rose.\n\nRoads closed.",
            "Floods",
            "The river rose.\n\nRoads closed.",
        ),
        ("\n\n  Floods  \n\nThe river rose.", "Floods", "The river rose."),
        (
            "The river rose\nand roads closed.",
            "The river rose",
            "The river rose\nand roads closed.",
        ),
        ("The river rose.", "The river rose.", "The river rose."),
        ("x" * 400 + "\n\nMore.", None, "x" * 400 + "\n\nMore."),
        # Below the title nothing is cleaned: indentation, spacing and line ends stay.
        (
            "Floods\r\n\r\n  • Roads  closed.\r\n  • Ferry stopped.\r\n",
            "Floods",
            "  • Roads  closed.\r\n  • Ferry stopped.\r\n",
        ),
    ],
)
def test_split_title(text: str, title: str | None, body: str) -> None:
    assert split_title(text) == (title, body)
