"""A story's brief: a few sentences of its own articles that say what the reports say together.

:func:`build_brief` is extractive and offline. Candidates are the sentences of the story's
origin articles (a wire copy adds nothing its origin does not say), without datelines and
headings (a list item is a sentence of its own: :mod:`storyline.text`), between
:data:`MIN_WORDS` and :data:`MAX_WORDS` words long. Sentences are chosen greedily, each round
taking the candidate with the best maximal-marginal-relevance score::

    score = (1 - REDUNDANCY) * gain / best_gain - REDUNDANCY * max_similarity_to_chosen

where ``gain`` is what the sentence adds to the brief so far:

- every claim it supports (a claim's support span overlaps the sentence) that no chosen sentence
  covers yet, weighted by :data:`CLAIM_WEIGHT` times the claim's ``independent_sources`` over
  the best-sourced claim's: the most corroborated facts first;
- every disagreement whose claims it supports, weighted by :data:`DISAGREEMENT_WEIGHT` divided
  by its rank among the disagreements (ranked by the sources of their claims: the main ones
  count) times the share of that disagreement's claims it newly covers (a sentence that gives
  both figures covers it at once);
- a lead bonus (:data:`LEAD_BONUS`) for the first sentence of an origin article, half of it for
  the second: news writing puts what happened first (and the first sentence of the story's
  first report is taken before anything else when the brief has room for two sentences or
  more: it says what the story is);
- how central its words are to the story (the share of the origin articles that use each of
  them, averaged), times :data:`CENTRALITY_WEIGHT`; this alone orders candidates when there are
  no claims.

Sentences opening with a pronoun or a connective ("He said", "But") need what came before them
and count half. Similarity is the idf-weighted cosine of the sentences' content words (idf over the
story's sentences), halved (:data:`OTHER_DAY`) for sentences dated to different days; a
candidate whose similarity to a chosen sentence reaches :data:`NEAR_DUPLICATE` is never chosen.
Only one lead per news day (:data:`NEWS_DAY`) earns its bonus: a day's reports all open on the
same news. The chosen sentences are returned in story order
(article, then offset), so the brief reads chronologically.

A :class:`Summarizer` (an LLM, say) can be plugged in: it receives the best candidates with their
citations and returns the brief's sentences, each still citing an article span. It is off unless
configured; whatever it returns is checked, and on failure the extractive brief is used.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from storyline.link.features import tokens
from storyline.model import Article, BriefSentence, Claim, Disagreement, StoryMaterial
from storyline.synthesize.timeline import (
    EventWords,
    dateline_end,
    event_similarity,
    weighted_norm,
)
from storyline.text import SentenceIndex

__all__ = ["BriefCandidate", "Summarizer", "build_brief"]

log = logging.getLogger(__name__)

MIN_WORDS = 8
"""Shorter sentences ("Work resumed.") say too little out of context."""
MAX_WORDS = 60
"""Longer sentences are run-ons that a reader skims."""
CLAIM_WEIGHT = 2.0
"""What covering the best-sourced claim adds; other claims add in proportion to their
``independent_sources``."""
DISAGREEMENT_WEIGHT = 2.0
"""What covering the main disagreement whole adds (as much as the best-sourced claim); the
k-th disagreement, ranked by the sources of its claims, adds 1/k of that."""
LEAD_BONUS = 1.5
CENTRALITY_WEIGHT = 1.0
REDUNDANCY = 0.4
"""The MMR trade-off: how much similarity to the chosen sentences costs against relevance."""
NEAR_DUPLICATE = 0.45
"""Word similarity at which a candidate repeats a chosen sentence and is left out."""
OTHER_DAY = 0.5
"""Similarity is multiplied by this for two sentences dated to different days: "the line
reopened on Thursday, two days after the train derailed" retells the derailment's words but
reports another happening."""
NEWS_DAY = timedelta(hours=24)
"""Leads of articles published this close together tell the same news: one lead bonus."""
SELECTION_POOL_PER_SENTENCE = 40
SELECTION_POOL_MIN = 200
"""The greedy rounds consider the candidates with the best first gains, at most this many (or
40 per sentence wanted): gains only fall as the brief fills, so the rest would not be taken
unless all of these repeated the chosen ones."""
POOL_PER_SENTENCE = 4
"""A summarizer is offered this many candidates per sentence wanted (at least 20)."""

_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_DANGLING = frozenset(
    """
    he she it they his her its their this that these those him them but and also however
    meanwhile still yet so instead there
    """.split()  # noqa: SIM905  (a word list reads better as text)
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefCandidate:
    """A sentence a brief may use, with its citation and why it was considered."""

    sentence: str
    """``text[start:end]`` of the article."""
    article_id: str
    start: int
    end: int
    source: str | None
    published: datetime | None
    score: float
    """Its relevance before redundancy: covered claims and disagreements, lead and centrality."""
    claim_ids: tuple[str, ...] = ()
    """The claims whose support it holds."""
    chosen: bool = False
    """Whether the extractive brief uses it."""


@runtime_checkable
class Summarizer(Protocol):
    """Writes a brief from candidate sentences (a plug-in; none is used unless configured).

    It receives the best candidates, most relevant first, and returns at most
    ``max_sentences`` sentences in reading order. Each must cite a span of a story article
    that overlaps a candidate's span: copying a candidate's ``article_id``/``start``/``end`` is
    the simple way. It may shorten or rewrite the sentence text; the span then says what the
    rewrite rests on.

    >>> class FirstTwo:
    ...     def __call__(self, candidates, *, title, max_sentences):
    ...         return [BriefSentence(sentence=c.sentence, article_id=c.article_id,
    ...                               start=c.start, end=c.end) for c in candidates[:2]]
    >>> isinstance(FirstTwo(), Summarizer)
    True
    """

    def __call__(
        self,
        candidates: Sequence[BriefCandidate],
        *,
        title: str | None,
        max_sentences: int,
    ) -> Iterable[BriefSentence]: ...


@dataclass(slots=True)
class _Candidate:
    article: Article
    position: int
    start: int
    end: int
    words: EventWords
    norm: float
    claims: frozenset[str]
    days: frozenset[str]
    """The days its resolved time expressions name (``2024-10-08``)."""
    lead: float
    """Its lead bonus, while no lead (first sentence) of the same news day is chosen."""
    base: float
    """Centrality: the part of the gain that does not change between rounds."""
    factor: float
    """1, or 0.5 for a sentence that leans on the one before it."""
    opening: bool = False
    """The lead of the story's first report."""
    score: float = 0.0
    chosen: bool = False
    claims_sorted: tuple[str, ...] = field(default=())


