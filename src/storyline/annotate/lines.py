"""Lines that are sentences of their own: bullets, one-line heads, paragraphs.

News text carries structure in its line breaks that the parser does not see: a bulleted summary
("• Troops hold the silos"), a magazine sub-head between paragraphs ("Finding al-Zahiri"), a
title line over the body. Left to itself the parser runs a head into the sentence after it, and
the named-entity model then reads "Finding al-Zahiri" as a person.

:func:`sentence_starts` says which line starts begin a sentence; the ``storyline_lines``
component (placed before the parser) marks them, so the parser and every component after it
see those lines as sentences of their own. A line start begins a sentence when:

* a blank line comes before it (a paragraph break);
* it is a bullet line, or the line before it is one;
* the line before it ends a sentence (``.``, ``!``, ``?``, ``:`` or ``;``, closing quotes and
  brackets allowed after it);
* the line before it is a head (:func:`head_lines`) and this one opens like a sentence.

A line wrapped in the middle of a sentence (plain text at 72 columns) meets none of these, so
the parser still decides there.

>>> text = "Key points:\\n  • Troops hold the silos\\n  • Roads reopen\\nFinding Rahal\\nIt began."
>>> [text[i:].split("\\n")[0] for i in sentence_starts(text)]
['• Troops hold the silos', '• Roads reopen', 'Finding Rahal', 'It began.']
"""

from __future__ import annotations

import re

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["LineBreaker", "head_lines", "is_bullet", "sentence_starts"]

_BULLET = re.compile(r"(?:[•●▪◦‣·■□►▸✓✔]|[*+\-–—](?=[ \t])|\d{1,2}[.)](?=[ \t]))")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_HEAD_END = re.compile(r"[.!?:;,][\"'”’)\]]*$|[\"”]$")

MAX_HEAD_WORDS = 10
"""A line of more words is a sentence cut short, not a head."""


def is_bullet(line: str) -> bool:
    """Whether ``line`` (leading spaces allowed) is an item of a bulleted or numbered list."""
    return _BULLET.match(line.lstrip()) is not None


# A line ending in one of these stops in the middle of a phrase: it is wrapped, not a head.
_OPEN_ENDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "or",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "that",
        "as",
    ]
)


def _is_head(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= MAX_HEAD_WORDS
        and _HEAD_END.search(line) is None
        and words[-1].lower() not in _OPEN_ENDS
    )


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every line's content, leading and trailing spaces off; blank lines are
    ``(start, start)``."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        start = pos + lead
        out.append((start, start + len(stripped)))
        pos += len(raw) + 1
    return out


def head_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the one-line heads of ``text``: a short line with no final punctuation,
    standing alone between line breaks (a title line, a magazine sub-head), not a bullet.

    >>> text = "Hunt for a commander\\n\\nThe raid came in March.\\n\\nFinding Rahal\\n\\nHe left."
    >>> [text[a:b] for a, b in head_lines(text)]
    ['Hunt for a commander', 'Finding Rahal']
    """
    lines = _lines(text)
    heads = []
    for k, (start, end) in enumerate(lines):
        if start == end or not _is_head(text[start:end]) or is_bullet(text[start:end]):
            continue
        # The line before it ends a sentence or a paragraph, or there is none: not the middle
        # of a paragraph wrapped at a fixed width.
        if k > 0 and lines[k - 1][0] != lines[k - 1][1]:
            before = text[lines[k - 1][0] : lines[k - 1][1]]
            if _SENTENCE_END.search(before) is None and not is_bullet(before):
                continue
        # What follows (if anything) is a paragraph break, or a line that opens like a sentence
        # and ends one: not the rest of a wrapped paragraph.
        if k + 1 < len(lines) and lines[k + 1][0] != lines[k + 1][1]:
            after = text[lines[k + 1][0] : lines[k + 1][1]]
            if not _opens_sentence(after) or _SENTENCE_END.search(after) is None:
                continue
        heads.append((start, end))
    return heads


def _opens_sentence(line: str) -> bool:
    first = line[:1]
    return first.isupper() or first.isdigit() or first in "\"'“‘(«" or is_bullet(line)


def sentence_starts(text: str) -> list[int]:
    """Character offsets of the line starts that begin a sentence (see the module docstring)."""
    lines = _lines(text)
    heads = {start for start, _ in head_lines(text)}
    starts = []
    prev: tuple[int, int] | None = None
    blank_before = False
    for start, end in lines:
        if start == end:
            blank_before = prev is not None
            continue
        if prev is not None:
            line, before = text[start:end], text[prev[0] : prev[1]]
            if (
                blank_before
                or is_bullet(line)
                or is_bullet(before)
                or _SENTENCE_END.search(before) is not None
                or start in heads
                or (prev[0] in heads and _opens_sentence(line))
            ):
                starts.append(start)
        prev = (start, end)
        blank_before = False
    return starts


class LineBreaker:
    """spaCy component, before the parser: a token opening a line that begins a sentence
    (:func:`sentence_starts`) starts one; the parser decides the rest."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        if "\n" not in text or len(doc) < 2:
            return doc
        idx = doc.to_array("IDX")
        for offset in sentence_starts(text):
            i = int(np.searchsorted(idx, offset))
            if 0 < i < len(doc) and idx[i] == offset:
                doc[i].is_sent_start = True
        return doc


@Language.factory("storyline_lines", assigns=["token.is_sent_start"])
def make_line_breaker(nlp: Language, name: str) -> LineBreaker:
    """Factory for ``nlp.add_pipe("storyline_lines", before="parser")``."""
    return LineBreaker()
