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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from storyline.config import Settings, load_settings
from storyline.dedup import MinHashDeduper
from storyline.errors import UsageError
from storyline.ingest import read_many
from storyline.model import Article, IngestReport, ReadResult, Rejected, StoreStats
from storyline.store import Store, open_store

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
        for batch in _batches(results, _BATCH):
            # The run's totals are written with each batch: an interrupted run stays counted.
            with self.store.transaction():
                for result in batch:
                    self._store_one(deduper, result, tally)
                    if progress is not None:
                        progress(IngestProgress(totals=tally.report(), location=result.location))
                self.store.update_ingest(run_id, tally.report())
        return tally.report()

    def _store_one(self, deduper: MinHashDeduper, result: ReadResult, tally: _Tally) -> None:
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

    def stats(self) -> StoreStats:
        return self.store.stats()

    def articles(self, *, limit: int | None = None, offset: int = 0) -> list[Article]:
        return list(self.store.iter_articles(limit=limit, offset=offset))

    def article(self, article_id: str) -> Article:
        return self.store.article(article_id)

    def rejected(self, *, limit: int | None = None, offset: int = 0) -> list[Rejected]:
        return list(self.store.iter_rejected(limit=limit, offset=offset))


@dataclass(slots=True)
class _Tally:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    already: int = 0
    rejected_again: int = 0
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
