"""The Store protocol, on every backend (SQLite today)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storyline.dedup.index import DedupIndex, MemoryDedupIndex
from storyline.errors import NotFoundError, RejectCode, SchemaVersionError, StoreError
from storyline.model import (
    Annotations,
    Article,
    Entity,
    IngestReport,
    PublishedFrom,
    Quote,
    QuoteKind,
    Rejected,
    Span,
    Speaker,
    Timex,
    TimexType,
)
from storyline.store import SqliteStore, Store, open_store
from storyline.store.migrations import SQLITE_MIGRATIONS

FLOOD_TEXT = (
    "The Marlow River crested at 9.2 metres in Eastbrook on Tuesday, the regional water "
    "authority said, as about 3,000 residents spent a second night in shelters.\n"
    "Mayor Linda Park said the levee had held but warned that more rain was forecast."
)


def _article(article_id: str, **changes: object) -> Article:
    fields: dict[str, object] = {
        "id": article_id,
        "text": FLOOD_TEXT,
        "title": "Marlow crest passes Eastbrook",
        "url": f"https://harborgazette.example/2024/03/05/{article_id}",
        "source": "Harbor Gazette",
        "author": "Jane Roe",
        "published": datetime(2024, 3, 5, 8, 30, tzinfo=UTC),
        "published_from": PublishedFrom.METADATA,
        "language": "en",
        "location": f"pages/{article_id}.html",
        "reader": "html",
        "duplicate_group": article_id,
    }
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / f"{request.param}.db")
    yield opened
    opened.close()


def test_article_round_trip(store: Store) -> None:
    original = _article("hg-1", duplicate_of=None)
    with store.transaction():
        store.add_article(original)
    assert store.has_article("hg-1")
    assert not store.has_article("hg-2")
    assert store.article("hg-1") == original
    assert [a.id for a in store.iter_articles()] == ["hg-1"]


def test_unknown_article_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError) as caught:
        store.article("nope")
    assert caught.value.http_status == 404


def test_articles_keep_ingest_order_and_page(store: Store) -> None:
    with store.transaction():
        for n in (3, 1, 2):
            store.add_article(_article(f"a{n}"))
    assert [a.id for a in store.iter_articles()] == ["a3", "a1", "a2"]
    assert [a.id for a in store.iter_articles(limit=1, offset=1)] == ["a1"]


def test_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.add_article(_article("kept-out"))
        raise RuntimeError("simulated crash mid-batch")
    assert not store.has_article("kept-out")


def test_rejections_and_stats(store: Store) -> None:
    bad = Rejected(location="dump.jsonl:7", code=RejectCode.MALFORMED_JSON, message="bad")
    with store.transaction():
        store.add_article(_article("a1"))
        store.add_article(_article("a2", source="Daily Ledger", duplicate_of="a1"))
        store.add_rejected(bad)
        run = store.start_ingest(["dump.jsonl"])
        store.update_ingest(
            run,
            IngestReport(
                records_read=4,
                articles_added=2,
                duplicates_added=1,
                already_stored=1,
                rejected=1,
                rejected_by_code={"malformed_json": 1},
            ),
        )
    assert store.has_rejected(bad.key)
    assert list(store.iter_rejected()) == [bad]
    stats = store.stats()
    assert stats.to_dict() == {
        "records_read": 3,
        "articles": 2,
        "duplicates": 1,
        "rejected": {"total": 1, "by_code": {"malformed_json": 1}},
        "sources": 2,
        "stories": 0,
        "annotated": 0,
    }


def test_store_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with SqliteStore(path) as first, first.transaction():
        first.add_article(_article("a1"))
    with SqliteStore(path) as second:
        assert second.has_article("a1")
        assert second.schema_version() == len(SQLITE_MIGRATIONS)


def test_annotations_are_stored_replaced_and_listed(tmp_path: Path) -> None:
    text = _article("a1").text
    first = Annotations(
        timexes=(Timex(text=text[0:5], start=0, end=5, type=TimexType.DATE, value="2024"),),
        entities=(
            Entity(text=text[6:10], start=6, end=10, label="PERSON", canonical="X", role="mayor"),
        ),
        quotes=(
            Quote(
                kind=QuoteKind.DIRECT,
                content=Span(text=text[0:10], start=0, end=10),
                speaker=Speaker(text="he", start=11, end=13, canonical="X", role="mayor"),
                cue=None,
            ),
        ),
    )
    with SqliteStore(tmp_path / "news.db") as store:
        with store.transaction():
            store.add_article(_article("a1"))
            store.add_article(_article("a2"))
        assert store.annotations("a1") is None
        assert [a.id for a in store.iter_unannotated()] == ["a1", "a2"]
        with store.transaction():
            store.add_annotations("a1", first, model="en_test-1.0")
        assert store.annotations("a1") == first
        assert [a.id for a in store.iter_unannotated()] == ["a2"]
        with store.transaction():
            store.add_annotations("a1", Annotations(), model="en_test-1.0")
        assert store.annotations("a1") == Annotations()
        assert store.stats().annotated == 1
        with pytest.raises(NotFoundError):
            store.annotations("missing")


def test_a_version_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in SQLITE_MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with SqliteStore(path) as store:
        assert store.schema_version() == len(SQLITE_MIGRATIONS) >= 2
        assert store.stats().annotated == 0


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "news.db"):
        conn = sqlite3.connect(tmp_path / "news.db")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(SQLITE_MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(SchemaVersionError) as caught:
        SqliteStore(path)
    assert caught.value.exit_code == 4


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError):
        SqliteStore(path)


# -- the duplicate index protocol, in memory and in the store ----------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DedupIndex]:
    if request.param == "memory":
        yield MemoryDedupIndex()
        return
    with SqliteStore(tmp_path / "index.db") as sqlite_store, sqlite_store.transaction():
        yield sqlite_store.dedup_index()


def _signature(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**32, size=16, dtype=np.uint64)


def test_index_finds_exact_and_band_candidates(index: DedupIndex) -> None:
    index.add(
        article_id="a1",
        published=datetime(2024, 3, 5, tzinfo=UTC),
        fingerprint="f1",
        band_keys=[b"k1", b"k2"],
        signature=_signature(1),
        group="a1",
        origin="a1",
    )
    index.add(
        article_id="a2",
        published=None,
        fingerprint="f2",
        band_keys=[b"k2", b"k3"],
        signature=_signature(2),
        group="a2",
        origin="a2",
    )
    exact = index.find_exact("f1")
    assert exact is not None and exact.article_id == "a1"
    assert exact.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert index.find_exact("missing") is None
    assert [c.article_id for c in index.candidates([b"k2"])] == ["a1", "a2"]
    assert [c.article_id for c in index.candidates([b"k3", b"k9"])] == ["a2"]
    assert list(index.candidates([])) == []
    assert np.array_equal(index.signature("a2"), _signature(2))


def test_index_set_origin_moves_whole_group(index: DedupIndex) -> None:
    for n, key in ((1, b"x"), (2, b"x")):
        index.add(
            article_id=f"a{n}",
            published=None,
            fingerprint=f"f{n}",
            band_keys=[key],
            signature=_signature(n),
            group="a1",
            origin="a1",
        )
    index.set_origin("a1", "a2")
    assert {c.article_id: c.origin for c in index.candidates([b"x"])} == {"a1": "a2", "a2": "a2"}


def test_sqlite_set_origin_updates_stored_articles(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "news.db") as sqlite_store, sqlite_store.transaction():
        sqlite_store.add_article(_article("first"))
        sqlite_store.add_article(_article("copy", duplicate_of="first", duplicate_group="first"))
        sqlite_store.dedup_index().set_origin("first", "copy")
        assert sqlite_store.article("first").duplicate_of == "copy"
        assert sqlite_store.article("copy").duplicate_of is None


def test_checkpoint_moves_the_log_into_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "wal.db"
    with SqliteStore(db) as store:
        with store.transaction():
            store.add_article(
                Article(id="a1", text="Water rose in Eastbrook.", location="t", reader="jsonl")
            )
        log = Path(f"{db}-wal")
        assert log.stat().st_size > 0
        with store.transaction(), pytest.raises(StoreError, match="inside a transaction"):
            store.checkpoint()
        store.checkpoint()
        assert log.stat().st_size == 0
        assert store.article("a1").text == "Water rose in Eastbrook."
