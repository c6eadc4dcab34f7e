"""Online story clustering: each article joins the story it best continues, or founds one.

A *story* is one developing real-world event across outlets and over time (two earthquakes in
two countries are two stories; a siege reported in November and again in March is one). Each
article is compared with a bounded set of candidate stories taken from an index, and joins the
best when the similarity reaches ``settings.threshold``.

Similarity of an article to a story (both as TF-IDF vectors with online document frequencies):

* **text**: cosine of the article's content-word vector with the story's centroid (the sum of
  its articles' normalized vectors);
* **names**: cosine of their canonical entity keys (people, places, organisations; spellings
  and transliterations meet through :func:`~storyline.link.features.name_key`): what tells two
  events of the same kind apart;
* **dates**: the calendar dates and years they mention, when both mention some;
* **figures** they state (numbers from the quantities annotator);
* **time decay** when both publication times are known: the score is multiplied by
  ``0.5 ** (days / half_life_days)`` for the days between the article and the story's span,
  beyond a grace week, and never by less than :data:`DECAY_FLOOR`; with either time unknown,
  no penalty.

The score is ``(1 - entity_weight) * text + entity_weight * names`` (text alone when either
side has no names), plus ``date_weight * dates + number_weight * figures``: shared dates and
figures are evidence of one event, and having none in common is no evidence against it.

Wire copies (``article.duplicate_of`` set) join their origin's story directly.

Story ids are ``s-`` and a hash of the founding article's id: deterministic, and never renamed
by later articles. When an article matches two stories at ``settings.merge_threshold`` or more,
they are merged: the older story's id survives, a :class:`~storyline.model.StoryEvent` records
the merge with its reason, and the merged id resolves to the survivor (``resolve``).

Online assignment sees each article once, against the stories and document frequencies of
that moment. :meth:`StoryClusterer.check` looks again at the stories that changed: it splits a
story whose articles fall into separate groups (average linkage at ``settings.threshold``),
and merges a story of one article into the story it now matches; ``storyline ingest`` and
``storyline eval clustering`` run it every ``settings.check_every`` articles and at the end.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np

from storyline.config import StorySettings
from storyline.link.dense import Embedder, cosine, lead_text
from storyline.link.features import ArticleFeatures, article_features
from storyline.link.index import MemoryStoryIndex, StoredArticle, StoryIndex, StoryProfile
from storyline.model import Annotations, Article, Assignment, Explanation, StoryEvent

__all__ = [
    "LOOKUP_ENTITIES",
    "LOOKUP_TERMS",
    "PER_FEATURE",
    "CheckReport",
    "StoryClusterer",
    "story_id_for",
]

LOOKUP_TERMS = 12
"""An article's strongest terms (by TF-IDF) looked up in the index for candidate stories."""
LOOKUP_ENTITIES = 8
"""An article's strongest entity keys looked up in the index."""
PER_FEATURE = 8
"""Most recently posted stories read per looked-up feature: up to 160 stories found for the
:data:`max_candidates <storyline.config.StorySettings>` scored. Reading 16 gave the same stories
on ECB+ dev, the demo corpus and 1,000 generated articles onto 100,000 stored, at twice the
cost of every look-up."""
MIN_SHARED = 0.1
"""A candidate story must be found under looked-up features that carry at least this much of
the article's (unit-length) weight: a story sharing one weak word is not worth scoring. Without
it, the number of stories scored per article grows with the store until ``max_candidates``.
0.1 rather than 0.2: in a young store, document frequencies make the words two reports of one
event share look common, and 0.2 kept day two of a port strike from finding day one (ECB+ dev
BCubed F1 0.880 -> 0.885 in file order, 0.911 shuffled either way)."""
PROFILE_LIMITS = {"t": 150, "e": 60, "d": 30, "n": 30}
"""A story centroid keeps at most this many features per namespace (its strongest)."""
RECENT_MEMBERS = 24
"""Articles per story kept for explanations (the most recent)."""
PERIOD = "p:"
"""Prefix of the raw features that hold the periods an article's lead refers to."""
TIME_NAMES_MIN = 0.3
"""The cosine of names an article must share with a story for its lead's dates, not only its
publication time, to count in the time decay (the same people and places, not only the same
kind of event)."""
DENSE_FLOOR = 0.5
"""The cosine of lead vectors below which two leads are not evidence of one event: unrelated
news leads reach 0.25-0.35 with the default model (same language, same register)."""
DECAY_FLOOR = 0.5
"""Time decay never takes more than this share off: a story that resumes after months (a trial,
an anniversary, a siege reported again) can still be joined on strong evidence."""
DATED_APART_FLOOR = 0.25
"""The floor when the article's first sentence dates its event away from the story's reports
(beyond the grace week): the dates two events of one kind refer to are what tells them apart."""
GRACE_DAYS = 7.0
"""Days between an article and a story's span that cost nothing (a news cycle)."""
MIN_CHECKED = 4
"""A check only looks at stories with at least this many (non-copy) articles: fewer cannot
hold two events that are each reported more than once."""
MIN_PART = 3
"""A split takes out groups of at least this many articles; smaller groups stay with the part
they resemble most (an outlier or a pair is weak evidence of a second event, and splitting
them off costs more recall than it gains precision)."""
CHECKED_PER_RUN = 1000
"""Changed stories looked at per check, at most (the rest wait for the next check)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """What one :meth:`StoryClusterer.check` did."""

    checked: tuple[str, ...] = ()
    """Stories looked at (live ids, sorted)."""
    skipped: tuple[str, ...] = ()
    """Changed stories left alone because they have more than ``check_max_members`` articles."""
    events: tuple[StoryEvent, ...] = ()
    """The splits and merges made, in order."""
    moved: int = 0
    """Articles whose story changed: split off, or merged from a story of one article."""

    def to_dict(self) -> dict[str, object]:
        return {
            "checked": len(self.checked),
            "skipped": list(self.skipped),
            "moved": self.moved,
            "events": [e.to_dict() for e in self.events],
        }


def story_id_for(article_id: str) -> str:
    """The id of a story founded by ``article_id``: stable across runs and processes.

    >>> story_id_for("a01")
    's-f1a8d12f9541'
    """
    return "s-" + hashlib.sha256(article_id.encode()).hexdigest()[:12]


def _namespace(feature: str) -> str:
    return feature[0]


def _idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 1)) + 1.0


# The scoring helpers below run for every feature of every candidate, so they index the
# namespace (``feature[0]``) inline rather than call _namespace.


def _squares(vector: Mapping[str, float]) -> dict[str, float]:
    """Sum of squared weights per namespace."""
    sums: dict[str, float] = {}
    for feature, value in vector.items():
        ns = feature[0]
        sums[ns] = sums.get(ns, 0.0) + value * value
    return sums


def _normalized(vector: Mapping[str, float]) -> dict[str, float]:
    """Each namespace of ``vector`` scaled to unit length."""
    roots = {ns: math.sqrt(total) for ns, total in _squares(vector).items() if total}
    return {f: v / roots[f[0]] for f, v in vector.items() if f[0] in roots}


def _norms(vector: Mapping[str, float]) -> dict[str, float]:
    return {ns: math.sqrt(total) for ns, total in _squares(vector).items()}


def _strongest(unit: Mapping[str, float]) -> dict[str, float]:
    """The :data:`LOOKUP_TERMS` strongest terms and :data:`LOOKUP_ENTITIES` strongest entity
    keys of a normalized vector (ties by name), terms first."""
    # Sorting (negated weight, name) pairs compares in C, with no key function per feature.
    terms = sorted((-w, f) for f, w in unit.items() if f[0] == "t")[:LOOKUP_TERMS]
    names = sorted((-w, f) for f, w in unit.items() if f[0] == "e")[:LOOKUP_ENTITIES]
    return {f: -w for w, f in terms + names}


def _gap_days(when: datetime | None, story: StoryProfile) -> float | None:
    first, last = story.first_published, story.last_published
    if when is None or first is None or last is None:
        return None
    if when < first:
        return (first - when).total_seconds() / 86400
    if when > last:
        return (when - last).total_seconds() / 86400
    return 0.0


def _dense_sum(vectors: Iterable[Sequence[float]]) -> tuple[float, ...]:
    """The sum of lead vectors (the empty ones skipped), at the float32 precision a store
    keeps, so that every index gives the same scores."""
    present = [v for v in vectors if v]
    if not present:
        return ()
    total = np.sum(np.asarray(present, dtype=np.float64), axis=0).astype(np.float32)
    return tuple(float(x) for x in total)


def _lead_periods(raw: Mapping[str, float]) -> dict[str, float]:
    """The period features of raw features (a few at most): looked for once per article, not
    once per candidate story."""
    return {f: w for f, w in raw.items() if f[0] == "p"}


def _scored(raw: Mapping[str, float]) -> Mapping[str, float]:
    """The features that are scored and counted: all but the lead's periods."""
    if not any(f.startswith(PERIOD) for f in raw):
        return raw
    return {f: w for f, w in raw.items() if not f.startswith(PERIOD)}


