"""Bullets, one-line heads and paragraphs are sentences of their own, for spaCy too; heads are
never names; surnames with particles resolve to the full name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.annotate.lines import head_lines, is_bullet, sentence_starts
from storyline.annotate.pipeline import Annotator, build_pipeline
from storyline.model import Annotations

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "annotate"


def _text(name: str) -> str:
    record = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    text: str = record["text"]
    return text


BULLETS = _text("indented_bullets.jsonl")
MAGAZINE = _text("magazine_heads.jsonl")


@pytest.fixture(scope="module")
def magazine() -> Annotations:
    return Annotator().annotate_text(MAGAZINE)


def _lines_at(text: str, starts: list[int]) -> list[str]:
    return [text[i:].split("\n")[0] for i in starts]


def test_bullets_heads_and_paragraphs_start_sentences() -> None:
    starts = _lines_at(BULLETS, sentence_starts(BULLETS))
    assert starts[:4] == [
        "What the army said at its morning briefing:",
        "• Troops hold the grain silos and the old bus station on the Qaryan road.",
        "• About 1,200 families have left the eastern districts since Friday.",
        "• Engineers cleared 40 mines from the main road on Sunday.",
    ]
    assert [BULLETS[a:b] for a, b in head_lines(BULLETS)] == []
    heads = [MAGAZINE[a:b] for a, b in head_lines(MAGAZINE)]
    assert heads == [
        "The long hunt for the commander of Wadi Sahr",
        "Finding al-Zahiri",
        "The Dutch connection",
    ]


def test_a_paragraph_wrapped_at_a_fixed_width_is_left_to_the_parser() -> None:
    wrapped = (
        "The council voted on Monday to close the\n"
        "Mill Street footbridge for repairs\n"
        "Engineers found cracks in two of its piers.\n"
    )
    # "Mill Street footbridge for repairs" is short and unpunctuated, but the line before it
    # does not end a sentence: it is the middle of a wrapped paragraph, not a head.
    assert head_lines(wrapped) == []
    assert _lines_at(wrapped, sentence_starts(wrapped)) == []


@pytest.mark.parametrize(
    ("line", "bullet"),
    [
        ("  • Troops hold the silos.", True),
        ("* Roads reopen", True),
        ("- Engineers cleared 40 mines", True),
        ("2. Schools stay shut", True),
        ("-40 degrees overnight", False),
        ("2.5 million people", False),
        ("Troops hold the silos.", False),
    ],
)
def test_bullet_lines(line: str, bullet: bool) -> None:
    assert is_bullet(line) is bullet


def test_the_parser_keeps_bullets_and_heads_apart() -> None:
    nlp = build_pipeline()
    assert nlp.pipe_names.index("storyline_lines") < nlp.pipe_names.index("parser")
    sentences = [s.text.strip() for s in nlp(BULLETS).sents]
    assert "• About 1,200 families have left the eastern districts since Friday." in sentences
    sentences = [s.text.strip() for s in nlp(MAGAZINE).sents]
    assert "Finding al-Zahiri" in sentences
    assert "The Dutch connection" in sentences


def test_a_head_is_never_a_name(magazine: Annotations) -> None:
    texts = [e.text for e in magazine.entities]
    assert not any(t.startswith("Finding") for t in texts)
    head = MAGAZINE.index("Finding al-Zahiri")
    [in_head] = [e for e in magazine.entities if head <= e.start < head + len("Finding al-Zahiri")]
    assert (in_head.text, in_head.canonical) == ("al-Zahiri", "Abu Karim al-Zahiri")


def test_surnames_with_particles_resolve_to_the_full_name(magazine: Annotations) -> None:
    canonical = {(e.text, e.canonical) for e in magazine.entities if e.label == "PERSON"}
    assert {
        ("Al-Zahiri", "Abu Karim al-Zahiri"),
        ("al-Zahiri", "Abu Karim al-Zahiri"),
        ("Van Aalst", "Pieter van Aalst"),
        ("bin Rashed", "Omar bin Rashed"),
        ("da Costa", "Lucia da Costa"),
    } <= canonical
    speakers = {q.speaker.canonical for q in magazine.quotes if q.speaker is not None}
    assert "Pieter van Aalst" in speakers


def test_a_name_that_opens_a_head_and_stands_in_the_body_keeps_its_first_word() -> None:
    text = (
        "Nadia Haddad\n\n"
        "Colonel Nadia Haddad led the raid on the farmhouse in March. Haddad said the "
        "commander had left two days earlier.\n"
    )
    first = Annotator().annotate_text(text).entities[0]
    assert (first.start, first.text) == (0, "Nadia Haddad")


def test_a_gerund_tagged_as_a_verb_opens_a_head_not_a_name() -> None:
    text = (
        "Getting al-Hamdan\n\n"
        "The raid on the farmhouse came in March. Abu Tarek al-Hamdan had left two days "
        "earlier, villagers said.\n"
    )
    entities = Annotator().annotate_text(text).entities
    assert not any(e.text.startswith("Getting") for e in entities)
    assert ("al-Hamdan", "Abu Tarek al-Hamdan") in {(e.text, e.canonical) for e in entities}
