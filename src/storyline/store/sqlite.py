"""The default store: one SQLite file in WAL mode, schema versioned by migrations."""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storyline.dedup.index import IndexedArticle, MinHashValues
from storyline.errors import (
    NotFoundError,
    RejectCode,
    SchemaVersionError,
    StoreBusyError,
    StoreError,
    StoreFullError,
)
from storyline.model import (
    Annotations,
    Article,
    IngestReport,
    PublishedFrom,
    Rejected,
    StoreStats,
    StoryPage,
    StoryQuery,
    StorySort,
    StorySummary,
)
from storyline.store.entity_index import SqliteEntityIndex
from storyline.store.migrations import SQLITE_MIGRATIONS
from storyline.store.story_index import SqliteStoryIndex
from storyline.titles import LEAD_CHARS, story_title

_ARTICLE_COLUMNS = (
    "id, text, title, url, source, author, published, published_from, language, location, "
    "reader, duplicate_of, duplicate_group, story_id"
)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        source=row["source"],
        author=row["author"],
        published=_from_iso(row["published"]),
        published_from=PublishedFrom(row["published_from"]) if row["published_from"] else None,
        language=row["language"],
        location=row["location"],
        reader=row["reader"],
        duplicate_of=row["duplicate_of"],
        duplicate_group=row["duplicate_group"],
        story_id=row["story_id"],
    )


def _band_int(key: bytes) -> int:
    """A band key as a signed 64-bit integer (its first 8 bytes): SQLite's native key type."""
    return int.from_bytes(key[:8], "little", signed=True)


def _summary(story_id: str, rows: list[sqlite3.Row], lead: str | None) -> StorySummary:
    """``rows``: the story's articles in story order; ``lead``: the first characters of the
    first one's text, read only when no article has a title."""
    published = [moment for row in rows if (moment := _from_iso(row["published"])) is not None]
    return StorySummary(
        id=story_id,
        # The story id only for a story of blank texts, which ingest never stores.
        title=story_title((row["title"] for row in rows), lead) or story_id,
        article_ids=tuple(row["id"] for row in rows),
        first_published=min(published) if published else None,
        last_published=max(published) if published else None,
        sources=len({row["source"] for row in rows if row["source"]}),
    )


_WORD = re.compile(r"\w+\*?")


