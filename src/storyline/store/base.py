"""The storage protocol every backend implements. Only ``storyline.store`` talks to a database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from storyline.dedup.index import DedupIndex
from storyline.link.entity_index import EntityIndex
from storyline.link.index import StoryIndex
from storyline.model import (
    Annotations,
    Article,
    IngestReport,
    Rejected,
    StoreStats,
    StoryPage,
    StoryQuery,
    StorySummary,
)


class Store(Protocol):
    """Articles, rejections and ingest accounting, over the life of one store."""

    location: str
    """The SQLite path or the database URL, for messages."""

    def close(self) -> None: ...

    def transaction(self, *, wait: bool = True) -> AbstractContextManager[None]:
        """Group writes: all of them land, or none does. With ``wait=False`` a transaction
        that cannot start at once (another writer holds the store) raises
        :class:`~storyline.errors.StoreBusyError` instead of waiting: for best-effort writes
        made by readers, such as caching a dossier."""
        ...

    def writer_lock(self, *, wait_seconds: float) -> AbstractContextManager[None]:
        """Hold the store's one-writer lock (ingest takes it) for the ``with`` block.

        Waits up to ``wait_seconds`` for another holder, then raises
        :class:`~storyline.errors.StoreBusyError`. A holder that dies (even by SIGKILL)
        releases the lock."""
        ...

    def schema_version(self) -> int: ...

    def has_article(self, article_id: str) -> bool: ...

    def add_article(self, article: Article) -> None: ...

    def article(self, article_id: str) -> Article:
        """The stored article; :class:`~storyline.errors.NotFoundError` when there is none."""
        ...

    def iter_articles(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Stored articles in ingest order."""
        ...

    def add_annotations(self, article_id: str, annotations: Annotations, *, model: str) -> None:
        """Store (or replace) an article's annotations, made by spaCy model ``model``."""
        ...

    def annotations(self, article_id: str) -> Annotations | None:
        """An article's annotations, or None when it has none yet.

        :class:`~storyline.errors.NotFoundError` when there is no such article.
        """
        ...

    def iter_unannotated(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Stored articles without annotations, in ingest order."""
        ...

    def iter_unlinked(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Annotated articles whose entities are not linked to corpus entities yet, earliest
        published first (unknown times last). Linking an article (``EntityIndex.add_links``,
        even with no names) takes it off this list."""
        ...

    def story_index(self) -> StoryIndex:
        """The story clusterer's index, kept in this store."""
        ...

    def entity_index(self) -> EntityIndex:
        """The entity linker's index of corpus entities, kept in this store."""
        ...

    def iter_unassigned(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Stored articles in no story yet, earliest published first (unknown times last)."""
        ...

    def stories(
        self, *, limit: int | None = None, offset: int = 0, story_ids: Sequence[str] | None = None
    ) -> list[StorySummary]:
        """Live stories, most recently published first; ``story_ids`` picks some by live id."""
        ...

    def story_summary(self, story_id: str) -> StorySummary:
        """A story by its id or an id it had before a merge; NotFoundError when unknown."""
        ...

    def search_stories(
        self, query: StoryQuery, *, limit: int | None = None, offset: int = 0
    ) -> StoryPage:
        """One page of the live stories ``query`` keeps, in its order, with the total count."""
        ...

    def article_story_ids(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The live story of each of these articles that is in one (others are left out)."""
        ...

    def cached_dossier(self, story_id: str, fingerprint: str) -> str | None:
        """The dossier document (JSON) stored for a story, if it was built from the same
        material (``fingerprint``); None otherwise."""
        ...

    def cache_dossier(self, story_id: str, fingerprint: str, document: str) -> None:
        """Keep a story's dossier document (JSON), replacing any older one."""
        ...

    def has_rejected(self, key: str) -> bool: ...

    def add_rejected(self, rejected: Rejected) -> None: ...

    def iter_rejected(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Rejected]: ...

    def start_ingest(self, sources: Sequence[str]) -> int:
        """Open the record of one ingest run; returns its id."""
        ...

    def update_ingest(self, run_id: int, report: IngestReport) -> None:
        """Set a run's running totals. Called inside each batch's transaction, so the totals
        always match what was stored, even when a run is interrupted."""
        ...

    def own_files(self) -> list[str]:
        """Paths of the files this store writes (never to be read as input)."""
        ...

    def stats(self) -> StoreStats: ...

    def dedup_index(self) -> DedupIndex:
        """The duplicate-detection index, persisted in this store."""
        ...
