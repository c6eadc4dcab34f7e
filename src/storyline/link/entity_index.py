"""Where the entity linker keeps corpus entities: an in-memory index, or the store.

The linker decides; an index only stores and looks up plain data: one record per corpus entity,
look-up keys (``kind``, ``key``) -> entity ids, and which entity each in-article canonical name
of each article was linked to. ``storyline.store`` implements :class:`EntityIndex` over SQLite
(``SqliteEntityIndex``) with one table per kind of record.

Key kinds (see :mod:`storyline.link.entities`): ``name`` (the name key of a canonical form),
``skel`` (its consonant skeleton), ``fl`` (a person's first + last name skeleton), ``sur`` (a
person's surname skeleton), ``acr`` (an acronym seen standing for the entity), ``ini`` (the
initials of a multi-word name), ``user`` (an entry of the user alias file) and ``alias`` (name
keys of other forms, for search only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["EntityIndex", "EntityRecord", "MemoryEntityIndex"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityRecord:
    """What an index keeps of one corpus entity."""

    id: str
    canonical: str
    """Display name: the user alias file's canonical, else the most frequent canonical form."""
    label: str
    """Majority label of its mentions (ties: the label it was first seen with)."""
    seq: int
    """Creation order (0 for the first entity)."""
    articles: int = 0
    """Articles linked to it."""
    labels: dict[str, int] = field(default_factory=dict)
    """Mentions per NER label."""
    names: dict[str, int] = field(default_factory=dict)
    """In-article canonical forms linked to it, with the number of articles using each."""
    aliases: tuple[str, ...] = ()
    """Other forms seen for it (surface forms, variants, acronyms), first seen first; bounded."""
    user: bool = False
    """Defined by the user alias file: its canonical name is the file's."""


class EntityIndex(Protocol):
    """Storage of corpus entities, their look-up keys and the article links."""

    def entity(self, entity_id: str) -> EntityRecord | None:
        """An entity's record, if any."""

    def entities(self, entity_ids: Sequence[str]) -> dict[str, EntityRecord]:
        """Several records in one look-up (unknown ids are left out)."""

    def put_entity(self, record: EntityRecord) -> None:
        """Store (insert or replace) an entity's record."""

    def entity_count(self) -> int:
        """Corpus entities stored."""

    def lookup(self, kind: str, key: str, *, limit: int) -> list[str]:
        """Up to ``limit`` entity ids stored under ``(kind, key)``, oldest entity first."""

    def add_keys(self, entity_id: str, keys: Iterable[tuple[str, str]]) -> None:
        """File ``entity_id`` under each ``(kind, key)`` (idempotent)."""

    def article_links(self, article_id: str) -> dict[str, str]:
        """In-article canonical name -> entity id for a linked article (empty if not linked)."""

    def add_links(self, article_id: str, links: Mapping[str, str]) -> None:
        """Record that the article's canonical names were linked to these entities (the
        linker calls it for every article it links, with no links when it has no names)."""

    def linked_article_count(self) -> int:
        """Articles linked so far."""

    def article_ids(self, entity_id: str, *, limit: int | None = None) -> list[str]:
        """Articles linked to an entity: all of them oldest first, or with ``limit`` the
        ``limit`` most recent, newest first."""

    def article_entities(self, article_ids: Sequence[str]) -> dict[str, set[str]]:
        """Entity ids each of these articles was linked to."""

    def top(
        self, *, limit: int | None = None, offset: int = 0, search: str | None = None
    ) -> list[EntityRecord]:
        """Entities, most articles first (ties: oldest first); with ``search``, only those with
        a ``name`` or ``alias`` key containing it."""


class MemoryEntityIndex:
    """An :class:`EntityIndex` in plain dictionaries: for tests, benchmarks and one-off runs."""

    def __init__(self) -> None:
        self._entities: dict[str, EntityRecord] = {}
        self._keys: dict[tuple[str, str], dict[str, int]] = {}
        self._links: dict[str, dict[str, str]] = {}
        self._by_entity: dict[str, list[str]] = {}

    def entity(self, entity_id: str) -> EntityRecord | None:
        return self._entities.get(entity_id)

    def entities(self, entity_ids: Sequence[str]) -> dict[str, EntityRecord]:
        return {i: self._entities[i] for i in entity_ids if i in self._entities}

    def put_entity(self, record: EntityRecord) -> None:
        self._entities[record.id] = record

    def entity_count(self) -> int:
        return len(self._entities)

    def lookup(self, kind: str, key: str, *, limit: int) -> list[str]:
        found = self._keys.get((kind, key), {})
        return sorted(found, key=lambda i: (found[i], i))[:limit]

    def add_keys(self, entity_id: str, keys: Iterable[tuple[str, str]]) -> None:
        seq = self._entities[entity_id].seq if entity_id in self._entities else 0
        for key in keys:
            self._keys.setdefault(key, {})[entity_id] = seq

    def article_links(self, article_id: str) -> dict[str, str]:
        return dict(self._links.get(article_id, {}))

    def add_links(self, article_id: str, links: Mapping[str, str]) -> None:
        if not links:
            return
        held = self._links.setdefault(article_id, {})
        for canonical, entity_id in links.items():
            if canonical in held:
                continue
            held[canonical] = entity_id
            articles = self._by_entity.setdefault(entity_id, [])
            if not articles or articles[-1] != article_id:
                articles.append(article_id)

    def linked_article_count(self) -> int:
        return len(self._links)

    def article_ids(self, entity_id: str, *, limit: int | None = None) -> list[str]:
        articles = self._by_entity.get(entity_id, [])
        if limit is None:
            return list(articles)
        return articles[::-1][:limit]

    def article_entities(self, article_ids: Sequence[str]) -> dict[str, set[str]]:
        return {a: set(self._links[a].values()) for a in article_ids if a in self._links}

    def top(
        self, *, limit: int | None = None, offset: int = 0, search: str | None = None
    ) -> list[EntityRecord]:
        records: Iterable[EntityRecord] = self._entities.values()
        if search is not None:
            wanted = {
                entity_id
                for (kind, key), ids in self._keys.items()
                if kind in ("name", "alias") and search in key
                for entity_id in ids
            }
            records = [r for r in records if r.id in wanted]
        ranked = sorted(records, key=lambda r: (-r.articles, r.seq))
        return ranked[offset:] if limit is None else ranked[offset : offset + limit]
