"""Sentence spans of a text, for citing and quoting whole sentences (the synthesize stage) and
for headlines made from a lead (story titles).

The dossier cites sentences by character span, so the splitter works on the raw text and
returns offsets into it. It is a rule-based splitter tuned for news prose (titles such as
"Gen." and "Ms.", initials, dotted acronyms, closing quotes after the full stop): the stored
annotations do not keep spaCy's sentence boundaries, and re-parsing a story's articles to get
them would make a dossier cost seconds instead of milliseconds.

Two kinds of line are sentences of their own whatever their punctuation, because news copy
sets them apart by layout rather than by a full stop:

- a *list item*: a line opening with a bullet ("•", "*", "-", "–", "—", "·", "▪") or a number
  ("1.", "2)") and a space. Its span starts after the marker; an item runs to the next item, a
  paragraph break or a line opening with a capital, like any sentence.
- a *heading*: a short line (at most :data:`MAX_HEADING_WORDS` words) without final
  punctuation, opening with a capital or a digit, that follows the start of the text, a blank
  line, a finished sentence or another heading, and that more text follows ("Getting
  al-Mansour", a magazine sub-head; a headline above the lead). A heading names a topic, not
  a happening: :meth:`SentenceIndex.is_heading` lets a timeline or brief leave it out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.model import Span

__all__ = ["MAX_HEADING_WORDS", "SentenceIndex", "quoted", "sentences", "spaced_decimal"]

MAX_HEADING_WORDS = 12
"""Longest heading, in words: a sub-head or a headline, not a line of a paragraph."""

# Words a full stop follows without ending the sentence (titles, month and company abbreviations).
_ABBREVIATION_WORDS = (
    "mr mrs ms dr st gen brig lt col sgt capt maj gov sen rep prof jr sr inc co corp ltd no vs "
    "mt ft rev hon adm cmdr supt insp det pres jan feb mar apr aug sept sep oct nov dec "
    "e.g i.e etc approx dept est fig"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_END = re.compile(r"[.!?]+[\"'”’)\]]*")
_NEXT_START = re.compile(r"\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[\"“]?[A-Z])")
_LIST_MARKER = re.compile(r"[ \t]*(?:[•*·▪◦‣●■\-–—]|\(?\d{1,2}[.)])[ \t]+(?=\S)")
_FINAL = ".!?;,:…\"'”’)]"
_QUOTE_MARKS = "\"'“”‘’«»„"
_OPENING_MARKS = "\"'“‘«„"


_DECIMAL_CUE_BEFORE = re.compile(
    r"(?:magnitude|richter|measur|registering|strength|force|aftershock|tremor|quake)\w*"
    r"\W+(?:[a-z]+\W+){0,2}$|\d\. \d\s+(?:to|and|-)\s+$",
    re.I,
)
_DECIMAL_CUE_AFTER = re.compile(
    r"\s*(?:-\s*)?(?:magnitude|on the richter|richter|strength|degrees?\b|percent|per cent|%"
    r"|km\b|kilomet|miles?\b|(?:earth)?quake|temblor|tremor)",
    re.I,
)
_SPACED_DECIMAL = re.compile(r"(?<![\d.,])\d{1,2}\. (\d{1,2})(?!\d)")
_MAGNITUDE_WORD = re.compile(r"\b(?:magnitude|richter)", re.I)


def spaced_decimal(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` is the decimal point of a tokenized number ("6. 1" in
    corpora that space out punctuation, ECB+): one or two digits either side, and a measure
    the decimal belongs to right before ("magnitude 6. 1", "measuring 5. 9") or after
    ("6. 1 - magnitude", "4. 5 percent"). Elsewhere "... in 12. 20 people" ends a sentence."""
    start = dot
    while start > 0 and text[start - 1].isdigit():
        start -= 1
    match = _SPACED_DECIMAL.match(text, start)
    if match is None or text[dot : dot + 2] != ". ":
        return False
    before = text[max(0, start - 40) : start]
    if _DECIMAL_CUE_BEFORE.search(before) or _DECIMAL_CUE_AFTER.match(text, match.end()):
        return True
    # "put the magnitude at 5. 9, but the USGS said it was 6. 1": one decimal digit, a
    # magnitude named shortly before.
    return len(match.group(1)) == 1 and bool(
        _MAGNITUDE_WORD.search(text, max(0, start - 120), start)
    )


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation or an initial, not a sentence."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    if not word:
        return False
    if len(word) == 1 and word.isupper():
        return True  # an initial: "John F. Kennedy"
    if "." in word and len(word.replace(".", "")) <= 3:
        return True  # dotted acronyms: "U.S.", "U.N."
    return word.lower() in _ABBREVIATIONS


