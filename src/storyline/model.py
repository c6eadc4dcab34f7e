"""The value objects that flow through every stage of the pipeline.

They are frozen, slotted, keyword-only dataclasses: a stage never mutates what it was given, it
returns a new object (``dataclasses.replace``). Times are timezone-aware and in UTC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from storyline.errors import RejectCode


class PublishedFrom(StrEnum):
    """Where an article's publication time came from, most to least trustworthy."""

    INPUT = "input"
    """Given by the input record itself (JSONL field, feed entry date, WARC-wrapped page meta)."""
    METADATA = "metadata"
    """Read from the page's own metadata (meta tags, JSON-LD, time elements)."""
    URL = "url"
    """Guessed from a date in the URL path (``/2023/03/27/``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One news article, as every reader produces it.

    >>> a = Article(id="a1", text="Floods hit the valley.", source="Daily Ledger")
    >>> a.is_duplicate
    False
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    """The outlet (``"Harbor Gazette"``), not the file it was read from."""
    author: str | None = None
    published: datetime | None = None
    published_from: PublishedFrom | None = None
    language: str | None = None
    location: str = ""
    """Where the record was read: ``path:line`` for JSONL, ``path#3`` for feed and WARC entries."""
    reader: str = ""
    """The reader that produced it: ``jsonl``, ``html``, ``text``, ``rss``, ``atom``, ``warc``..."""
    duplicate_of: str | None = None
    """Id of the group's origin (its earliest article) when this one is an exact or near copy."""
    duplicate_group: str | None = None
    """Stable id of the copy group: the id of the group's first-stored article."""
    story_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        """The article as ``storyline articles --format json`` lists it (DESIGN.md)."""
        return {
            "id": self.id,
            "source": self.source,
            "published": _iso_or_none(self.published),
            "title": self.title,
            "url": self.url,
            "duplicate_of": self.duplicate_of,
            "story_id": self.story_id,
        }

    def annotated_dict(self, annotations: Annotations | None) -> dict[str, object]:
        """:meth:`to_dict` with the text and its annotations, roles included (None when not
        annotated): ``storyline article --format json`` and ``GET /api/articles/{id}``."""
        return {
            **self.to_dict(),
            "text": self.text,
            "annotations": None if annotations is None else annotations.to_dict(roles=True),
        }

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """An input record that could not become an article, with the reason why.

    ``key`` identifies the record across runs, so re-reading the same bad input counts once:
    by default the location and the code; :meth:`for_record` keys it by the record's content,
    so the same bad record read again elsewhere (a rolling feed, stdin) is still recognised and
    two different bad records at one location are not confused.
    """

    location: str
    code: RejectCode
    message: str
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            digest = hashlib.sha256(f"{self.location}\x00{self.code}".encode()).hexdigest()
            object.__setattr__(self, "key", digest[:24])

    @classmethod
    def for_record(
        cls, *, location: str, code: RejectCode, message: str, content: bytes | str
    ) -> Rejected:
        """A rejection keyed by the bad record's own content rather than by where it was."""
        raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        digest = hashlib.sha256(str(code).encode() + b"\x00" + raw).hexdigest()
        return cls(location=location, code=code, message=message, key="r" + digest[:23])


ReadResult = Article | Rejected
"""What a reader yields for each record it reads."""


