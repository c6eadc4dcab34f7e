"""Corpus entities in SQLite: the :class:`~storyline.link.entity_index.EntityIndex` protocol.

One table per kind of record (migration 4): entity records (as JSON, read and written whole,
with their article count as a column for listing), look-up keys (``kind``, ``key``) -> entity
ids (read oldest entity first through an index), the entity each in-article canonical name
was linked to, and one row per entity and article, in link order. Every look-up the linker
makes reads a bounded number of rows through an index, however many entities are stored.
Every write happens inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storyline.link.entity_index import EntityRecord

__all__ = ["SqliteEntityIndex"]

# SQLite allows 32,766 host parameters per statement; stay far below it.
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _dumps(record: EntityRecord) -> str:
    data = {
        "canonical": record.canonical,
        "label": record.label,
        "labels": record.labels,
        "names": record.names,
        "aliases": list(record.aliases),
        "user": record.user,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _record(entity_id: str, seq: int, articles: int, raw: str) -> EntityRecord:
    data: dict[str, Any] = json.loads(raw)
    return EntityRecord(
        id=entity_id,
        canonical=data["canonical"],
        label=data["label"],
        seq=int(seq),
        articles=int(articles),
        labels=data.get("labels", {}),
        names=data.get("names", {}),
        aliases=tuple(data.get("aliases", ())),
        user=bool(data.get("user", False)),
    )


class SqliteEntityIndex:
    """:class:`~storyline.link.entity_index.EntityIndex` over a SQLite store's connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _counter(self, name: str) -> int:
        row = self._conn.execute(
            "SELECT value FROM entity_counters WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _bump(self, name: str) -> None:
        self._conn.execute(
            "INSERT INTO entity_counters (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )

    # -- entities --------------------------------------------------------------------------

    def entity(self, entity_id: str) -> EntityRecord | None:
        row = self._conn.execute(
            "SELECT id, seq, articles, data FROM entities WHERE id = ?", (entity_id,)
        ).fetchone()
        return None if row is None else _record(*row)

    def entities(self, entity_ids: Sequence[str]) -> dict[str, EntityRecord]:
        found: dict[str, EntityRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(entity_ids))):
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT id, seq, articles, data FROM entities WHERE id IN ({marks})",
                list(chunk),
            ):
                found[row[0]] = _record(*row)
        return found

    def put_entity(self, record: EntityRecord) -> None:
        cursor = self._conn.execute(
            "UPDATE entities SET seq = ?, articles = ?, data = ? WHERE id = ?",
            (record.seq, record.articles, _dumps(record), record.id),
        )
        if cursor.rowcount == 0:
            self._conn.execute(
                "INSERT INTO entities (id, seq, articles, data) VALUES (?, ?, ?, ?)",
                (record.id, record.seq, record.articles, _dumps(record)),
            )
            self._bump("entities")

    def entity_count(self) -> int:
        return self._counter("entities")

    # -- keys --------------------------------------------------------------------------------

    def lookup(self, kind: str, key: str, *, limit: int) -> list[str]:
        rows = self._conn.execute(
            "SELECT entity_id FROM entity_keys WHERE kind = ? AND key = ? "
            "ORDER BY seq, entity_id LIMIT ?",
            (kind, key, limit),
        ).fetchall()
        return [row[0] for row in rows]

    def add_keys(self, entity_id: str, keys: Iterable[tuple[str, str]]) -> None:
        row = self._conn.execute("SELECT seq FROM entities WHERE id = ?", (entity_id,)).fetchone()
        seq = int(row[0]) if row else 0
        self._conn.executemany(
            "INSERT OR IGNORE INTO entity_keys (kind, key, entity_id, seq) VALUES (?, ?, ?, ?)",
            [(kind, key, entity_id, seq) for kind, key in dict.fromkeys(keys)],
        )

    # -- links -------------------------------------------------------------------------------

    def article_links(self, article_id: str) -> dict[str, str]:
        rows = self._conn.execute(
            "SELECT canonical, entity_id FROM entity_links WHERE article_id = ?", (article_id,)
        ).fetchall()
        return {canonical: entity_id for canonical, entity_id in rows}

    def add_links(self, article_id: str, links: Mapping[str, str]) -> None:
        # Linked, even with no names: off the queue of articles waiting for it (migration 7).
        self._conn.execute("DELETE FROM entity_pending WHERE article_id = ?", (article_id,))
        if not links:
            return
        known = self._conn.execute(
            "SELECT 1 FROM entity_links WHERE article_id = ? LIMIT 1", (article_id,)
        ).fetchone()
        self._conn.executemany(
            "INSERT OR IGNORE INTO entity_links (article_id, canonical, entity_id) "
            "VALUES (?, ?, ?)",
            [(article_id, canonical, entity_id) for canonical, entity_id in links.items()],
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO entity_articles (entity_id, article_id) VALUES (?, ?)",
            [(entity_id, article_id) for entity_id in dict.fromkeys(links.values())],
        )
        if known is None:
            self._bump("articles")

    def linked_article_count(self) -> int:
        return self._counter("articles")

    def article_ids(self, entity_id: str, *, limit: int | None = None) -> list[str]:
        if limit is None:
            rows = self._conn.execute(
                "SELECT article_id FROM entity_articles WHERE entity_id = ? ORDER BY seq",
                (entity_id,),
            ).fetchall()
        else:
            rows = self._conn.execute(
                "SELECT article_id FROM entity_articles WHERE entity_id = ? "
                "ORDER BY seq DESC LIMIT ?",
                (entity_id, limit),
            ).fetchall()
        return [row[0] for row in rows]

    def article_entities(self, article_ids: Sequence[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for chunk in _chunks(list(dict.fromkeys(article_ids))):
            marks = ",".join("?" * len(chunk))
            for article_id, entity_id in self._conn.execute(
                f"SELECT article_id, entity_id FROM entity_links WHERE article_id IN ({marks})",
                list(chunk),
            ):
                found.setdefault(article_id, set()).add(entity_id)
        return found

    def top(
        self, *, limit: int | None = None, offset: int = 0, search: str | None = None
    ) -> list[EntityRecord]:
        where, params = "", []
        if search is not None:
            where = (
                "WHERE id IN (SELECT entity_id FROM entity_keys "
                "WHERE kind IN ('name', 'alias') AND instr(key, ?) > 0)"
            )
            params.append(search)
        rows = self._conn.execute(
            f"SELECT id, seq, articles, data FROM entities {where} "
            "ORDER BY articles DESC, seq LIMIT ? OFFSET ?",
            (*params, -1 if limit is None else limit, offset),
        ).fetchall()
        return [_record(*row) for row in rows]
