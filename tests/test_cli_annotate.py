"""`storyline annotate` (no store) and `storyline article ID` (stored annotations)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from test_cli import run

NOTE = (
    "The port of Calder stayed closed on Monday.  Dockworkers walked out three weeks ago, "
    'and union leader Tomas Reyes said 1,200 members would stay out. "We are not going '
    'back," Reyes told reporters.'
)


def _jsonl(tmp_path: Path, *records: dict[str, object]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_annotate_follows_the_contract_and_keeps_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _jsonl(
        tmp_path,
        {"id": "c1", "text": NOTE, "published": "2023-03-27T10:00:00Z"},
        {"id": "c2", "text": "Short note: talks resume next Tuesday."},
    )
    code, out, err = run(capsys, "annotate", str(source))
    assert code == 0, err
    first, second = (json.loads(line) for line in out.splitlines())
    assert set(first) == {"id", "published", "text", "entities", "quotes", "quantities", "timexes"}
    assert first["id"] == "c1" and second["id"] == "c2"
    assert first["text"] == NOTE  # the double space survives: offsets index the caller's text
    assert first["published"] == "2023-03-27T10:00:00+00:00"
    for key in ("entities", "quantities", "timexes"):
        for item in first[key]:
            assert NOTE[item["start"] : item["end"]] == item["text"]
    values = {t["text"]: t["value"] for t in first["timexes"]}
    assert values["Monday"] == "2023-03-27" or values["Monday"] == "2023-03-20"
    assert values["three weeks ago"] == "2023-03-06"
    assert [q["counts"] for q in first["quantities"]] == ["member"]
    speakers = [q["speaker"]["canonical"] for q in first["quotes"] if q["speaker"]]
    assert "Tomas Reyes" in speakers
    # Without a publication time, "next Tuesday" is not resolved to a guessed date.
    assert second["published"] is None
    assert not second["timexes"][0]["value"].startswith("20")


def test_annotate_published_option_fills_a_missing_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _jsonl(
        tmp_path,
        {"id": "n1", "text": "Talks resume next Tuesday."},
        {"id": "n2", "text": "Talks resume next Tuesday.", "published": "2023-01-02"},
    )
    code, out, _ = run(capsys, "annotate", str(source), "--published", "2023-03-27")
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["timexes"][0]["value"] == "2023-03-28"
    assert second["timexes"][0]["value"] == "2023-01-03"  # the input's own time wins


def test_annotate_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.dumps({"id": "s1", "text": "About 40 trucks left on Friday."}).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "annotate", "-", "--published", "2023-03-27")
    assert code == 0
    [doc] = [json.loads(line) for line in out.splitlines()]
    assert doc["quantities"][0]["counts"] == "truck"
    assert doc["timexes"][0]["value"] == "2023-03-24"


def test_annotate_reports_rejections_on_stderr_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        json.dumps({"id": "ok1", "text": "It rained."})
        + "\n{broken\n"
        + json.dumps({"id": "ok2", "text": "It snowed."})
        + "\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "annotate", str(source))
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok1", "ok2"]
    assert "malformed_json" in err
    code, _, err = run(capsys, "annotate", "--strict", str(source))
    assert code == 3


def test_annotate_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "annotate", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in err
    source = _jsonl(tmp_path, {"text": "x"})
    code, _, err = run(capsys, "annotate", str(source), "--published", "last blue moon")
    assert code == 2 and "--published" in err


def test_article_command_shows_stored_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = NOTE + " " + "Ships queued offshore while the strike went on. " * 4
    source = _jsonl(tmp_path, {"id": "p1", "text": text, "published": "2023-03-27"})
    db = str(tmp_path / "news.db")
    code, _, err = run(capsys, "--db", db, "ingest", str(source))
    assert code == 0, err
    code, out, _ = run(capsys, "--db", db, "article", "p1", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    # Stored as given (double space and trailing space too): the offsets index the input.
    assert doc["id"] == "p1" and doc["text"] == text
    assert doc["annotations"]["quantities"][0]["counts"] == "member"
    code, out, _ = run(capsys, "--db", db, "article", "p1")
    assert code == 0 and "three weeks ago -> DATE 2023-03-06" in out
    code, _, err = run(capsys, "--db", db, "article", "nope")
    assert code == 2 and "nope" in err


def test_ingest_without_annotation_then_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = NOTE + " " + "Ships queued offshore while the strike went on. " * 4
    source = _jsonl(tmp_path, {"id": "p1", "text": text})
    db = str(tmp_path / "news.db")
    code, out, _ = run(
        capsys, "--db", db, "ingest", "--no-annotate", str(source), "--format", "json"
    )
    assert code == 0 and json.loads(out)["articles_annotated"] == 0
    code, out, _ = run(capsys, "--db", db, "article", "p1")
    assert "not annotated yet" in out
    code, out, _ = run(capsys, "--db", db, "ingest", str(source), "--format", "json")
    report = json.loads(out)
    assert (report["already_stored"], report["articles_annotated"]) == (1, 1)
