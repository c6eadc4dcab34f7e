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
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping

from storyline.model import Article, DossierQuote, Quote, StoryMaterial

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
    origin_words: dict[str, set[str]] = defaultdict(set)
    for article in material.articles:
        annotations = material.annotations.get(article.id)
        if origins[article.id] == article.id and annotations is not None:
            origin_words[article.id].update(_normal(q.content.text) for q in annotations.quotes)
    listed: set[tuple[str, str]] = set()
    found: list[tuple[str, str, Quote, tuple[int, int]]] = []
    for position, article in enumerate(material.articles):
        annotations = material.annotations.get(article.id)
        if annotations is None:
            continue
        origin = origins[article.id]
        for quote in annotations.quotes:
            words = _normal(quote.content.text)
            # A copy's quote is its origin's whoever the copy's annotation says spoke it.
            if not words or (origin != article.id and words in origin_words[origin]):
                continue
            name = _speaker_name(material, article.id, quote, entities)
            seen = (name.casefold(), words)
            if seen in listed:
                continue
            listed.add(seen)
            found.append((name, article.id, quote, (position, quote.content.start)))

    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    for name, _, quote, _ in found:
        spellings[name.casefold()][name] += 1
        if quote.speaker is not None and quote.speaker.role:
            roles[name.casefold()][quote.speaker.role] += 1

    def display(key: str) -> str:
        counts = spellings[key]
        # Most used spelling; ties go to the one with the most capitals (a proper name), then
        # alphabetical, so the result does not depend on article order.
        return min(counts, key=lambda s: (-counts[s], -sum(c.isupper() for c in s), s))

    groups: dict[str, list[tuple[str, Quote, tuple[int, int]]]] = defaultdict(list)
    for name, article_id, quote, order in found:
        groups[name.casefold()].append((article_id, quote, order))

    def group_order(key: str) -> tuple[bool, int, str]:
        return (key == UNATTRIBUTED.casefold(), -len(groups[key]), display(key).casefold())

    out: list[DossierQuote] = []
    for key in sorted(groups, key=group_order):
        speaker = display(key)
        usual_role = roles[key].most_common(1)[0][0] if roles[key] else None
        for article_id, quote, _ in sorted(groups[key], key=lambda item: item[2]):
            role = quote.speaker.role if quote.speaker is not None else None
            out.append(
                DossierQuote(
                    speaker=speaker,
                    role=role or usual_role,
                    text=quote.content.text,
                    kind=quote.kind,
                    article_id=article_id,
                    start=quote.content.start,
                    end=quote.content.end,
                )
            )
    return tuple(out)
