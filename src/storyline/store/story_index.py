"""The story clusterer's index in SQLite: the :class:`~storyline.link.index.StoryIndex` protocol.

One table per kind of record (migration 3): document frequencies, story profiles and assigned
articles (read and written whole, in a compact binary layout), posting lists from features to
the stories that used them (one bounded row per feature, newest first: migration 9, so a
look-up costs the same however many stories are stored), merge/split events, and the aliases
that keep merged ids resolving. Every write happens inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from storyline.link.index import (
    StoredArticle,
    StoryProfile,
    follow_merges,
    post_newest,
    rank_candidates,
)
from storyline.model import StoryEvent

__all__ = ["SqliteStoryIndex"]

# SQLite allows 32,766 host parameters per statement; stay far below it.
_CHUNK = 500
MAX_POSTINGS = 16
"""Stories kept per feature's posting list (the most recently posted): candidate look-ups
read at most this many per feature (the clusterer reads 8; the rest stand in for stories
merged away). Rows kept longer by earlier versions are cut to this on their next post."""
# Separates the ids and arrival numbers of a posting list (story ids never hold it).
_SEP = "\x1f"

_DATETIME_FIELDS = ("published", "first_published", "last_published")

_CHANGED = "changed:"
_CHANGED_END = "changed;"  # the next string after every "changed:..." name


# Records are stored as one BLOB: a 4-byte length, a JSON head with everything but the float
# maps (and the keys of each float map, in order), then all the maps' values as float64. Read
# the clusterer's hottest records (a candidate story's centroid, on every article) decode twice
# as fast as JSON, take half the bytes (fewer overflow pages to read and rewrite in a large
# store), and round-trip every float exactly. Rows written as JSON text before stay readable.
_FLOAT_MAPS: dict[type, tuple[str, ...]] = {
    StoryProfile: ("centroid", "norms"),
    StoredArticle: ("features", "vector"),
}
# Lead vectors (``dense``) follow the maps' values as float32 (their length is in the head):
# 1.5 KB a record rather than 3.
_DENSE = "dense"
_HEAD = struct.Struct("<I")


def _dumps(record: StoredArticle | StoryProfile) -> bytes:
    # Shallow on purpose: dataclasses.asdict deep-copies every feature dict first.
    data = {f.name: getattr(record, f.name) for f in fields(record)}
    for name in _DATETIME_FIELDS:
        if isinstance(data.get(name), datetime):
            data[name] = data[name].isoformat()
    values = array("d")
    keys: list[list[str]] = []
    for name in _FLOAT_MAPS[type(record)]:
        floats: dict[str, float] = data.pop(name)
        keys.append(list(floats))
        values.extend(floats.values())
    data["_keys"] = keys
    dense = array("f", data.pop(_DENSE, ()))
    if dense:
        data["_dense"] = len(dense)
    head = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _HEAD.pack(len(head)) + head + values.tobytes() + dense.tobytes()


def _loads(raw: str | bytes, kind: type) -> dict[str, Any]:
    if isinstance(raw, str):  # JSON text, as written before the binary layout
        data: dict[str, Any] = json.loads(raw)
    else:
        (size,) = _HEAD.unpack_from(raw)
        data = json.loads(raw[_HEAD.size : _HEAD.size + size])
        body = raw[_HEAD.size + size :]
        dense_size = data.pop("_dense", 0) * 4
        if dense_size:
            dense = array("f")
            dense.frombytes(body[len(body) - dense_size :])
            data[_DENSE] = tuple(dense)
            body = body[: len(body) - dense_size]
        values = array("d")
        values.frombytes(body)
        at = 0
        for name, keys in zip(_FLOAT_MAPS[kind], data.pop("_keys"), strict=True):
            data[name] = dict(zip(keys, values[at : at + len(keys)], strict=True))
            at += len(keys)
    for name in _DATETIME_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = datetime.fromisoformat(data[name])
    if isinstance(data.get(_DENSE), list):  # JSON text rows
        data[_DENSE] = tuple(data[_DENSE])
    return data


def _article(raw: str | bytes) -> StoredArticle:
    return StoredArticle(**_loads(raw, StoredArticle))


def _profile(raw: str | bytes) -> StoryProfile:
    data = _loads(raw, StoryProfile)
    data["recent"] = tuple(data.get("recent", ()))
    return StoryProfile(**data)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqliteStoryIndex:
    """:class:`~storyline.link.index.StoryIndex` over a SQLite store's connection."""

    def __init__(self, conn: sqlite3.Connection, *, max_postings: int = MAX_POSTINGS) -> None:
        self._conn = conn
        self.max_postings = max_postings
        self._alias_links: dict[str, str] | None = None
        self._aliases_version = -1
        # Write-back state of the open transaction (see flush()).
        self._buffering = False
        self._df: dict[str, int] = {}
        self._df_dirty: set[str] = set()
        self._lists: dict[str, dict[str, int]] = {}
        self._lists_dirty: set[str] = set()

    # -- write-back within a transaction ---------------------------------------------------

    # Inside a store transaction, document frequencies and posting lists are read once, changed in
    # memory and written back once, in key order, when the store commits (flush). A run of
    # articles counts each common word hundreds of times and posts each story's features once
    # per article: rewriting those rows every time was most of the SQL an assignment ran, and
    # in a large store each rewrite descends a deeper B-tree. Memory is bounded by the features
    # one transaction touches; outside a transaction every call reads and writes through.

    def buffer_writes(self) -> None:
        """Keep frequency and posting writes in memory until :meth:`flush` or :meth:`discard`
        (the store calls this when it opens a transaction)."""
        self._links()  # brought up to date once: no other connection commits until we do
        self._buffering = True

    def flush(self) -> None:
        """Write the transaction's buffered frequencies and posting lists (before COMMIT)."""
        if self._df_dirty:
            self._conn.executemany(
                "INSERT OR REPLACE INTO story_df (feature, n) VALUES (?, ?)",
                [(feature, self._df[feature]) for feature in sorted(self._df_dirty)],
            )
        if self._lists_dirty:
            self._write_posting_lists(
                (feature, self._lists[feature]) for feature in sorted(self._lists_dirty)
            )
        self._unbuffer()

    def discard(self) -> None:
        """Forget the buffered state and stop buffering (at ROLLBACK)."""
        self._unbuffer()
        self._alias_links = None  # it may hold merges that were rolled back

    def _unbuffer(self) -> None:
        # Other writers may commit between transactions: nothing buffered outlives one.
        self._buffering = False
        self._df.clear()
        self._df_dirty.clear()
        self._lists.clear()
        self._lists_dirty.clear()

    # -- document frequencies --------------------------------------------------------------

    # Counts are kept in story_counters, in the same transactions as the rows they count:
    # SQLite's COUNT(*) reads the whole table, and the clusterer asks on every article.

    def _counter(self, name: str) -> int:
        row = self._conn.execute(
            "SELECT value FROM story_counters WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _bump(self, name: str, by: int) -> None:
        self._conn.execute(
            "INSERT INTO story_counters (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (name, by),
        )

    def article_count(self) -> int:
        return self._counter("articles")

    def document_count(self) -> int:
        return self._counter("documents")

    def _read_frequencies(self, features: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = dict.fromkeys(features, 0)
        for chunk in _chunks(features):
            marks = ",".join("?" * len(chunk))
            for feature, n in self._conn.execute(
                f"SELECT feature, n FROM story_df WHERE feature IN ({marks})", list(chunk)
            ):
                found[feature] = int(n)
        return found

    def document_frequencies(self, features: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(features))
        if not self._buffering:
            return self._read_frequencies(wanted)
        known = self._df
        missing = [feature for feature in wanted if feature not in known]
        if missing:
            known.update(self._read_frequencies(missing))
        return {feature: known[feature] for feature in wanted}

    def count_document(self, features: Iterable[str]) -> None:
        self._bump("documents", 1)
        counted = set(features)
        if not self._buffering:
            self._conn.executemany(
                "INSERT INTO story_df (feature, n) VALUES (?, 1) "
                "ON CONFLICT(feature) DO UPDATE SET n = n + 1",
                [(feature,) for feature in counted],
            )
            return
        known = self.document_frequencies(counted)
        self._df.update((feature, n + 1) for feature, n in known.items())
        self._df_dirty |= counted

    # -- candidates --------------------------------------------------------------------------

    # Each feature's posting list is one row (migration 9): its most recent stories, newest
    # first, as separated ids and arrival numbers. A look-up is one key read per feature, however
    # long the feature's history; posting rewrites the row, keeping the ``max_postings`` most
    # recent (MemoryStoryIndex keeps its lists the same way, moved to the front on each post).

    # In memory a posting list is a dict from story id to arrival number, oldest first: posting
    # moves a story to the end and drops the oldest past the bound, without rebuilding the list.

    def _read_posting_lists(self, features: Sequence[str]) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for chunk in _chunks(features):
            marks = ",".join("?" * len(chunk))
            for feature, ids, arrivals in self._conn.execute(
                f"SELECT feature, story_ids, arrivals FROM story_recent WHERE feature IN ({marks})",
                list(chunk),
            ):
                stories, times = ids.split(_SEP)[::-1], map(int, arrivals.split(_SEP)[::-1])
                found[feature] = dict(zip(stories, times, strict=True))
        return found

    def _posting_lists(self, features: Sequence[str]) -> dict[str, dict[str, int]]:
        """Each feature's posting list (empty for features never posted). In a transaction,
        the buffered lists themselves: changing them changes what the transaction writes."""
        wanted = list(dict.fromkeys(features))
        if not self._buffering:
            found = self._read_posting_lists(wanted)
            return {feature: found.get(feature, {}) for feature in wanted}
        known = self._lists
        missing = [feature for feature in wanted if feature not in known]
        if missing:
            found = self._read_posting_lists(missing)
            known.update((feature, found.get(feature, {})) for feature in missing)
        return {feature: known[feature] for feature in wanted}

    def candidates(
        self, features: Mapping[str, float], *, per_feature: int, limit: int
    ) -> list[tuple[str, float]]:
        lists = self._posting_lists(list(features))
        return rank_candidates(
            ((lists[f], w) for f, w in features.items()),  # feature order, as in memory
            per_feature=per_feature,
            limit=limit,
            moved=self._links(),
            resolve=self.resolve,
        )

    def post(self, story_id: str, features: Iterable[str], *, arrival: int) -> None:
        lists = self._posting_lists(list(features))
        for posted in lists.values():
            post_newest(posted, story_id, arrival, bound=self.max_postings)
        if self._buffering:
            self._lists_dirty.update(lists)
        else:
            self._write_posting_lists(lists.items())

    def _write_posting_lists(self, lists: Iterable[tuple[str, dict[str, int]]]) -> None:
        self._conn.executemany(
            "INSERT OR REPLACE INTO story_recent (feature, story_ids, arrivals) VALUES (?, ?, ?)",
            [
                (
                    feature,
                    _SEP.join(reversed(posted)),  # newest first, as migration 9 wrote them
                    _SEP.join(map(str, reversed(posted.values()))),
                )
                for feature, posted in lists
            ],
        )

    def _links(self) -> dict[str, str]:
        """Every merged story id and the id it was merged into. Kept in memory: candidates
        meet a few hundred ids per article and merges are rare. Reloaded when another
        connection has committed, or after a rollback."""
        if self._buffering and self._alias_links is not None:
            return self._alias_links  # checked when the transaction began (buffer_writes)
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if self._alias_links is None or version != self._aliases_version:
            self._alias_links = dict(
                self._conn.execute("SELECT story_id, into_id FROM story_aliases").fetchall()
            )
            self._aliases_version = version
        return self._alias_links

    # -- stories -----------------------------------------------------------------------------

    def story(self, story_id: str) -> StoryProfile | None:
        row = self._conn.execute(
            "SELECT data FROM story_profiles WHERE story_id = ?", (story_id,)
        ).fetchone()
        return None if row is None else _profile(row[0])

    def stories(self, story_ids: Sequence[str]) -> dict[str, StoryProfile]:
        found: dict[str, StoryProfile] = {}
        for chunk in _chunks(list(dict.fromkeys(story_ids))):
            marks = ",".join("?" * len(chunk))
            for story_id, data in self._conn.execute(
                f"SELECT story_id, data FROM story_profiles WHERE story_id IN ({marks})",
                list(chunk),
            ):
                found[story_id] = _profile(data)
        return found

    def put_story(self, profile: StoryProfile) -> None:
        if not self._exists("story_profiles", "story_id", profile.story_id):
            self._bump("stories", 1)
        self._conn.execute(
            "INSERT OR REPLACE INTO story_profiles (story_id, data) VALUES (?, ?)",
            (profile.story_id, _dumps(profile)),
        )

    def remove_story(self, story_id: str) -> None:
        removed = self._conn.execute(
            "DELETE FROM story_profiles WHERE story_id = ?", (story_id,)
        ).rowcount
        if removed:
            self._bump("stories", -removed)

    def story_count(self) -> int:
        return self._counter("stories")

    def _exists(self, table: str, column: str, key: str) -> bool:
        row = self._conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (key,)).fetchone()
        return row is not None

    # -- articles ------------------------------------------------------------------------------

    def article(self, article_id: str) -> StoredArticle | None:
        row = self._conn.execute(
            "SELECT data FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else _article(row[0])

    def articles(self, article_ids: Sequence[str]) -> dict[str, StoredArticle]:
        found: dict[str, StoredArticle] = {}
        for chunk in _chunks(list(dict.fromkeys(article_ids))):
            marks = ",".join("?" * len(chunk))
            for article_id, data in self._conn.execute(
                f"SELECT article_id, data FROM story_articles WHERE article_id IN ({marks})",
                list(chunk),
            ):
                found[article_id] = _article(data)
        return found

    def put_article(self, article: StoredArticle) -> None:
        if not self._exists("story_articles", "article_id", article.article_id):
            self._bump("articles", 1)
        self._conn.execute(
            "INSERT OR REPLACE INTO story_articles (article_id, arrival, story_id, data) "
            "VALUES (?, ?, ?, ?)",
            (article.article_id, article.arrival, article.story_id, _dumps(article)),
        )
        self._bump(_CHANGED + article.story_id, 1)
        # The article's own row names its story too (``storyline articles``, stats).
        self._conn.execute(
            "UPDATE articles SET story_id = ? WHERE id = ?",
            (self.resolve(article.story_id), article.article_id),
        )

    # -- events --------------------------------------------------------------------------------

    def add_event(self, event: StoryEvent) -> None:
        self._conn.execute(
            "INSERT INTO story_events (kind, story_ids, into_id, reason, at_article) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                event.kind,
                json.dumps(list(event.story_ids)),
                event.into,
                event.reason,
                event.at_article,
            ),
        )
        if event.kind == "merge":
            merged = [s for s in event.story_ids if s != event.into]
            self._links().update(dict.fromkeys(merged, event.into))
            self._conn.executemany(
                "INSERT OR REPLACE INTO story_aliases (story_id, into_id) VALUES (?, ?)",
                [(story_id, event.into) for story_id in merged],
            )
            self._conn.executemany(
                "UPDATE articles SET story_id = ? WHERE story_id = ?",
                [(event.into, story_id) for story_id in merged],
            )

    def events(self, story_id: str | None = None) -> list[StoryEvent]:
        rows = self._conn.execute(
            "SELECT kind, story_ids, into_id, reason, at_article FROM story_events ORDER BY seq"
        ).fetchall()
        found = [
            StoryEvent(
                kind=kind,
                story_ids=tuple(json.loads(ids)),
                into=into,
                reason=reason,
                at_article=at_article,
            )
            for kind, ids, into, reason, at_article in rows
        ]
        if story_id is None:
            return found
        return [e for e in found if story_id in e.story_ids or story_id == e.into]

    def resolve(self, story_id: str) -> str:
        return follow_merges(self._links(), story_id)

    # -- periodic check --------------------------------------------------------------------------

    # Stories changed since their last check are counters named "changed:<story id>" (articles
    # put into them since): the check reads them by key range, with no scan of the articles.

    def members(self, story_id: str, *, limit: int) -> list[StoredArticle]:
        ids = [
            row[0]
            for row in self._conn.execute(
                "WITH RECURSIVE ids(id) AS (SELECT ? UNION "
                "SELECT a.story_id FROM story_aliases a JOIN ids ON a.into_id = ids.id) "
                "SELECT id FROM ids",
                (story_id,),
            )
        ]
        found: list[StoredArticle] = []
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            found.extend(
                _article(data)
                for (data,) in self._conn.execute(
                    f"SELECT data FROM story_articles WHERE story_id IN ({marks}) "
                    "ORDER BY arrival LIMIT ?",
                    [*chunk, limit],
                )
            )
        found.sort(key=lambda a: a.arrival)
        return found[:limit]

    def _changed(self) -> list[str]:
        return [
            name[len(_CHANGED) :]
            for (name,) in self._conn.execute(
                "SELECT name FROM story_counters WHERE name >= ? AND name < ? ORDER BY name",
                (_CHANGED, _CHANGED_END),
            )
        ]

    def changed_stories(self, *, limit: int) -> list[str]:
        found = sorted({self.resolve(s) for s in self._changed()})
        present = self.stories(found)
        return [s for s in found if s in present][:limit]

    def clear_changed(self, story_ids: Iterable[str]) -> None:
        done = set(story_ids)
        live = {s: self.resolve(s) for s in self._changed()}
        self._conn.executemany(
            "DELETE FROM story_counters WHERE name = ?",
            [
                (_CHANGED + s,)
                for s, current in sorted(live.items())
                if s in done or current in done
            ],
        )
