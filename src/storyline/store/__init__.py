"""Storage: one protocol, a SQLite backend by default."""

from __future__ import annotations

from pathlib import Path

from storyline.errors import ConfigError
from storyline.store.base import Store
from storyline.store.sqlite import SqliteStore


def open_store(location: str | Path, *, create: bool = True) -> Store:
    """Open the store at a path (migrating it as needed).

    With ``create=False`` a missing store is a :class:`~storyline.errors.StoreError` instead
    of a new empty one: read-only commands must not leave stray files behind a typo.
    """
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the PostgreSQL backend is not part of this release yet; use a path")
    return SqliteStore(text, create=create)


__all__ = ["SqliteStore", "Store", "open_store"]
