"""Where the story clusterer keeps what it has seen: an in-memory index, or the store.

The clusterer computes features and scores; an index only stores and looks up plain data:
document frequencies, story profiles (summed feature vectors, bounded in size), per-article
features, posting lists from features to the stories that recently used them, and the merge and
split events that make old story ids resolve. ``storyline.store`` can implement
:class:`StoryIndex` over its database with one table per kind of record.

Feature names carry a namespace prefix: ``t:`` terms, ``e:`` entity keys, ``d:`` dates.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Protocol

from storyline.model import StoryEvent

__all__ = [
    "MemoryStoryIndex",
    "StoredArticle",
    "StoryIndex",
    "StoryProfile",
    "follow_merges",
    "post_newest",
    "rank_candidates",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredArticle:
    """What an index remembers of one assigned article: its features and its assignment."""

    article_id: str
    story_id: str
    """The story it was assigned to (resolve it: the story may have been merged since)."""
    arrival: int
    published: datetime | None = None
    features: dict[str, float] = field(default_factory=dict)
    """Raw feature weights, namespaced (``t:flood``, ``e:linda park``, ``d:2024-03-04``)."""
    vector: dict[str, float] = field(default_factory=dict)
    """Its TF-IDF vector when it was assigned, unit length per namespace (empty for copies)."""
    names: dict[str, str] = field(default_factory=dict)
    """Display names of its entity features: ``{"e:linda park": "Linda Park"}``."""
    score: float = 0.0
    new_story: bool = False
    runner_up: str | None = None
    runner_up_score: float = 0.0
    reason: str = ""
    time: str = ""
    """The time evidence against the best candidate story when it was assigned (see
    :meth:`StoryClusterer._time <storyline.link.stories.StoryClusterer._time>`)."""
    duplicate_of: str | None = None
    dense: tuple[float, ...] = ()
    """Unit vector of its title and lead (:mod:`storyline.link.dense`); empty when not
    embedded (annotation off, or ``stories.dense_weight`` 0), and for wire copies."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryProfile:
    """A story as the clusterer compares articles with it."""

    story_id: str
    founded_by: str
    """The first article's id (the story id is derived from it)."""
    created: int
    """Arrival number of the founding article: the older of two merged stories survives."""
    size: int = 0
    """Articles assigned, wire copies included."""
    centroid: dict[str, float] = field(default_factory=dict)
    """Summed raw feature weights of its (non-copy) articles, pruned to the strongest."""
    norms: dict[str, float] = field(default_factory=dict)
    """Euclidean norm of the centroid per namespace (``t``, ``e``, ``d``, ``n``); empty means
    not computed (the clusterer then computes it)."""
    names: dict[str, str] = field(default_factory=dict)
    first_published: datetime | None = None
    last_published: datetime | None = None
    last_arrival: int = 0
    recent: tuple[str, ...] = ()
    """Ids of its most recently assigned articles (newest last), for explanations."""
    dense: tuple[float, ...] = ()
    """Sum of its embedded articles' lead vectors (:attr:`StoredArticle.dense`)."""


def post_newest(posting: dict[str, int], story_id: str, arrival: int, *, bound: int) -> None:
    """Make ``story_id`` the most recent story of a posting list (story id to arrival, oldest
    first), dropping the oldest past ``bound``: the same lists in every index."""
    posting.pop(story_id, None)
    posting[story_id] = arrival
    while len(posting) > bound:
        del posting[next(iter(posting))]


def follow_merges(merged_into: Mapping[str, str], story_id: str) -> str:
    """The live id of ``story_id`` along a map of merged ids to the ids they were merged into."""
    for _ in range(1000):  # a merge chain; the bound only guards against a corrupt cycle
        into = merged_into.get(story_id)
        if into is None:
            return story_id
        story_id = into
    return story_id


