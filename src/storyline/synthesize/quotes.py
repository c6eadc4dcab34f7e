"""A story's quotes, grouped by who said them across all its articles.

Speakers are named by their corpus-wide canonical name: a quote's in-article canonical name
(``Speaker.canonical``) is mapped through the story's entity links
(``StoryMaterial.entity_names``) to its corpus entity, so "Ms. Ortega" in one outlet and
"Ana Maria Ortega" in another are one speaker. A speaker the linker does not know (a nominal
such as "business groups") keeps the article's own name; names that differ only in case are one
speaker.

Rules:

- Wire copies are folded: an article that copies another of the story (``Article.duplicate_of``)
  adds only the quotes its origin does not have (an outlet's added paragraph), so a syndicated
  quote is listed once, from the origin.
- The same words from the same speaker reported by several outlets are listed once, from the
  first article in story order: the list says what was said, corroboration is the claims' job.
- Quotes the annotator could attach to no speaker are kept, last, under :data:`UNATTRIBUTED`,
  because a fact-checker still wants to see them. So are quotes whose speaker stayed a bare
  pronoun or quantifier ("it", "they", "many", "no one": the annotator could not resolve it)
  or is no name at all (a figure such as "57%", a clause swallowed into the speaker span).
- A quote without a role takes its speaker's most frequent role in the story.
- A quote's words stay within the list item or the stretch of prose between headings and list
  items that holds its reporting verb, else its speaker
  (:meth:`storyline.text.SentenceIndex.block`): when the parser ran a sentence across a
  bulleted summary ("Key points: • 6,000 militants held the town • half were killed, officials
  said"), what the officials said is the last item, not the list and its heading. Words wholly
  in another block are no quote of that speaker (the parser joined a list item's "according to
  the Red Crescent" to the next paragraph), unless the cue introduces them with a colon ("the
  army said:" above a list).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping

from storyline.model import Article, DossierQuote, Quote, Span, StoryMaterial
from storyline.text import SentenceIndex

__all__ = ["UNATTRIBUTED", "quotes_by_speaker"]

UNATTRIBUTED = "(unattributed)"
"""The speaker of quotes that the annotate stage attached to no one."""

_QUOTE_MARKS = "\"'“”‘’«»"
_NO_NAME = frozenset(
    {
        *("i", "you", "he", "she", "it", "we", "they", "one", "who", "this", "that"),
        *("someone", "somebody", "anyone", "everyone", "no one", "nobody", "none"),
        *("many", "some", "others", "several", "both", "all", "these", "those"),
    }
)
_MAX_SPEAKER_WORDS = 12


def _is_name(speaker: str) -> bool:
    """Whether a speaker string names someone: not a bare pronoun or quantifier, not a figure,
    not a clause the speaker span ran into."""
    words = speaker.split()
    return (
        bool(words)
        and speaker.casefold() not in _NO_NAME
        and not words[0][0].isdigit()
        and len(words) <= _MAX_SPEAKER_WORDS
        and not any(mark in speaker for mark in '"“”')
    )


_SPACE = re.compile(r"\s+")


def _normal(text: str) -> str:
    """The words of a quote without the marks and spacing outlets vary."""
    return _SPACE.sub(" ", text.strip(_QUOTE_MARKS + " ,.").casefold())


def _laid_out(text: str, index: SentenceIndex, quote: Quote) -> Span | None:
    """The quote's words within the layout block (list item, prose between list items and
    headings) of its cue, else of its speaker; None when they lie in another block that the
    cue does not introduce (see the module docstring)."""
    content = quote.content
    anchor = quote.cue or quote.speaker
    if anchor is None:
        return content
    block_start, block_end = index.block(anchor.start)
    start, end = max(content.start, block_start), min(content.end, block_end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        # A cue that ends its block with a colon introduces what follows ("the army said:").
        introduces = text[anchor.end : block_end].strip().endswith(":")
        return content if introduces and content.start >= block_end else None
    if (start, end) == (content.start, content.end):
        return content
    return Span(text=text[start:end], start=start, end=end)


def _speaker_name(
    material: StoryMaterial, article_id: str, quote: Quote, entities: Mapping[str, str]
) -> str:
    if quote.speaker is None or not _is_name(quote.speaker.canonical):
        return UNATTRIBUTED
    entity_id = material.entity_names.get(article_id, {}).get(quote.speaker.canonical)
    if entity_id is not None and entity_id in entities:
        return entities[entity_id]
    return quote.speaker.canonical


def _origins(material: StoryMaterial) -> dict[str, str]:
    """Each article's origin within the story: itself, or the article it copies (followed to
    the first one of the chain that is in the story)."""
    ids = {a.id for a in material.articles}
    by_id = {a.id: a for a in material.articles}
    origins: dict[str, str] = {}
    for article in material.articles:
        current: Article = article
        seen = {current.id}
        while current.duplicate_of in ids and current.duplicate_of not in seen:
            assert current.duplicate_of is not None
            seen.add(current.duplicate_of)
            current = by_id[current.duplicate_of]
        origins[article.id] = current.id
    return origins


def quotes_by_speaker(material: StoryMaterial) -> tuple[DossierQuote, ...]:
    """Every quote of the story once, grouped by speaker.

    Speakers with the most quotes come first (then by name, case-insensitively), the
    unattributed quotes last; a speaker's quotes are in story order (article, then offset).
    Offsets are the quote content's span in its article. See the module docstring for how
    speakers are named and what is folded.
    """
    entities = {e.id: e.canonical for e in material.entities}
    origins = _origins(material)
    spans: dict[str, list[tuple[Quote, Span]]] = {}
    for article in material.articles:
        annotations = material.annotations.get(article.id)
        if annotations is not None and annotations.quotes:
            index = SentenceIndex(article.text)
            laid_out = [(q, _laid_out(article.text, index, q)) for q in annotations.quotes]
            spans[article.id] = [(q, c) for q, c in laid_out if c is not None]
    origin_words: dict[str, set[str]] = defaultdict(set)
    for article in material.articles:
        if origins[article.id] == article.id:
            origin_words[article.id].update(_normal(c.text) for _, c in spans.get(article.id, ()))
    listed: set[tuple[str, str]] = set()
    found: list[tuple[str, str, Quote, Span, tuple[int, int]]] = []
    for position, article in enumerate(material.articles):
        origin = origins[article.id]
        for quote, content in spans.get(article.id, ()):
            words = _normal(content.text)
            # A copy's quote is its origin's whoever the copy's annotation says spoke it.
            if not words or (origin != article.id and words in origin_words[origin]):
                continue
            name = _speaker_name(material, article.id, quote, entities)
            seen = (name.casefold(), words)
            if seen in listed:
                continue
            listed.add(seen)
            found.append((name, article.id, quote, content, (position, content.start)))

    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    for name, _, quote, _, _ in found:
        spellings[name.casefold()][name] += 1
        if quote.speaker is not None and quote.speaker.role:
            roles[name.casefold()][quote.speaker.role] += 1

    def display(key: str) -> str:
        counts = spellings[key]
        # Most used spelling; ties go to the one with the most capitals (a proper name), then
        # alphabetical, so the result does not depend on article order.
        return min(counts, key=lambda s: (-counts[s], -sum(c.isupper() for c in s), s))

    groups: dict[str, list[tuple[str, Quote, Span, tuple[int, int]]]] = defaultdict(list)
    for name, article_id, quote, content, order in found:
        groups[name.casefold()].append((article_id, quote, content, order))

    def group_order(key: str) -> tuple[bool, int, str]:
        return (key == UNATTRIBUTED.casefold(), -len(groups[key]), display(key).casefold())

    out: list[DossierQuote] = []
    for key in sorted(groups, key=group_order):
        speaker = display(key)
        usual_role = roles[key].most_common(1)[0][0] if roles[key] else None
        for article_id, quote, content, _ in sorted(groups[key], key=lambda item: item[3]):
            role = quote.speaker.role if quote.speaker is not None else None
            out.append(
                DossierQuote(
                    speaker=speaker,
                    role=role or usual_role,
                    text=content.text,
                    kind=quote.kind,
                    article_id=article_id,
                    start=content.start,
                    end=content.end,
                )
            )
    return tuple(out)
