"""Storage: one protocol, a SQLite backend by default."""

from __future__ import annotations

from pathlib import Path

from storyline.errors import StoreError
from storyline.store.base import Store
from storyline.store.sqlite import SqliteStore


def open_store(location: str | Path) -> Store:
    """Open (creating and migrating as needed) the store at a path or database URL."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "the PostgreSQL backend is not part of this release yet; use a SQLite path"
        )
    return SqliteStore(text)


__all__ = ["SqliteStore", "Store", "open_store"]