def rank_candidates(
    postings: Iterable[tuple[dict[str, int], float]],
    *,
    per_feature: int,
    limit: int,
    moved: Container[str],
    resolve: Callable[[str], str],
) -> list[tuple[str, float]]:
    """:meth:`StoryIndex.candidates` over posting lists, one ranking for every index.

    ``postings`` are (posting list, feature weight) pairs in the caller's feature order; a
    posting list maps story ids to arrival numbers, oldest first. Each story found sums the
    weights of the features it is found under (among their ``per_feature`` most recent
    stories); ids in ``moved`` are resolved first. Highest sums first, then the most recent
    arrival, then the id.
    """
    found: dict[str, float] = {}
    recency: dict[str, int] = {}
    summed = found.get
    for posting, weight in postings:
        for story, arrival in islice(reversed(posting.items()), per_feature):
            if story in moved:
                story = resolve(story)
            before = summed(story)
            if before is None:
                found[story] = weight
                recency[story] = arrival
            else:
                found[story] = before + weight
                if arrival > recency[story]:
                    recency[story] = arrival
    # A full index offers a few hundred stories per article: only those at or above the
    # limit-th sum can rank, and plain tuples sort in C, with no key function per story.
    cut = heapq.nlargest(limit, found.values())[-1] if 0 < limit < len(found) else -math.inf
    ranked = sorted((-w, -recency[s], s) for s, w in found.items() if w >= cut)[:limit]
    return [(story, -weight) for weight, _, story in ranked]


