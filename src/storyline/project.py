"""The library entry point: a project is a store plus the settings that drive the pipeline.

Everything the CLI and the HTTP API do is one call here::

    import storyline

    with storyline.open_project("news.db") as project:
        report = project.ingest(["feeds/", "dump.jsonl"])
        print(report.articles_added, project.stats().to_dict())
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from storyline.config import Settings, load_settings
from storyline.dedup import MinHashDeduper
from storyline.errors import UsageError
from storyline.ingest import read_articles, read_many
from storyline.model import (
    Annotations,
    Article,
    IngestReport,
    PublishedFrom,
    ReadResult,
    Rejected,
    StoreStats,
)
from storyline.store import Store, open_store

if TYPE_CHECKING:
    from storyline.annotate.pipeline import Annotator

# Writes are committed in batches: one transaction per record would make SQLite fsync-bound.
_BATCH = 500

Source = str | os.PathLike[str]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestProgress:
    """Handed to a progress callback after each record: the running totals, and where."""

    totals: IngestReport
    location: str


ProgressCallback = Callable[[IngestProgress], None]


class Project:
    """A store and its settings. Use :func:`open_project` to make one."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._annotator: Annotator | None = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def ingest(
        self,
        sources: Source | Iterable[Source],
        *,
        fetch: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Read every source (files, folders, ``-`` for stdin), dedupe and store the articles.

        Bad records are stored as rejections with their reason; nothing read is dropped.
        Ingest is idempotent: a record already stored (an article with the same id, or the same
        bad record rejected before) counts as ``already_stored`` and changes nothing. A source
        path that does not exist is a :class:`~storyline.errors.UsageError`, before any reading.
        """
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        names = [os.fspath(source) for source in sources]
        missing = [name for name in names if name != "-" and not os.path.lexists(name)]
        if missing:
            raise UsageError(f"no such file or folder: {', '.join(missing)}")
        results = read_many(
            names, settings=self.settings, fetch=fetch, exclude=self.store.own_files()
        )
        with self.store.transaction():
            run_id = self.store.start_ingest(names)
        deduper = MinHashDeduper(self.settings.dedup, index=self.store.dedup_index())
        tally = _Tally()
        annotate = self.settings.annotate.on_ingest
        for batch in _batches(results, _BATCH):
            # The run's totals are written with each batch: an interrupted run stays counted,
            # and an article is committed together with its annotations.
            with self.store.transaction():
                added: list[Article] = []
                for result in batch:
                    stored = self._store_one(deduper, result, tally)
                    if stored is not None:
                        added.append(stored)
                    if progress is not None:
                        progress(IngestProgress(totals=tally.report(), location=result.location))
                if annotate:
                    self._annotate(added, tally, progress)
                self.store.update_ingest(run_id, tally.report())
        if annotate:
            # Articles stored earlier without annotations (annotation turned off, or a run
            # interrupted by an older version) are done now, so every article has them.
            self.annotate_pending(progress=progress, _tally=tally)
        return tally.report()

    def annotate_pending(
        self, *, progress: ProgressCallback | None = None, _tally: _Tally | None = None
    ) -> IngestReport:
        """Annotate the stored articles that have no annotations yet, in ingest order.

        Returns the counts in ``articles_annotated`` and ``annotation_failed``. Articles the
        annotate stage fails on stay unannotated (and are logged); they are not retried within
        one call.
        """
        tally = _tally if _tally is not None else _Tally()
        failed_before = tally.annotation_failed
        while True:
            skip = tally.annotation_failed - failed_before
            pending = list(self.store.iter_unannotated(limit=_BATCH + skip))[skip:]
            if not pending:
                return tally.report()
            with self.store.transaction():
                self._annotate(pending, tally, progress)

    @property
    def annotator(self) -> Annotator:
        """The project's annotate stage (its spaCy model loads on first use)."""
        if self._annotator is None:
            # Imported here: spaCy is only loaded by runs that annotate.
            from storyline.annotate.pipeline import Annotator

            self._annotator = Annotator(self.settings.annotate)
        return self._annotator

    def _annotate(
        self, articles: list[Article], tally: _Tally, progress: ProgressCallback | None
    ) -> None:
        if not articles:
            return
        model = self.annotator.model_name
        for article, found in self.annotator.annotate_articles(articles):
            if found is None:
                tally.annotation_failed += 1
            else:
                self.store.add_annotations(article.id, found, model=model)
                tally.annotated += 1
            if progress is not None:
                progress(IngestProgress(totals=tally.report(), location=article.location))

    def _store_one(
        self, deduper: MinHashDeduper, result: ReadResult, tally: _Tally
    ) -> Article | None:
        tally.read += 1
        if isinstance(result, Rejected):
            if self.store.has_rejected(result.key):
                tally.already += 1
                tally.rejected_again += 1
            else:
                self.store.add_rejected(result)
                tally.rejected[str(result.code)] += 1
        elif self.store.has_article(result.id):
            tally.already += 1
        else:
            outcome = deduper.dedupe(result)
            self.store.add_article(outcome.article)
            tally.added += 1
            # A late copy published before its group's origin takes its place: the old origin
            # is now the copy, so the number of copies still grows by one.
            tally.duplicates += outcome.is_duplicate or outcome.repointed_from is not None
            return outcome.article
        return None

    def stats(self) -> StoreStats:
        return self.store.stats()

    def articles(self, *, limit: int | None = None, offset: int = 0) -> list[Article]:
        return list(self.store.iter_articles(limit=limit, offset=offset))

    def article(self, article_id: str) -> Article:
        return self.store.article(article_id)

    def annotations(self, article_id: str) -> Annotations | None:
        """A stored article's annotations (None if not annotated yet); NotFoundError if no
        such article."""
        return self.store.annotations(article_id)

    def rejected(self, *, limit: int | None = None, offset: int = 0) -> list[Rejected]:
        return list(self.store.iter_rejected(limit=limit, offset=offset))


