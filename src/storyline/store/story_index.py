"""The story clusterer's index in SQLite: the :class:`~storyline.link.index.StoryIndex` protocol.

One table per kind of record (migration 3): document frequencies, story profiles and assigned
articles (as JSON: they are read and written whole), posting lists from features to the
stories that used them (read newest first through an index, so a look-up costs the same however
many stories are stored), merge/split events, and the aliases that keep merged ids resolving.
Every write happens inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from storyline.link.index import StoredArticle, StoryProfile
from storyline.model import StoryEvent

__all__ = ["SqliteStoryIndex"]

# SQLite allows 32,766 host parameters per statement; stay far below it.
_CHUNK = 500

_DATETIME_FIELDS = ("published", "first_published", "last_published")

_CHANGED = "changed:"
_CHANGED_END = "changed;"  # the next string after every "changed:..." name


def _dumps(record: StoredArticle | StoryProfile) -> str:
    # Shallow on purpose: dataclasses.asdict deep-copies every feature dict first.
    data = {f.name: getattr(record, f.name) for f in fields(record)}
    for name in _DATETIME_FIELDS:
        if isinstance(data.get(name), datetime):
            data[name] = data[name].isoformat()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _revive(data: dict[str, Any]) -> dict[str, Any]:
    for name in _DATETIME_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = datetime.fromisoformat(data[name])
    return data


def _article(raw: str) -> StoredArticle:
    return StoredArticle(**_revive(json.loads(raw)))


def _profile(raw: str) -> StoryProfile:
    data = _revive(json.loads(raw))
    data["recent"] = tuple(data.get("recent", ()))
    return StoryProfile(**data)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqliteStoryIndex:
    """:class:`~storyline.link.index.StoryIndex` over a SQLite store's connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

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

    def document_frequencies(self, features: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(features))
        found: dict[str, int] = dict.fromkeys(wanted, 0)
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            for feature, n in self._conn.execute(
                f"SELECT feature, n FROM story_df WHERE feature IN ({marks})", list(chunk)
            ):
                found[feature] = int(n)
        return found

    def count_document(self, features: Iterable[str]) -> None:
        self._bump("documents", 1)
        self._conn.executemany(
            "INSERT INTO story_df (feature, n) VALUES (?, 1) "
            "ON CONFLICT(feature) DO UPDATE SET n = n + 1",
            [(feature,) for feature in set(features)],
        )

    # -- candidates --------------------------------------------------------------------------

    def candidates(
        self, features: Mapping[str, float], *, per_feature: int, limit: int
    ) -> list[tuple[str, float]]:
        posted: list[tuple[str, int, float]] = []
        for feature, weight in features.items():
            rows = self._conn.execute(
                "SELECT story_id, arrival FROM story_postings WHERE feature = ? "
                "ORDER BY arrival DESC LIMIT ?",
                (feature, per_feature),
            ).fetchall()
            posted.extend((story_id, int(arrival), weight) for story_id, arrival in rows)
        live = self._resolve_many({story_id for story_id, _, _ in posted})
        found: dict[str, float] = {}
        recency: dict[str, int] = {}
        for story_id, arrival, weight in posted:
            story = live[story_id]
            found[story] = found.get(story, 0.0) + weight
            recency[story] = max(recency.get(story, 0), arrival)
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], -recency[kv[0]], kv[0]))
        return ranked[:limit]

    def post(self, story_id: str, features: Iterable[str], *, arrival: int) -> None:
        self._conn.executemany(
            "INSERT INTO story_postings (feature, story_id, arrival) VALUES (?, ?, ?) "
            "ON CONFLICT(feature, story_id) DO UPDATE SET arrival = excluded.arrival",
            [(feature, story_id, arrival) for feature in features],
        )

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

    def _resolve_many(self, story_ids: set[str]) -> dict[str, str]:
        """:meth:`resolve` for many ids: one query per step along the merge chains."""
        live = {story_id: story_id for story_id in story_ids}
        frontier = set(story_ids)
        for _ in range(1000):  # chain length; the bound only guards against a corrupt cycle
            moved: dict[str, str] = {}
            for chunk in _chunks(sorted(frontier)):
                marks = ",".join("?" * len(chunk))
                moved.update(
                    self._conn.execute(
                        f"SELECT story_id, into_id FROM story_aliases WHERE story_id IN ({marks})",
                        list(chunk),
                    ).fetchall()
                )
            if not moved:
                break
            for original, current in live.items():
                if current in moved:
                    live[original] = moved[current]
            frontier = set(moved.values())
        return live

    def resolve(self, story_id: str) -> str:
        for _ in range(1000):  # a merge chain; the bound only guards against a corrupt cycle
            row = self._conn.execute(
                "SELECT into_id FROM story_aliases WHERE story_id = ?", (story_id,)
            ).fetchone()
            if row is None:
                return story_id
            story_id = row[0]
        return story_id

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
        live = self._resolve_many(set(self._changed()))
        found = sorted(set(live.values()))
        present = self.stories(found)
        return [s for s in found if s in present][:limit]

    def clear_changed(self, story_ids: Iterable[str]) -> None:
        done = set(story_ids)
        live = self._resolve_many(set(self._changed()))
        self._conn.executemany(
            "DELETE FROM story_counters WHERE name = ?",
            [
                (_CHANGED + s,)
                for s, current in sorted(live.items())
                if s in done or current in done
            ],
        )
