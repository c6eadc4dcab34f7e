"""The StoryIndex protocol, in memory and in the SQLite store: the same answers from both."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.link.index import MemoryStoryIndex, StoredArticle, StoryIndex, StoryProfile
from storyline.model import Article, StoryEvent
from storyline.store import SqliteStore
from storyline.store.migrations import SQLITE_MIGRATIONS
from storyline.store.story_index import MAX_POSTINGS, SqliteStoryIndex

WHEN = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "sqlite-autocommit"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoryIndex]:
    if request.param == "memory":
        yield MemoryStoryIndex()
        return
    with SqliteStore(tmp_path / "stories.db") as store:
        if request.param == "sqlite-autocommit":  # every call reads and writes through
            yield store.story_index()
            return
        with store.transaction():  # frequencies and postings buffered until commit
            yield store.story_index()


def _profile(story_id: str, **changes: object) -> StoryProfile:
    fields: dict[str, object] = {
        "story_id": story_id,
        "founded_by": f"{story_id}-a1",
        "created": 0,
        "size": 2,
        "centroid": {"t:levee": 1.5, "e:linda park": 0.75},
        "names": {"e:linda park": "Linda Park"},
        "first_published": WHEN,
        "last_published": WHEN,
        "last_arrival": 1,
        "recent": (f"{story_id}-a1", f"{story_id}-a2"),
    }
    fields.update(changes)
    return StoryProfile(**fields)  # type: ignore[arg-type]


def test_document_frequencies_count_each_feature_once_per_document(index: StoryIndex) -> None:
    assert index.document_count() == 0
    index.count_document(["t:levee", "t:levee", "e:eastbrook"])
    index.count_document(["t:levee"])
    assert index.document_count() == 2
    assert index.document_frequencies(["t:levee", "e:eastbrook", "t:unseen"]) == {
        "t:levee": 2,
        "e:eastbrook": 1,
        "t:unseen": 0,
    }


def test_candidates_rank_by_summed_weight_then_recency(index: StoryIndex) -> None:
    index.post("s-flood", ["t:levee", "e:eastbrook"], arrival=1)
    index.post("s-strike", ["t:port"], arrival=2)
    index.post("s-other", ["t:levee"], arrival=3)
    ranked = index.candidates(
        {"t:levee": 1.0, "e:eastbrook": 0.5, "t:port": 0.2}, per_feature=10, limit=10
    )
    assert ranked == [("s-flood", 1.5), ("s-other", 1.0), ("s-strike", 0.2)]
    assert index.candidates({"t:levee": 1.0}, per_feature=1, limit=10) == [("s-other", 1.0)]
    assert index.candidates({"t:levee": 1.0}, per_feature=10, limit=1) == [("s-other", 1.0)]
    # Posting again moves a story to the front of the feature's recency order.
    index.post("s-flood", ["t:levee"], arrival=4)
    assert index.candidates({"t:levee": 1.0}, per_feature=1, limit=10) == [("s-flood", 1.0)]


def test_candidates_tied_at_the_cut_go_to_the_most_recent(index: StoryIndex) -> None:
    for n in range(6):  # six stories under one feature: equal sums
        index.post(f"s-{n}", ["t:levee"], arrival=n)
    index.post("s-strong", ["t:levee", "e:eastbrook"], arrival=0)
    features = {"t:levee": 0.5, "e:eastbrook": 0.25}
    assert index.candidates(features, per_feature=10, limit=3) == [
        ("s-strong", 0.75),
        ("s-5", 0.5),
        ("s-4", 0.5),
    ]
    assert index.candidates(features, per_feature=10, limit=0) == []
    assert len(index.candidates(features, per_feature=10, limit=50)) == 7


def test_profiles_round_trip(index: StoryIndex) -> None:
    flood = _profile("s-flood")
    index.put_story(flood)
    index.put_story(_profile("s-strike", first_published=None, last_published=None))
    assert index.story("s-flood") == flood
    assert index.story("s-missing") is None
    assert set(index.stories(["s-flood", "s-strike", "s-missing"])) == {"s-flood", "s-strike"}
    assert index.story_count() == 2
    index.remove_story("s-strike")
    assert index.story_count() == 1


def test_articles_round_trip(index: StoryIndex) -> None:
    stored = StoredArticle(
        article_id="a1",
        story_id="s-flood",
        arrival=0,
        published=WHEN,
        features={"t:levee": 2.0, "e:linda park": 1.0},
        vector={"t:levee": 0.9},
        names={"e:linda park": "Linda Park"},
        score=0.42,
        new_story=True,
        reason="no candidate story",
    )
    index.put_article(stored)
    index.put_article(StoredArticle(article_id="a2", story_id="s-flood", arrival=1))
    assert index.article("a1") == stored
    assert index.article("zz") is None
    assert set(index.articles(["a1", "a2", "zz"])) == {"a1", "a2"}
    assert index.article_count() == 2


def test_merge_events_make_old_ids_resolve(index: StoryIndex) -> None:
    index.post("s-b", ["t:levee"], arrival=1)
    merge = StoryEvent(
        kind="merge",
        story_ids=("s-a", "s-b"),
        into="s-a",
        reason="a03 matched both",
        at_article="a03",
    )
    index.add_event(merge)
    assert index.resolve("s-b") == "s-a"
    assert index.resolve("s-a") == "s-a"
    assert index.events() == [merge]
    assert index.events("s-b") == [merge]
    assert index.events("s-unrelated") == []
    # Postings of a merged story count for the survivor.
    assert index.candidates({"t:levee": 1.0}, per_feature=5, limit=5) == [("s-a", 1.0)]
    later = StoryEvent(kind="merge", story_ids=("s-z", "s-a"), into="s-z", reason="chain")
    index.add_event(later)
    assert index.resolve("s-b") == "s-z"


def test_sqlite_assignments_show_on_articles_and_story_summaries(tmp_path: Path) -> None:
    def article(article_id: str, source: str, day: int, title: str) -> Article:
        return Article(
            id=article_id,
            text="Floodwater reached the town hall.",
            title=title,
            source=source,
            published=datetime(2024, 3, day, tzinfo=UTC),
            location="test",
            reader="jsonl",
        )

    with SqliteStore(tmp_path / "s.db") as store:
        with store.transaction():
            store.add_article(article("a2", "Daily Ledger", 6, "Levee holds"))
            store.add_article(article("a1", "Harbor Gazette", 5, "River bursts its banks"))
            store.add_article(article("b1", "Harbor Gazette", 9, "Port strike begins"))
            index = store.story_index()
            index.put_article(StoredArticle(article_id="a1", story_id="s-a", arrival=0))
            index.put_article(StoredArticle(article_id="a2", story_id="s-x", arrival=1))
            index.put_article(StoredArticle(article_id="b1", story_id="s-b", arrival=2))
            index.add_event(
                StoryEvent(kind="merge", story_ids=("s-a", "s-x"), into="s-a", reason="test")
            )
        assert store.article("a2").story_id == "s-a"
        summaries = store.stories()
        assert [s.id for s in summaries] == ["s-b", "s-a"]  # most recently published first
        flood = summaries[1]
        assert flood.article_ids == ("a1", "a2")
        assert flood.title == "River bursts its banks"
        assert (flood.first_published, flood.sources) == (datetime(2024, 3, 5, tzinfo=UTC), 2)
        assert store.story_summary("s-x") == flood  # an old id still resolves
        assert store.stats().stories == 2
        assert [s.id for s in store.stories(limit=1, offset=1)] == ["s-a"]


def test_clusterer_assigns_the_same_over_memory_and_sqlite(tmp_path: Path) -> None:
    from conftest import DEMO_CORPUS
    from storyline.config import StorySettings
    from storyline.ingest import read_articles
    from storyline.link import StoryClusterer

    articles = [a for a in read_articles(DEMO_CORPUS / "articles.jsonl") if isinstance(a, Article)]
    articles.sort(key=lambda a: (a.published is None, a.published, a.id))
    in_memory = StoryClusterer(StorySettings(), MemoryStoryIndex())
    expected = [in_memory.add(article) for article in articles]
    with SqliteStore(tmp_path / "same.db") as store, store.transaction():
        for article in articles:
            store.add_article(article)
        stored = StoryClusterer(StorySettings(), store.story_index())
        assert [stored.add(article) for article in articles] == expected
        assert stored.explain(articles[-1].id) == in_memory.explain(articles[-1].id)
    assert len({a.story_id for a in expected}) > 1


# -- the SQLite layout ----------------------------------------------------------------------------


def test_sqlite_posting_lists_hold_what_the_clusterer_reads() -> None:
    from storyline.link.stories import PER_FEATURE

    assert MAX_POSTINGS >= PER_FEATURE


def test_sqlite_posting_lists_keep_the_most_recent_stories(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "p.db") as store, store.transaction():
        index = store.story_index()
        for n in range(index.max_postings + 8):
            index.post(f"s-{n:03d}", ["t:levee"], arrival=n)
        index.post("s-000", ["t:levee"], arrival=99)  # posted again: newest, kept
        found = index.candidates({"t:levee": 1.0}, per_feature=1000, limit=1000)
        assert len(found) == index.max_postings
        assert found[0] == ("s-000", 1.0)
        assert ("s-008", 1.0) not in found and ("s-009", 1.0) in found


def test_sqlite_buffers_frequencies_and_postings_until_commit(tmp_path: Path) -> None:
    db = tmp_path / "buffered.db"
    with SqliteStore(db) as store:
        index = store.story_index()
        reader = sqlite3.connect(db)  # what every other connection sees

        def written() -> tuple[list[tuple[str, int]], list[tuple[str, str]]]:
            return (
                reader.execute("SELECT feature, n FROM story_df ORDER BY feature").fetchall(),
                reader.execute(
                    "SELECT feature, story_ids FROM story_recent ORDER BY feature"
                ).fetchall(),
            )

        with store.transaction():
            index.count_document(["t:levee", "e:eastbrook"])
            index.post("s-flood", ["t:levee"], arrival=0)
            index.count_document(["t:levee"])
            # The transaction sees its own writes before any of them reaches the tables.
            assert index.document_frequencies(["t:levee"]) == {"t:levee": 2}
            assert index.candidates({"t:levee": 1.0}, per_feature=5, limit=5) == [("s-flood", 1.0)]
            assert store._conn.execute("SELECT COUNT(*) FROM story_df").fetchone()[0] == 0
        committed = ([("e:eastbrook", 1), ("t:levee", 2)], [("t:levee", "s-flood")])
        assert written() == committed

        with pytest.raises(RuntimeError), store.transaction():
            index.count_document(["t:levee"])
            index.post("s-strike", ["t:levee"], arrival=1)
            index.add_event(
                StoryEvent(
                    kind="merge", story_ids=("s-strike", "s-flood"), into="s-strike", reason="test"
                )
            )
            assert index.resolve("s-flood") == "s-strike"
            raise RuntimeError("the batch fails")
        assert index.resolve("s-flood") == "s-flood"
        assert written() == committed
        # Nothing of the rolled-back transaction lingers in memory either.
        assert index.document_frequencies(["t:levee"]) == {"t:levee": 2}
        assert index.candidates({"t:levee": 1.0}, per_feature=5, limit=5) == [("s-flood", 1.0)]
        reader.close()


def test_sqlite_transactions_see_merges_another_connection_committed(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    with SqliteStore(db) as first, SqliteStore(db) as second:
        index = first.story_index()
        with first.transaction():
            assert index.resolve("s-flood") == "s-flood"
        with second.transaction():
            second.story_index().add_event(
                StoryEvent(kind="merge", story_ids=("s-rain", "s-flood"), into="s-rain", reason="x")
            )
        with first.transaction():
            assert index.resolve("s-flood") == "s-rain"
        assert index.resolve("s-flood") == "s-rain"


def test_sqlite_reads_records_written_as_json_before(tmp_path: Path) -> None:
    profile = _profile("s-flood", norms={"t": 1.5, "e": 0.75})
    article = StoredArticle(
        article_id="a1", story_id="s-flood", arrival=0, published=WHEN, features={"t:x": 1.0}
    )
    with SqliteStore(tmp_path / "j.db") as store, store.transaction():
        conn = store._conn
        profile_json = {
            **{k: getattr(profile, k) for k in profile.__slots__},  # type: ignore[attr-defined]
            "first_published": WHEN.isoformat(),
            "last_published": WHEN.isoformat(),
            "recent": list(profile.recent),
        }
        conn.execute(
            "INSERT INTO story_profiles (story_id, data) VALUES (?, ?)",
            ("s-flood", json.dumps(profile_json)),
        )
        article_json = {
            **{k: getattr(article, k) for k in article.__slots__},  # type: ignore[attr-defined]
            "published": WHEN.isoformat(),
        }
        conn.execute(
            "INSERT INTO story_articles (article_id, arrival, story_id, data) VALUES (?, ?, ?, ?)",
            ("a1", 0, "s-flood", json.dumps(article_json)),
        )
        index = store.story_index()
        assert index.story("s-flood") == profile
        assert index.article("a1") == article


def _store_before_migration(db: Path, marker: str) -> sqlite3.Connection:
    """A store at the schema version just before the first migration mentioning ``marker``."""
    version = next(n for n, m in enumerate(SQLITE_MIGRATIONS, 1) if any(marker in s for s in m))
    conn = sqlite3.connect(db)
    for statements in SQLITE_MIGRATIONS[: version - 1]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version - 1}")
    return conn


def test_migration_carries_posting_lists_over_newest_first(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = _store_before_migration(db, "story_recent")
    conn.executemany(
        "INSERT INTO story_postings (feature, story_id, arrival) VALUES (?, ?, ?)",
        [("t:levee", f"s-{n:03d}", (n * 7) % 40) for n in range(40)]
        + [("e:linda park", "s-001", 7), ("e:linda park", "s-002", 3)],
    )
    conn.commit()
    conn.close()
    with SqliteStore(db) as store:
        index = store.story_index()
        found = index.candidates({"t:levee": 1.0}, per_feature=100, limit=100)
        newest = sorted(range(40), key=lambda n: -((n * 7) % 40))[:32]  # what migration 9 kept
        assert [story for story, _ in found] == [f"s-{n:03d}" for n in newest]
        index.post("s-new", ["t:levee"], arrival=99)  # cut to today's bound on the next post
        found = index.candidates({"t:levee": 1.0}, per_feature=100, limit=100)
        assert [story for story, _ in found] == ["s-new"] + [
            f"s-{n:03d}" for n in newest[: index.max_postings - 1]
        ]
        assert index.candidates({"e:linda park": 1.0}, per_feature=1, limit=5) == [("s-001", 1.0)]


def test_migration_moves_profiles_and_articles_to_rowid_tables(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = _store_before_migration(db, "story_profiles_rowid")
    conn.commit()
    conn.close()
    profile = _profile("s-flood", norms={"t": 1.5, "e": 0.75})
    articles = [
        StoredArticle(article_id=f"a{n}", story_id="s-flood", arrival=n, features={"t:x": 1.0})
        for n in range(3)
    ]
    index = SqliteStoryIndex(sqlite3.connect(db, isolation_level=None))  # the old layout
    index.put_story(profile)
    for article in articles:
        index.put_article(article)
    with SqliteStore(db) as store:
        tables = dict(
            store._conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE name IN "
                "('story_profiles', 'story_articles', 'story_articles_story')"
            ).fetchall()
        )
        assert set(tables) == {"story_profiles", "story_articles", "story_articles_story"}
        assert not any("WITHOUT ROWID" in sql for sql in tables.values())
        moved = store.story_index()
        assert moved.story("s-flood") == profile
        assert moved.articles(["a0", "a1", "a2"]) == {a.article_id: a for a in articles}
        assert moved.members("s-flood", limit=2) == articles[:2]
        assert (moved.story_count(), moved.article_count()) == (1, 3)


@pytest.mark.parametrize("batch", [None, 37, 400])
def test_clusterer_assigns_the_same_over_memory_and_sqlite_when_lists_are_long(
    tmp_path: Path, batch: int | None
) -> None:
    # Many small stories over one small vocabulary: every posting list outgrows the SQLite
    # bound, candidates tie, and stories merge; assignments must still match exactly.
    import random

    from storyline.config import StorySettings
    from storyline.link import StoryClusterer

    rng = random.Random(5)
    common = [f"common{n}" for n in range(24)]
    places = ["Eastbrook", "Marlow", "Tessin", "Calder", "Arlen", "Valdoria"]

    def topic(story: int) -> list[str]:
        return [f"topic{story}x{k}" for k in range(6)]

    articles = []
    for n in range(400):
        story = n // 4
        chosen = topic(story)[:4] + rng.sample(common, 8)
        if n % 20 == 19:  # a report on two stories at once: merges
            chosen += topic(story - 1)[:4]
        text = f"{places[story % 6]} {rng.choice(places)}: " + " ".join(chosen) + "."
        articles.append(
            Article(
                id=f"a{n:03d}",
                text=text,
                published=WHEN.replace(day=1 + n % 28),
                location="test",
                reader="jsonl",
            )
        )
    in_memory = StoryClusterer(StorySettings(), MemoryStoryIndex())
    expected = [in_memory.add(article) for article in articles]
    with SqliteStore(tmp_path / "long.db") as store:
        stored = StoryClusterer(StorySettings(), store.story_index())
        for article in articles:
            store.add_article(article)
        assigned = []
        for start in range(0, len(articles), batch or len(articles)):
            part = articles[start : start + (batch or len(articles))]
            if batch is None:  # no transaction: every write goes through at once
                assigned += [stored.add(article) for article in part]
                continue
            with store.transaction():  # buffered, flushed at each commit
                assigned += [stored.add(article) for article in part]
        assert assigned == expected
    founded = sum(a.new_story for a in expected)
    assert founded > 2 * MAX_POSTINGS, founded
    assert any(a.merged for a in expected)