class StoryIndex(Protocol):
    """Storage of document frequencies, story profiles, articles, postings and events."""

    def article_count(self) -> int:
        """Articles stored (wire copies included): the next article's arrival number."""

    def document_count(self) -> int:
        """Articles counted in the document frequencies."""

    def document_frequencies(self, features: Iterable[str]) -> dict[str, int]:
        """How many counted articles have each feature (0 for unseen ones)."""

    def count_document(self, features: Iterable[str]) -> None:
        """Count one more article having ``features`` (each feature once)."""

    def candidates(
        self, features: Mapping[str, float], *, per_feature: int, limit: int
    ) -> list[tuple[str, float]]:
        """Up to ``limit`` live (resolved) story ids posted under ``features``, each with the
        summed weight of the features it is found under, highest first (ties: most recent).
        Only the ``per_feature`` most recently posted stories of each feature are looked at."""

    def post(self, story_id: str, features: Iterable[str], *, arrival: int) -> None:
        """Post ``story_id`` under ``features`` as their most recent story."""

    def story(self, story_id: str) -> StoryProfile | None:
        """The profile of a story (by its live id), if any."""

    def stories(self, story_ids: Sequence[str]) -> dict[str, StoryProfile]:
        """The profiles of several stories, in one look-up."""

    def put_story(self, profile: StoryProfile) -> None:
        """Store (insert or replace) a story's profile."""

    def remove_story(self, story_id: str) -> None:
        """Forget a story's profile (after it was merged into another)."""

    def article(self, article_id: str) -> StoredArticle | None:
        """What is stored of an article, if it was assigned."""

    def articles(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        """Several stored articles, in one look-up (unknown ids are left out)."""

    def put_article(self, article: StoredArticle) -> None:
        """Store an assigned article."""

    def add_event(self, event: StoryEvent) -> None:
        """Record a merge or split; after a merge, the merged ids resolve to ``event.into``."""

    def events(self, story_id: str | None = None) -> list[StoryEvent]:
        """Recorded events, oldest first; with ``story_id``, those naming it."""

    def resolve(self, story_id: str) -> str:
        """The live id a story id stands for now (itself unless it was merged away)."""

    def story_count(self) -> int:
        """Live stories."""

    def members(self, story_id: str, *, limit: int) -> list[StoredArticle]:
        """The stored articles of a live story (those assigned to it or to a story merged into
        it), earliest arrival first, at most ``limit``."""

    def changed_stories(self, *, limit: int) -> list[str]:
        """Live ids (sorted, at most ``limit``) of the stories that articles were put into
        since :meth:`clear_changed` last named them: what a periodic check looks at."""

    def clear_changed(self, story_ids: Iterable[str]) -> None:
        """Forget that these stories changed (they were just checked)."""


class MemoryStoryIndex:
    """A :class:`StoryIndex` in plain dictionaries: for tests, benchmarks and one-off runs.

    Each posting list keeps at most ``max_postings`` stories, the most recently posted.
    """

    def __init__(self, *, max_postings: int = 256) -> None:
        self.max_postings = max_postings
        self._documents = 0
        self._df: Counter[str] = Counter()
        self._postings: dict[str, dict[str, int]] = {}
        self._stories: dict[str, StoryProfile] = {}
        self._articles: dict[str, StoredArticle] = {}
        self._events: list[StoryEvent] = []
        self._merged_into: dict[str, str] = {}
        self._merged_from: dict[str, list[str]] = {}
        self._by_story: dict[str, dict[str, None]] = {}
        self._changed: dict[str, None] = {}

    def __len__(self) -> int:
        return len(self._articles)

    def article_count(self) -> int:
        return len(self._articles)

    def document_count(self) -> int:
        return self._documents

    def document_frequencies(self, features: Iterable[str]) -> dict[str, int]:
        df = self._df
        return {f: df.get(f, 0) for f in features}

    def count_document(self, features: Iterable[str]) -> None:
        self._documents += 1
        self._df.update(set(features))

    def candidates(
        self, features: Mapping[str, float], *, per_feature: int, limit: int
    ) -> list[tuple[str, float]]:
        postings = self._postings
        return rank_candidates(
            ((postings[f], w) for f, w in features.items() if f in postings),
            per_feature=per_feature,
            limit=limit,
            moved=self._merged_into,
            resolve=self.resolve,
        )

    def post(self, story_id: str, features: Iterable[str], *, arrival: int) -> None:
        for feature in features:
            posting = self._postings.setdefault(feature, {})
            post_newest(posting, story_id, arrival, bound=self.max_postings)

    def story(self, story_id: str) -> StoryProfile | None:
        return self._stories.get(story_id)

    def stories(self, story_ids: Sequence[str]) -> dict[str, StoryProfile]:
        return {i: self._stories[i] for i in story_ids if i in self._stories}

    def put_story(self, profile: StoryProfile) -> None:
        self._stories[profile.story_id] = profile

    def remove_story(self, story_id: str) -> None:
        self._stories.pop(story_id, None)

    def article(self, article_id: str) -> StoredArticle | None:
        return self._articles.get(article_id)

    def articles(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        return {i: self._articles[i] for i in article_ids if i in self._articles}

    def put_article(self, article: StoredArticle) -> None:
        before = self._articles.get(article.article_id)
        if before is not None and before.story_id != article.story_id:
            self._by_story.get(before.story_id, {}).pop(article.article_id, None)
        self._articles[article.article_id] = article
        self._by_story.setdefault(article.story_id, {})[article.article_id] = None
        self._changed[self.resolve(article.story_id)] = None

    def add_event(self, event: StoryEvent) -> None:
        self._events.append(event)
        if event.kind == "merge":
            for story_id in event.story_ids:
                if story_id != event.into:
                    self._merged_into[story_id] = event.into
                    self._merged_from.setdefault(event.into, []).append(story_id)

    def events(self, story_id: str | None = None) -> list[StoryEvent]:
        if story_id is None:
            return list(self._events)
        return [e for e in self._events if story_id in e.story_ids or story_id == e.into]

    def resolve(self, story_id: str) -> str:
        return follow_merges(self._merged_into, story_id)

    def story_count(self) -> int:
        return len(self._stories)

    def members(self, story_id: str, *, limit: int) -> list[StoredArticle]:
        ids: list[str] = []
        stack = [story_id]
        while stack:  # the story and every story merged into it, transitively
            current = stack.pop()
            ids.extend(self._by_story.get(current, ()))
            stack.extend(self._merged_from.get(current, ()))
        found = sorted((self._articles[i] for i in ids), key=lambda a: a.arrival)
        return found[:limit]

    def changed_stories(self, *, limit: int) -> list[str]:
        live = sorted({self.resolve(s) for s in self._changed})
        return [s for s in live if s in self._stories][:limit]

    def clear_changed(self, story_ids: Iterable[str]) -> None:
        done = set(story_ids)
        for story_id in list(self._changed):
            if story_id in done or self.resolve(story_id) in done:
                del self._changed[story_id]
