"""Sentence spans of a text, for citing and quoting whole sentences (the synthesize stage) and
for headlines made from a lead (story titles).

The dossier cites sentences by character span, so the splitter works on the raw text and
returns offsets into it. It is a rule-based splitter tuned for news prose (titles such as
"Gen." and "Ms.", initials, dotted acronyms, closing quotes after the full stop): the stored
annotations do not keep spaCy's sentence boundaries, and re-parsing a story's articles to get
them would make a dossier cost seconds instead of milliseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from storyline.model import Span

__all__ = ["SentenceIndex", "sentences"]

# Words a full stop follows without ending the sentence (titles, month and company abbreviations).
_ABBREVIATION_WORDS = (
    "mr mrs ms dr st gen lt col sgt capt maj gov sen rep prof jr sr inc co corp ltd no vs "
    "mt ft rev hon adm cmdr supt insp det pres jan feb mar apr aug sept sep oct nov dec "
    "e.g i.e etc approx dept est fig"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_END = re.compile(r"[.!?]+[\"'”’)\]]*")
_NEXT_START = re.compile(r"\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[\"“]?[A-Z])")


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


def sentences(text: str) -> list[Span]:
    """The sentences of ``text`` as spans, in order, whitespace trimmed.

    >>> [s.text for s in sentences('Gen. Ruiz arrived. "We are ready," he said. It rained.')]
    ['Gen. Ruiz arrived.', '"We are ready," he said.', 'It rained.']
    """
    cuts: list[int] = [m.start() for m in _PARAGRAPH.finditer(text)]
    for match in _END.finditer(text):
        punctuation = match.group().rstrip("\"'”’)]")
        if punctuation == "." and _is_abbreviation(text, match.start()):
            continue
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
        if end > start:
            spans.append(Span(text=text[start:end], start=start, end=end))
        begin = cut
    return spans


class SentenceIndex:
    """Finds the sentence that holds a character offset, for one text.

    >>> index = SentenceIndex("It rained. Then it snowed.")
    >>> index.containing(12).text
    'Then it snowed.'
    """

    def __init__(self, text: str) -> None:
        self.spans: Sequence[Span] = sentences(text)
        self._starts = [s.start for s in self.spans]

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
