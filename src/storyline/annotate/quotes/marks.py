"""Quotation marks: pairing them into quoted spans in one pass over the text.

Straight and curly double quotes, ``''`` used as a double quote (as some wire archives print it),
guillemets, and single quotes (straight or curly) where they are not apostrophes. A paragraph
that opens a quote and does not close it continues into the next paragraph when that one opens
with a quote mark again (the newspaper convention for multi-paragraph quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

# One scan of the text finds every mark; what each one does is decided from its neighbours.
_MARKS = re.compile(r"''|``|[\"“”«»‘’']")
_DOUBLE_OPEN = frozenset({"“", "«", "``"})
_DOUBLE_CLOSE = frozenset({"”", "»"})
_DOUBLE_EITHER = frozenset({'"', "''"})
_OPENERS_BEFORE = frozenset(" \t\n([{—–-/:")


@dataclass(frozen=True, slots=True)
class _Mark:
    start: int
    end: int
    double: bool
    can_open: bool
    can_close: bool


def _classify(text: str, m: re.Match[str]) -> _Mark | None:
    s, e, ch = m.start(), m.end(), m.group()
    before = text[s - 1] if s > 0 else " "
    after = text[e] if e < len(text) else " "
    if ch in _DOUBLE_OPEN:
        return _Mark(s, e, True, True, False)
    if ch in _DOUBLE_CLOSE:
        return _Mark(s, e, True, False, True)
    if ch in _DOUBLE_EITHER:
        opens = before in _OPENERS_BEFORE or (not before.isalnum() and not after.isspace())
        closes = not before.isspace()
        if opens and closes:  # glued on both sides ('word"word'): let the pairing decide
            opens = not (after.isspace() or after in ",.;:!?)")
        return _Mark(s, e, True, opens or not closes, closes)
    # Single quotes: an opening one sits before a word; a closing one must not be an
    # apostrophe inside a word ("don't") or the start of "'90s".
    opens = (before in _OPENERS_BEFORE or before in '“"') and (after.isalnum() or after in '“"')
    closes = not before.isspace() and not after.isalnum()
    if ch == "‘":
        return _Mark(s, e, False, True, False) if opens else None
    if not opens and not closes:
        return None
    return _Mark(s, e, False, opens, closes)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every top-level quotation, marks included, in text order.

    >>> quoted_spans('He said "no," and left.')
    [(8, 13)]
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None  # start of the pending double quote
    single_at: int | None = None  # start of a pending single quote outside double quotes
    para_start = 0  # where the current paragraph's text begins
    carry = False  # the pending double quote continues from an earlier paragraph
    last_para_end = 0
    pos = 0
    for m in _MARKS.finditer(text):
        newline = text.rfind("\n", pos, m.start())
        if newline >= 0:
            # Paragraph boundary between the previous mark and this one.
            first = _first_char(text, newline)
            continues = open_at is not None and open_at <= _first_char(text, para_start - 1)
            if open_at is not None and not (continues and first == m.start()):
                # An unclosed quote ends with its paragraph, unless the next one reopens it.
                end = last_para_end if carry else _para_end(text, para_start)
                if end - open_at > 2:
                    spans.append((open_at, end))
                open_at, carry = None, False
            elif open_at is not None:
                carry = True
            single_at = None
            para_start = first
        pos = m.start()
        mark = _classify(text, m)
        if mark is None:
            continue
        if mark.double:
            if open_at is None:
                if mark.can_open:
                    open_at = mark.start
                    single_at = None
            elif carry and mark.start == para_start and mark.can_open:
                # The reopening mark of a continued multi-paragraph quote.
                last_para_end = _para_end(text, para_start)
                continue
            elif mark.can_close:
                spans.append((open_at, mark.end))
                open_at, carry = None, False
            elif mark.can_open:
                open_at = mark.start
        elif open_at is None:
            if single_at is None:
                if mark.can_open:
                    single_at = mark.start
            elif mark.can_close:
                spans.append((single_at, mark.end))
                single_at = None
    if open_at is not None:
        end = last_para_end if carry else _para_end(text, para_start)
        if end - open_at > 2:
            spans.append((open_at, end))
    return spans


def _first_char(text: str, newline: int) -> int:
    """Index of the first non-space character after ``newline`` (or the text's end)."""
    i = newline + 1
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _para_end(text: str, para_start: int) -> int:
    end = text.find("\n", para_start)
    end = len(text) if end < 0 else end
    while end > para_start and text[end - 1].isspace():
        end -= 1
    return end


def quoted_tokens(starts: NDArray[Any], spans: list[tuple[int, int]]) -> list[bool]:
    """For each token (by its start offset), whether it lies inside a quotation."""
    flags = np.zeros(len(starts), dtype=bool)
    for start, end in spans:
        flags[np.searchsorted(starts, start, "right") : np.searchsorted(starts, end, "left")] = True
    return list(flags.tolist())
