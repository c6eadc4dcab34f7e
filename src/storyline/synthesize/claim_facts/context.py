"""What every kind of fact shares: the :class:`Fact` itself, the story's lookups, one article's
annotations with their indexes, attribution to a quoted source and correction notices."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from storyline.model import Annotations, Article, ClaimKind, Entity, Span, StoryMaterial
from storyline.text import SentenceIndex


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One normalized statement of one article."""

    kind: ClaimKind
    article_id: str
    start: int
    end: int
    measure: str
    """What is stated about: ``people evacuated``, ``flood``, a speaker's name."""
    predicate: str
    scope: str
    """Where or of what the figure holds (a canonical place, ``the country``); ``""`` if none."""
    value: str
    """The value as the claim shows it: ``about 3,000``, ``since 1957``, ``2024-03-06``."""
    low: float | None = None
    high: float | None = None
    """Comparison interval of a figure (rounding and hedges applied); None for non-figures."""
    point: float | None = None
    """The figure as stated ("about 250" -> 250); None for ranges and dates."""
    estimate: bool = False
    """The figure is hedged or a range ("about", "nearly", "more than", "3,000 to 4,000")."""
    disputable: bool = False
    """Its kind and measure are well enough understood to compare values across reports."""
    as_of: datetime | None = None
    """When the statement holds: a day the sentence names, else the publication time."""
    attributed: str | None = None
    """Who the article says gave the figure (the speaker of a quote that contains it)."""
    retracted: bool = False
    """Withdrawn by the article's own correction notice ("An earlier version ... said")."""
    happened: tuple[int, int] | None = None
    """The day(s), as ordinals, of the happening a figure counts ("killing 3 people on
    Saturday"), when its sentence dates it: figures of two happenings are never compared."""
    key: str = ""
    """Grouping key of the value when it is not a figure (normalized text or date)."""
    order: tuple[int, int] = (0, 0)
    """(article position in the story, offset): a stable tie-break."""


@dataclass(slots=True)
class StoryContext:
    """Per-story lookups shared by the extractors."""

    material: StoryMaterial
    articles_by_id: dict[str, Article] = field(default_factory=dict)
    region: str | None = None
    """The story's region name ("Tessin"), what "the region" stands for."""
    main_place: str | None = None
    capital: str | None = None
    """What "the capital" stands for ("Arlen, the capital"), if the story says."""
    province: str | None = None
    """What "the province" stands for (the story's most named "X province")."""
    inside: dict[str, set[str]] = field(default_factory=dict)
    """Place key -> keys of the places the story's texts put it in (see ``places``)."""
    event: str | None = None
    """The story's dominant kind of event ("earthquake", "flood"), what its figures are of."""
    names: dict[str, str] = field(default_factory=dict)
    """Corpus entity id -> its canonical name."""
    labels: dict[str, str] = field(default_factory=dict)

    def canonical(self, article_id: str, in_article: str) -> str | None:
        """The corpus-wide canonical name of an in-article canonical name, if linked."""
        entity_id = self.material.entity_names.get(article_id, {}).get(in_article)
        if entity_id is None:
            return None
        return self.names.get(entity_id)

    def label(self, article_id: str, in_article: str) -> str | None:
        """The corpus entity's majority NER label, if the name is linked."""
        entity_id = self.material.entity_names.get(article_id, {}).get(in_article)
        return None if entity_id is None else self.labels.get(entity_id)

    def __post_init__(self) -> None:
        self.articles_by_id = {a.id: a for a in self.material.articles}
        self.names = {e.id: e.canonical for e in self.material.entities}
        self.labels = {e.id: e.label for e in self.material.entities}


def rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


_CORRECTION = rx(
    r"\ban earlier version\b|\b(?:incorrectly|wrongly|mistakenly) (?:said|reported|stated|gave)\b"
    r"|\b(?:earlier|previously|originally) (?:reported|said|stated|gave)\b"
)
"""An outlet withdrawing what it said: "An earlier version of this article said 4,200"."""
_SELF = rx(r"\bcorrection\b|\bthis (?:article|story|report)\b|\bwe\b|\bcorrected\b")
"""... said of the outlet itself, not of a source ("the ministry earlier reported 23")."""
_CORRECT_NOW = rx(
    r"\bcorrect(?:ed)? (?:figure|number|total|date) (?:is|was)\b|\bcorrected to\b|\bin fact\b"
    r"|\bshould have (?:said|read)\b"
)
"""What comes after these in a correction is the right value, not the withdrawn one."""
_REGION = re.compile(r"\bthe ([A-Z][\w-]+) region\b")
EVENT_WORDS: dict[str, str] = {
    "earthquake": "earthquake",
    "quake": "earthquake",
    "temblor": "earthquake",
    "tremor": "earthquake",
    "flood": "flood",
    "floods": "flood",
    "flooding": "flood",
    "fire": "fire",
    "blaze": "fire",
    "wildfire": "fire",
    "explosion": "explosion",
    "blast": "explosion",
    "bombing": "explosion",
    "storm": "storm",
    "hurricane": "storm",
    "cyclone": "storm",
    "typhoon": "storm",
    "strike": "strike",
    "walkout": "strike",
    "stoppage": "strike",
    "shutdown": "strike",
    "protest": "protests",
    "protests": "protests",
    "demonstrations": "protests",
    "riots": "riots",
    "rioting": "riots",
    "shooting": "shooting",
    "attack": "attack",
    "crash": "crash",
    "collision": "crash",
    "derailment": "crash",
    "siege": "siege",
    "offensive": "offensive",
    "battle": "battle",
    "election": "election",
}
"""Words naming the happening a story's figures are about, and the name a claim gives it."""
EVENT_WORD = re.compile(
    r"\b(" + "|".join(sorted(EVENT_WORDS, key=len, reverse=True)) + r")\b", re.I
)
_DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\- ]{2,40}),\s")