def _unbalanced(sentence: str) -> bool:
    """A piece of a quotation cut by the sentence splitter ('"The pumps can move 10,000
    litres a minute.'): out of its quote marks it reads as the reporter's own words."""
    straight = sentence.count('"') % 2 == 1
    return straight or sentence.count("“") != sentence.count("”")


def _origins(articles: Sequence[Article]) -> dict[str, str]:
    """Each article's origin in the story: the article it copies when that one is there."""
    ids = {a.id for a in articles}
    return {
        a.id: a.duplicate_of if a.duplicate_of is not None and a.duplicate_of in ids else a.id
        for a in articles
    }


def _support_index(
    material: StoryMaterial, claims: Sequence[Claim], origins: Mapping[str, str]
) -> dict[str, list[tuple[int, int, str]]]:
    """Claim support spans per origin article: spans in a copy are moved onto the same words in
    its origin when they are there (a copy's sentence is not a candidate)."""
    texts = {a.id: a.text for a in material.articles}
    out: dict[str, list[tuple[int, int, str]]] = {}
    for claim in claims:
        for evidence in claim.support:
            if evidence.article_id not in texts:
                continue
            origin = origins[evidence.article_id]
            start, end = evidence.start, evidence.end
            if origin != evidence.article_id:
                words = texts[evidence.article_id][start:end]
                found = texts[origin].find(words) if words else -1
                if found < 0:
                    continue
                start, end = found, found + len(words)
            out.setdefault(origin, []).append((start, end, claim.id))
    for spans in out.values():
        spans.sort()
    return out


