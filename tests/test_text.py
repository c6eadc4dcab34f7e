"""The shared sentence splitter: list items and one-line headings are sentences of their own,
with offsets into the raw text; direct quotes get quotation marks only where they have none.

``layout_wire.txt`` is a wire report with a bulleted fact box (all the marker styles news
copy uses), a one-line sub-head, a numbered list, and a paragraph hard-wrapped into short lines.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from storyline.text import SentenceIndex, quoted, sentences

LAYOUT = Path(__file__).parent / "fixtures" / "text" / "layout_wire.txt"


@pytest.fixture
def text() -> str:
    return LAYOUT.read_text(encoding="utf-8")


def test_list_items_are_sentences_without_their_markers(text: str) -> None:
    found = [s.text for s in sentences(text)]
    for item in (
        "At least 14 people were killed, according to the regional governor",
        "The quake was 10 kilometres deep",
        "Two bridges on the Ostra road collapsed",
        "Schools in the province will stay closed until Monday",
        "Aid flights from Lindholm were due on Saturday",
        "Rescue teams from three provinces were sent to Tarven.",
        "The army opened two field hospitals",
        "Power was restored to the town centre by nightfall",
    ):
        assert item in found
    assert "Key facts:" in found
    # No marker is left over as a sentence, or at the head of one.
    assert not any(s[:1] in "•*-–" or s[:2] in ("1.", "2.", "3)") for s in found)


def test_headings_stand_alone_and_are_marked(text: str) -> None:
    index = SentenceIndex(text)
    headings = [s.text for s in index.spans if index.is_heading(s)]
    assert headings == ["What the governor said", "Rebuilding the old quarter"]
    following = index.containing(text.index("Governor Ilse Marek"))
    assert following is not None
    assert following.text.startswith("Governor Ilse Marek") and not index.is_heading(following)


def test_wrapped_lines_and_list_lead_ins_are_not_headings(text: str) -> None:
    index = SentenceIndex(text)
    wrapped = index.containing(text.index("many of the houses"))
    assert wrapped is not None and wrapped.text.startswith("Engineers said")
    assert not index.is_heading(wrapped)
    lead_in = index.containing(text.index("Key facts"))
    assert lead_in is not None and not index.is_heading(lead_in)


def test_offsets_index_the_raw_text(text: str) -> None:
    spans = sentences(text)
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_a_line_between_paragraphs_is_not_a_heading_at_the_end() -> None:
    # A short last line (a sign-off) heads nothing.
    text = "The town was evacuated on Friday.\n\nReporting by Ana Ruiz"
    index = SentenceIndex(text)
    assert not any(index.is_heading(s) for s in index.spans)


def test_blocks_end_list_items() -> None:
    text = "Key facts\n• Ten died\n• Roads shut, police said\n\nThe army said the town would fall."
    index = SentenceIndex(text)
    item = text.index("Roads")
    start, end = index.block(item)
    assert text[start:end].strip() == "Roads shut, police said"
    prose = index.block(text.index("The army"))
    assert text[prose[0] : prose[1]].strip() == "The army said the town would fall."


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("We will hold the bridge", "“We will hold the bridge”"),
        ("“We will hold the bridge,”", "“We will hold the bridge,”"),
        ('"We will hold the bridge,"', '"We will hold the bridge,"'),
        (
            "“We will hold it,” he said. “Every metre.”",
            "“We will hold it,” he said. “Every metre.”",
        ),
        ("’Tis a fight to the end", "“’Tis a fight to the end”"),
    ],
)
def test_quoted_never_doubles_marks(text: str, shown: str) -> None:
    assert quoted(text) == shown


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # Tokenized corpora space out decimal points: a measured decimal ends no sentence.
        ("A 6. 1 - magnitude quake shook Velmora. Two homes fell.", 2),
        (
            "The institute put the magnitude at 5. 9, but the survey said 6. 2. Nobody died.",
            2,
        ),
        ("Aftershocks of around 4. 0 followed. Schools closed.", 2),
        # A sentence ending in a number before one opening with a number stays two sentences.
        ("The ferry carried 12. 20 passengers were rescued.", 2),
        ("It hit at 9. 25 am residents said.", 2),
    ],
)
def test_spaced_decimal_points_end_no_sentence(text: str, count: int) -> None:
    assert len(sentences(text)) == count
