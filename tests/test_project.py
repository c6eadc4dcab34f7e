"""Project.ingest: accounting that survives interruptions, idempotence, robustness."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from storyline import open_project
from storyline.config import AnnotateSettings, Settings
from storyline.errors import NotFoundError, RejectCode
from storyline.ingest.base import guarded
from storyline.model import Rejected
from storyline.project import IngestProgress

# These tests are about reading and accounting; annotation on ingest has tests of its own.
NO_ANNOTATE = Settings(annotate=AnnotateSettings(on_ingest=False))

BODY = (
    "Emergency crews in Eastbrook worked through the night on Tuesday to shore up the Marlow "
    "River levee, the Tessin Water Authority said, after water rose to within half a metre of "
    "its crest. About 3,000 residents were told to leave low-lying streets near the river."
)


def _line(n: int, **fields: object) -> str:
    record: dict[str, object] = {
        "id": f"story-{n}",
        "source": "Harbor Gazette",
        "title": f"Levee watch, update {n}",
        "text": f"Update {n}. {BODY} Officials will give update number {n * 7} at noon.",
    }
    record.update(fields)
    return json.dumps(record)


def _accounting_holds(db: Path) -> bool:
    with open_project(db, settings=NO_ANNOTATE) as project:
        stats = project.stats()
    return stats.articles + stats.rejected_total == stats.records_read


def test_a_date_that_cannot_be_converted_does_not_stop_the_file(tmp_path: Path) -> None:
    source = tmp_path / "dates.jsonl"
    lines = [
        _line(1, published="2024-03-05T08:00:00Z"),
        _line(2, published="0001-01-01T00:00:00+05:00"),
        _line(3, published="2024-03-06T08:00:00Z"),
    ]
    source.write_text("\n".join(lines), encoding="utf-8")
    with open_project(tmp_path / "x.db", settings=NO_ANNOTATE) as project:
        report = project.ingest(source)  # a single path, not a list, works too
        assert report.articles_added == 3
        assert project.article("story-2").published is None


def test_interrupted_ingest_keeps_the_accounting(tmp_path: Path) -> None:
    source = tmp_path / "many.jsonl"
    lines = [_line(n) for n in range(1, 1300)] + ["{broken"]
    source.write_text("\n".join(lines), encoding="utf-8")
    db = tmp_path / "x.db"

    def interrupt(step: IngestProgress) -> None:
        if step.totals.records_read == 700:  # after the first batch was committed
            raise KeyboardInterrupt

    with open_project(db, settings=NO_ANNOTATE) as project, pytest.raises(KeyboardInterrupt):
        project.ingest([source], progress=interrupt)
    with open_project(db, settings=NO_ANNOTATE) as project:
        partial = project.stats()
    assert 0 < partial.articles < 1299
    assert _accounting_holds(db)

    with open_project(db, settings=NO_ANNOTATE) as project:
        report = project.ingest([source])
        final = project.stats()
    assert report.articles_added == 1299 - partial.articles
    assert (final.articles, final.rejected_total, final.records_read) == (1299, 1, 1300)


def test_rejections_are_recognised_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def from_stdin(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))

    db = tmp_path / "x.db"
    with open_project(db, settings=NO_ANNOTATE) as project:
        from_stdin(json.dumps({"id": "x1", "text": "Too short."}))
        first = project.ingest(["-"])
        from_stdin(json.dumps({"id": "x2", "text": "Also far too short."}))
        second = project.ingest(["-"])
        # The first bad record again, now under another location: known, not counted twice.
        moved = tmp_path / "moved.jsonl"
        moved.write_text("\n" + json.dumps({"id": "x1", "text": "Too short."}), encoding="utf-8")
        third = project.ingest([moved])
        stats = project.stats()
    assert (first.rejected, second.rejected, third.rejected) == (1, 1, 0)
    assert third.rejected_again == 1
    assert stats.rejected_total == 2
    assert _accounting_holds(db)


def test_the_store_is_never_read_as_input(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "news.jsonl").write_text(_line(1), encoding="utf-8")
    db = inputs / "store.db"
    with open_project(db, settings=NO_ANNOTATE) as project:
        first = project.ingest([inputs])
        second = project.ingest([inputs])
    assert (first.articles_added, first.rejected) == (1, 0)
    assert (second.records_read, second.rejected) == (1, 0)


def test_a_reader_bug_rejects_one_record_not_the_batch() -> None:
    def broken() -> object:
        raise ZeroDivisionError("division by zero")

    result = guarded("feed.xml#3", broken, content=b"<item>...</item>")
    assert isinstance(result, Rejected)
    assert result.code is RejectCode.READER_ERROR
    assert "ZeroDivisionError" in result.message
    again = guarded("feed.xml#9", broken, content=b"<item>...</item>")
    assert isinstance(again, Rejected) and again.key == result.key


# -- annotation on ingest -------------------------------------------------------------------


def test_ingest_stores_annotations_with_each_article(tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text(
        "\n".join([_line(1, published="2024-03-06T08:00:00Z"), _line(2), "{broken"]),
        encoding="utf-8",
    )
    with open_project(tmp_path / "a.db", settings=Settings()) as project:
        report = project.ingest(source)
        assert (report.articles_added, report.articles_annotated) == (2, 2)
        assert report.annotation_failed == 0
        assert project.stats().annotated == 2
        article = project.article("story-1")
        found = project.annotations("story-1")
    assert found is not None
    for item in (*found.entities, *found.quantities, *found.timexes):
        assert article.text[item.start : item.end] == item.text
    assert {t.text: t.value for t in found.timexes}["Tuesday"] == "2024-03-05"
    assert "resident" in {q.counts for q in found.quantities}
    assert "Tessin Water Authority" in {e.canonical for e in found.entities}


def test_articles_stored_without_annotation_are_annotated_by_the_next_run(
    tmp_path: Path,
) -> None:
    db = tmp_path / "later.db"
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(_line(n) for n in range(1, 4)), encoding="utf-8")
    second.write_text(_line(9), encoding="utf-8")
    with open_project(db, settings=NO_ANNOTATE) as project:
        assert project.ingest(first).articles_annotated == 0
        assert project.annotations("story-1") is None
        assert project.stats().annotated == 0
    with open_project(db, settings=Settings()) as project:
        report = project.ingest(second)
        assert (report.articles_added, report.articles_annotated) == (1, 4)
        assert project.stats().annotated == 4
        # Those in stories already have their entities linked too.
        assert report.articles_linked == 4
        assert project.entity_linker.links("story-1")


def test_annotate_pending_alone(tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(_line(n) for n in range(1, 4)), encoding="utf-8")
    with open_project(tmp_path / "p.db", settings=NO_ANNOTATE) as project:
        project.ingest(source)
        report = project.annotate_pending()
        assert report.articles_annotated == 3
        assert project.annotate_pending().articles_annotated == 0


def test_annotations_of_an_unknown_article_is_not_found(tmp_path: Path) -> None:
    with (
        open_project(tmp_path / "n.db", settings=Settings()) as project,
        pytest.raises(NotFoundError),
    ):
        project.annotations("nope")