class DuplicateKind(StrEnum):
    EXACT = "exact"
    NEAR = "near"


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateMatch:
    """An article found to copy an earlier one."""

    article_id: str
    origin_id: str
    kind: DuplicateKind
    similarity: float
    """Estimated Jaccard similarity of the two texts' shingle sets (1.0 for exact copies)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestReport:
    """What one ingest run did. ``records_read == articles_added + already_stored + rejected``."""

    records_read: int = 0
    articles_added: int = 0
    duplicates_added: int = 0
    already_stored: int = 0
    """Records stored before (articles and rejections): they change nothing."""
    rejected: int = 0
    """New rejections stored by this run."""
    rejected_by_code: dict[str, int] = field(default_factory=dict)
    rejected_again: int = 0
    """Records rejected again that an earlier run already rejected (part of ``already_stored``)."""
    articles_annotated: int = 0
    """Stored articles annotated by this run (new ones, and older ones left unannotated)."""
    annotation_failed: int = 0
    """Articles stored without annotations because the annotate stage failed on them."""
    articles_assigned: int = 0
    """Stored articles assigned to a story by this run (new ones and older unassigned ones)."""
    new_stories: int = 0
    """Stories this run founded."""
    assignment_failed: int = 0
    """Articles left in no story because story assignment failed on them (logged)."""
    articles_linked: int = 0
    """Annotated articles whose entities this run linked to corpus entities (new ones, and
    older ones stored before entity linking existed)."""
    linking_failed: int = 0
    """Annotated articles left unlinked because entity linking failed on them (logged)."""

    @property
    def any_rejected(self) -> bool:
        """Whether this run's input held any bad record, new or already known."""
        return self.rejected + self.rejected_again > 0

    def to_dict(self) -> dict[str, object]:
        """The report as ``storyline ingest --format json`` and ``POST /api/articles`` give it."""
        return {
            "records_read": self.records_read,
            "articles_added": self.articles_added,
            "duplicates_added": self.duplicates_added,
            "already_stored": self.already_stored,
            "rejected": {"total": self.rejected, "by_code": dict(self.rejected_by_code)},
            "rejected_again": self.rejected_again,
            "articles_annotated": self.articles_annotated,
            "annotation_failed": self.annotation_failed,
            "articles_assigned": self.articles_assigned,
            "new_stories": self.new_stories,
            "assignment_failed": self.assignment_failed,
            "articles_linked": self.articles_linked,
            "linking_failed": self.linking_failed,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreStats:
    """Totals over the life of a store (the ``storyline stats`` contract)."""

    records_read: int
    articles: int
    duplicates: int
    rejected_total: int
    rejected_by_code: dict[str, int]
    sources: int
    stories: int
    annotated: int = 0
    """Stored articles that have annotations."""

    def to_dict(self) -> dict[str, object]:
        return {
            "records_read": self.records_read,
            "articles": self.articles,
            "duplicates": self.duplicates,
            "rejected": {"total": self.rejected_total, "by_code": dict(self.rejected_by_code)},
            "sources": self.sources,
            "stories": self.stories,
            "annotated": self.annotated,
        }


# -- annotations (the ``storyline annotate`` contract in DESIGN.md) ---------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A piece of an article's text: ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int


class TimexType(StrEnum):
    DATE = "DATE"
    TIME = "TIME"
    DURATION = "DURATION"
    SET = "SET"


@dataclass(frozen=True, slots=True, kw_only=True)
class Timex:
    """A time expression with its TIMEX3 type and ISO-8601/TIMEX3 value.

    Relative expressions are resolved against the publication time when it is known
    ("three months ago" published 2023-03-27 -> ``"2022-12"``); without it they keep an
    unresolved TIMEX3 value (``"PAST_REF"``, ``"XXXX-WXX-2"``) rather than a wrong date.
    """

    text: str
    start: int
    end: int
    type: TimexType
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity:
    """A number in the text with what it counts: "about 1,200 protesters".

    ``value`` is the stated or central figure; ``low``/``high`` bound it (equal for an exact
    figure, open-ended bounds are None: "more than 200" has low=200, high=None).
    """

    text: str
    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    """``percent``, a currency code (``USD``, ``EUR``) or another unit word; None for counts."""
    counts: str | None
    """What is counted, as a lemma phrase: ``protester``, ``ship waiting offshore``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """A named-entity mention with the name it stands for in its article.

    ``canonical`` is the fullest form the same article uses for the referent: "Ortega" and
    "Ms. Ortega" -> "Ana María Ortega"; "WHO" -> "World Health Organization". Titles and roles
    are not part of it ("Foreign Minister Linda Park" -> "Linda Park").
    """

    text: str
    start: int
    end: int
    label: str
    canonical: str
    role: str | None = None
    """A title or role the article gives the referent next to a name: "Foreign Minister"."""


class QuoteKind(StrEnum):
    DIRECT = "direct"
    """The content is in quotation marks."""
    INDIRECT = "indirect"
    """Reported speech or belief: "X said that ...", "according to X, ..."."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Speaker:
    """The mention that is the grammatical source of a quote, and who it resolves to.

    ``text`` may be a pronoun or a nominal ("he", "the general"); ``canonical`` is the person or
    group it refers to in the same article, or the mention itself when nothing better is known.
    """

    text: str
    start: int
    end: int
    canonical: str
    role: str | None = None
    """The referent's title or role in the article ("Maj. Gen.", "spokeswoman"), kept apart
    from the name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """Something a source said or believes, with where it was said and who said it."""

    kind: QuoteKind
    content: Span
    speaker: Speaker | None
    cue: Span | None
    """The reporting word(s): "said", "told reporters", "according to"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Annotations:
    """Everything the annotate stage finds in one article; offsets index ``Article.text``."""

    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    timexes: tuple[Timex, ...] = ()

    def to_dict(self, *, roles: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The ``storyline annotate`` contract's four lists (DESIGN.md), in offset order.

        ``roles=True`` adds each entity's and speaker's ``role``: the store keeps it, the
        contract output leaves it out.
        """

        def span(s: Span | None) -> dict[str, Any] | None:
            return None if s is None else {"text": s.text, "start": s.start, "end": s.end}

        def entity(e: Entity) -> dict[str, Any]:
            out: dict[str, Any] = {
                "text": e.text,
                "start": e.start,
                "end": e.end,
                "label": e.label,
                "canonical": e.canonical,
            }
            if roles:
                out["role"] = e.role
            return out

        def speaker(s: Speaker | None) -> dict[str, Any] | None:
            if s is None:
                return None
            out: dict[str, Any] = {
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "canonical": s.canonical,
            }
            if roles:
                out["role"] = s.role
            return out

        return {
            "entities": [entity(e) for e in self.entities],
            "quotes": [
                {
                    "kind": str(q.kind),
                    "content": span(q.content),
                    "speaker": speaker(q.speaker),
                    "cue": span(q.cue),
                }
                for q in self.quotes
            ],
            "quantities": [
                {
                    "text": q.text,
                    "start": q.start,
                    "end": q.end,
                    "value": q.value,
                    "low": q.low,
                    "high": q.high,
                    "unit": q.unit,
                    "counts": q.counts,
                }
                for q in self.quantities
            ],
            "timexes": [
                {
                    "text": t.text,
                    "start": t.start,
                    "end": t.end,
                    "type": str(t.type),
                    "value": t.value,
                }
                for t in self.timexes
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Annotations:
        """Rebuild what :meth:`to_dict` wrote (with or without roles)."""

        def span(d: Mapping[str, Any] | None) -> Span | None:
            return None if d is None else Span(text=d["text"], start=d["start"], end=d["end"])

        def speaker(d: Mapping[str, Any] | None) -> Speaker | None:
            if d is None:
                return None
            return Speaker(
                text=d["text"],
                start=d["start"],
                end=d["end"],
                canonical=d["canonical"],
                role=d.get("role"),
            )

        quotes = []
        for q in data.get("quotes", ()):
            content = span(q["content"])
            assert content is not None
            quotes.append(
                Quote(
                    kind=QuoteKind(q["kind"]),
                    content=content,
                    speaker=speaker(q.get("speaker")),
                    cue=span(q.get("cue")),
                )
            )
        return cls(
            entities=tuple(
                Entity(
                    text=e["text"],
                    start=e["start"],
                    end=e["end"],
                    label=e["label"],
                    canonical=e["canonical"],
                    role=e.get("role"),
                )
                for e in data.get("entities", ())
            ),
            quotes=tuple(quotes),
            quantities=tuple(Quantity(**q) for q in data.get("quantities", ())),
            timexes=tuple(
                Timex(
                    text=t["text"],
                    start=t["start"],
                    end=t["end"],
                    type=TimexType(t["type"]),
                    value=t["value"],
                )
                for t in data.get("timexes", ())
            ),
        )


# -- story clustering (``storyline.link``) -----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Where :class:`~storyline.link.StoryClusterer` put one article, and how sure it was."""

    article_id: str
    story_id: str
    score: float
    """Similarity to the story it joined (1.0 for a wire copy; the best, too low, score of any
    candidate for an article that founded a new story, 0.0 when there was none)."""
    new_story: bool
    runner_up: str | None = None
    """The next best candidate story, if any."""
    runner_up_score: float = 0.0
    reason: str = ""
    merged: tuple[str, ...] = ()
    """Stories merged into ``story_id`` because this article matched them as strongly."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryEvent:
    """A merge or split of stories, kept so that the old ids still resolve.

    A merge folds ``story_ids`` into ``into`` (one of them, the oldest); a split takes
    ``story_ids[1:]`` out of ``story_ids[0]``.
    """

    kind: str
    """``"merge"`` or ``"split"``."""
    story_ids: tuple[str, ...]
    into: str
    reason: str
    at_article: str | None = None
    """The article whose arrival triggered it, if any."""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "story_ids": list(self.story_ids),
            "into": self.into,
            "reason": self.reason,
            "at_article": self.at_article,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why an article is in its story: what they share, its nearest articles, the runner-up."""

    article_id: str
    story_id: str
    score: float
    new_story: bool
    shared_entities: tuple[tuple[str, float], ...] = ()
    """Names the article shares with the story, with their weight in the score, highest first."""
    shared_terms: tuple[tuple[str, float], ...] = ()
    nearest: tuple[tuple[str, float], ...] = ()
    """Other articles of the story most similar to this one: ``(article_id, similarity)``."""
    runner_up: str | None = None
    runner_up_score: float = 0.0
    reason: str = ""
    time: str = ""
    """The time evidence when it was assigned, against the best candidate story: days between
    them, the period its lead refers to, the decay that follows ("" without dates)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "story_id": self.story_id,
            "score": round(self.score, 4),
            "new_story": self.new_story,
            "shared_entities": [
                {"name": n, "weight": round(w, 4)} for n, w in self.shared_entities
            ],
            "shared_terms": [{"term": t, "weight": round(w, 4)} for t, w in self.shared_terms],
            "nearest": [{"article_id": a, "score": round(s, 4)} for a, s in self.nearest],
            "runner_up": self.runner_up,
            "runner_up_score": round(self.runner_up_score, 4),
            "reason": self.reason,
            "time": self.time,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StorySummary:
    """One story as ``storyline stories`` lists it (the contract in DESIGN.md)."""

    id: str
    title: str
    """Never empty: the title of its earliest-published article that has one, else a headline
    made from its earliest article's lead (:func:`storyline.titles.story_title`)."""
    article_ids: tuple[str, ...]
    """Its articles, earliest published first (unknown times last, then by arrival)."""
    first_published: datetime | None
    last_published: datetime | None
    sources: int
    """Distinct outlets that reported it."""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "article_ids": list(self.article_ids),
            "first_published": _iso_or_none(self.first_published),
            "last_published": _iso_or_none(self.last_published),
            "sources": self.sources,
        }


class StorySort(StrEnum):
    """Orders of a story search. Values are stable API parameters."""

    RECENT = "recent"
    """Latest article first."""
    LARGEST = "largest"
    """Most articles first (then latest)."""
    DISPUTED = "disputed"
    """Most disagreements first. Stores keep no disagreement counts yet: sorts as ``largest``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryQuery:
    """Which live stories a search keeps (all of them by default) and in what order.

    A story is kept when at least one of its articles matches each filter given.

    >>> StoryQuery(text="port strike", source="Harbor Gazette").sort
    <StorySort.RECENT: 'recent'>
    """

    text: str | None = None
    """Words that must all occur in the title or text of one article (stemmed, accents
    folded; a trailing ``*`` makes a word a prefix)."""
    since: datetime | None = None
    """An article published at or after this."""
    until: datetime | None = None
    """An article published at or before this."""
    source: str | None = None
    """An article from this outlet (exact name)."""
    entity_ids: tuple[str, ...] | None = None
    """An article that mentions one of these corpus entities (empty: no story matches)."""
    sort: StorySort = StorySort.RECENT


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryPage:
    """One page of a story search, and how many stories matched in all."""

    stories: tuple[StorySummary, ...]
    total: int


def _iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# -- cross-document entities (``storyline.link.entities``) -----------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CorpusEntity:
    """One real-world referent across the corpus: its name, label, other names and articles.

    ``to_dict`` gives the dossier's entity shape (DESIGN.md) plus ``id``.
    """

    id: str
    """``e-`` and a hash of the first canonical name and label seen: stable, never renamed."""
    canonical: str
    label: str
    """Majority NER label of its mentions."""
    aliases: tuple[str, ...] = ()
    """Other names it goes by in the corpus: variants, surnames, acronyms."""
    article_ids: tuple[str, ...] = ()
    """Articles that mention it, in the order they were linked."""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "canonical": self.canonical,
            "label": self.label,
            "aliases": list(self.aliases),
            "article_ids": list(self.article_ids),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkedEntity:
    """Which corpus entity one in-article canonical name was linked to, and by what rule."""

    article_id: str
    canonical: str
    """The name as the article's annotations give it (``Entity.canonical``)."""
    entity_id: str
    label: str
    """Majority label of the name's mentions in this article."""
    mentions: int
    how: str
    """``user`` (alias file), ``name`` (same name key), ``variant`` (spelling or
    transliteration), ``acronym``, ``surname`` (a surname resolved to one known person),
    ``new`` (founded a corpus entity), or ``stored`` (the article was linked before)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "article_id": self.article_id,
            "canonical": self.canonical,
            "entity_id": self.entity_id,
            "label": self.label,
            "mentions": self.mentions,
            "how": self.how,
        }


# -- dossiers (``storyline.synthesize``; the ``storyline show`` contract in DESIGN.md) ---------

DOSSIER_SCHEMA_VERSION = 1
"""Version of the dossier document (``schemas/dossier.schema.json``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Where a statement comes from: a character span of one article's text."""

    article_id: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "start": self.start, "end": self.end}


class ClaimKind(StrEnum):
    """What sort of fact a claim states."""

    QUANTITY = "quantity"
    """A figure with what it counts: "evacuees in the flood zone: 3,000-4,000"."""
    EVENT = "event"
    """A dated event: "port strike: began 2023-03-06"."""
    STATE = "state"
    """A state or location of a person or thing: "the minister: resigned"."""
    SUPERLATIVE = "superlative"
    """A superlative with its reference: "worst flood since 1957"."""
    STATEMENT = "statement"
    """Something a named source said: "Linda Park: said the dam is safe"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A statement normalized to (subject, predicate, value), with all the spans that make it.

    Equivalent statements from several articles are one claim; ``independent_sources`` counts
    their distinct origins (wire copies, near-duplicates and one outlet's several articles count
    once).
    """

    id: str
    """``c-`` and a hash of (subject, predicate, value): stable across runs."""
    kind: ClaimKind
    statement: str
    subject: str
    predicate: str
    value: str
    support: tuple[Evidence, ...]
    independent_sources: int

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "statement": self.statement,
            "subject": self.subject,
            "predicate": self.predicate,
            "value": self.value,
            "support": [e.to_dict() for e in self.support],
            "independent_sources": self.independent_sources,
        }


