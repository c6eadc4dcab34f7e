"""Where the deduper keeps what it has seen: an in-memory index, or the store.

The deduper computes fingerprints and MinHash signatures; an index only stores and looks them up.
``storyline.store`` implements :class:`DedupIndex` over its database, so duplicate groups persist
across ingest runs without rebuilding anything in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Protocol

import numpy as np
import numpy.typing as npt

MinHashValues = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexedArticle:
    """What an index remembers of one article."""

    article_id: str
    published: datetime | None
    arrival: int
    """Order in which the index saw it (ties in ``published`` are broken by arrival)."""
    group: str
    """Stable group id: the id of the group's first-seen member."""
    origin: str
    """The group's earliest member (by publication time, then arrival)."""


class DedupIndex(Protocol):
    """Storage of fingerprints, LSH band keys and signatures for duplicate detection.

    An index stores the band keys it is given. The deduper gives a copy only the keys that its
    group is not already indexed under a few times (see :meth:`group_band_keys` and
    ``storyline.dedup.minhash.MEMBERS_PER_BAND_KEY``), so a key's *bucket* grows with the number
    of distinct stories, not with their copies.
    """

    def entry(self, article_id: str) -> IndexedArticle | None:
        """The indexed article with this id, if any."""

    def find_exact(self, fingerprint: str) -> IndexedArticle | None:
        """The first article stored with this exact-text fingerprint, if any."""

    def candidates(self, band_keys: Sequence[bytes]) -> Iterable[IndexedArticle]:
        """Articles sharing at least one LSH band key (each at most once, in arrival order)."""

    def ranked_candidates(
        self, band_keys: Sequence[bytes], *, limit: int
    ) -> list[tuple[IndexedArticle, int]]:
        """Up to ``limit`` articles sharing band keys, each with the number of keys it shares:
        most shared first, ties by arrival."""

    def group_band_keys(
        self, group: str, band_keys: Sequence[bytes], *, at_least: int = 1
    ) -> set[bytes]:
        """Those of ``band_keys`` under which ``at_least`` members of ``group`` are indexed."""

    def signature(self, article_id: str) -> MinHashValues:
        """The MinHash values stored for an article."""

    def signatures(self, article_ids: Sequence[str]) -> dict[str, MinHashValues]:
        """The MinHash values stored for each of several articles, in one look-up."""

    def add(
        self,
        *,
        article_id: str,
        published: datetime | None,
        fingerprint: str,
        band_keys: Sequence[bytes],
        signature: MinHashValues,
        group: str,
        origin: str,
    ) -> IndexedArticle:
        """Remember an article as a member of ``group`` whose origin is ``origin``, findable
        through ``band_keys``."""

    def set_origin(self, group: str, origin: str) -> None:
        """Make ``origin`` the origin of every member of ``group`` (an earlier copy came late)."""


class MemoryDedupIndex:
    """A :class:`DedupIndex` in plain dictionaries: for tests, benchmarks and one-off runs."""

    def __init__(self) -> None:
        self._by_id: dict[str, IndexedArticle] = {}
        self._exact: dict[str, str] = {}
        self._bands: dict[bytes, list[str]] = {}
        self._signatures: dict[str, MinHashValues] = {}
        self._members: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def entry(self, article_id: str) -> IndexedArticle | None:
        return self._by_id.get(article_id)

    def find_exact(self, fingerprint: str) -> IndexedArticle | None:
        article_id = self._exact.get(fingerprint)
        return self._by_id[article_id] if article_id is not None else None

    def candidates(self, band_keys: Sequence[bytes]) -> Iterable[IndexedArticle]:
        seen: set[str] = set()
        for key in band_keys:
            for article_id in self._bands.get(key, ()):
                if article_id not in seen:
                    seen.add(article_id)
        return sorted((self._by_id[i] for i in seen), key=lambda a: a.arrival)

    def ranked_candidates(
        self, band_keys: Sequence[bytes], *, limit: int
    ) -> list[tuple[IndexedArticle, int]]:
        shared = Counter(i for key in set(band_keys) for i in self._bands.get(key, ()))
        entries = [(self._by_id[i], n) for i, n in shared.items()]
        entries.sort(key=lambda pair: (-pair[1], pair[0].arrival))
        return entries[:limit]

    def group_band_keys(
        self, group: str, band_keys: Sequence[bytes], *, at_least: int = 1
    ) -> set[bytes]:
        def held(key: bytes) -> bool:
            members = (i for i in self._bands.get(key, ()) if self._by_id[i].group == group)
            return sum(1 for _ in islice(members, at_least)) >= at_least

        return {key for key in band_keys if held(key)}

    def signature(self, article_id: str) -> MinHashValues:
        return self._signatures[article_id]

    def signatures(self, article_ids: Sequence[str]) -> dict[str, MinHashValues]:
        return {i: self._signatures[i] for i in article_ids}

    def add(
        self,
        *,
        article_id: str,
        published: datetime | None,
        fingerprint: str,
        band_keys: Sequence[bytes],
        signature: MinHashValues,
        group: str,
        origin: str,
    ) -> IndexedArticle:
        if article_id in self._by_id:
            raise ValueError(f"article {article_id!r} is already indexed")
        entry = IndexedArticle(
            article_id=article_id,
            published=published,
            arrival=len(self._by_id),
            group=group,
            origin=origin,
        )
        self._by_id[article_id] = entry
        self._exact.setdefault(fingerprint, article_id)
        for key in band_keys:
            self._bands.setdefault(key, []).append(article_id)
        self._signatures[article_id] = signature
        self._members.setdefault(group, []).append(article_id)
        return entry

    def set_origin(self, group: str, origin: str) -> None:
        for member in self._members.get(group, ()):
            self._by_id[member] = replace(self._by_id[member], origin=origin)
