"""The library entry point: a project is a store plus the settings that drive the pipeline.

Everything the CLI and the HTTP API do is one call here::

    import storyline

    with storyline.open_project("news.db") as project:
        report = project.ingest(["feeds/", "dump.jsonl"])
        print(report.articles_added, project.stats().to_dict())
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from storyline.config import Settings, load_settings
from storyline.dedup import MinHashDeduper, PreparedText
from storyline.errors import NotFoundError, StoreBusyError, UsageError
from storyline.ingest import read_articles, read_many
from storyline.ingest.base import guarded
from storyline.ingest.jsonl import article_from_record
from storyline.link import CheckReport, StoryClusterer
from storyline.link.dense import PrefetchingEmbedder, lead_embedder, lead_text
from storyline.link.entities import AliasTable, EntityLinker
from storyline.model import (
    DOSSIER_SCHEMA_VERSION,
    Annotations,
    Article,
    CorpusEntity,
    Dossier,
    Explanation,
    IngestReport,
    PublishedFrom,
    ReadResult,
    Rejected,
    StoreStats,
    StoryEvent,
    StoryMaterial,
    StoryPage,
    StoryQuery,
    StorySummary,
)
from storyline.store import Store, open_store

if TYPE_CHECKING:
    from storyline.annotate.pipeline import Annotator
    from storyline.synthesize.brief import Summarizer

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""Version of the JSON documents the story commands print (``schema_version``)."""

# Records are read, deduplicated, annotated and committed in batches: one transaction per
# record would make SQLite fsync-bound. The CPU work of a batch (signatures, annotation, lead
# embeddings) is done before its write transaction, which holds only the writes.
_BATCH = 500

# Story assignment and entity linking write in transactions of this many articles: each
# assignment reads what the previous ones wrote, so its work stays inside; small transactions
# keep every write short (readers' best-effort writes, such as caching a dossier, get a turn).
_WRITE_CHUNK = 50

WRITER_WAIT_SECONDS = 5.0
"""How long an ingest waits for another one writing to the same store before it stops."""