@dataclass(slots=True)
class _Tally:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    already: int = 0
    rejected_again: int = 0
    annotated: int = 0
    annotation_failed: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def report(self) -> IngestReport:
        return IngestReport(
            records_read=self.read,
            articles_added=self.added,
            duplicates_added=self.duplicates,
            already_stored=self.already,
            rejected=self.rejected.total(),
            rejected_by_code=dict(sorted(self.rejected.items())),
            rejected_again=self.rejected_again,
            articles_annotated=self.annotated,
            annotation_failed=self.annotation_failed,
        )


def _batches(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


AnnotateResult = tuple[Article, Annotations | None] | Rejected


def annotate_input(
    source: Source,
    *,
    settings: Settings | None = None,
    published: datetime | None = None,
) -> Iterator[AnnotateResult]:
    """Read ``source`` (a file, folder or ``-``) and annotate each article; no store needed.

    Yields, in input order, ``(article, annotations)`` for each article (annotations None when
    the annotate stage failed on it) and a ``Rejected`` for each unusable record. A given
    ``text`` is kept exactly as it came (offsets index it) and no minimum length applies.
    ``published`` stands in for articles whose input gives no publication time.
    """
    base = settings if settings is not None else load_settings()
    ingest = replace(base.ingest, keep_text=True, min_text_chars=1)
    reading = replace(base, ingest=ingest)
    name = os.fspath(source)
    if name != "-" and not os.path.lexists(name):
        raise UsageError(f"no such file or folder: {name}")
    from storyline.annotate.pipeline import Annotator

    annotator = Annotator(reading.annotate)
    for batch in _batches(read_articles(name, settings=reading), reading.annotate.batch_size):
        articles = [
            r
            if r.published is not None or published is None
            else replace(r, published=published, published_from=PublishedFrom.INPUT)
            for r in batch
            if isinstance(r, Article)
        ]
        done = iter(annotator.annotate_articles(articles))
        for result in batch:
            yield result if isinstance(result, Rejected) else next(done)


def open_project(
    db: str | Path | None = None,
    *,
    settings: Settings | None = None,
    create: bool = True,
) -> Project:
    """Open the project whose store is at ``db`` (a SQLite path).

    Without ``db``, the ``db`` setting is used (``STORYLINE_DB``, the config file, or
    ``./storyline.db``). With ``create=False`` a missing store is an error, not a new store.
    """
    resolved = settings if settings is not None else load_settings()
    location = str(db) if db is not None else resolved.db
    return Project(open_store(location, create=create), resolved)