def fts_query(text: str) -> str | None:
    """An FTS5 query that needs every word of ``text`` (None when it has no words).

    Each word is quoted, so user input is never FTS5 syntax; a trailing ``*`` keeps its
    meaning (a prefix).

    >>> fts_query('port "strike" OR lock*')
    '"port" "strike" "OR" "lock"*'
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{w[:-1]}"*' if w.endswith("*") else f'"{w}"' for w in words)


# Orders of story_stats rows, each read from an index (migration 8).
_STORY_ORDER = {
    StorySort.RECENT: "recent DESC, story_id",
    StorySort.LARGEST: "articles DESC, recent DESC, story_id",
    # No disagreement counts are stored yet: the largest stories have the most to disagree on.
    StorySort.DISPUTED: "articles DESC, recent DESC, story_id",
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13

# How long a write waits for another connection's write transaction (ingest keeps them short).
_BUSY_TIMEOUT_MS = 10_000

MAX_PAGES_VARIABLE = "STORYLINE_TEST_MAX_PAGES"
"""Caps a SQLite store at this many pages (``PRAGMA max_page_count``): how the tests make a
full disk without filling one. Not a setting: real stores grow as far as their disk lets them."""


def _result_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _paging(limit: int | None, offset: int) -> tuple[str, tuple[int, int]]:
    return " LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset)


class SqliteStore:
    """A :class:`~storyline.store.base.Store` in one SQLite file.

    >>> store = SqliteStore(":memory:")
    >>> store.stats().articles
    0
    """

    def __init__(self, path: str | Path, *, create: bool = True, shared: bool = False) -> None:
        """``shared``: the connection may be used from any thread, by one thread at a time
        (the caller serialises; the HTTP API lends each store to one request at a time)."""
        self.location = str(path)
        if not create and self.location != ":memory:" and not Path(self.location).is_file():
            raise StoreError(
                f"no store at {self.location}: give --db the path of an existing store, "
                "or create one with: storyline ingest"
            )
        try:
            if self.location != ":memory:":
                Path(self.location).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit, see transaction().
            self._conn = sqlite3.connect(
                self.location, isolation_level=None, check_same_thread=not shared
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            # Story and dedup look-ups hop between index pages all over a large store: a 64 MiB
            # page cache (the default is 2 MiB) and memory-mapped reads keep them off the disk.
            self._conn.execute("PRAGMA cache_size=-65536")
            self._conn.execute("PRAGMA mmap_size=268435456")
            self._migrate()
            max_pages = os.environ.get(MAX_PAGES_VARIABLE, "").strip()
            if max_pages.isdigit():
                self._conn.execute(f"PRAGMA max_page_count = {int(max_pages)}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open SQLite store {self.location}: {exc}") from None
        self._depth = 0
        self._index = SqliteDedupIndex(self._conn)
        self._stories = SqliteStoryIndex(self._conn)
        self._entities = SqliteEntityIndex(self._conn)

    # -- lifecycle -------------------------------------------------------------------------

    def _migrate(self) -> None:
        current = self._conn.execute("PRAGMA user_version").fetchone()[0]
        latest = len(SQLITE_MIGRATIONS)
        if current > latest:
            raise SchemaVersionError(
                f"store {self.location} has schema version {current}; this storyline knows "
                f"up to {latest}: upgrade storyline"
            )
        for version in range(current + 1, latest + 1):
            self._conn.execute("BEGIN IMMEDIATE")
            for statement in SQLITE_MIGRATIONS[version - 1]:
                self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {version}")
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[None]:
        """Group writes; nested calls join the outermost transaction.

        A write the store cannot take (another writer past the busy timeout, or at once with
        ``wait=False``; a full disk) rolls the whole transaction back and raises a
        :class:`StoreError` that says so in one line."""
        if self._depth == 0:
            self._begin(wait=wait)
            self._stories.buffer_writes()
        self._depth += 1
        try:
            yield
            if self._depth == 1:
                self._stories.flush()  # the story index buffers some writes until now
        except BaseException as exc:
            self._depth -= 1
            if self._depth == 0:
                self._stories.discard()
                # SQLite may have rolled back already (it does on some SQLITE_FULL errors).
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise self._write_error(exc) from None
            raise
        self._depth -= 1
        if self._depth == 0:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise self._write_error(exc) from None

    def _begin(self, *, wait: bool) -> None:
        if not wait:
            self._conn.execute("PRAGMA busy_timeout=0")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # locked by another writer past the timeout
            raise self._write_error(exc) from None
        finally:
            if not wait:
                self._conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")

    def _write_error(self, exc: sqlite3.OperationalError) -> StoreError:
        code = _result_code(exc)
        if code == _SQLITE_FULL:
            return StoreFullError(
                f"cannot write to {self.location}: the store is full ({exc}); the unfinished "
                "batch was rolled back: make room, then run the same command again to resume"
            )
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return StoreBusyError(f"cannot write to {self.location}: {exc}")
        return StoreError(f"cannot write to {self.location}: {exc}")

    @contextmanager
    def writer_lock(self, *, wait_seconds: float) -> Iterator[None]:
        """An advisory lock on ``<store>.lock`` (``flock``): the kernel releases it when its
        holder exits or dies, so a crashed ingest never leaves a stale lock behind."""
        if self.location == ":memory:":
            yield
            return
        path = self.location + ".lock"
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the block)
        except OSError as exc:
            raise StoreError(f"cannot lock {self.location}: {exc}") from None
        with handle:
            deadline = time.monotonic() + max(0.0, wait_seconds)
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusyError(
                            f"another ingest{_holder(path)} is writing to {self.location}; "
                            f"waited {wait_seconds:g} s (wait longer with --wait SECONDS)"
                        ) from None
                    time.sleep(0.05)
            # Only the holder writes the file: who holds the lock, for the message above.
            handle.truncate(0)
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield  # closing the handle releases the lock

    def checkpoint(self) -> None:
        """Write the committed pages waiting in the write-ahead log into the database file and
        empty the log (SQLite does this on its own once the log passes 1,000 pages)."""
        if self._depth:
            raise StoreError("cannot checkpoint inside a transaction")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -- articles --------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def add_article(self, article: Article) -> None:
        self._conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.text,
                article.title,
                article.url,
                article.source,
                article.author,
                _iso(article.published),
                article.published_from.value if article.published_from else None,
                article.language,
                article.location,
                article.reader,
                article.duplicate_of,
                article.duplicate_group,
                article.story_id,
                _now(),
            ),
        )

    def article(self, article_id: str) -> Article:
        row = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        return _article_from_row(row)

    def iter_articles(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        clause, params = _paging(limit, offset)
        cursor = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY seq{clause}", params
        )
        for row in cursor:
            yield _article_from_row(row)

    # -- annotations -----------------------------------------------------------------------

    def add_annotations(self, article_id: str, annotations: Annotations, *, model: str) -> None:
        data = json.dumps(
            annotations.to_dict(roles=True), ensure_ascii=False, separators=(",", ":")
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO annotations (article_id, model, data, annotated_at) "
            "VALUES (?, ?, ?, ?)",
            (article_id, model, data, _now()),
        )
        # Queued for entity linking unless linked before (re-annotation keeps the links).
        self._conn.execute(
            "INSERT OR IGNORE INTO entity_pending (article_id, published, seq) "
            "SELECT id, published, seq FROM articles WHERE id = ? "
            "AND NOT EXISTS (SELECT 1 FROM entity_links WHERE article_id = ?)",
            (article_id, article_id),
        )

    def annotations(self, article_id: str) -> Annotations | None:
        row = self._conn.execute(
            "SELECT data FROM annotations WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is not None:
            return Annotations.from_dict(json.loads(row["data"]))
        if not self.has_article(article_id):
            raise NotFoundError(f"no article with id {article_id!r}")
        return None

    def iter_unannotated(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        clause, params = _paging(limit, offset)
        columns = ", ".join(f"a.{c.strip()}" for c in _ARTICLE_COLUMNS.split(","))
        cursor = self._conn.execute(
            f"SELECT {columns} FROM articles a LEFT JOIN annotations n ON n.article_id = a.id "
            f"WHERE n.article_id IS NULL ORDER BY a.seq{clause}",
            params,
        )
        for row in cursor.fetchall():
            yield _article_from_row(row)

    def iter_unlinked(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        clause, params = _paging(limit, offset)
        columns = ", ".join(f"a.{c.strip()}" for c in _ARTICLE_COLUMNS.split(","))
        # The queue is emptied by the entity index as articles are linked; the NOT EXISTS only
        # guards against a stale row (an article linked some other way) being handed out again.
        cursor = self._conn.execute(
            f"SELECT {columns} FROM entity_pending p JOIN articles a ON a.id = p.article_id "
            "WHERE NOT EXISTS (SELECT 1 FROM entity_links l WHERE l.article_id = p.article_id) "
            f"ORDER BY p.published IS NULL, p.published, p.seq{clause}",
            params,
        )
        for row in cursor.fetchall():
            yield _article_from_row(row)

    # -- stories ---------------------------------------------------------------------------

    def story_index(self) -> SqliteStoryIndex:
        return self._stories

    def entity_index(self) -> SqliteEntityIndex:
        return self._entities

    def iter_unassigned(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        clause, params = _paging(limit, offset)
        cursor = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story_id IS NULL "
            f"ORDER BY published IS NULL, published, seq{clause}",
            params,
        )
        for row in cursor.fetchall():
            yield _article_from_row(row)

    def stories(
        self, *, limit: int | None = None, offset: int = 0, story_ids: Sequence[str] | None = None
    ) -> list[StorySummary]:
        """Live stories, most recently published first (ties by id)."""
        where, params = "story_id IS NOT NULL", []
        if story_ids is not None:
            if not story_ids:
                return []
            where += f" AND story_id IN ({','.join('?' * len(story_ids))})"
            params = list(story_ids)
        clause, paging = _paging(limit, offset)
        ids = [
            row[0]
            for row in self._conn.execute(
                f"SELECT story_id FROM articles WHERE {where} GROUP BY story_id "
                f"ORDER BY MAX(published) IS NULL, MAX(published) DESC, story_id{clause}",
                [*params, *paging],
            )
        ]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        members: dict[str, list[sqlite3.Row]] = {story_id: [] for story_id in ids}
        for row in self._conn.execute(
            f"SELECT story_id, id, title, source, published FROM articles "
            f"WHERE story_id IN ({marks}) ORDER BY published IS NULL, published, seq",
            ids,
        ):
            members[row["story_id"]].append(row)
        # A story without titles is named by its earliest article's lead: a bounded prefix of
        # that one text, for those stories only.
        untitled = [
            rows[0]["id"]
            for rows in members.values()
            if rows and story_title(row["title"] for row in rows) is None
        ]
        leads: dict[str, str] = {}
        if untitled:
            leads.update(
                self._conn.execute(
                    "SELECT id, substr(text, 1, ?) FROM articles "
                    f"WHERE id IN ({','.join('?' * len(untitled))})",
                    [LEAD_CHARS, *untitled],
                ).fetchall()
            )
        return [
            _summary(story_id, rows, leads.get(rows[0]["id"]) if rows else None)
            for story_id, rows in members.items()
        ]

    def story_summary(self, story_id: str) -> StorySummary:
        """A story by its id or by an id it had before a merge; NotFoundError if none."""
        live = self._stories.resolve(story_id)
        found = self.stories(story_ids=[live])
        if not found:
            raise NotFoundError(f"no story with id {story_id!r}")
        return found[0]

    def search_stories(
        self, query: StoryQuery, *, limit: int | None = None, offset: int = 0
    ) -> StoryPage:
        """Filters are subqueries over indexes (FTS5, source, published, entity articles);
        the page is read in order from story_stats' indexes, then only its stories are read."""
        where: list[str] = []
        params: list[object] = []
        if query.text is not None and query.text.strip():
            match = fts_query(query.text)
            if match is None:
                return StoryPage(stories=(), total=0)
            where.append(
                "story_id IN (SELECT a.story_id FROM articles_fts f "
                "JOIN articles a ON a.seq = f.rowid WHERE articles_fts MATCH ?)"
            )
            params.append(match)
        if query.since is not None or query.until is not None:
            bounds = []
            if query.since is not None:
                bounds.append("published >= ?")
                params.append(_iso(query.since))
            if query.until is not None:
                bounds.append("published <= ?")
                params.append(_iso(query.until))
            where.append(
                f"story_id IN (SELECT story_id FROM articles WHERE {' AND '.join(bounds)})"
            )
        if query.source is not None:
            where.append("story_id IN (SELECT story_id FROM articles WHERE source = ?)")
            params.append(query.source)
        if query.entity_ids is not None:
            if not query.entity_ids:
                return StoryPage(stories=(), total=0)
            marks = ",".join("?" * len(query.entity_ids))
            where.append(
                "story_id IN (SELECT a.story_id FROM entity_articles e "
                f"JOIN articles a ON a.id = e.article_id WHERE e.entity_id IN ({marks}))"
            )
            params.extend(query.entity_ids)
        order, (clause, paging) = _STORY_ORDER[query.sort], _paging(limit, offset)
        if not where:  # the page straight from an index; the count from a covering index
            ids = [
                row[0]
                for row in self._conn.execute(
                    f"SELECT story_id FROM story_stats ORDER BY {order}{clause}", paging
                )
            ]
            total = int(self._conn.execute("SELECT COUNT(*) FROM story_stats").fetchone()[0])
        else:  # the filters run once: the page and the count come from the same matches
            condition = " AND ".join(where)
            rows = self._conn.execute(
                f"WITH hits AS MATERIALIZED (SELECT * FROM story_stats WHERE {condition}) "
                f"SELECT story_id, (SELECT COUNT(*) FROM hits) FROM hits ORDER BY {order}{clause}",
                [*params, *paging],
            ).fetchall()
            ids = [row[0] for row in rows]
            if rows:
                total = int(rows[0][1])
            else:  # a page past the end
                counted = self._conn.execute(
                    f"SELECT COUNT(*) FROM story_stats WHERE {condition}", params
                )
                total = int(counted.fetchone()[0])
        found = {story.id: story for story in self.stories(story_ids=ids)} if ids else {}
        return StoryPage(stories=tuple(found[i] for i in ids if i in found), total=total)

    def article_story_ids(self, article_ids: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(article_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                self._conn.execute(
                    f"SELECT id, story_id FROM articles WHERE id IN ({','.join('?' * len(chunk))}) "
                    "AND story_id IS NOT NULL",
                    chunk,
                ).fetchall()
            )
        return found

    # -- dossiers ---------------------------------------------------------------------------

    def cached_dossier(self, story_id: str, fingerprint: str) -> str | None:
        row = self._conn.execute(
            "SELECT document FROM dossiers WHERE story_id = ? AND fingerprint = ?",
            (story_id, fingerprint),
        ).fetchone()
        return None if row is None else str(row[0])

    def cache_dossier(self, story_id: str, fingerprint: str, document: str) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO dossiers (story_id, fingerprint, document, built_at) "
            "VALUES (?, ?, ?, ?)",
            (story_id, fingerprint, document, _now()),
        )

    # -- rejections ------------------------------------------------------------------------

    def has_rejected(self, key: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM rejected WHERE key = ?", (key,)).fetchone()
        return row is not None

    def add_rejected(self, rejected: Rejected) -> None:
        self._conn.execute(
            "INSERT INTO rejected (key, location, code, message, rejected_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (rejected.key, rejected.location, str(rejected.code), rejected.message, _now()),
        )

    def iter_rejected(self, *, limit: int | None = None, offset: int = 0) -> Iterator[Rejected]:
        clause, params = _paging(limit, offset)
        cursor = self._conn.execute(
            f"SELECT key, location, code, message FROM rejected ORDER BY seq{clause}", params
        )
        for row in cursor:
            yield Rejected(
                key=row["key"],
                location=row["location"],
                code=RejectCode(row["code"]),
                message=row["message"],
            )

    # -- accounting ------------------------------------------------------------------------

    def start_ingest(self, sources: Sequence[str]) -> int:
        cursor = self._conn.execute(
            "INSERT INTO ingest_runs (finished_at, sources, records_read, articles_added, "
            "duplicates_added, already_stored, rejected) VALUES (?, ?, 0, 0, 0, 0, 0)",
            (_now(), "\n".join(sources)),
        )
        return int(cursor.lastrowid or 0)

    def update_ingest(self, run_id: int, report: IngestReport) -> None:
        self._conn.execute(
            "UPDATE ingest_runs SET finished_at = ?, records_read = ?, articles_added = ?, "
            "duplicates_added = ?, already_stored = ?, rejected = ? WHERE id = ?",
            (
                _now(),
                report.records_read,
                report.articles_added,
                report.duplicates_added,
                report.already_stored,
                report.rejected,
                run_id,
            ),
        )

    def own_files(self) -> list[str]:
        if self.location == ":memory:":
            return []
        return [self.location + suffix for suffix in ("", "-wal", "-shm", "-journal", ".lock")]

    def stats(self) -> StoreStats:
        def scalar(sql: str) -> int:
            return int(self._conn.execute(sql).fetchone()[0] or 0)

        by_code = {
            row["code"]: row["n"]
            for row in self._conn.execute(
                "SELECT code, COUNT(*) AS n FROM rejected GROUP BY code ORDER BY code"
            )
        }
        return StoreStats(
            records_read=scalar("SELECT SUM(records_read - already_stored) FROM ingest_runs"),
            articles=scalar("SELECT COUNT(*) FROM articles"),
            duplicates=scalar("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            rejected_total=sum(by_code.values()),
            rejected_by_code=by_code,
            sources=scalar("SELECT COUNT(DISTINCT source) FROM articles"),
            stories=scalar("SELECT COUNT(DISTINCT story_id) FROM articles"),
            annotated=scalar("SELECT COUNT(*) FROM annotations"),
        )

    def dedup_index(self) -> SqliteDedupIndex:
        return self._index


def _holder(lock_path: str) -> str:
    """`` (pid N)`` for the process named in a lock file, or nothing when it cannot be read."""
    try:
        pid = Path(lock_path).read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


class SqliteDedupIndex:
    """The :class:`~storyline.dedup.index.DedupIndex` over a SqliteStore's connection.

    Band keys live in an indexed table, so finding candidates is a few index look-ups whatever
    the number of stored articles; nothing is rebuilt in memory when a store is reopened.
    """

    _COLUMNS = "e.article_id, e.published, e.arrival, e.grp, e.origin"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @staticmethod
    def _entry(row: Any) -> IndexedArticle:
        return IndexedArticle(
            article_id=row["article_id"],
            published=_from_iso(row["published"]),
            arrival=row["arrival"],
            group=row["grp"],
            origin=row["origin"],
        )

    def entry(self, article_id: str) -> IndexedArticle | None:
        row = self._conn.execute(
            f"SELECT {self._COLUMNS} FROM dedup_entries e WHERE e.article_id = ?", (article_id,)
        ).fetchone()
        return self._entry(row) if row is not None else None

    def find_exact(self, fingerprint: str) -> IndexedArticle | None:
        row = self._conn.execute(
            f"SELECT {self._COLUMNS} "
            "FROM dedup_fingerprints f JOIN dedup_entries e ON e.article_id = f.article_id "
            "WHERE f.fingerprint = ?",
            (fingerprint,),
        ).fetchone()
        return self._entry(row) if row is not None else None

    def candidates(self, band_keys: Sequence[bytes]) -> Iterable[IndexedArticle]:
        if not band_keys:
            return []
        marks = ",".join("?" * len(band_keys))
        rows = self._conn.execute(
            f"SELECT {self._COLUMNS} FROM dedup_entries e "
            f"WHERE e.arrival IN (SELECT arrival FROM dedup_bands WHERE key IN ({marks})) "
            "ORDER BY e.arrival",
            [_band_int(key) for key in band_keys],
        ).fetchall()
        return [self._entry(row) for row in rows]

    def ranked_candidates(
        self, band_keys: Sequence[bytes], *, limit: int
    ) -> list[tuple[IndexedArticle, int]]:
        if not band_keys or limit <= 0:
            return []
        marks = ",".join("?" * len(band_keys))
        rows = self._conn.execute(
            f"SELECT {self._COLUMNS}, c.shared FROM ("
            f"  SELECT arrival, COUNT(*) AS shared FROM dedup_bands WHERE key IN ({marks}) "
            "   GROUP BY arrival ORDER BY shared DESC, arrival LIMIT ?"
            ") c JOIN dedup_entries e ON e.arrival = c.arrival ORDER BY c.shared DESC, c.arrival",
            [*(_band_int(key) for key in band_keys), limit],
        ).fetchall()
        return [(self._entry(row), int(row["shared"])) for row in rows]

    def group_band_keys(
        self, group: str, band_keys: Sequence[bytes], *, at_least: int = 1
    ) -> set[bytes]:
        if not band_keys:
            return set()
        by_int = {_band_int(key): key for key in band_keys}
        marks = ",".join(["(?)"] * len(by_int))
        # The LIMIT stops each bucket's scan at the members needed.
        rows = self._conn.execute(
            f"WITH k(key) AS (VALUES {marks}) SELECT key FROM k WHERE ("
            "  SELECT COUNT(*) FROM (SELECT 1 FROM dedup_bands b "
            "  JOIN dedup_entries e ON e.arrival = b.arrival "
            "  WHERE b.key = k.key AND e.grp = ? LIMIT ?)) >= ?",
            [*by_int, group, at_least, at_least],
        ).fetchall()
        return {by_int[row["key"]] for row in rows}

    def signature(self, article_id: str) -> MinHashValues:
        row = self._conn.execute(
            "SELECT signature FROM dedup_entries WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no dedup signature for article {article_id!r}")
        return np.frombuffer(row["signature"], dtype=np.uint64)

    def signatures(self, article_ids: Sequence[str]) -> dict[str, MinHashValues]:
        wanted = list(dict.fromkeys(article_ids))
        if not wanted:
            return {}
        rows = self._conn.execute(
            "SELECT article_id, signature FROM dedup_entries "
            f"WHERE article_id IN ({','.join('?' * len(wanted))})",
            wanted,
        ).fetchall()
        found = {
            row["article_id"]: np.frombuffer(row["signature"], dtype=np.uint64) for row in rows
        }
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFoundError(f"no dedup signature for article {missing[0]!r}")
        return {i: found[i] for i in wanted}

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
        cursor = self._conn.execute(
            "INSERT INTO dedup_entries (article_id, published, grp, origin, signature) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                article_id,
                _iso(published),
                group,
                origin,
                np.ascontiguousarray(signature, dtype=np.uint64).tobytes(),
            ),
        )
        arrival = int(cursor.lastrowid or 0)
        self._conn.execute(
            "INSERT OR IGNORE INTO dedup_fingerprints (fingerprint, article_id) VALUES (?, ?)",
            (fingerprint, article_id),
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO dedup_bands (key, arrival) VALUES (?, ?)",
            [(_band_int(key), arrival) for key in band_keys],
        )
        return IndexedArticle(
            article_id=article_id, published=published, arrival=arrival, group=group, origin=origin
        )

    def set_origin(self, group: str, origin: str) -> None:
        self._conn.execute("UPDATE dedup_entries SET origin = ? WHERE grp = ?", (origin, group))
        self._conn.execute(
            "UPDATE articles SET duplicate_of = CASE WHEN id = ? THEN NULL ELSE ? END "
            "WHERE duplicate_group = ?",
            (origin, origin, group),
        )
