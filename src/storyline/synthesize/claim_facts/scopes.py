"""Where a figure holds: the place or facility its clause names, else its sentence's, else the
dateline."""

from __future__ import annotations

import re

from storyline.model import Quantity, Span
from storyline.synthesize.claim_facts.context import ArticleView, StoryContext, rx
from storyline.synthesize.claim_facts.measures import nearest

_REPORTING = rx(r"\bsaid\b|\bsays\b|\btold\b|\baccording to\b|\bestimated?\b|\breported\b")
_SCOPE_PREP = re.compile(
    r"\b(?:in|across|throughout|from|at|off|outside|near)\s+(?:the\s+)?$", re.IGNORECASE
)
_EVENT_NOUN = re.compile(
    r"\s+(?:flood|floods|flooding|strike|fire|wildfire|disaster|crisis|collapse|protests?|mine|"
    r"dispute|case|scandal|inquiry|accident|storm|earthquake|march|blockade)\b"
)
_OF_NAME = re.compile(r"\s+of\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_GENERIC_SCOPE = rx(
    r"\b(?:in|across|throughout|from)\s+the\s+(region|country|city|town|capital|area|province)\b"
    r"(?!['’]s)"
    r"|\b(?:at|in|outside|near)\s+the\s+((?-i:refinery|plant|factory|mine|airport|station|"
    r"prison|hospital|camp|border|court|courthouse|square))\b(?!['’]s)"
    r"|\b(nationwide|countrywide)\b"
)


def scope_candidates(
    ctx: StoryContext, art: ArticleView, lo: int, hi: int
) -> list[tuple[int, int, str]]:
    text = art.article.text
    found: list[tuple[int, int, str]] = []
    for e in art.annotations.entities:
        if e.start < lo or e.end > hi:
            continue
        before = text[max(lo, e.start - 20) : e.start]
        after = text[e.end : e.end + 8]
        if _EVENT_NOUN.match(after):
            continue  # "in the Marlow River flood": the name modifies an event, not a place
        if _SCOPE_PREP.search(before) or after.startswith(" itself"):
            found.append((e.start, e.end, art.names.get((e.start, e.end), e.canonical)))
    for m in _GENERIC_SCOPE.finditer(text, lo, hi):
        word = (m.group(1) or m.group(2) or m.group(3)).lower()
        name = {"nationwide": "the country", "countrywide": "the country"}.get(word, "the " + word)
        if word == "region" and ctx.region:
            name = ctx.region
        elif word == "capital" and ctx.capital:
            name = ctx.capital
        elif word == "province" and ctx.province:
            name = ctx.province
        elif word in ("town", "city") and (art.dateline or ctx.main_place):
            name = art.dateline or ctx.main_place or name
        named = _OF_NAME.match(text, m.end(), hi)
        if named is not None:  # "in the province of Hormozgan": the name, not the word
            name = named.group(1)
        found.append((m.start(), m.end(), name))
    return found


def scope_of(
    ctx: StoryContext, art: ArticleView, q: Quantity, seg: tuple[int, int], sentence: Span
) -> str:
    found = _raw_scope(ctx, art, q, seg, sentence)
    # "the Port of Calder" in a story datelined Calder is Calder: one place, not two scopes.
    home = art.dateline or ctx.main_place
    if home and found.endswith(" of " + home):
        return home
    return found


def _raw_scope(
    ctx: StoryContext, art: ArticleView, q: Quantity, seg: tuple[int, int], sentence: Span
) -> str:
    # Names glued to the counted noun: "3,000 Eastbrook residents".
    for e in art.annotations.entities:
        if q.end <= e.start <= q.end + 2 and not art.article.text[q.end : e.start].strip():
            return art.names.get((e.start, e.end), e.canonical)
    text = art.article.text

    def own(candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        # "Authorities in Valdoria said that 41 ...": the place is the speaker's, not the figure's.
        return [
            c for c in candidates if c[1] > q.start or not _REPORTING.search(text, c[1], q.start)
        ]

    here = nearest(own(scope_candidates(ctx, art, seg[0], seg[1])), q)
    if here is not None:
        return here
    # A place named earlier in the sentence ("Across the Tessin region, ... 11,500") covers the
    # figures after it; one named after the figure's own segment belongs to another figure.
    before = nearest(own(scope_candidates(ctx, art, sentence.start, seg[0])), q)
    if before is not None:
        return before
    return art.dateline or ""