def _period_bounds(period: str) -> tuple[datetime, datetime] | None:
    """Start and end (exclusive, UTC) of a day (``2024-10-17``), ISO week (``2024-W42``) or
    month (``2024-10``)."""
    try:
        if "W" in period:
            start = date.fromisocalendar(int(period[:4]), int(period[6:8]), 1)
            end = start + timedelta(days=7)
        elif len(period) == 10:
            start = date.fromisoformat(period)
            end = start + timedelta(days=1)
        else:
            year, month = int(period[:4]), int(period[5:7])
            start = date(year, month, 1)
            end = date(year + month // 12, month % 12 + 1, 1)
    except ValueError:
        return None
    return (
        datetime(start.year, start.month, start.day, tzinfo=UTC),
        datetime(end.year, end.month, end.day, tzinfo=UTC),
    )


def _reference_gap(raw: Mapping[str, float], story: StoryProfile) -> tuple[float, str] | None:
    """Days between the nearest period an article's lead refers to and a story's reports
    (0 when they overlap), with that period; None without either."""
    first, last = story.first_published, story.last_published
    if first is None or last is None:
        return None
    best: tuple[float, str] | None = None
    for feature in raw:
        if not feature.startswith(PERIOD):
            continue
        bounds = _period_bounds(feature[len(PERIOD) :])
        if bounds is None:
            continue
        start, end = (_aware(b, first) for b in bounds)
        if end < first:
            gap = (first - end).total_seconds() / 86400
        elif start > last:
            gap = (start - last).total_seconds() / 86400
        else:
            gap = 0.0
        if best is None or gap < best[0]:
            best = (gap, feature[len(PERIOD) :])
    return best


def _aware(bound: datetime, like: datetime) -> datetime:
    """``bound`` (UTC) comparable with ``like`` (which may be naive)."""
    return bound if like.tzinfo is not None else bound.replace(tzinfo=None)


def _days(gap: float) -> str:
    return f"{gap:.0f} day" + ("" if round(gap) == 1 else "s")


class StoryClusterer:
    """Assigns articles, one at a time as they arrive, to stories kept in a :class:`StoryIndex`.

    The cost of one :meth:`add` does not grow with the number of stories: candidates come from
    the index's posting lists (the article's :data:`LOOKUP_TERMS` + :data:`LOOKUP_ENTITIES`
    strongest features, the :data:`PER_FEATURE` most recent stories of each), and at most
    ``settings.max_candidates`` stories are scored against bounded centroids.

    >>> from storyline.config import StorySettings
    >>> clusterer = StoryClusterer(StorySettings())
    >>> text = "The Marlow River burst its banks in Eastbrook, Valdoria, flooding streets."
    >>> first = clusterer.add(Article(id="a1", text=text))
    >>> first.new_story, first.story_id
    (True, 's-f55ff16f66f4')
    >>> copy = clusterer.add(Article(id="a2", text=text, duplicate_of="a1"))
    >>> copy.story_id == first.story_id, copy.reason
    (True, 'wire copy of a1')
    """

    def __init__(
        self,
        settings: StorySettings,
        index: StoryIndex | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.index: StoryIndex = index if index is not None else MemoryStoryIndex()
        self.embedder = embedder if settings.dense_weight > 0 else None

    def _embed(self, article: Article, annotations: Annotations | None) -> tuple[float, ...]:
        """The unit vector of an article's title and lead, when an embedder is set and the
        article was annotated (with annotation off, ingest stays cheap: no model runs)."""
        if self.embedder is None or annotations is None:
            return ()
        return self.embedder.embed(lead_text(article))

    # -- features --------------------------------------------------------------------------

    def features(self, article: Article, annotations: Annotations | None) -> dict[str, float]:
        """The article's raw, namespaced feature weights (see :mod:`storyline.link.features`)."""
        return self._raw(article_features(article, annotations))

    @staticmethod
    def _raw(f: ArticleFeatures) -> dict[str, float]:
        out = {"t:" + t: w for t, w in f.terms.items()}
        out.update(("e:" + k, w) for k, w in f.entities.items())
        out.update(("d:" + d, 1.0 + math.log(c)) for d, c in f.dates.items())
        out.update(("n:" + n, 1.0 + math.log(c)) for n, c in f.numbers.items())
        # When the lead says the event happened: kept with the article for the time evidence,
        # never part of its vector.
        out.update((PERIOD + p, 1.0) for p in f.lead_periods)
        return out

    def _weighted(self, raw: Mapping[str, float]) -> dict[str, float]:
        """TF-IDF weights from the index's current document frequencies."""
        n = self.index.document_count()
        scored = _scored(raw)
        df = self.index.document_frequencies(scored)
        return {f: w * _idf(df[f], n) for f, w in scored.items()}

    # -- scoring ---------------------------------------------------------------------------

    def _components(
        self,
        vector: Mapping[str, float],
        norms: Mapping[str, float],
        story: StoryProfile,
        dense: Sequence[float] = (),
    ) -> dict[str, float]:
        """Cosine per namespace of an article vector with a story centroid (present in both),
        and ``v``: of the article's lead vector with the story's (when both have one)."""
        centroid = story.centroid
        story_norms = story.norms or _norms(centroid)
        dots: dict[str, float] = {}
        for feature, value in vector.items():
            other = centroid.get(feature)
            if other is not None:
                ns = feature[0]
                dots[ns] = dots.get(ns, 0.0) + value * other
        out: dict[str, float] = {}
        for ns, norm in norms.items():
            other_norm = story_norms.get(ns, 0.0)
            if norm and other_norm:
                out[ns] = dots.get(ns, 0.0) / (norm * other_norm)
        if dense and story.dense and self.settings.dense_weight > 0:
            out["v"] = cosine(dense, story.dense)
        return out

    def _combine(self, components: Mapping[str, float]) -> float:
        """One similarity from the per-namespace cosines; a missing part is not a penalty."""
        entity_weight = self.settings.entity_weight
        text = components.get("t", 0.0)
        if "v" in components:
            # Leads that say the same in other words: only what lies above the cosine that
            # unrelated news leads reach counts.
            lead = max(0.0, (components["v"] - DENSE_FLOOR) / (1.0 - DENSE_FLOOR))
            text += self.settings.dense_weight * (lead - text)
        if "e" in components:
            score = (1.0 - entity_weight) * text + entity_weight * components["e"]
        else:
            score = text
        # Shared dates and figures are evidence of one event; none in common is no evidence.
        score += self.settings.date_weight * components.get("d", 0.0)
        score += self.settings.number_weight * components.get("n", 0.0)
        return score

    def _decay(
        self,
        when: datetime | None,
        raw: Mapping[str, float],
        story: StoryProfile,
        components: Mapping[str, float],
    ) -> float:
        return self._time(when, raw, story, components)[0]

    def _time(
        self,
        when: datetime | None,
        raw: Mapping[str, float],
        story: StoryProfile,
        components: Mapping[str, float],
    ) -> tuple[float, str]:
        """The time decay of an article (published ``when``, raw features ``raw``) against a
        story, and what it rests on, in words.

        The days counted are those between the article's publication and the story's reports,
        or, when the article shares the story's names (a cosine of at least
        :data:`TIME_NAMES_MIN`), between the story's reports and the period its first sentence
        dates its event to, whichever is less: a report that dates its event to the months a
        story was reported ("Five months ago, forces began their offensive ...") continues that
        story, however late it comes. A first sentence that dates its event away from the
        story's reports (a second fight "on Saturday", months after the first) is evidence of
        another event: the decay may then fall to :data:`DATED_APART_FLOOR` rather than
        :data:`DECAY_FLOOR`."""
        gap = _gap_days(when, story)
        note = "" if gap is None else f"published {_days(gap)} from the story's reports"
        floor = DECAY_FLOOR
        referred = _reference_gap(raw, story)
        if referred is not None:
            distance, period = referred
            if distance > GRACE_DAYS:
                floor = DATED_APART_FLOOR
                note += f"; its lead dates its event to {period}, {_days(distance)} away"
            elif components.get("e", 0.0) >= TIME_NAMES_MIN and (gap is None or distance < gap):
                gap = distance
                where = "within" if distance <= 0 else f"{_days(distance)} from"
                note += f"; its lead dates its event to {period}, {where} the story's reports"
        note = note.lstrip("; ")
        if gap is None or gap <= GRACE_DAYS:
            return 1.0, (f"{note}: no time decay" if note else "")
        decay = max(floor, float(0.5 ** ((gap - GRACE_DAYS) / self.settings.half_life_days)))
        return decay, f"{note}: time decay x{decay:.2f}"

    def score(
        self,
        vector: Mapping[str, float],
        when: datetime | None,
        story: StoryProfile,
        raw: Mapping[str, float] | None = None,
        dense: Sequence[float] = (),
    ) -> float:
        """Similarity of a TF-IDF article vector published at ``when`` (with raw features
        ``raw``, for the periods its lead refers to, and its lead vector ``dense``) to a
        story."""
        components = self._components(vector, _norms(vector), story, dense)
        return self._combine(components) * self._decay(
            when, _lead_periods(raw or {}), story, components
        )

    def _lookup(self, vector: Mapping[str, float]) -> dict[str, float]:
        """The article's strongest terms and entity keys, normalized per namespace."""
        return _strongest(_normalized(vector))

    def candidates(self, vector: Mapping[str, float]) -> list[str]:
        """Live ids of the stories worth scoring for an article vector: at most
        ``settings.max_candidates``, each found under looked-up features carrying at least
        :data:`MIN_SHARED` of the article's weight."""
        return self._candidates(self._lookup(vector))

    def _candidates(self, lookup: Mapping[str, float]) -> list[str]:
        found = self.index.candidates(
            lookup, per_feature=PER_FEATURE, limit=self.settings.max_candidates
        )
        return [story_id for story_id, shared in found if shared >= MIN_SHARED]

    # -- assignment ------------------------------------------------------------------------

    def add(self, article: Article, annotations: Annotations | None = None) -> Assignment:
        """Assign ``article`` to a story (existing or new), remember it, and say why.

        Adding an article whose id is already assigned changes nothing and returns its
        assignment (with its story id resolved through any merge since).
        """
        index = self.index
        stored = index.article(article.id)
        if stored is not None:
            return self._assignment(stored)
        arrival = index.article_count()
        extracted = article_features(article, annotations)
        raw = self._raw(extracted)

        if article.duplicate_of is not None:
            origin = index.article(article.duplicate_of)
            if origin is not None:
                story = index.story(index.resolve(origin.story_id))
                if story is not None:
                    return self._join_copy(article, raw, story, origin, arrival)

        dense = self._embed(article, annotations)
        index.count_document(_scored(raw))
        vector = self._weighted(raw)
        norms = _norms(vector)
        scored: list[tuple[float, str]] = []
        unit = _normalized(vector)
        lookup = _strongest(unit)
        profiles = index.stories(self._candidates(lookup))
        dated = _lead_periods(raw)
        for story_id, story in profiles.items():
            components = self._components(vector, norms, story, dense)
            score = self._combine(components) * self._decay(
                article.published, dated, story, components
            )
            scored.append((score, story_id))
        scored.sort(key=lambda pair: (-pair[0], profiles[pair[1]].created))
        best_score, best = scored[0] if scored else (0.0, None)
        runner_score, runner = scored[1] if len(scored) > 1 else (0.0, None)
        threshold = self.settings.threshold

        merged: tuple[str, ...] = ()
        if best is not None and best_score >= threshold:
            story = profiles[best]
            reason = f"score {best_score:.3f} >= threshold {threshold:.2f}"
            strong = [s for score, s in scored[1:] if score >= self.settings.merge_threshold]
            if best_score >= self.settings.merge_threshold and strong:
                story, merged = self._merge(
                    article.id, [profiles[best]] + [profiles[s] for s in strong], scored
                )
                runner_score, runner = next(
                    ((sc, s) for sc, s in scored if s not in merged and s != story.story_id),
                    (0.0, None),
                )
            new_story = False
        else:
            story_id = story_id_for(article.id)
            while index.story(story_id) is not None or index.resolve(story_id) != story_id:
                story_id = story_id_for(story_id)
            story = StoryProfile(story_id=story_id, founded_by=article.id, created=arrival)
            reason = (
                "no candidate story"
                if best is None
                else f"best score {best_score:.3f} < threshold {threshold:.2f}"
            )
            new_story = True
            if best is not None:
                runner_score, runner = best_score, best

        # The time evidence against the best candidate: why it was joined, or not.
        time = ""
        if best is not None:
            components = self._components(vector, norms, profiles[best], dense)
            time = self._time(article.published, dated, profiles[best], components)[1]
        names = {"e:" + k: v for k, v in extracted.entity_names.items()}
        story = self._extend(
            story, article, unit, arrival, update_centroid=True, names=names, dense=dense
        )
        index.put_story(story)
        index.post(story.story_id, lookup, arrival=arrival)
        record = StoredArticle(
            article_id=article.id,
            story_id=story.story_id,
            arrival=arrival,
            published=article.published,
            features=raw,
            vector=unit,
            names=names,
            score=best_score,
            new_story=new_story,
            runner_up=runner,
            runner_up_score=runner_score,
            reason=reason,
            time=time,
            dense=dense,
        )
        index.put_article(record)
        return replace(self._assignment(record), merged=merged)

    def _join_copy(
        self,
        article: Article,
        raw: dict[str, float],
        story: StoryProfile,
        origin: StoredArticle,
        arrival: int,
    ) -> Assignment:
        """A wire copy joins its origin's story; it adds nothing to centroid or frequencies."""
        story = self._extend(story, article, {}, arrival, update_centroid=False)
        self.index.put_story(story)
        record = StoredArticle(
            article_id=article.id,
            story_id=story.story_id,
            arrival=arrival,
            published=article.published,
            features=raw,
            names=dict(origin.names),
            score=1.0,
            new_story=False,
            reason=f"wire copy of {origin.article_id}",
            duplicate_of=origin.article_id,
        )
        self.index.put_article(record)
        return self._assignment(record)

    def _extend(
        self,
        story: StoryProfile,
        article: Article,
        unit: Mapping[str, float],
        arrival: int,
        *,
        update_centroid: bool,
        names: Mapping[str, str] | None = None,
        dense: Sequence[float] = (),
    ) -> StoryProfile:
        centroid = dict(story.centroid)
        known = story.names
        story_dense = _dense_sum((story.dense, dense)) if update_centroid else story.dense
        if update_centroid:
            for feature, value in unit.items():
                centroid[feature] = centroid.get(feature, 0.0) + value
            centroid = _prune(centroid)
            known = {**(names or {}), **story.names}
            known = {k: v for k, v in known.items() if k in centroid}
        when = article.published
        first, last = story.first_published, story.last_published
        if when is not None:
            first = when if first is None or when < first else first
            last = when if last is None or when > last else last
        recent = (*story.recent, article.id)[-RECENT_MEMBERS:]
        return replace(
            story,
            size=story.size + 1,
            centroid=centroid,
            norms=_norms(centroid),
            names=known,
            first_published=first,
            last_published=last,
            last_arrival=arrival,
            recent=recent,
            dense=story_dense,
        )

    def _merge(
        self,
        article_id: str,
        stories: list[StoryProfile],
        scored: list[tuple[float, str]],
        reason: str | None = None,
    ) -> tuple[StoryProfile, tuple[str, ...]]:
        """Fold ``stories`` into the oldest of them; record the merge."""
        stories = sorted(stories, key=lambda s: s.created)
        into = stories[0]
        scores = {s: score for score, s in scored}
        centroid = dict(into.centroid)
        size, recent = into.size, list(into.recent)
        first, last = into.first_published, into.last_published
        for other in stories[1:]:
            for feature, value in other.centroid.items():
                centroid[feature] = centroid.get(feature, 0.0) + value
            size += other.size
            recent.extend(other.recent)
            if other.first_published is not None:
                first = (
                    other.first_published if first is None else min(first, other.first_published)
                )
            if other.last_published is not None:
                last = other.last_published if last is None else max(last, other.last_published)
        merged_ids = tuple(s.story_id for s in stories[1:])
        if reason is None:
            reason = f"article {article_id} matched " + ", ".join(
                f"{s.story_id} ({scores[s.story_id]:.3f})" for s in stories
            )
        self.index.add_event(
            StoryEvent(
                kind="merge",
                story_ids=tuple(s.story_id for s in stories),
                into=into.story_id,
                reason=reason,
                at_article=article_id,
            )
        )
        for other in stories[1:]:
            self.index.remove_story(other.story_id)
        pruned = _prune(centroid)
        merged = replace(
            into,
            size=size,
            centroid=pruned,
            norms=_norms(pruned),
            first_published=first,
            last_published=last,
            recent=tuple(recent)[-RECENT_MEMBERS:],
            dense=_dense_sum(s.dense for s in stories),
        )
        return merged, merged_ids

    # -- periodic check ----------------------------------------------------------------------

    def periodic_check(self) -> CheckReport | None:
        """:meth:`check`, when the number of stored articles is a multiple of
        ``settings.check_every`` (call it after each :meth:`add`); None otherwise."""
        every = self.settings.check_every
        count = self.index.article_count()
        if every and count and count % every == 0:
            return self.check()
        return None

    def check(self, story_ids: Sequence[str] | None = None) -> CheckReport:
        """Look again at the stories that changed since the last check (or at ``story_ids``):
        split those whose articles report separate events, and merge a story of one article
        into the story it now matches.

        Online assignment sees each article once, against stories as they were then; two
        events of one kind with a shared protagonist (two fights of one boxer, two quakes on one
        island) can end up in one story. A check compares a story's articles with each other,
        under today's document frequencies, and groups them by average linkage: groups of at
        least :data:`MIN_PART` articles whose average similarity to the rest stays below
        ``settings.threshold`` (what an article needs to join a story) are split off into
        stories of their own, with their wire copies. The part holding the founding article
        keeps the story id; each part split off gets the id its earliest article would have
        founded; a ``split`` event records it. Cost: the square of a checked story's size, so
        stories with more than ``settings.check_max_members`` articles are skipped (reported
        as ``skipped``).

        An article that founded a story of its own when the store knew little (its words
        looked rare, its names unseen) is scored again against its candidate stories; at
        ``settings.threshold`` or more, its story is merged into the best (a ``merge`` event,
        the older id surviving, as when an article joins two stories).
        """
        index = self.index
        if story_ids is None:
            targets = index.changed_stories(limit=CHECKED_PER_RUN)
        else:
            targets = sorted({index.resolve(s) for s in story_ids})
        checked: list[str] = []
        skipped: list[str] = []
        events: list[StoryEvent] = []
        moved = 0
        cap = self.settings.check_max_members
        lone: list[str] = []  # stories of one article (and its copies): may rejoin another
        profiles = index.stories(targets)
        for story_id in targets:
            story = profiles.get(story_id)
            if story is None:
                continue
            if story.size > cap:
                skipped.append(story_id)
                continue
            checked.append(story_id)
            members = index.members(story_id, limit=cap)
            originals = [m for m in members if m.duplicate_of is None]
            if len(originals) == 1:
                lone.append(story_id)
                continue
            done = self._check_story(story, members, originals)
            if done is not None:
                event, count = done
                events.append(event)
                moved += count
                lone.append(story_id)  # the part that kept the id may be one article
        for story_id in lone:
            joined = self._rejoin(index.resolve(story_id))
            if joined is not None:
                event, count = joined
                events.append(event)
                moved += count
        touched = set(targets)
        for event in events:
            if event.kind == "split":
                touched.update(event.story_ids)
        index.clear_changed(sorted(touched))
        return CheckReport(
            checked=tuple(checked), skipped=tuple(skipped), events=tuple(events), moved=moved
        )

    def _check_story(
        self,
        story: StoryProfile,
        members: Sequence[StoredArticle],
        originals: Sequence[StoredArticle],
    ) -> tuple[StoryEvent, int] | None:
        if len(originals) < MIN_CHECKED:
            return None
        vectors = self._current_vectors(originals)
        similarity = self._pairwise(vectors)
        groups = _average_linkage(similarity, self.settings.threshold)
        if len(groups) < 2:
            return None
        founder = next(
            (
                g
                for g, rows in enumerate(groups)
                if any(originals[r].article_id == story.founded_by for r in rows)
            ),
            0,
        )
        big = [g for g, rows in enumerate(groups) if g == founder or len(rows) >= MIN_PART]
        if len(big) < 2:
            return None
        # Small groups join the big one they are most similar to on average.
        part_of: dict[int, int] = {}
        for g, rows in enumerate(groups):
            if g in big:
                target = g
            else:
                target = max(
                    big,
                    key=lambda b: (float(similarity[np.ix_(rows, groups[b])].mean()), -b),
                )
            for r in rows:
                part_of[r] = target
        return self._split(story, members, originals, vectors, similarity, part_of, founder)

    def _rejoin(self, story_id: str) -> tuple[StoryEvent, int] | None:
        """Merge a story of one article into the best other story when, under today's
        document frequencies, the article scores at least the threshold with it."""
        index = self.index
        story = index.story(story_id)
        if story is None:
            return None
        # An article and its wire copies are still a story of one report.
        members = index.members(story_id, limit=self.settings.check_max_members)
        originals = [m for m in members if m.duplicate_of is None]
        if len(originals) != 1:
            return None
        (article,) = originals
        (vector,) = self._current_vectors(originals)
        norms = _norms(vector)
        profiles = index.stories([s for s in self.candidates(vector) if s != story_id])
        scored: list[tuple[float, str]] = []
        dated = _lead_periods(article.features)
        for other, profile in profiles.items():
            components = self._components(vector, norms, profile, article.dense)
            decay = self._decay(article.published, dated, profile, components)
            scored.append((self._combine(components) * decay, other))
        scored.sort(key=lambda pair: (-pair[0], profiles[pair[1]].created))
        threshold = self.settings.threshold
        if not scored or scored[0][0] < threshold:
            return None
        score, best = scored[0]
        reason = (
            f"check: {article.article_id}, alone in {story_id}, now scores {score:.3f} "
            f">= threshold {threshold:.2f} with {best}"
        )
        merged, _ = self._merge(
            article.article_id, [story, profiles[best]], [(score, best)], reason=reason
        )
        index.put_story(merged)
        # What `explain` says of the article: why it is where it is now.
        index.put_article(replace(article, reason=f"{reason} (assigned: {article.reason})"))
        return index.events(merged.story_id)[-1], story.size

    def _current_vectors(self, articles: Sequence[StoredArticle]) -> list[dict[str, float]]:
        """The articles' TF-IDF vectors under today's document frequencies (unit length per
        namespace): an article assigned early was weighed with what little the store knew."""
        n = self.index.document_count()
        features = [_scored(a.features) for a in articles]
        wanted = {f for raw in features for f in raw}
        df = self.index.document_frequencies(sorted(wanted))
        return [_normalized({f: w * _idf(df[f], n) for f, w in raw.items()}) for raw in features]

    def _pairwise(self, vectors: Sequence[Mapping[str, float]]) -> np.ndarray:
        """The article-to-article score of every pair, as a matrix: :meth:`_similarity` of
        their words, names, dates and figures, without their leads' vectors. Against a
        story's summed vector, the developments its reports lead with average out; between
        two of its reports they need not meet (the march and, a week later, the arrests),
        and a check would split on that what a join rightly put together (measured: the
        demo corpus's fuel-protest story)."""
        m = len(vectors)
        seen: dict[str, int] = {}
        for vector in vectors:
            for feature in vector:
                seen[feature] = seen.get(feature, 0) + 1
        # Only features two articles share add to a dot product.
        shared = sorted(f for f, c in seen.items() if c > 1)
        column = {f: i for i, f in enumerate(shared)}
        by_ns = {ns: [column[f] for f in shared if f[0] == ns] for ns in "tedn"}
        matrix = np.zeros((m, len(shared)))
        present = {ns: np.zeros(m, dtype=bool) for ns in "tedn"}
        for row, vector in enumerate(vectors):
            for feature, value in vector.items():
                if feature in column:
                    matrix[row, column[feature]] = value
                present.setdefault(feature[0], np.zeros(m, dtype=bool))[row] = True
        dots = {}
        for ns, columns in by_ns.items():
            part = matrix[:, columns]
            dots[ns] = part @ part.T
        text = dots["t"]
        names = np.outer(present["e"], present["e"])
        w = self.settings.entity_weight
        scores = text + names * w * (dots["e"] - text)
        scores = scores + self.settings.date_weight * dots["d"]
        scores = scores + self.settings.number_weight * dots["n"]
        result: np.ndarray = scores
        return result

    def _split(
        self,
        story: StoryProfile,
        members: Sequence[StoredArticle],
        originals: Sequence[StoredArticle],
        vectors: Sequence[Mapping[str, float]],
        similarity: np.ndarray,
        part_of: Mapping[int, int],
        founder: int,
    ) -> tuple[StoryEvent, int]:
        index = self.index
        row_of = {a.article_id: r for r, a in enumerate(originals)}
        parts: dict[int, list[StoredArticle]] = {}
        for member in members:
            origin = member.duplicate_of if member.duplicate_of is not None else member.article_id
            # A wire copy goes where its origin goes; one whose origin is elsewhere stays.
            part = part_of.get(row_of[origin], founder) if origin in row_of else founder
            parts.setdefault(part, []).append(member)
        arrival = index.article_count()
        keep_rows = [r for r, p in part_of.items() if p == founder]
        new_ids: list[str] = []
        notes: list[str] = []
        moved = 0
        for part in sorted(p for p in parts if p != founder):
            articles = parts[part]
            first = min((a for a in articles if a.duplicate_of is None), key=lambda a: a.arrival)
            new_id = story_id_for(first.article_id)
            while index.story(new_id) is not None or index.resolve(new_id) != new_id:
                new_id = story_id_for(new_id)
            rows = [r for r, p in part_of.items() if p == part]
            between = float(similarity[np.ix_(rows, keep_rows)].mean())
            notes.append(f"{new_id}: {len(articles)} articles, {between:.3f} to the rest")
            profile = self._profile_of(
                StoryProfile(story_id=new_id, founded_by=first.article_id, created=first.arrival),
                articles,
                [vectors[r] for r in rows],
            )
            index.put_story(profile)
            index.post(new_id, self._lookup(profile.centroid), arrival=arrival)
            for article in articles:
                index.put_article(
                    replace(
                        article,
                        story_id=new_id,
                        reason=f"split from {story.story_id} (assigned: {article.reason})",
                    )
                )
            new_ids.append(new_id)
            moved += len(articles)
        kept = self._profile_of(story, parts[founder], [vectors[r] for r in keep_rows])
        index.put_story(kept)
        event = StoryEvent(
            kind="split",
            story_ids=(story.story_id, *new_ids),
            into=story.story_id,
            reason=(
                f"average similarity below threshold {self.settings.threshold:.2f}"
                f" ({'; '.join(notes)})"
            ),
        )
        index.add_event(event)
        return event, moved

    def _profile_of(
        self,
        story: StoryProfile,
        articles: Sequence[StoredArticle],
        vectors: Sequence[Mapping[str, float]],
    ) -> StoryProfile:
        """``story`` rebuilt from exactly these articles (vectors: the non-copies')."""
        centroid: dict[str, float] = {}
        for vector in vectors:
            for feature, value in vector.items():
                centroid[feature] = centroid.get(feature, 0.0) + value
        centroid = _prune(centroid)
        names: dict[str, str] = {}
        for article in articles:
            for key, name in article.names.items():
                names.setdefault(key, name)
        dated = [a.published for a in articles if a.published is not None]
        ordered = sorted(articles, key=lambda a: a.arrival)
        return replace(
            story,
            size=len(articles),
            centroid=centroid,
            norms=_norms(centroid),
            dense=_dense_sum(a.dense for a in articles if a.duplicate_of is None),
            names={k: v for k, v in names.items() if k in centroid},
            first_published=min(dated) if dated else None,
            last_published=max(dated) if dated else None,
            last_arrival=max(a.arrival for a in articles),
            recent=tuple(a.article_id for a in ordered)[-RECENT_MEMBERS:],
        )

    def _assignment(self, stored: StoredArticle) -> Assignment:
        return Assignment(
            article_id=stored.article_id,
            story_id=self.index.resolve(stored.story_id),
            score=stored.score,
            new_story=stored.new_story,
            runner_up=None if stored.runner_up is None else self.index.resolve(stored.runner_up),
            runner_up_score=stored.runner_up_score,
            reason=stored.reason,
        )

    # -- queries ---------------------------------------------------------------------------

    def story_of(self, article_id: str) -> str | None:
        """The live story id of an assigned article."""
        stored = self.index.article(article_id)
        return None if stored is None else self.index.resolve(stored.story_id)

    def resolve(self, story_id: str) -> str:
        """The live id of a story id (itself unless it was merged into another)."""
        return self.index.resolve(story_id)

    def events(self, story_id: str | None = None) -> list[StoryEvent]:
        return self.index.events(story_id)

    def explain(self, article_id: str, *, top: int = 8) -> Explanation:
        """Why an article is in its story: shared names and terms with their weight in the
        score, the story's articles nearest to it, and the runner-up story.

        Raises ``KeyError`` for an article that was never added.
        """
        stored = self.index.article(article_id)
        if stored is None:
            raise KeyError(article_id)
        story_id = self.index.resolve(stored.story_id)
        story = self.index.story(story_id)
        vector = self._weighted(stored.features)
        norms = _norms(vector)
        unit = _normalized(vector)
        entities: list[tuple[str, float]] = []
        terms: list[tuple[str, float]] = []
        if story is not None:
            story_norms = story.norms or _norms(story.centroid)
            components = self._components(vector, norms, story, stored.dense)
            share = self.settings.entity_weight if "e" in components else 0.0
            for feature, value in vector.items():
                other = story.centroid.get(feature)
                ns = _namespace(feature)
                if other is None or not story_norms.get(ns):
                    continue
                contribution = value * other / (norms[ns] * story_norms[ns])
                if ns == "e":
                    if feature.startswith("e:~"):  # a word of a longer name: shown by it
                        continue
                    name = stored.names.get(feature) or story.names.get(feature) or feature[2:]
                    entities.append((name, contribution * share))
                elif ns == "t":
                    terms.append((feature[2:], contribution * (1.0 - share)))
        entities.sort(key=lambda p: (-p[1], p[0]))
        terms.sort(key=lambda p: (-p[1], p[0]))
        nearest: list[tuple[str, float]] = []
        if story is not None:
            others = [i for i in story.recent if i != article_id]
            for other_id, member in sorted(self.index.articles(others).items()):
                if member.duplicate_of is not None:
                    continue
                nearest.append(
                    (other_id, self._similarity(unit, member.vector, stored.dense, member.dense))
                )
            nearest.sort(key=lambda p: (-p[1], p[0]))
        return Explanation(
            article_id=article_id,
            story_id=story_id,
            score=stored.score,
            new_story=stored.new_story,
            shared_entities=tuple(entities[:top]),
            shared_terms=tuple(terms[:top]),
            nearest=tuple(nearest[:top]),
            runner_up=None if stored.runner_up is None else self.index.resolve(stored.runner_up),
            runner_up_score=stored.runner_up_score,
            reason=stored.reason,
            time=stored.time,
        )

    def _similarity(
        self,
        a: Mapping[str, float],
        b: Mapping[str, float],
        a_dense: Sequence[float] = (),
        b_dense: Sequence[float] = (),
    ) -> float:
        """The article-to-article version of the story score (no time decay)."""
        profile = StoryProfile(
            story_id="", founded_by="", created=0, centroid=dict(b), dense=tuple(b_dense)
        )
        return self._combine(self._components(a, _norms(a), profile, a_dense))


def _prune(centroid: dict[str, float]) -> dict[str, float]:
    """Keep the strongest features of each namespace (:data:`PROFILE_LIMITS`)."""
    by_ns: dict[str, list[tuple[str, float]]] = {}
    for feature, value in centroid.items():
        by_ns.setdefault(_namespace(feature), []).append((feature, value))
    out: dict[str, float] = {}
    for ns, items in by_ns.items():
        limit = PROFILE_LIMITS.get(ns, 50)
        if len(items) > limit:
            items.sort(key=lambda p: (-p[1], p[0]))
            items = items[:limit]
        out.update(items)
    return out


def _average_linkage(similarity: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of rows of a similarity matrix: average linkage, joining the two groups with the
    highest average pairwise similarity while it is at least ``threshold``. Deterministic
    (ties: lowest rows first); groups listed by their first row."""
    m = len(similarity)
    sums = similarity.astype(float).copy()
    sizes = np.ones(m)
    active = np.ones(m, dtype=bool)
    groups: dict[int, list[int]] = {i: [i] for i in range(m)}
    while len(groups) > 1:
        average = sums / np.outer(sizes, sizes)
        mask = np.outer(active, active)
        np.fill_diagonal(mask, False)
        average[~mask] = -np.inf
        best = int(np.argmax(average))
        i, j = divmod(best, m)
        if average[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        sums[i, :] += sums[j, :]
        sums[:, i] += sums[:, j]
        sizes[i] += sizes[j]
        active[j] = False
        groups[i].extend(groups.pop(j))
    return [sorted(rows) for _, rows in sorted(groups.items())]