@dataclass(slots=True)
class ArticleView:
    """One article's annotations with the indexes the extractors need."""

    article: Article
    annotations: Annotations
    position: int
    sentences: SentenceIndex
    names: dict[tuple[int, int], str]
    """Entity mention span -> corpus canonical name."""
    dateline: str | None
    published: datetime | None


def entity_name(ctx: StoryContext, article_id: str, entity: Entity) -> str:
    return ctx.canonical(article_id, entity.canonical) or entity.canonical


def _dateline(ctx: StoryContext, article: Article, entities: Sequence[Entity]) -> str | None:
    match = _DATELINE.match(article.text)
    if match is None:
        return None
    place = match.group(1).strip()
    for e in entities:
        if e.start == match.start(1) and e.end <= match.end(1):
            name = entity_name(ctx, article.id, e)
            # "ORSK, Valdoria": a dateline in capitals names the place the text spells "Orsk".
            return name.title() if name.isupper() else name
    return (
        ctx.canonical(article.id, place.title())
        or ctx.canonical(article.id, place)
        or (place.title())
    )


def is_withdrawn(text: str, sentence: Span, at: int) -> bool:
    """Whether what is stated at ``at`` is a value the outlet's own correction withdraws: a
    correction phrase before it in the sentence, with no "the correct figure is" in between
    (the withdrawn value, such as "4,200" in "An earlier version said 4,200").

    A correction notice's sentence naming the right value separately ("The council's figure
    is 5,200.") is not withdrawn, and neither is a source's earlier figure ("the ministry had
    earlier reported 23"), which is an earlier report, not a correction.
    """
    if not _SELF.search(text, sentence.start, sentence.end):
        return False
    last = None
    for m in _CORRECTION.finditer(text, sentence.start, at):
        last = m
    if last is None:
        return False
    return not _CORRECT_NOW.search(text, last.end(), at)


def attribution(ctx: StoryContext, art: ArticleView, start: int, end: int) -> str | None:
    for quote in art.annotations.quotes:
        if quote.speaker is None:
            continue
        if quote.content.start <= start and end <= quote.content.end + 1:
            return ctx.canonical(art.article.id, quote.speaker.canonical) or quote.speaker.canonical
    return None


def withdraw_everywhere(facts: list[Fact]) -> list[Fact]:
    """A correction withdraws a value from the whole article: where the body still states it
    (a correction appended to an unchanged text), that statement is withdrawn too."""
    withdrawn = {(f.measure, f.predicate, f.scope, f.value) for f in facts if f.retracted}
    if not withdrawn:
        return facts
    return [
        replace(f, retracted=True) if (f.measure, f.predicate, f.scope, f.value) in withdrawn else f
        for f in facts
    ]


def story_context(material: StoryMaterial) -> StoryContext:
    ctx = StoryContext(material)
    regions: Counter[str] = Counter()
    for article in material.articles:
        regions.update(_REGION.findall(article.text))
    if regions:
        name = min(regions, key=lambda r: (-regions[r], r))
        # "the Tessin region" -> the corpus name of Tessin when an article links it.
        for article in material.articles:
            found = ctx.canonical(article.id, name)
            if found:
                name = found
                break
        ctx.region = name
    events: Counter[str] = Counter()
    for article in material.articles:
        events.update(EVENT_WORDS[w.lower()] for w in EVENT_WORD.findall(article.text))
    if events:
        ctx.event = min(events, key=lambda e: (-events[e], e))
    return ctx


def prepare(ctx: StoryContext) -> list[ArticleView]:
    out: list[ArticleView] = []
    datelines: Counter[str] = Counter()
    # Wire copies share their text: split it into sentences once.
    indexes: dict[str, SentenceIndex] = {}
    for position, article in enumerate(ctx.material.articles):
        annotations = ctx.material.annotations.get(article.id)
        if annotations is None:
            continue
        names = {(e.start, e.end): entity_name(ctx, article.id, e) for e in annotations.entities}
        dateline = _dateline(ctx, article, annotations.entities)
        if dateline:
            datelines[dateline] += 1
        index = indexes.get(article.text)
        if index is None:
            index = indexes[article.text] = SentenceIndex(article.text)
        published = article.published
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        out.append(
            ArticleView(
                article=article,
                annotations=annotations,
                position=position,
                sentences=index,
                names=names,
                dateline=dateline,
                published=published,
            )
        )
    if datelines:
        ctx.main_place = min(datelines, key=lambda p: (-datelines[p], p))
    return out
