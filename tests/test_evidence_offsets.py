"""Evidence spans index the text the user gave: a JSONL ``text`` and a plain text file are stored
unchanged, so the offsets `storyline ingest` stores and the ones `storyline annotate` prints are the
same, and both index the input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storyline import open_project
from storyline.config import Settings
from storyline.model import Annotations, Span
from storyline.project import annotate_input

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "annotate"
BULLETS = FIXTURES / "indented_bullets.jsonl"


def _spans(annotations: Annotations) -> list[Span]:
    spans: list[Span] = [*annotations.entities, *annotations.quantities, *annotations.timexes]
    for quote in annotations.quotes:
        spans += [s for s in (quote.content, quote.speaker, quote.cue) if s is not None]
    return spans


def _input_record() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(BULLETS.read_text(encoding="utf-8"))
    return record


def test_stored_spans_index_the_input_text_after_an_indented_bullet_list(tmp_path: Path) -> None:
    given = _input_record()["text"]
    with open_project(tmp_path / "s.db", settings=Settings()) as project:
        project.ingest([BULLETS])
        article = project.article("mp-dur-amin-1")
        annotations = project.annotations("mp-dur-amin-1")
    assert article.text == given
    assert annotations is not None
    spans = _spans(annotations)
    # Spans after the indented list are there to be checked.
    assert any(s.start > given.index("Residents reached") for s in spans)
    assert any(s.start > given.index("We will hold") for s in spans)
    for span in spans:
        assert given[span.start : span.end] == span.text, span


def test_ingest_and_annotate_give_the_same_offsets(tmp_path: Path) -> None:
    with open_project(tmp_path / "s.db", settings=Settings()) as project:
        project.ingest([BULLETS])
        stored = project.annotations("mp-dur-amin-1")
    [(article, printed)] = [r for r in annotate_input(BULLETS, settings=Settings())]  # type: ignore[misc]
    assert article.text == _input_record()["text"]
    assert stored is not None and printed is not None
    assert stored.to_dict() == printed.to_dict()


def test_a_plain_text_file_is_stored_as_given_below_its_title(tmp_path: Path) -> None:
    given = _input_record()["text"].replace("\n", "\r\n")
    path = tmp_path / "dur-amin.txt"
    path.write_bytes(("Army pushes into eastern Dur Amin\r\n\r\n" + given).encode("utf-8"))
    with open_project(tmp_path / "s.db", settings=Settings()) as project:
        project.ingest([path])
        [article] = project.articles()
        annotations = project.annotations(article.id)
    assert article.title == "Army pushes into eastern Dur Amin"
    assert article.text == given
    assert annotations is not None
    for span in _spans(annotations):
        assert given[span.start : span.end] == span.text, span