def _ends_sentence(line: str) -> bool:
    return line.rstrip("\"'”’)]").endswith((".", "!", "?", "…"))


def _is_heading_line(line: str) -> bool:
    """A short line without final punctuation that opens with a capital or a digit."""
    words = line.split()
    first = next((c for c in line if c.isalnum()), "")
    return (
        0 < len(words) <= MAX_HEADING_WORDS
        and line[-1] not in _FINAL
        and (first.isupper() or first.isdigit())
        and any(c.isalpha() for c in line)
    )


def _lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each line of ``text``, newlines left out."""
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append((start, start + len(line)))
        start += len(line) + 1
    return lines


def _opens_block(text: str, following: Sequence[tuple[int, int]]) -> bool:
    """Whether the lines after a candidate heading start something new: a blank line then
    text, or a line opening with a capital, a digit, a quote mark or a list marker (a line
    of a narrow column that wraps on goes on in lower case)."""
    blank = False
    for start, end in following:
        line = text[start:end].strip()
        if not line:
            blank = True
            continue
        first = line[0]
        return (
            blank
            or first.isupper()
            or first.isdigit()
            or first in _OPENING_MARKS
            or _LIST_MARKER.match(text, start, end) is not None
        )
    return False


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the lines of a text set apart."""

    cuts: list[int]
    """Where list items and headings begin and end: sentence boundaries."""
    markers: list[tuple[int, int]]
    """The list markers ("• ", "2. "), left out of any sentence."""
    headings: list[tuple[int, int]]
    blocks: list[int]
    """Where the stretches that layout sets apart begin: the cuts, and the end of each list
    item (a blank line, or a line that opens a new sentence)."""


def _layout(text: str) -> _Layout:
    """The list items and headings of ``text`` (see the module docstring)."""
    cuts: list[int] = []
    ends: list[int] = []
    markers: list[tuple[int, int]] = []
    headings: list[tuple[int, int]] = []
    lines = _lines(text)
    previous = ""  # the last non-blank line, stripped ("" at the start of the text)
    previous_heading = in_item = False
    blank_before = True
    for n, (start, end) in enumerate(lines):
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            if in_item:
                ends.append(start)
                in_item = False
            blank_before = True
            continue
        marker = _LIST_MARKER.match(text, start, end)
        is_heading = False
        if marker is not None:
            cuts.extend((start, marker.end()))
            markers.append((start, marker.end()))
            in_item = True
            previous, previous_heading, blank_before = stripped, False, False
            continue
        if in_item and (stripped[0].isupper() or stripped[0] in _OPENING_MARKS):
            ends.append(start)  # an item's wrapped line goes on in lower case
            in_item = False
        if (
            _is_heading_line(stripped)
            and (blank_before or previous_heading or _ends_sentence(previous))
            and _opens_block(text, lines[n + 1 :])
        ):
            lead = start + len(line) - len(line.lstrip())
            headings.append((lead, lead + len(stripped)))
            cuts.extend((start, end))
            is_heading = True
            in_item = False
        previous, previous_heading, blank_before = stripped, is_heading, False
    return _Layout(cuts, markers, headings, sorted({0, *cuts, *ends}))