def _candidates(
    material: StoryMaterial, claims: Sequence[Claim]
) -> tuple[list[_Candidate], dict[str, float]]:
    origins = _origins(material.articles)
    support = _support_index(material, claims, origins)
    originals = [(i, a) for i, a in enumerate(material.articles) if origins[a.id] == a.id]
    # Article frequency measures centrality (how many reports use a word); sentence frequency
    # weighs words for the redundancy test (a word in every sentence says nothing new).
    article_df: Counter[str] = Counter()
    sentence_df: Counter[str] = Counter()
    split: list[tuple[int, Article, list[tuple[int, int, frozenset[str]]]]] = []
    for position, article in originals:
        skip = dateline_end(article.text)
        spans = []
        index = SentenceIndex(article.text)
        for span in index.spans:
            if index.is_heading(span):
                continue  # a sub-head or headline: a topic, not a sentence of the news
            start = max(span.start, skip)
            while start < span.end and article.text[start].isspace():
                start += 1
            if start >= span.end:
                continue
            spans.append((start, span.end, frozenset(tokens(article.text[start : span.end]))))
        article_df.update(set().union(*(w for _, _, w in spans)) if spans else set())
        for _, _, words in spans:
            sentence_df.update(words)
        split.append((position, article, spans))
    total = max(sum(len(spans) for _, _, spans in split), 1)
    idf = {w: 1.0 + math.log(total / c) for w, c in sentence_df.items()}

    out: list[_Candidate] = []
    first_report = split[0][1] if split else None
    norm = math.sqrt(sum(c * c for c in article_df.values())) or 1.0
    for position, article, spans in split:
        claim_spans = support.get(article.id, [])
        annotations = material.annotations.get(article.id)
        days = [
            (t.start, t.value[:10])
            for t in (annotations.timexes if annotations is not None else ())
            if _DAY.match(t.value)
        ]
        for rank, (start, end, words) in enumerate(spans):
            text = article.text[start:end]
            count = len(text.split())
            if not MIN_WORDS <= count <= MAX_WORDS or not words or _unbalanced(text):
                continue
            covered = frozenset(c for s, e, c in claim_spans if s < end and e > start)
            lead = LEAD_BONUS if rank == 0 else LEAD_BONUS / 2 if rank == 1 else 0.0
            # Cosine of its words with the story's word counts (by article): how much of what
            # most reports say it says, without favouring short or long sentences.
            centrality = sum(article_df[w] for w in words) / (math.sqrt(len(words)) * norm)
            first = text.lstrip("\"'“‘(").split(maxsplit=1)[0].strip(",;:").casefold()
            out.append(
                _Candidate(
                    article=article,
                    position=position,
                    start=start,
                    end=end,
                    words=EventWords(words),
                    norm=weighted_norm(EventWords(words), idf),
                    claims=covered,
                    days=frozenset(d for o, d in days if start <= o < end),
                    lead=lead,
                    base=CENTRALITY_WEIGHT * centrality,
                    factor=0.5 if first in _DANGLING else 1.0,
                    opening=rank == 0 and article is first_report,
                    claims_sorted=tuple(sorted(covered)),
                )
            )
    return out, idf


def _weights(claims: Sequence[Claim], disagreements: Sequence[Disagreement]) -> dict[str, float]:
    """What covering each claim adds: its sources relative to the best-sourced claim's, plus
    its share of each disagreement it is part of (disagreements weigh less with their rank, by
    the sources of their claims). A disagreement's share is additive over its claims, so a
    sentence giving both figures covers it whole."""
    top = max((c.independent_sources for c in claims), default=1) or 1
    weight = {c.id: CLAIM_WEIGHT * max(c.independent_sources, 1) / top for c in claims}
    sources = {c.id: max(c.independent_sources, 1) for c in claims}
    ranked = []
    for d in disagreements:
        ids = sorted({i for i in d.claim_ids if i in weight})
        if ids:
            ranked.append((-sum(sources[i] for i in ids), ids))
    ranked.sort()
    for rank, (_, ids) in enumerate(ranked):
        for claim_id in ids:
            weight[claim_id] += DISAGREEMENT_WEIGHT / (rank + 1) / len(ids)
    return weight


def _same_day(a: Article, b: Article) -> bool:
    if a.published is None or b.published is None:
        return a.published is b.published
    return abs(a.published - b.published) < NEWS_DAY


def _gain(
    candidate: _Candidate,
    covered: set[str],
    leads: Sequence[Article],
    claim_weight: Mapping[str, float],
) -> float:
    gain = candidate.base + sum(claim_weight.get(c, 0.0) for c in candidate.claims - covered)
    if candidate.lead and not any(_same_day(candidate.article, a) for a in leads):
        gain += candidate.lead
    return gain * candidate.factor


def _similarity(a: _Candidate, b: _Candidate, idf: Mapping[str, float]) -> float:
    similarity = event_similarity(a.words, b.words, idf, norms=(a.norm, b.norm))
    if a.days and b.days and not a.days & b.days:
        similarity *= OTHER_DAY
    return similarity


