"""Indirect (reported) speech, from the parse.

A reporting or belief verb with a clausal complement ("Park said that ...": the content keeps
"that" and runs on through a trailing "because ..." clause), a ``to``-clause for intention verbs
("X wants to ...", "X plans to ..."), the object of verbs like "announced", "cited", "denied"
(with its "as" phrase: "described the ruling as ..."), the prepositional object of "called for",
"accused ... of", "talked about", a parenthetical cue ("The plan, he said, will fail": the content
is the whole clause) and "according to X".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Doc, Token

from storyline.annotate.quotes.cues import (
    ANY_CUE,
    AS_VERBS,
    CUE_VERBS,
    INTENT_VERBS,
    OBJECT_VERBS,
    PREP_VERBS,
    SPEECH_VERBS,
    Found,
    cue_lemma,
    cue_span_of,
    is_cue,
    is_impersonal,
    source_of,
    token_end,
    trim_range,
)
from storyline.model import QuoteKind

_CLAUSE_DEPS = frozenset({"ccomp"})


def _content_of(
    t: Token, lemma: str, quoted: list[bool]
) -> tuple[tuple[int, int] | None, Token | None]:
    """Token range of what cue ``t`` reports, and the preposition that ends the cue if any."""
    dobj: Token | None = None
    oprd: Token | None = None  # "called him a liar", "condemned the test as reckless"
    prep: tuple[int, int] | None = None
    prep_tok: Token | None = None
    for child in t.children:
        dep = child.dep_
        if dep in _CLAUSE_DEPS and lemma in CUE_VERBS:
            return (child.left_edge.i, child.right_edge.i + 1), None
        if dep == "xcomp" and lemma in INTENT_VERBS and child.i > t.i:
            return (child.left_edge.i, child.right_edge.i + 1), None
        if child.i < t.i:
            continue
        if dep == "dobj" and dobj is None:
            dobj = child
        elif dep == "oprd" or (dep == "prep" and child.lower_ == "as" and (dobj or prep)):
            oprd = child
        elif dep == "prep" and prep is None and lemma in PREP_VERBS.get(child.lower_, ()):
            pobj = next((c for c in child.children if c.dep_ in ("pobj", "pcomp")), None)
            if pobj is not None:
                prep, prep_tok = (pobj.left_edge.i, pobj.right_edge.i + 1), child
    if t.dep_ == "parataxis" and lemma in SPEECH_VERBS and not quoted[t.head.i]:
        # "The plan, he said, will fail": the content is the clause around the cue.
        h = t.head
        return (h.left_edge.i, h.right_edge.i + 1), None
    if dobj is not None and oprd is not None and lemma in AS_VERBS:
        return (dobj.left_edge.i, oprd.right_edge.i + 1), None
    if dobj is not None and lemma in OBJECT_VERBS and (lemma != "call" or oprd is not None):
        return (dobj.left_edge.i, (oprd or dobj).right_edge.i + 1), None
    if prep is not None:
        # "referred to Rubio as "a bright leader"": the "as" phrase belongs to the content.
        end = max(prep[1], oprd.right_edge.i + 1) if oprd is not None else prep[1]
        return (prep[0], end), prep_tok
    return None, None


_RUN_ON = frozenset({"because", "since", "while", "although", "though", "but", "and", "so", "as"})


def _run_on(doc: Doc, cue: Token, hi: int) -> int:
    """Where a reported clause really ends: the parser often hangs a trailing "because ...",
    "but ..." clause of the content on the reporting verb; the report runs to the sentence end,
    over the cue when it stands in between ("He leans to Kasich, he said, because ...")."""
    i = hi if cue.i < hi else cue.i + 1
    if cue.i >= hi and i - hi > 4:
        return hi
    if i < len(doc) and doc[i].text == ",":
        i += 1
    if i >= len(doc) or doc[i].lower_ not in _RUN_ON or doc[i].sent.start != cue.sent.start:
        return hi
    end = doc[i].sent.end
    if any(is_cue(t) for t in doc[i:end]):
        return hi  # another report follows ("..., but he added that ...")
    hi_end = trim_range(doc, i, end)[1]
    return hi_end if hi_end > i else hi


def find_indirect(doc: Doc, text: str, attrs: NDArray[Any], quoted: list[bool]) -> list[Found]:
    found: list[Found] = []
    according = doc.vocab.strings["according"]
    verb = doc.vocab.strings["VERB"]  # the part-of-speech symbol's id
    # Only verbs and "according" can be cues: find them on the token arrays, without making a
    # Token object for every word of every article.
    for i in np.flatnonzero((attrs[:, 0] == verb) | (attrs[:, 1] == according)).tolist():
        t = doc[i]
        if quoted[i]:
            continue  # a cue inside a quotation belongs to the quote, not to the article
        if t.lower == according:
            f = _according(doc, t)
            if f is not None:
                found.append(f)
            continue
        lemma = cue_lemma(t)
        if lemma not in ANY_CUE:
            continue
        rng, cue_end = _content_of(t, lemma, quoted)
        if rng is None:
            continue
        lo, hi = trim_range(doc, *rng)
        if hi - lo < 2:
            continue
        while hi < len(doc) and quoted[hi] and quoted[hi - 1] and doc[hi].is_punct:
            hi += 1  # a content ending inside a quotation ends with it: '... "a disaster."'
        subj = source_of(t)
        if subj is not None and lo <= subj.i < hi and t.dep_ != "parataxis":
            continue
        if is_impersonal(t, subj):
            continue  # "it is believed that ...": a reporting verb with nobody reporting
        hi = _run_on(doc, t, hi)
        if "\n" in text[doc[lo].idx : doc[hi - 1].idx] and not quoted[lo + 1]:
            continue  # the parser joined two paragraphs
        cue_span = cue_span_of(t, (lo, hi))
        if cue_end is not None:
            cue_span = (cue_span[0], token_end(cue_end))
        found.append(
            Found(
                lo,
                hi,
                QuoteKind.INDIRECT,
                t,
                cue_span,
                subj,
                doc[lo].idx,
                token_end(doc[hi - 1]),
                [],
            )
        )
    return found


def _according(doc: Doc, t: Token) -> Found | None:
    to = next((c for c in t.children if c.lower_ == "to"), None)
    pobj = None if to is None else next((c for c in to.children if c.dep_ == "pobj"), None)
    if to is None or pobj is None:
        return None
    h = t.head
    if h.i == t.i:
        return None
    lo, hi = trim_range(doc, h.left_edge.i, h.right_edge.i + 1)
    a_lo, a_hi = t.left_edge.i, t.right_edge.i + 1
    if a_lo <= lo:
        lo = a_hi
    elif a_hi >= hi:
        hi = a_lo
    lo, hi = trim_range(doc, lo, hi)
    if hi - lo < 2:
        return None
    cue_span = (t.idx, token_end(to))
    start, end = doc[lo].idx, token_end(doc[hi - 1])
    return Found(lo, hi, QuoteKind.INDIRECT, t, cue_span, pobj, start, end, [])