def _segments(text: str) -> tuple[list[Span], frozenset[int], list[int]]:
    """The sentences of ``text``, the starts of those that are headings, and where the
    stretches that layout sets apart begin (see :meth:`SentenceIndex.block`)."""
    layout = _layout(text)
    cuts: list[int] = [m.start() for m in _PARAGRAPH.finditer(text)] + layout.cuts
    in_marker = [range(s, e) for s, e in layout.markers]
    for match in _END.finditer(text):
        punctuation = match.group().rstrip("\"'”’)]")
        if any(match.start() in r for r in in_marker):
            continue  # "1." of a numbered item
        if punctuation == "." and _is_abbreviation(text, match.start()):
            continue
        if punctuation == "." and spaced_decimal(text, match.start()):
            continue  # "a 6. 1 magnitude quake": a decimal point, spaced out
        if _NEXT_START.match(text, match.end()):
            cuts.append(match.end())
    spans: list[Span] = []
    begin = 0
    for cut in [*sorted(set(cuts)), len(text)]:
        start, end = begin, cut
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and not any(start in r and end - 1 in r for r in in_marker):
            spans.append(Span(text=text[start:end], start=start, end=end))
        begin = cut
    return spans, frozenset(start for start, _ in layout.headings), layout.blocks


def sentences(text: str) -> list[Span]:
    """The sentences of ``text`` as spans, in order, whitespace trimmed; list items and
    headings are sentences of their own (see the module docstring).

    >>> [s.text for s in sentences('Gen. Ruiz arrived. "We are ready," he said. It rained.')]
    ['Gen. Ruiz arrived.', '"We are ready," he said.', 'It rained.']
    >>> [s.text for s in sentences("Key facts:\\n• Ten died\\n• Roads shut\\n\\nAid\\nIt rained.")]
    ['Key facts:', 'Ten died', 'Roads shut', 'Aid', 'It rained.']
    """
    return _segments(text)[0]


def quoted(text: str) -> str:
    """A direct quote in quotation marks, unless its text already carries them (a quote's span
    in an article usually includes its own marks: adding more would double them).

    >>> quoted("We are ready"), quoted("“We are ready,”"), quoted("“We are ready,” he said.")
    ('“We are ready”', '“We are ready,”', '“We are ready,” he said.')
    """
    text = text.strip()
    if not text or text[0] in _OPENING_MARKS or text[-1] in _QUOTE_MARKS:
        return text
    return f"“{text}”"


class SentenceIndex:
    """Finds the sentence that holds a character offset, for one text.

    >>> index = SentenceIndex("It rained. Then it snowed.")
    >>> index.containing(12).text
    'Then it snowed.'
    """

    def __init__(self, text: str) -> None:
        spans, headings, blocks = _segments(text)
        self.spans: Sequence[Span] = spans
        self._starts = [s.start for s in self.spans]
        self._headings = headings
        self._blocks = blocks
        self._length = len(text)

    def is_heading(self, span: Span) -> bool:
        """Whether ``span`` (one of :attr:`spans`) is a heading: a topic, not a happening."""
        return span.start in self._headings

    def containing(self, offset: int) -> Span | None:
        """The sentence whose span holds ``offset`` (None between sentences or out of range)."""
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        span = self.spans[i]
        return span if span.start <= offset < span.end else None

    def covering(self, start: int, end: int) -> list[Span]:
        """The sentences that overlap ``[start, end)``, in order."""
        first = max(bisect_right(self._starts, start) - 1, 0)
        return [s for s in self.spans[first:] if s.start < end and s.end > start]

    def block(self, offset: int) -> tuple[int, int]:
        """The stretch of text around ``offset`` that layout sets apart: the list item or
        heading that holds it, or the prose between two of them. A quote or a clause does not
        run across its bounds."""
        i = bisect_right(self._blocks, offset) - 1
        start = self._blocks[max(i, 0)]
        end = self._blocks[i + 1] if i + 1 < len(self._blocks) else self._length
        return start, end