def _select(
    candidates: list[_Candidate],
    claim_weight: Mapping[str, float],
    idf: Mapping[str, float],
    max_sentences: int,
) -> list[_Candidate]:
    """Greedy MMR selection (see the module docstring)."""
    chosen: list[_Candidate] = []
    covered: set[str] = set()
    leads: list[Article] = []
    for candidate in candidates:
        candidate.score = _gain(candidate, covered, leads, claim_weight)

    def take(best: _Candidate) -> None:
        best.chosen = True
        chosen.append(best)
        covered.update(best.claims)
        if best.lead >= LEAD_BONUS:
            leads.append(best.article)

    # A sentence's gain only falls as the brief fills, so the choice lies among the best
    # first gains: the rounds look at those alone and stay cheap for stories of any size.
    ranked = sorted(candidates, key=lambda c: (-c.score, c.position, c.start))
    pool = ranked[: max(SELECTION_POOL_PER_SENTENCE * max_sentences, SELECTION_POOL_MIN)]
    if max_sentences > 1:
        # The story's first report says what happened: the brief starts from it.
        for candidate in candidates:
            if candidate.opening:
                take(candidate)
    while len(chosen) < max_sentences:
        gains = [(_gain(c, covered, leads, claim_weight), c) for c in pool if not c.chosen]
        best_gain = max((g for g, _ in gains), default=0.0)
        if best_gain <= 0:
            break
        pick: tuple[float, tuple[int, int], _Candidate] | None = None
        for gain, c in gains:
            similarity = max((_similarity(c, s, idf) for s in chosen), default=0.0)
            if similarity >= NEAR_DUPLICATE:
                continue
            mmr = (1 - REDUNDANCY) * gain / best_gain - REDUNDANCY * similarity
            key = (c.position, c.start)
            if pick is None or mmr > pick[0] or (mmr == pick[0] and key < pick[1]):
                pick = (mmr, key, c)
        if pick is None:
            break
        take(pick[2])
    return sorted(chosen, key=lambda c: (c.position, c.start))


def _public(candidate: _Candidate) -> BriefCandidate:
    return BriefCandidate(
        sentence=candidate.article.text[candidate.start : candidate.end],
        article_id=candidate.article.id,
        start=candidate.start,
        end=candidate.end,
        source=candidate.article.source,
        published=candidate.article.published,
        score=round(candidate.score, 6),
        claim_ids=candidate.claims_sorted,
        chosen=candidate.chosen,
    )


def _sentence(candidate: _Candidate) -> BriefSentence:
    return BriefSentence(
        sentence=candidate.article.text[candidate.start : candidate.end],
        article_id=candidate.article.id,
        start=candidate.start,
        end=candidate.end,
    )


def _checked(
    material: StoryMaterial,
    offered: Sequence[BriefCandidate],
    written: Iterable[BriefSentence],
    max_sentences: int,
) -> list[BriefSentence]:
    """What a summarizer wrote, if every sentence cites a span overlapping an offered one."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in offered:
        spans.setdefault(c.article_id, []).append((c.start, c.end))
    lengths = {a.id: len(a.text) for a in material.articles}
    out = []
    for item in written:
        if not isinstance(item, BriefSentence) or not item.sentence.strip():
            raise ValueError(f"not a cited sentence: {item!r}")
        if not 0 <= item.start < item.end <= lengths.get(item.article_id, -1):
            raise ValueError(f"cites no span of a story article: {item!r}")
        if not any(s < item.end and item.start < e for s, e in spans.get(item.article_id, ())):
            raise ValueError(f"cites a span no candidate offered: {item!r}")
        out.append(item)
    if not out:
        raise ValueError("returned no sentence")
    return out[:max_sentences]


def build_brief(
    material: StoryMaterial,
    claims: Sequence[Claim],
    disagreements: Sequence[Disagreement],
    *,
    max_sentences: int = 5,
    summarizer: Summarizer | None = None,
) -> tuple[BriefSentence, ...]:
    """At most ``max_sentences`` sentences of the story's articles that cover its most
    corroborated claims and main disagreements without repeating themselves, in story order.

    Each sentence cites its article and span (``text[start:end] == sentence`` for the
    extractive brief). With a ``summarizer``, it is offered the best candidates and its
    sentences are used when they all cite offered spans; otherwise (or when it raises) the
    extractive brief is returned and a warning logged. See the module docstring for the rules.
    """
    if max_sentences <= 0:
        return ()
    candidates, idf = _candidates(material, claims)
    chosen = _select(candidates, _weights(claims, disagreements), idf, max_sentences)
    extractive = tuple(_sentence(c) for c in chosen)
    if summarizer is None:
        return extractive
    pool = max(POOL_PER_SENTENCE * max_sentences, 20)
    ranked = sorted(candidates, key=lambda c: (not c.chosen, -c.score, c.position, c.start))
    offered = [_public(c) for c in ranked[:pool]]
    try:
        written = summarizer(offered, title=material.story.title, max_sentences=max_sentences)
        return tuple(_checked(material, offered, written, max_sentences))
    except Exception as exc:  # a plug-in's failure must not cost the user the dossier
        log.warning("summarizer failed, using the extractive brief: %s", exc)
        return extractive
