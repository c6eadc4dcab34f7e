"""Time expressions: hand-checked cases and a pinned floor on MEANTIME."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest

from storyline.annotate.timex import find_timexes
from storyline.eval.timex import evaluate_timex, report

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
SHARED_EVAL = TESTS.parent.parent / "shared" / "eval"
CASES = [
    json.loads(line)
    for line in (FIXTURES / "timex" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
MEANTIME = SHARED_EVAL / "meantime" / "timex.jsonl"


@pytest.mark.parametrize("case", CASES, ids=[f"{c['text']}|{c['published']}" for c in CASES])
def test_case(case: dict[str, str]) -> None:
    published = date.fromisoformat(case["published"]) if case["published"] else None
    found = find_timexes(case["sentence"], published)
    hits = [t for t in found if t.text == case["text"]]
    assert hits, found
    assert (hits[0].type, hits[0].value) == (case["type"], case["value"])
    assert case["sentence"][hits[0].start : hits[0].end] == case["text"]


def test_enough_cases() -> None:
    assert len(CASES) >= 100


def test_sorted_and_non_overlapping() -> None:
    text = "On Tuesday, 6 March 2023, at 6 p.m., after three years and every Saturday since 1990."
    found = find_timexes(text, date(2023, 3, 27))
    assert len(found) >= 5
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start


def test_compound_modifiers_are_not_timexes() -> None:
    text = "The now-defunct mill reopened for a week in the soon-to-close season."
    found = find_timexes(text, date(2023, 3, 27))
    assert [t.text for t in found] == ["a week"]


def test_meantime_floor() -> None:
    if not MEANTIME.exists():
        pytest.skip("shared MEANTIME data absent")
    scores = evaluate_timex(MEANTIME)
    assert scores.span.f1 >= 0.918
    assert scores.value.f1 >= 0.813
    assert "value (all)" in report(MEANTIME)


def test_text_whose_lowercase_changes_length_takes_the_direct_path() -> None:
    # "İ".lower() is two characters: offsets of a lowercased copy would drift.
    text = "İzmir officials said on Tuesday that the ferry May 4 sailing may resume."
    found = {t.text: t.value for t in find_timexes(text, date(2023, 3, 27))}
    assert found == {"Tuesday": "2023-03-21", "May 4": "2023-05-04"}
    plain = text.replace("İ", "I")
    assert {t.text: t.value for t in find_timexes(plain, date(2023, 3, 27))} == found
