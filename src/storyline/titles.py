"""A story's title: its articles' best title, else a headline made from its lead.

Every list, page and dossier names a story by this title, so untitled input (JSONL records
with only a ``text``) still gives a readable name. Titled stories keep the rule they always
had: the title of the story's earliest-published article that has one (a title of only
whitespace counts as none). A story with no titled article is named by a headline made from
the lead of its earliest article: the first sentence, after any blank lines and a leading
dateline ("WASHINGTON (AP) —", "LONDON, March 3 -"), whitespace collapsed and cut at a word
boundary near :data:`HEADLINE_CHARS` characters, with "…" when cut.

Titles may change as articles arrive (a titled article joins a story of untitled ones, an
earlier report turns up); story ids never do.

>>> story_title([None, "  ", "Levee holds as river crests"], lead="It rained.")
'Levee holds as river crests'
>>> story_title([None], lead="PORT MARLOW (Tri-County Wire) — The Marlow crested at 7.9 m "
...     "on Tuesday, a metre below the levee. Residents stayed home.")
'The Marlow crested at 7.9 m on Tuesday, a metre below the levee.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyline.text import sentences

__all__ = ["HEADLINE_CHARS", "LEAD_CHARS", "headline", "story_title"]

LEAD_CHARS = 400
"""A headline is made from this many first characters of a text: a store reads only that
prefix (``substr(text, 1, 400)``) and gets the same headline as from the whole text."""

HEADLINE_CHARS = 100
"""A longer first sentence is cut at the last word boundary within this many characters."""

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = rf"{_MONTH}\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?"
# WASHINGTON, ST. LOUIS: three letters at least ("U.S. - China talks" has no dateline)
_CAPS_PLACE = r"(?=(?:[ .'’]*[A-Z]){3})[A-Z][A-Z.'’\-]*(?:[ \t]+[A-Z][A-Z.'’\-]*)*"
_PLACE = r"[A-Z][\w.'’\-]*(?:[ \t]+[A-Z][\w.'’\-]*){0,3}"  # London, Port Marlow
_QUALIFIER = r",[ \t]*[A-Z][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,3}"  # , Lebanon / , Calif. / , March 3
_AGENCY = r"\([^()\n]{1,40}\)"  # (AP), (Reuters), (Tri-County Wire)
# A dateline is a place in capitals, or a place with an agency or a date, then a dash.
_DATELINE = re.compile(
    rf"(?:{_CAPS_PLACE}(?:{_QUALIFIER})*[ \t]*(?:{_AGENCY})?"
    rf"|{_PLACE}(?:{_QUALIFIER})*[ \t]*{_AGENCY}"
    rf"|{_PLACE}(?:{_QUALIFIER})*,[ \t]*{_DATE}[ \t]*(?:{_AGENCY})?)"
    r"[ \t]*(?:—|–|--?)\s+"
)
_MAX_DATELINE = 80
# What a cut headline does not end with before its "…".
_DANGLING = " \t,;:-–—(“‘["


def _skip_dateline(lead: str) -> str:
    found = _DATELINE.match(lead)
    if found is None or found.end() > _MAX_DATELINE or not lead[found.end() :].strip():
        return lead
    return lead[found.end() :]


def headline(text: str) -> str:
    """A headline made from the lead of ``text``: its first sentence (after blank lines and a
    dateline), whitespace collapsed, cut at a word boundary near :data:`HEADLINE_CHARS`
    characters with "…" when cut. Only the first :data:`LEAD_CHARS` characters are read.
    Empty for a blank text.

    >>> headline("\\n\\nLONDON, March 3 (Reuters) - Rail unions called off Friday's strike. "
    ...          "Talks resume on Monday.")
    "Rail unions called off Friday's strike."
    >>> cut = headline("Heavy rain closed the Velden valley road on Monday after a landslide "
    ...                "buried both lanes near the old quarry, police said.")
    >>> len(cut), cut[-31:]
    (100, 'buried both lanes near the old…')
    """
    lead = _skip_dateline(text[:LEAD_CHARS].lstrip())
    first = next(iter(sentences(lead)), None)
    if first is None:
        return ""
    words = " ".join(first.text.split())
    if len(words) <= HEADLINE_CHARS:
        return words
    cut = words.rfind(" ", 0, HEADLINE_CHARS + 1)
    if cut < HEADLINE_CHARS // 2:  # a run of characters without a space: cut inside it
        cut = HEADLINE_CHARS
    return words[:cut].rstrip(_DANGLING) + "…"


def story_title(titles: Iterable[str | None], lead: str | None = None) -> str | None:
    """A story's title: the first of ``titles`` (its articles' titles, earliest published
    first) that is not blank, kept as it is; else :func:`headline` of ``lead``, the text of
    the story's earliest article (or its first :data:`LEAD_CHARS` characters). None when no
    title is given and ``lead`` is None or blank: a store reads the lead only then.
    """
    for title in titles:
        if title is not None and title.strip():
            return title
    return (headline(lead) or None) if lead is not None else None
