"""JSON Lines: the input contract, ids, publication times and encodings."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.config import Settings
from storyline.ingest import read_articles
from storyline.ingest.base import derive_id
from storyline.ingest.jsonl import read_jsonl
from storyline.model import Article, PublishedFrom, ReadResult, Rejected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOOD = FIXTURES / "good"
JSONL = GOOD / "flood-week.jsonl"

LEVEE = (
    "Repairs to the Marlow river levee will begin on April 3 and last about six weeks, the "
    "county's public works department said on Tuesday. The work will close the riverside "
    "footpath between Mill Bridge and the ferry terminal."
)


def _articles(results: list[ReadResult]) -> list[Article]:
    assert all(isinstance(r, Article) for r in results), [
        (r.location, r.code, r.message) for r in results if isinstance(r, Rejected)
    ]
    return [r for r in results if isinstance(r, Article)]


def _read(data: bytes | str, settings: Settings) -> list[ReadResult]:
    raw = data.encode() if isinstance(data, str) else data
    return list(read_jsonl(io.BytesIO(raw), location="dump.jsonl", settings=settings))


@pytest.fixture
def week(settings: Settings) -> list[Article]:
    return _articles(list(read_articles(JSONL, settings=settings)))


def test_lines_become_articles_and_blank_lines_are_not_records(week: list[Article]) -> None:
    assert [a.location for a in week] == [f"{JSONL}:{n}" for n in (1, 2, 4, 5)]
    assert all(a.reader == "jsonl" for a in week)


def test_fields_of_the_contract(week: list[Article]) -> None:
    flood = week[0]
    assert flood.url == "https://harborgazette.example/2023/03/27/river-floods-quay"
    assert flood.source == "Harbor Gazette"
    assert flood.title == "River floods Port Marlow quay"
    assert flood.author == "Ines Calder"
    assert flood.language == "en"
    assert flood.text.startswith("The Marlow river rose above its banks")
    assert "\n\nCounty engineers said" in flood.text  # paragraphs kept


def test_ids_verbatim_else_from_url_else_from_content(week: list[Article]) -> None:
    given, from_url, from_content, _ = week
    assert given.id == "hg-2023-0327-flood"
    assert from_url.id == derive_id(url=from_url.url, text="ignored")
    assert from_url.id.startswith("u")
    assert from_content.url is None
    assert from_content.id == derive_id(url=None, text=from_content.text)
    assert from_content.id.startswith("t")


def test_ids_are_deterministic(settings: Settings, week: list[Article]) -> None:
    again = _articles(list(read_articles(JSONL, settings=settings)))
    assert [a.id for a in again] == [a.id for a in week]


def test_integer_ids_are_kept_as_their_decimal_text(settings: Settings) -> None:
    [article] = _articles(_read(json.dumps({"id": 20230327, "text": LEVEE}) + "\n", settings))
    assert article.id == "20230327"


def test_published_from_input_in_utc(week: list[Article]) -> None:
    flood = week[0]
    assert flood.published == datetime(2023, 3, 27, 12, 15, tzinfo=UTC)  # 08:15 -04:00
    assert flood.published_from is PublishedFrom.INPUT
    assert week[2].published == datetime(2023, 3, 29, tzinfo=UTC)  # a bare date
    assert week[2].published_from is PublishedFrom.INPUT


def test_published_from_page_metadata_of_an_html_record(week: list[Article]) -> None:
    shelter = week[3]
    assert shelter.id == "vc-shelter"
    assert shelter.published == datetime(2023, 3, 30, 15, 5, tzinfo=UTC)  # 17:05 +02:00
    assert shelter.published_from is PublishedFrom.METADATA
    assert shelter.title == "Flood shelter closes as families return home"
    assert shelter.text.startswith("The temporary shelter at Marlow High School")
    assert "Home" not in shelter.text and "All rights reserved" not in shelter.text


def test_published_from_url(week: list[Article]) -> None:
    levee = week[1]
    assert levee.published == datetime(2023, 3, 28, tzinfo=UTC)
    assert levee.published_from is PublishedFrom.URL


def test_all_times_are_utc(week: list[Article]) -> None:
    assert all(
        a.published is not None and a.published.utcoffset() == UTC.utcoffset(None) for a in week
    )


def test_an_unparseable_date_falls_back_rather_than_rejecting(settings: Settings) -> None:
    record = {
        "url": "https://valleycourier.example/news/2023/03/28/levee",
        "published": "the day after the flood",
        "text": LEVEE,
    }
    [article] = _articles(_read(json.dumps(record) + "\n", settings))
    assert article.published_from is PublishedFrom.URL


def test_unix_timestamps(settings: Settings) -> None:
    [article] = _articles(
        _read(json.dumps({"text": LEVEE, "published": 1679919300}) + "\n", settings)
    )
    assert article.published == datetime(2023, 3, 27, 12, 15, tzinfo=UTC)


def test_record_fields_win_over_the_page(settings: Settings) -> None:
    page = (GOOD / "levee.html").read_text()
    record = {
        "id": "vc-1",
        "title": "Levee work: six weeks",
        "author": "Dana Whitlock",
        "html": page,
    }
    [article] = _articles(_read(json.dumps(record) + "\n", settings))
    assert (article.id, article.title, article.author) == (
        "vc-1",
        "Levee work: six weeks",
        "Dana Whitlock",
    )
    assert article.source == "Valley Courier"  # the page fills what the record left empty
    assert article.text.startswith("Repairs to the Marlow river levee")


def test_text_wins_over_html(settings: Settings) -> None:
    record = {"text": LEVEE, "html": "<html><body><p>Other words entirely.</p></body></html>"}
    [article] = _articles(_read(json.dumps(record) + "\n", settings))
    assert article.text == LEVEE


def test_unknown_fields_are_ignored(settings: Settings) -> None:
    record = {"text": LEVEE, "section": "local", "tags": ["flood"], "meta": {"words": 48}}
    assert len(_articles(_read(json.dumps(record) + "\n", settings))) == 1


def test_crlf_bom_and_a_last_line_without_newline(settings: Settings) -> None:
    lines = [json.dumps({"id": f"r{n}", "text": LEVEE}) for n in (1, 2)]
    data = b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
    assert [a.id for a in _articles(_read(data, settings))] == ["r1", "r2"]


def test_cp1252_lines(settings: Settings) -> None:
    texts = [
        "Café owners on Mill Street say the council’s new parking rules will “empty the "
        "street” before the summer season begins, and José Núñez agrees. " * 2,
        "The council’s planning chief, Anaïs Dupré, said the rules — approved 7–2 last "
        "month — would free about 120 spaces for residents. " * 2,
    ]
    data = "".join(
        json.dumps({"id": f"c{n}", "text": text}, ensure_ascii=False) + "\n"
        for n, text in enumerate(texts)
    ).encode("cp1252")
    articles = _articles(_read(data, settings))
    assert [a.text for a in articles] == texts


def test_utf8_lines_in_a_mostly_cp1252_file_stay_utf8(settings: Settings) -> None:
    cp1252 = json.dumps({"id": "a", "text": "Café “Olé” " + LEVEE}, ensure_ascii=False)
    utf8 = json.dumps({"id": "b", "text": "Café “Olé” " + LEVEE}, ensure_ascii=False)
    data = cp1252.encode("cp1252") + b"\n" + utf8.encode("utf-8") + b"\n"
    assert [a.text[:10] for a in _articles(_read(data, settings))] == ["Café “Olé”"] * 2


def test_utf16_jsonl_from_powershell(settings: Settings) -> None:
    path = GOOD / "export.utf16.jsonl"
    articles = _articles(list(read_articles(path, settings=settings)))
    assert [(a.id, a.location) for a in articles] == [("ps-1", f"{path}:1"), ("ps-2", f"{path}:2")]
    assert "“We’re back to the 20-minute crossing,”" in articles[1].text


def test_a_given_text_is_stored_unchanged(settings: Settings) -> None:
    messy = "  Line one  with  double spaces.\r\n\n\n\nSecond\tparagraph ends here.  "
    record = json.dumps({"id": "m1", "text": messy})
    short = replace(settings, ingest=replace(settings.ingest, min_text_chars=1))
    for keep_text in (True, False):
        [article] = _articles(
            _read(record, replace(short, ingest=replace(short.ingest, keep_text=keep_text)))
        )
        assert article.text == messy


def test_the_minimum_length_counts_the_text_without_its_padding(settings: Settings) -> None:
    # Indentation and blank lines do not make a stub long enough.
    stub = "Levee repairs begin April 3." + " " * 40 + "\n" * 40 + "    Footpath closed."
    minimum = replace(settings, ingest=replace(settings.ingest, min_text_chars=60))
    [rejected] = _read(json.dumps({"id": "s1", "text": stub}), minimum)
    assert isinstance(rejected, Rejected)
    assert rejected.code == "text_too_short"
    assert "text has 46 characters" in rejected.message


def test_keep_text_keeps_a_plain_text_file_whole(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Levee holds\n\nThe  levee held overnight.\n", encoding="utf-8")
    kept = replace(settings, ingest=replace(settings.ingest, keep_text=True, min_text_chars=1))
    [article] = _articles(list(read_articles(path, settings=kept)))
    assert article.text == "Levee holds\n\nThe  levee held overnight.\n"
    assert article.title is None


def test_a_line_of_binary_bytes_does_not_cost_the_file_its_good_lines(
    tmp_path: Path, settings: Settings
) -> None:
    # Found by tests/test_fuzz_readers.py: one NUL byte made the sniffer call the whole file
    # binary. A file that starts with a JSON record is JSONL; its bad lines are rejected alone.
    good = json.dumps({"id": "ledger-1", "text": LEVEE})
    path = tmp_path / "wire.jsonl"
    path.write_bytes(
        f"{good}\n".encode() + b"\x00\x00\x01\x02\n" + good.replace("-1", "-2").encode()
    )

    results = list(read_articles(path, settings=settings))

    assert [r.id for r in results if isinstance(r, Article)] == ["ledger-1", "ledger-2"]
    assert [(r.location.rsplit(":", 1)[1], r.code) for r in results if isinstance(r, Rejected)] == [
        ("2", "malformed_json")
    ]