Source = str | os.PathLike[str]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryHistory:
    """A story id's history: the live story it resolves to and the events that name it."""

    story_id: str
    resolves_to: str
    events: tuple[StoryEvent, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.story_id,
            "resolves_to": self.resolves_to,
            "events": [e.to_dict() for e in self.events],
        }


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
        self._clusterer: StoryClusterer | None = None
        self._leads: PrefetchingEmbedder | None = None
        self._entity_linker: EntityLinker | None = None
        self._summarizer: tuple[Summarizer | None] | None = None

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
        wait_seconds: float = WRITER_WAIT_SECONDS,
    ) -> IngestReport:
        """Read every source (files, folders, ``-`` for stdin), dedupe and store the articles.

        Bad records are stored as rejections with their reason; nothing read is dropped.
        One ingest writes to a store at a time: another one waits up to ``wait_seconds``
        for it, then stops with :class:`~storyline.errors.StoreBusyError`.
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
        return self._ingest(names, results, progress, wait_seconds)

    def ingest_records(
        self,
        records: Iterable[object],
        *,
        location: str = "records",
        progress: ProgressCallback | None = None,
        wait_seconds: float = WRITER_WAIT_SECONDS,
    ) -> IngestReport:
        """Ingest in-memory records in the input-article shape (DESIGN.md), as parsed JSON.

        Each record is read as a JSONL line would be (see :func:`read_records`): one that
        cannot become an article is stored as a rejection and the others go on. Otherwise
        exactly like :meth:`ingest`.
        """
        results = read_records(records, location=location, settings=self.settings)
        return self.ingest_results(
            results, source=location, progress=progress, wait_seconds=wait_seconds
        )

    def ingest_results(
        self,
        results: Iterable[ReadResult],
        *,
        source: str,
        progress: ProgressCallback | None = None,
        wait_seconds: float = WRITER_WAIT_SECONDS,
    ) -> IngestReport:
        """Store articles and rejections already read (by a reader or :func:`read_records`):
        dedupe, annotate and assign them as :meth:`ingest` does; ``source`` names the run."""
        return self._ingest([source], results, progress, wait_seconds)

    def _ingest(
        self,
        names: list[str],
        results: Iterable[ReadResult],
        progress: ProgressCallback | None,
        wait_seconds: float,
    ) -> IngestReport:
        with self.store.writer_lock(wait_seconds=wait_seconds):
            return self._ingest_locked(names, results, progress)

    def _ingest_locked(
        self,
        names: list[str],
        results: Iterable[ReadResult],
        progress: ProgressCallback | None,
    ) -> IngestReport:
        with self.store.transaction():
            run_id = self.store.start_ingest(names)
        deduper = MinHashDeduper(self.settings.dedup, index=self.store.dedup_index())
        tally = _Tally()
        annotate = self.settings.annotate.on_ingest
        # Articles annotated before entity linking existed (or linked late) go first, in
        # publication order, as they would have been linked had the linker been there.
        self.link_pending(progress=progress, _tally=tally)
        for batch in _batches(results, _BATCH):
            # First what needs no store writes: the signatures and annotations of the articles
            # not stored yet (this process is the only writer: see writer_lock).
            fresh: dict[str, Article] = {}
            for result in batch:  # the first of two records with one id is the one stored
                if (
                    isinstance(result, Article)
                    and result.id not in fresh
                    and not self.store.has_article(result.id)
                ):
                    fresh[result.id] = result
            prepared = {i: deduper.prepare(article.text) for i, article in fresh.items()}
            found: dict[str, Annotations | None] = {}
            if annotate:
                found = self._annotate_outside(list(fresh.values()), tally, progress)
            # Then one short transaction: the articles, their annotations and the run's totals
            # (an interrupted run stays counted; an article lands with its annotations).
            with self.store.transaction():
                added = False
                for result in batch:
                    ahead = prepared.get(result.id) if isinstance(result, Article) else None
                    stored = self._store_one(deduper, result, tally, ahead)
                    if stored is not None:
                        added = True
                        if annotate:
                            self._write_annotations(stored, found.get(stored.id), tally)
                    if progress is not None:
                        progress(IngestProgress(totals=tally.report(), location=result.location))
                self.store.update_ingest(run_id, tally.report())
            if added:
                self._assign_pending(tally)
        if annotate:
            # Articles stored earlier without annotations (annotation turned off, or a run
            # interrupted by an older version) are done now, so every article has them.
            self.annotate_pending(progress=progress, _tally=tally)
        self.assign_pending(_tally=tally)
        # Older articles just annotated were in stories already: only their entities wait.
        self.link_pending(progress=progress, _tally=tally)
        return tally.report()

    def assign_pending(self, *, _tally: _Tally | None = None) -> IngestReport:
        """Put every stored article that is in no story yet into one, earliest published first.

        Uses each article's annotations when it has them (names, places, dates), its text
        alone otherwise. Returns the counts in ``articles_assigned``, ``new_stories`` and
        ``assignment_failed``. Ends with :meth:`check_stories` over the stories that changed.
        """
        tally = _tally if _tally is not None else _Tally()
        while self._assign_pending(tally):
            pass
        with self.store.transaction():
            self.clusterer.check()
        return tally.report()

    def _assign_pending(self, tally: _Tally) -> int:
        """Assign one batch of unassigned articles; returns how many were tried."""
        # Articles assignment failed on stay unassigned: skip past them, never retry in a loop.
        pending = list(self.store.iter_unassigned(limit=_BATCH, offset=tally.assignment_failed))
        linker = self.entity_linker  # a bad aliases file is a ConfigError, not a failed article
        clusterer = self.clusterer
        for chunk in _batches(pending, _WRITE_CHUNK):
            annotations = {article.id: self.store.annotations(article.id) for article in chunk}
            # The lead embeddings (a model run each) before the transaction; copies join
            # their origin's story without one.
            if self._leads is not None:
                self._leads.prefetch(
                    lead_text(article)
                    for article in chunk
                    if annotations[article.id] is not None and article.duplicate_of is None
                )
            try:
                with self.store.transaction():
                    for article in chunk:
                        self._assign_one(clusterer, linker, article, annotations[article.id], tally)
            finally:
                if self._leads is not None:
                    self._leads.clear()
        return len(pending)

    def _assign_one(
        self,
        clusterer: StoryClusterer,
        linker: EntityLinker,
        article: Article,
        annotations: Annotations | None,
        tally: _Tally,
    ) -> None:
        if annotations is not None:
            self._link_one(linker, article, annotations, tally)
        try:
            assignment = clusterer.add(article, annotations)
        except Exception:
            log.exception("story assignment failed for article %s", article.id)
            tally.assignment_failed += 1
            return
        tally.assigned += 1
        tally.new_stories += assignment.new_story
        # Every settings.stories.check_every articles; eval clustering does the same.
        clusterer.periodic_check()

    def link_pending(
        self, *, progress: ProgressCallback | None = None, _tally: _Tally | None = None
    ) -> IngestReport:
        """Link the entities of every annotated article not linked yet to corpus entities,
        earliest published first, a page at a time.

        Stores annotated before cross-document entity linking existed have such articles (in
        stories already); so have articles annotated after they were assigned. Returns the
        counts in ``articles_linked`` and ``linking_failed``; articles the linker fails on
        stay unlinked (and are logged), not retried within one call. Idempotent: a linked
        article is never linked again.
        """
        tally = _tally if _tally is not None else _Tally()
        failed_before = tally.linking_failed
        linker = self.entity_linker  # a bad aliases file is a ConfigError, not a failed article
        while True:
            # Linked articles leave the queue; skip past those the linker failed on.
            skip = tally.linking_failed - failed_before
            pending = list(self.store.iter_unlinked(limit=_BATCH, offset=skip))
            if not pending:
                return tally.report()
            for chunk in _batches(pending, _WRITE_CHUNK):
                with self.store.transaction():
                    for article in chunk:
                        annotations = self.store.annotations(article.id)
                        if annotations is not None:
                            self._link_one(linker, article, annotations, tally)
                        if progress is not None:
                            where = article.location
                            progress(IngestProgress(totals=tally.report(), location=where))

    def _link_one(
        self, linker: EntityLinker, article: Article, annotations: Annotations, tally: _Tally
    ) -> None:
        try:
            linked = linker.add(article.id, annotations)
        except Exception:
            log.exception("entity linking failed for article %s", article.id)
            tally.linking_failed += 1
            return
        if not any(entity.how == "stored" for entity in linked):
            tally.linked += 1

    @property
    def clusterer(self) -> StoryClusterer:
        """The project's story clusterer, over the store's story index."""
        if self._clusterer is None:
            embedder = lead_embedder(self.settings.stories)
            self._leads = PrefetchingEmbedder(embedder) if embedder is not None else None
            self._clusterer = StoryClusterer(
                self.settings.stories, self.store.story_index(), self._leads
            )
        return self._clusterer

    @property
    def entity_linker(self) -> EntityLinker:
        """The project's cross-document entity linker, over the store's entity index (with
        the user alias file of ``settings.entities.aliases_file``, if any)."""
        if self._entity_linker is None:
            path = self.settings.entities.aliases_file
            aliases = AliasTable.load(path) if path else None
            self._entity_linker = EntityLinker(self.store.entity_index(), aliases=aliases)
        return self._entity_linker

    def entities(
        self, *, limit: int | None = None, offset: int = 0, query: str | None = None
    ) -> list[CorpusEntity]:
        """Corpus entities, most mentioned first; ``query`` keeps those with a name or alias
        containing it (spelling variants meet: "qadhafi" finds "Gaddafi")."""
        return self.entity_linker.entities(limit=limit, offset=offset, query=query)

    def entity(self, entity_id: str) -> CorpusEntity:
        """A corpus entity by id (NotFoundError if unknown)."""
        try:
            return self.entity_linker.entity(entity_id)
        except KeyError:
            raise NotFoundError(f"no entity with id {entity_id!r}") from None

    def stories(self, *, limit: int | None = None, offset: int = 0) -> list[StorySummary]:
        """Live stories, most recently published first."""
        return self.store.stories(limit=limit, offset=offset)

    def search_stories(
        self, query: StoryQuery | None = None, *, limit: int | None = None, offset: int = 0
    ) -> StoryPage:
        """One page of the live stories a query keeps (all by default), in its order, with
        the number of stories it keeps in all."""
        return self.store.search_stories(query or StoryQuery(), limit=limit, offset=offset)

    def entity_ids(self, name_or_id: str) -> tuple[str, ...]:
        """The corpus entities a user means by an entity id or a name: the entity with that
        id, else those whose name or an alias is that name (case aside), else those
        a name search finds (at most 20)."""
        if self.entity_linker.index.entity(name_or_id) is not None:
            return (name_or_id,)
        found = self.entities(query=name_or_id, limit=20)
        wanted = name_or_id.casefold().strip()
        exact = [e.id for e in found if wanted in {n.casefold() for n in (e.canonical, *e.aliases)}]
        return tuple(exact or (e.id for e in found))

    def story_ids_of(self, article_ids: Sequence[str]) -> list[str]:
        """The live stories of these articles, each once, in the articles' order."""
        found = self.store.article_story_ids(article_ids)
        return list(dict.fromkeys(found[a] for a in article_ids if a in found))

    def story(self, story_id: str) -> StorySummary:
        """A story by its id, or by an id it had before a merge (NotFoundError if unknown)."""
        return self.store.story_summary(story_id)

    def story_material(self, story_id: str) -> StoryMaterial:
        """Everything the dossier of a story is built from: its articles in story order, their
        annotations and their corpus entities (NotFoundError for an unknown story id; an id
        merged away resolves to the surviving story)."""
        return self.material_of(self.story(story_id))

    def material_of(self, summary: StorySummary) -> StoryMaterial:
        """The material of the articles ``summary`` lists, in its order (see
        :meth:`story_material`); the summary may put together articles of several stories."""
        articles = tuple(self.store.article(a) for a in summary.article_ids)
        annotations = {}
        for article in articles:
            found = self.store.annotations(article.id)
            if found is not None:
                annotations[article.id] = found
        entities, names = self.entity_linker.story_entities(summary.article_ids)
        return StoryMaterial(
            story=summary,
            articles=articles,
            annotations=annotations,
            entities=tuple(entities),
            entity_names=names,
        )

    def dossier(self, story_id: str) -> Dossier:
        """What all the reports of a story say together: claims with their corroboration,
        disagreements, timeline, quotes by speaker and a cited brief (NotFoundError for an
        unknown story; an id merged away gives the surviving story's dossier)."""
        from storyline.synthesize.dossier import build_dossier, load_summarizer

        if self._summarizer is None:
            self._summarizer = (load_summarizer(self.settings.dossier.summarizer),)
        return build_dossier(
            self.story_material(story_id), self.settings.dossier, summarizer=self._summarizer[0]
        )

    def disagreement_count(self, story_id: str) -> int:
        """How many disagreements the story's dossier lists: read from the dossier kept in the
        store when there is one, else from the claims alone (a third of a dossier's cost: no
        timeline, quotes or brief). The web UI's "most disputed" order ranks stories by it."""
        summary = self.story(story_id)
        cached = self.store.cached_dossier(summary.id, self._dossier_fingerprint(summary))
        if cached is not None:
            return len(json.loads(cached)["disagreements"])
        from storyline.synthesize.claims import analyze_claims

        return len(analyze_claims(self.story_material(summary.id))[1])

    def dossier_document(self, story_id: str) -> dict[str, Any]:
        """The dossier as its JSON document (``Dossier.to_dict()``, the ``storyline show``
        contract), served from the store while the story's material is unchanged, else built
        and kept there."""
        summary = self.story(story_id)
        fingerprint = self._dossier_fingerprint(summary)
        cached = self.store.cached_dossier(summary.id, fingerprint)
        if cached is not None:
            document: dict[str, Any] = json.loads(cached)
            return document
        document = self.dossier(summary.id).to_dict()
        encoded = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        # Keeping it is best effort: a reader never waits on a writer (an ingest), nor fails
        # because one is writing; the next request keeps it.
        try:
            with self.store.transaction(wait=False):
                self.store.cache_dossier(summary.id, fingerprint, encoded)
        except StoreBusyError:
            log.debug("dossier of %s not kept: the store is busy", summary.id)
        return document

    def _dossier_fingerprint(self, summary: StorySummary) -> str:
        """What a story's dossier depends on: its articles (their annotations never change
        once stored), its title, the names of corpus entities, the dossier settings and this
        code."""
        from storyline import __version__

        # Any linked article may rename a corpus entity (its most used name wins), so the
        # linker's counters stand for the entity names: a dossier is rebuilt, lazily, after
        # new articles were linked anywhere in the store.
        entities = self.store.entity_index()
        parts = [
            str(DOSSIER_SCHEMA_VERSION),
            __version__,
            repr(self.settings.dossier),
            str(entities.linked_article_count()),
            str(entities.entity_count()),
            summary.title,  # documents kept before untitled stories had a headline hold null
            *summary.article_ids,
        ]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def article_texts(self, article_ids: Iterable[str]) -> dict[str, str]:
        """The texts of stored articles, by id (what dossier citations index)."""
        return {a: self.store.article(a).text for a in dict.fromkeys(article_ids)}

    def export_dossiers(
        self,
        out: str | os.PathLike[str],
        *,
        formats: Sequence[str] = ("json", "md", "html"),
        story_ids: Sequence[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Path]:
        """Write each story's dossier into ``out`` (``<story id>.<format>``) and an index of
        them per format (``index.json``, ``index.md``, ``index.html``); returns the files
        written. Stories are those of :meth:`stories`, or ``story_ids``."""
        from storyline.synthesize.export import export_dossiers

        stories = [self.story(s) for s in story_ids] if story_ids is not None else self.stories()
        return export_dossiers(
            stories,
            Path(out),
            dossier_of=self.dossier_document,
            texts_of=self.article_texts,
            formats=formats,
            progress=progress,
        )

    def check_stories(self, story_ids: Sequence[str] | None = None) -> CheckReport:
        """Check the stories that changed since the last check (or ``story_ids``, by any id
        they had): split those whose articles report separate events, merge a lone article into
        the story it now matches (:meth:`StoryClusterer.check`); ingest does this every
        ``settings.stories.check_every`` articles and at its end. NotFoundError for an unknown
        story id."""
        if story_ids is not None:
            index = self.store.story_index()
            for story_id in story_ids:
                if index.story(index.resolve(story_id)) is None:
                    raise NotFoundError(f"no story with id {story_id!r}")
        with self.store.transaction():
            return self.clusterer.check(story_ids)

    def story_history(self, story_id: str) -> StoryHistory:
        """What happened to a story id: the live story it resolves to and its merges/splits."""
        index = self.store.story_index()
        live = index.resolve(story_id)
        events = index.events(story_id)
        if live != story_id:
            events += [e for e in index.events(live) if e not in events]
        if not events and index.story(live) is None and not self.store.stories(story_ids=[live]):
            raise NotFoundError(f"no story with id {story_id!r}")
        return StoryHistory(story_id=story_id, resolves_to=live, events=tuple(events))

    def explain(self, article_id: str) -> Explanation:
        """Why an article is in its story: shared names and terms, nearest articles, the
        runner-up story and the scores (NotFoundError for an unknown or unassigned article)."""
        self.store.article(article_id)  # NotFoundError for an unknown id
        try:
            return self.clusterer.explain(article_id)
        except KeyError:
            raise NotFoundError(f"article {article_id!r} is in no story yet") from None

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
            # Articles the stage failed on stay unannotated: skip past them, never loop on them.
            skip = tally.annotation_failed - failed_before
            pending = list(self.store.iter_unannotated(limit=_BATCH, offset=skip))
            if not pending:
                return tally.report()
            found = self._annotate_outside(pending, tally, progress)
            with self.store.transaction():
                for article in pending:
                    self._write_annotations(article, found.get(article.id), tally)

    @property
    def annotator(self) -> Annotator:
        """The project's annotate stage (its spaCy model loads on first use)."""
        if self._annotator is None:
            # Imported here: spaCy is only loaded by runs that annotate.
            from storyline.annotate.pipeline import Annotator

            self._annotator = Annotator(self.settings.annotate)
        return self._annotator

    def _annotate_outside(
        self, articles: list[Article], tally: _Tally, progress: ProgressCallback | None
    ) -> dict[str, Annotations | None]:
        """Annotate ``articles`` (no store access): None for those the stage failed on."""
        if not articles:
            return {}
        found: dict[str, Annotations | None] = {}
        for article, result in self.annotator.annotate_articles(articles):
            found[article.id] = result
            if progress is not None:
                # The totals count annotations once they are stored, with the batch.
                progress(IngestProgress(totals=tally.report(), location=article.location))
        return found

    def _write_annotations(
        self, article: Article, annotations: Annotations | None, tally: _Tally
    ) -> None:
        if annotations is None:
            tally.annotation_failed += 1
        else:
            self.store.add_annotations(article.id, annotations, model=self.annotator.model_name)
            tally.annotated += 1

    def _store_one(
        self,
        deduper: MinHashDeduper,
        result: ReadResult,
        tally: _Tally,
        prepared: PreparedText | None = None,
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
            outcome = deduper.dedupe(result, prepared)
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
    assigned: int = 0
    new_stories: int = 0
    assignment_failed: int = 0
    linked: int = 0
    linking_failed: int = 0
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
            articles_assigned=self.assigned,
            new_stories=self.new_stories,
            assignment_failed=self.assignment_failed,
            articles_linked=self.linked,
            linking_failed=self.linking_failed,
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


def read_records(
    records: Iterable[object], *, location: str, settings: Settings
) -> Iterator[ReadResult]:
    """Read in-memory records (parsed JSON in the input-article shape) as JSONL lines are read.

    Yields one ``Article`` or ``Rejected`` per record, in order; a rejection is located at
    ``location:N`` (N counts from 1) and keyed by the record's content, so the same bad record
    sent twice is recognised.
    """
    for number, record in enumerate(records, 1):
        where = f"{location}:{number}"
        content = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
        build = partial(article_from_record, record, location=where, settings=settings)
        yield guarded(where, build, content=content)


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
