"""Every rejection code of the file-level readers, each from a real bad input.

Each test reads the bad input *next to good input* and checks both: the exact code, once, at
the right location, and that the good records still come through.

Small bad files live in ``fixtures/ingest/bad`` (written once by a script, kept byte-exact):
``flood-photo.txt`` is a real 2x2 PNG, ``flood-report.pdf`` a minimal one-page PDF,
``flood-week.zip`` a ZIP of ``good/flood-week.jsonl``, ``updates-truncated.jsonl.gz`` a gzip
of seven articles cut at three quarters of its length, ``cut-off.utf16.txt`` a UTF-16 text
missing its last byte. Big or filesystem-shaped inputs (bombs, links, pipes) are built in
``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import shutil
import tracemalloc
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.errors import RejectCode
from storyline.ingest import read_articles, read_many
from storyline.model import Article, ReadResult, Rejected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
GOOD_PAGE = GOOD / "levee.html"


def _split(results: list[ReadResult]) -> tuple[list[Article], list[Rejected]]:
    articles = [r for r in results if isinstance(r, Article)]
    rejected = [r for r in results if isinstance(r, Rejected)]
    assert len(articles) + len(rejected) == len(results)
    return articles, rejected


def _folder_with(tmp_path: Path, *bad: Path) -> Path:
    """A folder holding the given bad files and one good page."""
    folder = tmp_path / "inbox"
    folder.mkdir(exist_ok=True)
    shutil.copy(GOOD_PAGE, folder / GOOD_PAGE.name)
    for path in bad:
        shutil.copy(path, folder / path.name)
    return folder


def _read_beside_good(
    tmp_path: Path, bad: Path, settings: Settings
) -> tuple[list[Article], list[Rejected]]:
    folder = _folder_with(tmp_path, bad)
    articles, rejected = _split(list(read_articles(folder, settings=settings)))
    assert [a.location for a in articles] == [str(folder / GOOD_PAGE.name)]
    assert [r.location for r in rejected] == [str(folder / bad.name)]
    return articles, rejected


def _with_ingest(settings: Settings, **changes: object) -> Settings:
    return dataclasses.replace(settings, ingest=dataclasses.replace(settings.ingest, **changes))


def _jsonl(*records: dict[str, object]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def _good_record(number: int) -> dict[str, object]:
    return {
        "id": f"good-{number}",
        "title": "Levee repairs to start in April",
        "text": "Repairs to the Marlow river levee will begin on April 3 and last about six "
        "weeks, the county's public works department said on Tuesday. The work will close "
        f"the riverside footpath between Mill Bridge and the ferry terminal. (Update {number})",
    }


# --- whole files ------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path, settings: Settings) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / "empty.jsonl", settings)
    assert rejected[0].code is RejectCode.EMPTY_FILE


def test_empty_file_inside_valid_gzip(tmp_path: Path, settings: Settings) -> None:
    empty = tmp_path / "nothing.jsonl.gz"
    empty.write_bytes(gzip.compress(b"", mtime=0))
    _, rejected = _read_beside_good(tmp_path, empty, settings)
    assert rejected[0].code is RejectCode.EMPTY_FILE


def test_blank_content(tmp_path: Path, settings: Settings) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / "blank.txt", settings)
    assert rejected[0].code is RejectCode.BLANK_CONTENT


def test_binary_content_png_named_txt(tmp_path: Path, settings: Settings) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / "flood-photo.txt", settings)
    assert rejected[0].code is RejectCode.BINARY_CONTENT
    assert "PNG" in rejected[0].message


def test_binary_content_without_known_magic(tmp_path: Path, settings: Settings) -> None:
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(range(256)) * 16)
    _, rejected = _read_beside_good(tmp_path, noise, settings)
    assert rejected[0].code is RejectCode.BINARY_CONTENT


def test_undecodable_text_truncated_utf16(tmp_path: Path, settings: Settings) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / "cut-off.utf16.txt", settings)
    assert rejected[0].code is RejectCode.UNDECODABLE_TEXT


@pytest.mark.parametrize("name", ["flood-report.pdf", "flood-week.zip"])
def test_unsupported_format(tmp_path: Path, settings: Settings, name: str) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / name, settings)
    assert rejected[0].code is RejectCode.UNSUPPORTED_FORMAT


def test_unsupported_format_pdf_even_when_named_txt(tmp_path: Path, settings: Settings) -> None:
    renamed = tmp_path / "report.txt"
    shutil.copy(BAD / "flood-report.pdf", renamed)
    _, rejected = _read_beside_good(tmp_path, renamed, settings)
    assert rejected[0].code is RejectCode.UNSUPPORTED_FORMAT


def test_unsupported_format_pretty_printed_json(tmp_path: Path, settings: Settings) -> None:
    pretty = tmp_path / "export.json"
    pretty.write_text(json.dumps([_good_record(1), _good_record(2)], indent=2))
    _, rejected = _read_beside_good(tmp_path, pretty, settings)
    assert rejected[0].code is RejectCode.UNSUPPORTED_FORMAT
    assert "JSON Lines" in rejected[0].message


def test_oversize_file(tmp_path: Path, settings: Settings) -> None:
    small = _with_ingest(settings, max_file_bytes=2048)
    big = tmp_path / "flood-week.jsonl"
    shutil.copy(GOOD / "flood-week.jsonl", big)
    assert big.stat().st_size > 2048 > GOOD_PAGE.stat().st_size
    _, rejected = _read_beside_good(tmp_path, big, small)
    assert rejected[0].code is RejectCode.OVERSIZE_INPUT
    assert "max_file_bytes" in rejected[0].message


# --- compression ------------------------------------------------------------------------------


def test_corrupt_compression_keeps_the_records_before_the_damage(settings: Settings) -> None:
    path = BAD / "updates-truncated.jsonl.gz"
    articles, rejected = _split(list(read_articles(path, settings=settings)))
    assert [a.id for a in articles] == ["tc-1", "tc-2", "tc-3", "tc-4", "tc-5"]
    assert [(r.location, r.code) for r in rejected] == [(str(path), RejectCode.CORRUPT_COMPRESSION)]
    assert "after 5 records" in rejected[0].message


def test_corrupt_compression_beside_good(tmp_path: Path, settings: Settings) -> None:
    broken = tmp_path / "header-only.txt.gz"
    broken.write_bytes(gzip.compress(b"Floods close the valley road", mtime=0)[:12])
    _, rejected = _read_beside_good(tmp_path, broken, settings)
    assert rejected[0].code is RejectCode.CORRUPT_COMPRESSION


def test_decompression_bomb_by_size(tmp_path: Path, settings: Settings) -> None:
    capped = _with_ingest(settings, max_decompressed_bytes=2**20, max_compression_ratio=10**6)
    bomb = tmp_path / "zeros.jsonl.gz"
    bomb.write_bytes(gzip.compress(bytes(8 * 2**20), mtime=0))
    _, rejected = _read_beside_good(tmp_path, bomb, capped)
    assert rejected[0].code is RejectCode.DECOMPRESSION_BOMB
    assert "max_decompressed_bytes" in rejected[0].message


def test_decompression_bomb_by_ratio_stops_early(tmp_path: Path, settings: Settings) -> None:
    """Good lines, then 1 GiB of blank lines in 1 KiB of gzip: no record limit stops that."""
    blank_mib = gzip.compress(b"\n" * 2**20, mtime=0)
    bomb = tmp_path / "wire.jsonl.gz"
    bomb.write_bytes(
        gzip.compress(_jsonl(_good_record(1), _good_record(2)).encode(), mtime=0) + blank_mib * 1024
    )
    articles, rejected = _split(list(read_articles(bomb, settings=settings)))
    assert [a.id for a in articles] == ["good-1", "good-2"]
    assert [r.code for r in rejected] == [RejectCode.DECOMPRESSION_BOMB]
    inflated = re.search(r"after inflating (\d+) bytes", rejected[0].message)
    assert inflated is not None
    assert int(inflated[1]) < 16 * 2**20  # of 1 GiB: the guard stopped early


# --- JSON Lines records -----------------------------------------------------------------------


@pytest.fixture
def mixed() -> dict[str, ReadResult]:
    path = BAD / "mixed.jsonl"
    results = list(read_articles(path, settings=Settings()))
    by_line = {r.location.rsplit(":", 1)[1]: r for r in results}
    assert len(by_line) == len(results) == 9  # one result per line, none dropped
    assert [getattr(by_line[n], "id", None) for n in ("1", "3", "9")] == ["ok-1", "ok-2", "ok-3"]
    return by_line


def _code(result: ReadResult) -> RejectCode:
    assert isinstance(result, Rejected), result
    return result.code


def test_malformed_json_line_does_not_stop_the_file(mixed: dict[str, ReadResult]) -> None:
    assert _code(mixed["2"]) is RejectCode.MALFORMED_JSON


@pytest.mark.parametrize("line", ["4", "5"])
def test_json_not_object(mixed: dict[str, ReadResult], line: str) -> None:
    assert _code(mixed[line]) is RejectCode.JSON_NOT_OBJECT


def test_invalid_field(mixed: dict[str, ReadResult]) -> None:
    assert _code(mixed["6"]) is RejectCode.INVALID_FIELD


def test_missing_text(mixed: dict[str, ReadResult]) -> None:
    assert _code(mixed["7"]) is RejectCode.MISSING_TEXT


def test_text_too_short(mixed: dict[str, ReadResult]) -> None:
    assert _code(mixed["8"]) is RejectCode.TEXT_TOO_SHORT


@pytest.mark.parametrize(
    "bad",
    [
        {"text": ["Floods", "close", "the", "road"]},
        {"html": {"body": "<p>Floods</p>"}},
        {"published": {"date": "2023-03-27"}},
        {"published": True},
        {"id": 1.5},
        {"url": 404},
        {"author": ["Ines Calder", "Dana Whitlock"]},
        {"language": None, "source": False},
    ],
    ids=lambda bad: "-".join(bad),
)
def test_invalid_field_types(tmp_path: Path, settings: Settings, bad: dict[str, object]) -> None:
    path = tmp_path / "typed.jsonl"
    path.write_text(_jsonl(_good_record(1), {**_good_record(2), **bad}, _good_record(3)))
    results = list(read_articles(path, settings=settings))
    assert [getattr(r, "code", "article") for r in results] == [
        "article",
        RejectCode.INVALID_FIELD,
        "article",
    ]


def test_invalid_field_unpaired_surrogate(tmp_path: Path, settings: Settings) -> None:
    # A producer that split an emoji's UTF-16 pair: valid JSON, but not storable text.
    record = json.dumps(_good_record(2)).replace("(Update 2)", "(Update \\ud83d)")
    path = tmp_path / "emoji.jsonl"
    path.write_text(json.dumps(_good_record(1)) + "\n" + record + "\n")
    results = list(read_articles(path, settings=settings))
    assert isinstance(results[0], Article)
    assert _code(results[1]) is RejectCode.INVALID_FIELD
    assert "surrogate" in getattr(results[1], "message", "")


def test_blank_text_without_html(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text(_jsonl({"id": "b", "text": "   \n "}, _good_record(2)))
    results = list(read_articles(path, settings=settings))
    assert _code(results[0]) is RejectCode.BLANK_CONTENT
    assert isinstance(results[1], Article)


def test_oversize_jsonl_line_is_skipped_in_bounded_memory(
    tmp_path: Path, settings: Settings
) -> None:
    limited = _with_ingest(settings, max_record_bytes=64 * 1024)
    huge = {**_good_record(2), "text": "Floods close the valley road. " * 300_000}  # ~9 MB
    path = tmp_path / "dump.jsonl"
    path.write_text(_jsonl(_good_record(1), huge, _good_record(3)))
    tracemalloc.start()
    try:
        results = list(read_articles(path, settings=limited))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [getattr(r, "code", r.location) for r in results] == [
        f"{path}:1",
        RejectCode.OVERSIZE_INPUT,
        f"{path}:3",
    ]
    assert results[1].location == f"{path}:2"
    assert peak < 4 * 2**20  # the 9 MB line was never held whole


# --- HTML -------------------------------------------------------------------------------------


def test_boilerplate_only_not_text_too_short(tmp_path: Path, settings: Settings) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / "cookie-wall.html", settings)
    assert rejected[0].code is RejectCode.BOILERPLATE_ONLY


def test_boilerplate_only_even_when_the_banner_is_short(tmp_path: Path, settings: Settings) -> None:
    page = tmp_path / "consent.html"
    page.write_text(
        '<html><body><nav><a href="/">Home</a></nav>'
        '<div class="cookie-notice"><p>We use cookies.</p><button>OK</button></div>'
        "<footer>© 2023 Valley Courier</footer></body></html>"
    )
    _, rejected = _read_beside_good(tmp_path, page, settings)
    assert rejected[0].code is RejectCode.BOILERPLATE_ONLY


def test_short_article_page_is_text_too_short(tmp_path: Path, settings: Settings) -> None:
    _, rejected = _read_beside_good(tmp_path, BAD / "ferry-brief.html", settings)
    assert rejected[0].code is RejectCode.TEXT_TOO_SHORT


# --- paths ------------------------------------------------------------------------------------


def test_unreadable_path_that_does_not_exist(settings: Settings, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dump.jsonl"
    articles, rejected = _split(list(read_many([missing, GOOD_PAGE], settings=settings)))
    assert [(r.location, r.code) for r in rejected] == [(str(missing), RejectCode.UNREADABLE_PATH)]
    assert [a.location for a in articles] == [str(GOOD_PAGE)]


def test_unreadable_path_broken_symlink(tmp_path: Path, settings: Settings) -> None:
    folder = _folder_with(tmp_path)
    (folder / "moved.jsonl").symlink_to(tmp_path / "archive" / "moved.jsonl")
    articles, rejected = _split(list(read_articles(folder, settings=settings)))
    assert [(r.location, r.code) for r in rejected] == [
        (str(folder / "moved.jsonl"), RejectCode.UNREADABLE_PATH)
    ]
    assert "broken symbolic link" in rejected[0].message
    assert len(articles) == 1


def test_unreadable_path_named_pipe_is_not_opened(tmp_path: Path, settings: Settings) -> None:
    # Opening a FIFO nobody writes to blocks forever; a folder walk must reject it unopened.
    folder = _folder_with(tmp_path)
    os.mkfifo(folder / "feed.pipe")
    articles, rejected = _split(list(read_articles(folder, settings=settings)))
    assert [(r.location, r.code) for r in rejected] == [
        (str(folder / "feed.pipe"), RejectCode.UNREADABLE_PATH)
    ]
    assert len(articles) == 1


def test_symlink_loop_to_parent(tmp_path: Path, settings: Settings) -> None:
    folder = _folder_with(tmp_path)
    (folder / "wire").mkdir()
    shutil.copy(GOOD / "flood-week.jsonl", folder / "wire" / "flood-week.jsonl")
    (folder / "wire" / "up").symlink_to("..")
    results = list(read_articles(folder, settings=settings))
    articles, rejected = _split(results)
    assert [(r.location, r.code) for r in rejected] == [
        (str(folder / "wire" / "up"), RejectCode.SYMLINK_LOOP)
    ]
    locations = [a.location for a in articles]
    assert len(locations) == len(set(locations)) == 5  # 1 page + 4 JSONL records, each once


def test_symlink_loop_between_two_folders(tmp_path: Path, settings: Settings) -> None:
    folder = _folder_with(tmp_path)
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    shutil.copy(GOOD / "flood-week.jsonl", folder / "b" / "flood-week.jsonl")
    (folder / "a" / "to-b").symlink_to("../b")
    (folder / "b" / "to-a").symlink_to("../a")
    articles, rejected = _split(list(read_articles(folder, settings=settings)))
    assert [r.code for r in rejected] == [RejectCode.SYMLINK_LOOP]  # reported once
    assert len(articles) == 5  # the JSONL behind the loop is read once


def test_symlink_loop_self_referencing_link(tmp_path: Path, settings: Settings) -> None:
    folder = _folder_with(tmp_path)
    (folder / "latest").symlink_to("latest")
    articles, rejected = _split(list(read_articles(folder, settings=settings)))
    assert [(r.location, r.code) for r in rejected] == [
        (str(folder / "latest"), RejectCode.SYMLINK_LOOP)
    ]
    assert len(articles) == 1
    # Given directly, too.
    direct = list(read_articles(folder / "latest", settings=settings))
    assert [_code(r) for r in direct] == [RejectCode.SYMLINK_LOOP]


# --- accounting -------------------------------------------------------------------------------


def test_rereading_bad_input_gives_the_same_keys(settings: Settings) -> None:
    first = [r.key for r in read_articles(BAD, settings=settings) if isinstance(r, Rejected)]
    second = [r.key for r in read_articles(BAD, settings=settings) if isinstance(r, Rejected)]
    assert first == second
    assert len(set(first)) == len(first)
