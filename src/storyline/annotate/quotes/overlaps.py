"""Where direct and indirect quotes meet: one quote for a clause and its quoted piece, one report
for a report nested in another of the same speaker.

When the complement holds a quoted fragment (``said the plan was "a disaster"``) the quote is the
whole complement. A report nested in another one's content and covering most of it ("Park said
she wants to resign") is left to the outer one, and so is a report whose cue hangs from the outer
cue (not by coordination) when its speaker is the same mention or a pronoun resolving to the same
person ("Reyes said he would ask the government to declare an emergency", "Holm refused to
comment on the claims": one report each).
"""

from __future__ import annotations

import itertools

from spacy.tokens import Token

from storyline.annotate.quotes.cues import Found
from storyline.model import Quote, QuoteKind


def _gap(cue: Token, quote: Found) -> int:
    return quote.lo - cue.i if cue.i < quote.lo else cue.i - quote.hi


def resolve_overlaps(direct: list[Found], indirect: list[Found]) -> list[Found]:
    """A clause and a quoted piece of it with one cue are one quote: the quoted span when it
    covers the clause, else the clause (a paraphrase quoting a few words)."""
    by_cue: dict[int, list[Found]] = {}
    for d in direct:
        if d.cue is not None:
            by_cue.setdefault(d.cue.i, []).append(d)
    keep_direct = {id(d): True for d in direct}
    out: list[Found] = []
    for f in indirect:
        assert f.cue is not None
        inside = next((d for d in direct if d.lo - 1 <= f.lo and f.hi <= d.hi + 1), None)
        if inside is not None and f.cue.lower_ != "according":
            # The clause is the quotation itself: one quote, with whichever cue is nearer.
            if inside.cue is None or _gap(f.cue, inside) < _gap(inside.cue, inside):
                inside.cue, inside.cue_span, inside.subj = f.cue, f.cue_span, f.subj
                inside.strong = True
            continue
        dup = False
        for d in by_cue.get(f.cue.i, ()) if f.cue.lower_ != "according" else ():
            if d.lo < f.hi and f.lo < d.hi:
                outside = (max(0, d.lo - f.lo)) + max(0, f.hi - d.hi)
                if outside <= 2:
                    dup = True
                else:
                    keep_direct[id(d)] = False
        if not dup:
            out.append(f)
    for d in direct:
        # A quoted phrase inside a reported clause, with no reporting verb of its own, is part
        # of that clause's quote ('claimed that he had made "a lot of sacrifices"').
        weak = d.cue is None or not d.strong
        if weak and any(
            f.lo <= d.lo and d.hi <= f.hi + 1 and f.hi > d.hi - d.lo + f.lo for f in out
        ):
            keep_direct[id(d)] = False
    out.extend(d for d in direct if keep_direct[id(d)])
    return out


def drop_embedded(found: list[Found]) -> list[Found]:
    """Drop a reported clause whose cue sits inside another one's content and which covers
    most of it ("Park said she wants to resign": one attribution, by Park, not two)."""
    found = sorted(found, key=lambda f: (f.start, -f.end))
    dropped: set[int] = set()
    for i, outer in enumerate(found):
        if outer.kind != QuoteKind.INDIRECT or outer.cue is None or i in dropped:
            continue
        for j in range(i + 1, len(found)):
            inner = found[j]
            if inner.start >= outer.end:
                break
            if (
                inner.kind == QuoteKind.INDIRECT
                and inner.cue is not None
                and outer.lo <= inner.cue.i < outer.hi
                and 2 * (min(outer.end, inner.end) - inner.start) >= outer.end - outer.start
            ):
                dropped.add(j)
    return [f for k, f in enumerate(found) if k not in dropped]


def _cue_inside(outer: Found, cue: Token) -> bool:
    """Whether ``cue`` lies in ``outer``'s content (not between the halves of a split quote)."""
    if not outer.lo <= cue.i < outer.hi:
        return False
    pieces = sorted(outer.pieces)
    return not any(a[1] <= cue.i < b[0] for a, b in itertools.pairwise(pieces))


def _reported_by(inner: Token, outer: Token) -> bool:
    """Whether cue ``inner`` hangs from cue ``outer`` in the parse, through no coordination
    ("said he would ask ... to declare", "refused to comment on"; not "criticized X and called
    for Y", which are two reports)."""
    t = inner
    for _ in range(6):
        if t.dep_ == "conj" or t.head.i == t.i:
            return False
        t = t.head
        if t.i == outer.i:
            return True
    return False


def nested_in_own_report(kept: list[tuple[Found, Quote]]) -> list[tuple[Found, Quote]]:
    """Quotes reported inside another quote of the same speaker, with their cue inside it or
    shared ("Reyes said he would ask the government to declare an emergency": one report, not
    two; "Holm refused to comment on the protest": not a second one about "the protest")."""
    out = []
    for f, q in kept:
        if q.speaker is None or f.cue is None:
            continue
        for g, p in kept:
            if (
                g is f
                or p.speaker is None
                or not (g.start <= f.start and f.end <= g.end)
                or (g.start, g.end) == (f.start, f.end)
                or p.speaker.canonical.lower() != q.speaker.canonical.lower()
            ):
                continue
            if (
                g.cue is not None
                and _cue_inside(g, f.cue)
                and _reported_by(f.cue, g.cue)
                # The same mention, or a pronoun standing for it: a name or a nominal inside
                # someone's report is more often a report of its own.
                and (
                    f.subj is None or f.subj.pos_ == "PRON" or f.subj.i == getattr(g.subj, "i", -1)
                )
            ):
                out.append((f, q))
                break
    return out