class DisagreementType(StrEnum):
    """How reports differ (the rules are in ``storyline.synthesize.disagreements``)."""

    CONTRADICTION = "contradiction"
    """Incompatible values for one subject, predicate and scope at the same time."""
    REVISION = "revision"
    """A later report changes an earlier figure, or an outlet corrects itself."""
    SPREAD = "spread"
    """Different estimates of one quantity from different sources."""
    SCOPE = "scope"
    """Similar-looking claims about different things ("in the city" vs "in the region")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Disagreement:
    type: DisagreementType
    claim_ids: tuple[str, ...]
    explanation: str
    """One sentence saying what differs and why it is of this type."""

    def to_dict(self) -> dict[str, object]:
        return {
            "type": self.type.value,
            "claim_ids": list(self.claim_ids),
            "explanation": self.explanation,
        }


class DatePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """One dated happening of a story, with every span that dates it."""

    date: str
    """ISO-8601 at the entry's precision: ``2023-03-06``, ``2023-W12``, ``2023-03``, ``2023``."""
    precision: DatePrecision
    text: str
    """What happened: the sentence (or clause) that carries the date."""
    sources: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.date,
            "precision": self.precision.value,
            "text": self.text,
            "sources": [e.to_dict() for e in self.sources],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class DossierQuote:
    """A quote as the dossier lists it, grouped by canonical speaker."""

    speaker: str
    """The corpus-wide canonical name of who said it."""
    role: str | None
    text: str
    kind: QuoteKind
    article_id: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {
            "speaker": self.speaker,
            "role": self.role,
            "text": self.text,
            "kind": self.kind.value,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefSentence:
    """One sentence of a story's extractive brief, cited by its article and span."""

    sentence: str
    article_id: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {
            "sentence": self.sentence,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class DossierArticle:
    id: str
    source: str | None
    published: datetime | None
    url: str | None
    title: str | None
    duplicate_of: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "published": _iso_or_none(self.published),
            "url": self.url,
            "title": self.title,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryMaterial:
    """Everything :func:`storyline.synthesize.build_dossier` reads about one story.

    ``articles`` are in story order (earliest published first). ``entity_names`` maps, per
    article, each in-article canonical name (``Entity.canonical``) to its corpus-wide entity
    (``CorpusEntity.id``); ``entities`` are those corpus entities, with ``article_ids`` limited
    to this story's articles.
    """

    story: StorySummary
    articles: tuple[Article, ...]
    annotations: Mapping[str, Annotations]
    entities: tuple[CorpusEntity, ...] = ()
    entity_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dossier:
    """What all the reports of one story say together (the ``storyline show`` contract)."""

    id: str
    title: str
    """The story's title (:attr:`StorySummary.title`)."""
    articles: tuple[DossierArticle, ...]
    entities: tuple[CorpusEntity, ...]
    quotes: tuple[DossierQuote, ...]
    claims: tuple[Claim, ...]
    disagreements: tuple[Disagreement, ...]
    timeline: tuple[TimelineEntry, ...]
    brief: tuple[BriefSentence, ...]

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Dossier:
        """The dossier a document of :meth:`to_dict` was made from (the store keeps the
        document, ``Project.dossier_document``; pages that show it read it back)."""

        def evidence(items: Iterable[Mapping[str, Any]]) -> tuple[Evidence, ...]:
            return tuple(
                Evidence(article_id=e["article_id"], start=e["start"], end=e["end"]) for e in items
            )

        def moment(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        return cls(
            id=document["id"],
            title=document["title"],
            articles=tuple(
                DossierArticle(
                    id=a["id"],
                    source=a["source"],
                    published=moment(a["published"]),
                    url=a["url"],
                    title=a["title"],
                    duplicate_of=a["duplicate_of"],
                )
                for a in document["articles"]
            ),
            entities=tuple(
                CorpusEntity(
                    id=e["id"],
                    canonical=e["canonical"],
                    label=e["label"],
                    aliases=tuple(e["aliases"]),
                    article_ids=tuple(e["article_ids"]),
                )
                for e in document["entities"]
            ),
            quotes=tuple(
                DossierQuote(
                    speaker=q["speaker"],
                    role=q.get("role"),
                    text=q["text"],
                    kind=QuoteKind(q["kind"]),
                    article_id=q["article_id"],
                    start=q["start"],
                    end=q["end"],
                )
                for q in document["quotes"]
            ),
            claims=tuple(
                Claim(
                    id=c["id"],
                    kind=ClaimKind(c["kind"]),
                    statement=c["statement"],
                    subject=c["subject"],
                    predicate=c["predicate"],
                    value=c["value"],
                    support=evidence(c["support"]),
                    independent_sources=c["independent_sources"],
                )
                for c in document["claims"]
            ),
            disagreements=tuple(
                Disagreement(
                    type=DisagreementType(d["type"]),
                    claim_ids=tuple(d["claim_ids"]),
                    explanation=d["explanation"],
                )
                for d in document["disagreements"]
            ),
            timeline=tuple(
                TimelineEntry(
                    date=t["date"],
                    precision=DatePrecision(t["precision"]),
                    text=t["text"],
                    sources=evidence(t["sources"]),
                )
                for t in document["timeline"]
            ),
            brief=tuple(
                BriefSentence(
                    sentence=b["sentence"],
                    article_id=b["article_id"],
                    start=b["start"],
                    end=b["end"],
                )
                for b in document["brief"]
            ),
        )

    def to_dict(self) -> dict[str, object]:
        """The dossier document, validated by ``schemas/dossier.schema.json``."""
        return {
            "schema_version": DOSSIER_SCHEMA_VERSION,
            "id": self.id,
            "title": self.title,
            "articles": [a.to_dict() for a in self.articles],
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "claims": [c.to_dict() for c in self.claims],
            "disagreements": [d.to_dict() for d in self.disagreements],
            "timeline": [t.to_dict() for t in self.timeline],
            "brief": [b.to_dict() for b in self.brief],
        }
