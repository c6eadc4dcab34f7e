"""Superlatives with their reference ("worst flood since 1957") and the statements of named
speakers."""

from __future__ import annotations

import re

from storyline.model import ClaimKind, Quote, QuoteKind
from storyline.synthesize.claim_facts.context import ArticleView, Fact, StoryContext, rx

# -- superlatives ------------------------------------------------------------------------------

_SUPERLATIVE = rx(
    r"\b(worst|largest|biggest|highest|lowest|deadliest|heaviest|strongest|longest|first|"
    r"most (?:serious|severe|violent|destructive))\b"
    r"(?P<between>[^.;:!?]{0,60}?)\b(?P<ref>since (?:records began|(?:(?-i:[A-Z][a-z]+) )?\d{4})"
    r"|in (?:a|two|three|four|five|\d+) (?:decades?|years|generations?)|on record|in history)"
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "its",
        "their",
        "his",
        "her",
        "in",
        "on",
        "at",
        "of",
        "for",
        "to",
        "and",
        "week's",
        "year's",
        "month's",
    ]
)


def superlative_facts(art: ArticleView) -> list[Fact]:
    text = art.article.text
    facts: list[Fact] = []
    for m in _SUPERLATIVE.finditer(text):
        sentence = art.sentences.containing(m.start())
        if sentence is None or m.end() > sentence.end:
            continue
        adjective = m.group(1).lower()
        words = re.findall(r"[A-Za-z][\w'-]*", m.group("between"))
        noun_words: list[str] = []
        for w in words:
            if w.lower() in ("in", "on", "at", "of", "for", "to", "across"):
                break
            noun_words.append(w.lower())
        noun = " ".join(noun_words)
        if not noun:
            # "making this week's flood the worst ...": the noun before "the worst".
            # ... or "the flood was the worst": the subject of the copula.
            before = re.findall(
                r"([a-z][\w-]*)(?:['’]s)?\s+(?:(?:was|is|were|are|has been|had been|became)\s+)?"
                r"(?:the|its)\s+$",
                text[sentence.start : m.start()],
            )
            noun = before[-1] if before and before[-1] not in _STOP else ""
        if not noun:
            continue
        reference = re.sub(r"\s+", " ", m.group("ref"))
        facts.append(
            Fact(
                kind=ClaimKind.SUPERLATIVE,
                article_id=art.article.id,
                start=sentence.start,
                end=sentence.end,
                measure=noun,
                predicate=adjective,
                scope="",
                value=reference,
                key=reference.lower(),
                disputable=True,
                as_of=art.published,
                attributed=_attribution_of_span(art, m.start(), m.end()),
                order=(art.position, m.start()),
            )
        )
    return facts


def _attribution_of_span(art: ArticleView, start: int, end: int) -> str | None:
    for quote in art.annotations.quotes:
        if quote.speaker and quote.content.start <= start and end <= quote.content.end + 1:
            return quote.speaker.canonical
    return None


# -- attributed statements ---------------------------------------------------------------------

_DATELINE_PREFIX = re.compile(r"^[A-Z][A-Z .'-]+(?:,[^—\n(]{0,40})?\s*(?:\([^)\n]{0,40}\))?\s*—\s*")
_NOT_SPEAKERS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"})
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_SUMMARY_WORDS = 14


def _summary(quote: Quote) -> tuple[str, str]:
    """A one-line summary of a quote's content and a key that equates near-identical copies."""
    content = _DATELINE_PREFIX.sub("", quote.content.text.strip())
    if quote.kind is QuoteKind.DIRECT:
        # A direct quote's span runs over its attribution ('"...," said X. "..."'): keep the
        # words up to the first closing quotation mark.
        opened = content.lstrip("\"“'‘ ")
        closing = re.search(r"[,.?!]?[\"”]", opened)
        content = opened[: closing.start()] if closing else opened
    content = content.strip().strip("\"“”'‘’").strip()
    content = re.sub(r"^that\s+", "", content)
    content = re.sub(r"\s+", " ", content)
    words = content.split(" ")
    summary = " ".join(words[:_SUMMARY_WORDS]).rstrip(",;:")
    if len(words) > _SUMMARY_WORDS:
        summary += " …"
    key = " ".join(w.lower() for w in _WORD.findall(content)[:10])
    return summary, key


def statement_facts(ctx: StoryContext, art: ArticleView) -> list[Fact]:
    """The first statement of each named speaker in the article: news writing puts a source's
    main point first, and one claim per speaker and article keeps the dossier readable."""
    seen: set[str] = set()
    facts: list[Fact] = []
    for quote in art.annotations.quotes:
        if quote.speaker is None:
            continue
        speaker = ctx.canonical(art.article.id, quote.speaker.canonical)
        if speaker is None or speaker in seen:
            continue
        if ctx.label(art.article.id, quote.speaker.canonical) in _NOT_SPEAKERS:
            continue  # "Arlen said": a place named where NER or the quote finder slipped
        summary, key = _summary(quote)
        if len(key.split()) < 4:
            continue
        seen.add(speaker)
        facts.append(
            Fact(
                kind=ClaimKind.STATEMENT,
                article_id=art.article.id,
                start=quote.content.start,
                end=quote.content.end,
                measure=speaker,
                predicate="said",
                scope="",
                value=summary,
                key=key,
                as_of=art.published,
                attributed=speaker,
                order=(art.position, quote.content.start),
            )
        )
    return facts
