"""Direct quotes: a quoted span with its cue and source.

The cue is, in this order: a reporting verb right after the quote (``"...," she said``, ``said
the agency``), one the parse hangs the quote from (``called him "a loser"``), one just before it
(``He said, "..."``, ``According to X, "..."``), the verb of a clause ending in a colon (``He
said: "..."``, also across a paragraph break), or a reporting sentence just before (``Park said
in a statement. "..."``). A quote signed with a dash (``"..." ― Ana Torres``) or opening a
headline after a name (``Ted Cruz: 'Quote'``) takes that source. A quote with no cue that opens a
paragraph continues the voice of the quote, or the reported speech, of the paragraph before.
Scare quotes (``so-called "experts"``), quoted titles and other short quoted phrases (four words
or fewer) are not quotes unless a plain reporting verb (say, tell, add, ask, write...) governs
them; a quote nobody can be found to have said must be a full statement (nine words or more).

Content spans include the quotation marks and any punctuation inside them (``"We will
rebuild,"``). A quote split by its cue (``"We will rebuild," she said, "and faster."``, also
across the cue's sentence end) is one quote whose content runs from the first opening mark to
the last closing mark, cue included, as PolNeAR annotates it: :class:`~storyline.model.Span` has
no room for pieces.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from storyline.annotate.quotes.cues import (
    SPEECH_VERBS,
    Found,
    cue_lemma,
    cue_span_of,
    is_cue,
    is_quote_token,
    source_of,
    token_end,
    word_set,
)
from storyline.model import QuoteKind

# Nouns before a quoted phrase that mark it as a title, not something said.
_TITLE_NOUNS = word_set(
    """
    book film movie show series novel song album play operation program programme campaign
    column article essay poem documentary episode memoir titled entitled dubbed nicknamed
    headline slogan hashtag magazine newspaper
    """
)
_MIN_FREE_WORDS = 5
"""Words a quoted span needs to count as a quote without a reporting verb."""


def _reachable(doc: Doc, text: str, quoted: list[bool], lo: int, hi: int, h: Token) -> bool:
    """Whether ``h`` may be the cue of the quote ``[lo, hi)``: outside every quotation and in
    the same paragraph (the parser sometimes joins sentences across a paragraph break)."""
    if quoted[h.i]:
        return False
    a, b = (token_end(h), doc[lo].idx) if h.i < lo else (token_end(doc[hi - 1]), h.idx)
    return "\n" not in text[a:b]


def _governing_cue(doc: Doc, text: str, quoted: list[bool], lo: int, hi: int) -> Token | None:
    """A reporting verb outside ``[lo, hi)`` that a token inside it hangs from (up to two
    steps: ``called him "a loser"``)."""
    best: Token | None = None
    for t in doc[lo:hi]:
        h = t.head
        if lo <= h.i < hi:
            continue
        for _ in range(3):
            if is_cue(h) and _reachable(doc, text, quoted, lo, hi, h):
                if best is None or abs(h.i - lo) < abs(best.i - lo):
                    best = h
                break
            if h.head.i == h.i or h.dep_ in ("relcl", "acl", "pobj"):
                break
            h = h.head
            if lo <= h.i < hi:
                break
    return best


def _cue_after(doc: Doc, quoted: list[bool], lo: int, hi: int) -> Token | None:
    """A reporting verb right after the quote: ``"...," she said``, ``said the agency``,
    ``"...?" Trump, the front-runner, asked``. A quote closed by a full stop ends its sentence:
    what follows is a new one."""
    i = hi - 1
    while i > lo and is_quote_token(doc[i]):
        i -= 1
    if doc[i].text == ".":
        return None
    for t in doc[hi : min(hi + 25, len(doc))]:
        if "\n" in t.text or (t.i > hi and "\n" in doc[t.i - 1].whitespace_) or quoted[t.i]:
            break
        if is_cue(t):
            subj = source_of(t)
            # Close to the quote itself, or its subject is ("Trump, the front-runner, said").
            if t.i <= hi + 2 or (subj is not None and hi <= subj.left_edge.i <= hi + 2):
                return t
            break
        aside = t.dep_ in ("relcl", "acl", "appos") or t.head.dep_ in ("relcl", "acl")
        if t.i > hi + 2 and ((t.pos_ in ("VERB", "AUX") and not aside) or t.text in ".;!?"):
            break  # (a verb in "Mr. Guerrero, who is an actor, said" does not end the search)
    return None


def _cue_before(doc: Doc, quoted: list[bool], lo: int) -> Token | None:
    """A reporting verb just before the quote: ``He said, "..."``, ``According to X, "..."``."""
    first = doc[lo].sent
    for t in reversed(doc[max(first.start, lo - 8) : lo]):
        if quoted[t.i]:
            break  # another quotation
        if is_cue(t) or (t.lower_ == "according" and source_of(t) is not None):
            return t
        if t.text in ".;!?":
            break
    return None


def _headline_source(doc: Doc, text: str, start: int) -> Token | None:
    """``Ted Cruz: 'Assaulting a reporter is a fireable offense'``: the name a line opens with,
    before a colon and the quote."""
    colon = text.rfind(":", max(0, start - 4), start)
    if colon < 0 or text[colon + 1 : start].strip():
        return None
    line = text.rfind("\n", 0, colon) + 1
    name = doc.char_span(line, colon, alignment_mode="contract")
    if name is None or not 0 < len(name) <= 6 or not any(t.pos_ == "PROPN" for t in name):
        return None
    if any(t.pos_ in ("VERB", "AUX") for t in name):
        return None
    return name.root


def _colon_cue(doc: Doc, quoted: list[bool], lo: int) -> Token | None:
    """``He said: "..."``: the verb of the clause that ends with a colon before the quote."""
    i = lo - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].text != ":":
        return None
    for t in reversed(doc[doc[i].sent.start : i]):
        if t.pos_ == "VERB" and not quoted[t.i] and source_of(t) is not None:
            return t
    return None


def _is_title(doc: Doc, lo: int, hi: int) -> bool:
    words = [t for t in doc[lo:hi] if t.is_alpha]
    if not words or len(words) > 8:
        return False
    prev = doc[lo - 1] if lo > 0 else None
    if prev is not None and prev.lower_ in _TITLE_NOUNS:
        return True
    caps = sum(1 for t in words if t.text[0].isupper() or t.is_stop)
    return (
        caps == len(words)
        and words[0].text[0].isupper()
        and len(words) > 1
        and (not any(t.pos_ in ("VERB", "AUX") for t in words))
    )


def _previous_cue(doc: Doc, quoted: list[bool], lo: int) -> Token | None:
    """``Park said in a statement. "..."``: a reporting verb with a subject and nothing reported
    of its own in the sentence just before the quote."""
    if lo == 0 or doc[lo].sent.start != lo:
        return None
    sent = doc[lo - 1].sent
    if "\n\n" in sent.text:
        return None
    for t in sent:
        if (
            not quoted[t.i]
            and cue_lemma(t) in SPEECH_VERBS
            and t.pos_ == "VERB"
            and not any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in t.children)
            and source_of(t) is not None
        ):
            return t
    return None


def _governing_verb(doc: Doc, text: str, quoted: list[bool], lo: int, hi: int) -> Token | None:
    """Any verb with a subject outside the quote that the quote hangs from
    (``thanked him for "stepping up"``): PolNeAR-style attribution credits its subject."""
    for t in doc[lo:hi]:
        h = t.head
        if lo <= h.i < hi:
            continue
        for _ in range(3):
            if h.pos_ == "VERB" and _reachable(doc, text, quoted, lo, hi, h):
                subj = source_of(h)
                if subj is not None and not (lo <= subj.i < hi):
                    return h
            if h.head.i == h.i:
                break
            h = h.head
            if lo <= h.i < hi:
                break
    return None


def find_direct(
    doc: Doc, text: str, spans: list[tuple[int, int]], quoted: list[bool]
) -> list[Found]:
    found: list[Found] = []
    last: Found | None = None  # the last quote with a speaker, for continued quotes
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        lo, hi = span.start, span.end
        words = sum(1 for t in span if t.is_alpha)
        # A verb right next to the quote is the surest cue; the parse comes next.
        cue = (
            _cue_after(doc, quoted, lo, hi)
            or _governing_cue(doc, text, quoted, lo, hi)
            or _cue_before(doc, quoted, lo)
            or _colon_cue(doc, quoted, lo)
            or _previous_cue(doc, quoted, lo)
        )
        signed = _dash_source(doc, text, end)
        if signed is not None:
            # '"..." ― Ana Torres': the signature is the source, the dash the cue.
            dash = next(i for i in range(end, signed.idx) if text[i] in "-–—―")
            f = Found(lo, hi, QuoteKind.DIRECT, None, (dash, dash + 1), signed, start, end, [])
            f.pieces.append((lo, hi))
            found.append(f)
            last = f
            continue
        headline = _headline_source(doc, text, start) if cue is None else None
        if headline is not None:
            colon = text.rfind(":", 0, start)
            f = Found(lo, hi, QuoteKind.DIRECT, None, (colon, colon + 1), headline, start, end, [])
            f.pieces.append((lo, hi))
            found.append(f)
            continue
        if _is_title(doc, lo, hi):
            continue
        # A short quoted phrase with no cue of its own is kept only as the second half of a
        # quote split by its cue ('"They sue," he said. "Everybody sues."').
        free = cue is None and (
            words < _MIN_FREE_WORDS or not any(t.pos_ in ("VERB", "AUX") for t in span)
        )
        weak = cue or _governing_verb(doc, text, quoted, lo, hi)
        subj = source_of(weak) if weak is not None else None
        if weak is not None and (subj is None or lo <= subj.i < hi) and weak.tag_ == "VBG":
            # "..., telling the crowd, "...": a participle the parser hung off the quote
            # speaks for the subject of its sentence.
            root = weak.sent.root
            subj = source_of(root) if root.i != weak.i and not lo <= root.i < hi else None
        cue_span = cue_span_of(weak, (lo, hi)) if weak is not None else None
        f = Found(lo, hi, QuoteKind.DIRECT, weak, cue_span, subj, start, end, [(lo, hi)])
        f.strong = cue is not None
        f.free = free
        if free:
            f.subj = f.cue = f.cue_span = None
        elif f.subj is None and last is not None and _continues(text, last.end, start):
            f.subj, f.cue, f.cue_span = last.subj, last.cue, last.cue_span
        elif f.subj is None:
            # A quote opening a paragraph after one that reports someone ("Schoen argued that
            # ...") goes on in that person's voice.
            prev = _paragraph_cue(doc, text, quoted, lo)
            if prev is not None:
                f.subj, f.cue, f.cue_span = source_of(prev), prev, cue_span_of(prev, (lo, hi))
        found.append(f)
        if f.subj is not None and not free:
            last = f
    return [f for f in _merge_split(doc, text, found) if _worth_keeping(doc, f)]


# The plainest reporting verbs: a short quoted phrase they govern is still a quote.
_SAY_VERBS = word_set("say tell add ask write tweet reply respond continue explain note")


def _worth_keeping(doc: Doc, f: Found) -> bool:
    """Short quoted phrases are quotes only next to a plain reporting verb; a quote nobody can
    be found to have said must at least be a full statement."""
    if f.free:
        return False
    words = sum(1 for t in doc[f.lo : f.hi] if t.is_alpha)
    if words <= 2:
        return False
    if words <= 4 and (f.cue is None or not f.strong or cue_lemma(f.cue) not in _SAY_VERBS):
        return False
    return f.subj is not None or words >= 9


# A quote signed with a dash: '"..." ― Edwin Monroy', or on the next line, '- Sanders.'
_DASH_SOURCE = re.compile(
    r"[ \t]*\n{0,2}[ \t]*[-–—―]+[ \t]*([A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,4})"
)
_DASH_END = re.compile(r"[ \t]*(?:[.,]?[ \t]*(?:\n|$))")


def _dash_source(doc: Doc, text: str, end: int) -> Token | None:
    m = _DASH_SOURCE.match(text, end, min(len(text), end + 80))
    if m is None or _DASH_END.match(text, m.end()) is None:
        return None
    name = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
    if name is None or len(name) == 0 or name.root.idx < m.start(1):
        return None
    return name.root


def _paragraph_cue(doc: Doc, text: str, quoted: list[bool], lo: int) -> Token | None:
    """The last reporting verb with a subject in the paragraph before the one quote ``lo``
    opens, when it does open one."""
    start = doc[lo].idx
    before = text.rfind("\n", 0, start)
    if before < 0 or text[before:start].strip():
        return None
    breaks = 0
    for t in reversed(doc[max(0, lo - 120) : lo]):
        if "\n" in t.text or "\n" in t.whitespace_:
            breaks += 1
            if breaks > 1 and t.i < lo - 1:
                break
            continue
        if not quoted[t.i] and is_cue(t) and source_of(t) is not None:
            return t
    return None


def _continues(text: str, prev_end: int, start: int) -> bool:
    """Whether a quote at ``start`` opens the paragraph right after the one ending a quote."""
    gap = text[prev_end:start]
    para = gap.rstrip(" \t")
    # One paragraph break in between, and the new quote opens its paragraph.
    return para.endswith("\n") and len(para.strip().splitlines()) <= 1 and "\n\n\n" not in para


def _merge_split(doc: Doc, text: str, found: list[Found]) -> list[Found]:
    """Join ``"We will rebuild," she said, "and faster."`` into one quote."""
    out: list[Found] = []
    for f in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.cue is not None
            and prev.hi <= prev.cue.i < f.lo
            and f.lo <= prev.cue.sent.end + 1
            and prev.strong
            and (not f.strong or f.cue is None or f.cue.i == prev.cue.i)
            and "\n" not in text[prev.end : f.start]
            and text[prev.end - 2 : prev.end].strip("\"'”’ ") in (",", "?", "!", "")
            # '"...," Ebeling said, and her husband cut in. "..."': someone else speaks next.
            and not any(
                t.dep_ == "nsubj" and t.head.dep_ == "conj" and t.head.head.i == prev.cue.i
                for t in doc[prev.hi : f.lo]
            )
        ):
            prev.hi, prev.end = f.hi, f.end
            prev.pieces.append((f.lo, f.hi))
            continue
        out.append(f)
    return out
