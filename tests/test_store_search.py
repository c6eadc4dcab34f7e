"""Story search in the store: full-text (FTS5, migration 5), filters, sorts and paging."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.model import Article, StoryEvent, StoryQuery, StorySort
from storyline.store import SqliteStore, Store, open_store
from storyline.store.migrations import SQLITE_MIGRATIONS
from storyline.store.sqlite import fts_query

TEXTS = {
    "port-1": ("Dockworkers vote to strike", "Dockworkers at Calder voted to strike on Monday."),
    "port-2": ("Port strike enters second week", "The strike at Calder's port goes on."),
    "port-3": ("Ships wait offshore", "Forty ships waited off Calder as the stoppage went on."),
    "port-4": ("Strike ends", "Dockworkers went back to work at Calder."),
    "fuel-1": ("Fuel prices jump", "Fuel prices in Valdoría rose 18 percent after the subsidy."),
    "fuel-2": ("Protests over fuel", "Protesters marched in Arlen against the fuel price rise."),
    "flood-1": ("Water rises downstream", "The Marlow River crested at 9.2 metres in Eastbrook."),
}
STORIES = {"port": "s-port", "fuel": "s-fuel", "flood": "s-flood"}


def _article(article_id: str, day: int, source: str) -> Article:
    title, text = TEXTS[article_id]
    return Article(
        id=article_id,
        text=text,
        title=title,
        source=source,
        published=datetime(2024, 3, day, 9, tzinfo=UTC),
        location="test",
        reader="jsonl",
        story_id=STORIES[article_id.split("-")[0]],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "search.db")
    with opened.transaction():
        for article_id, day, source in [
            ("port-1", 4, "Harbor Gazette"),
            ("port-2", 11, "Daily Ledger"),
            ("port-3", 12, "Harbor Gazette"),
            ("fuel-1", 2, "Daily Ledger"),
            ("fuel-2", 3, "Valdoria Times"),
            ("flood-1", 20, "Eastbrook Post"),
        ]:
            opened.add_article(_article(article_id, day, source))
        opened.entity_index().add_links("port-1", {"Calder": "e-calder"})
        opened.entity_index().add_links("fuel-2", {"Arlen": "e-arlen"})
    yield opened
    opened.close()


def _ids(store: Store, query: StoryQuery, **paging: int) -> list[str]:
    return [story.id for story in store.search_stories(query, **paging).stories]


def test_no_filter_lists_every_story_most_recent_first(store: Store) -> None:
    page = store.search_stories(StoryQuery())
    assert [s.id for s in page.stories] == ["s-flood", "s-port", "s-fuel"]
    assert page.total == 3
    assert page.stories == tuple(store.stories())


def test_full_text_search_over_titles_and_texts(store: Store) -> None:
    assert _ids(store, StoryQuery(text="strike")) == ["s-port"]
    assert _ids(store, StoryQuery(text="stoppage")) == ["s-port"]  # in a text only
    assert _ids(store, StoryQuery(text="Strikes")) == ["s-port"]  # stemmed, any case
    assert _ids(store, StoryQuery(text="valdoria")) == ["s-fuel"]  # accents folded
    assert _ids(store, StoryQuery(text="calder ships")) == ["s-port"]  # all words, one article
    assert _ids(store, StoryQuery(text="calder fuel")) == []
    assert _ids(store, StoryQuery(text="dock*")) == ["s-port"]  # a prefix
    assert _ids(store, StoryQuery(text="  ")) == ["s-flood", "s-port", "s-fuel"]  # no filter
    assert store.search_stories(StoryQuery(text="!!")).total == 0  # no words: nothing


@pytest.mark.parametrize(
    "text", ['"', 'strike"', "AND", "NOT strike", "strike OR", "(", "col:umn", "^x", "a* *", "\0"]
)
def test_search_text_is_never_fts_syntax(store: Store, text: str) -> None:
    store.search_stories(StoryQuery(text=text))  # no sqlite3.OperationalError


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('port "strike" OR lock*') == '"port" "strike" "OR" "lock"*'
    assert fts_query("?!") is None


def test_filters_by_date_source_and_entity(store: Store) -> None:
    march = datetime(2024, 3, 10, tzinfo=UTC)
    assert _ids(store, StoryQuery(since=march)) == ["s-flood", "s-port"]
    assert _ids(store, StoryQuery(until=march)) == ["s-port", "s-fuel"]
    assert _ids(store, StoryQuery(since=march, until=datetime(2024, 3, 15, tzinfo=UTC))) == [
        "s-port"
    ]
    assert _ids(store, StoryQuery(source="Daily Ledger")) == ["s-port", "s-fuel"]
    assert _ids(store, StoryQuery(source="daily ledger")) == []
    assert _ids(store, StoryQuery(entity_ids=("e-calder",))) == ["s-port"]
    assert _ids(store, StoryQuery(entity_ids=("e-calder", "e-arlen"))) == ["s-port", "s-fuel"]
    assert _ids(store, StoryQuery(entity_ids=())) == []
    both = StoryQuery(text="fuel", source="Valdoria Times", entity_ids=("e-arlen",))
    assert _ids(store, both) == ["s-fuel"]


@pytest.mark.parametrize(
    ("condition", "index"),
    [
        ("source = 'Daily Ledger'", "articles_source_story"),
        ("published >= '2024-03-10'", "articles_published_story"),
    ],
)
def test_filters_read_story_ids_from_covering_indexes(
    store: SqliteStore, condition: str, index: str
) -> None:
    # Each filter is a subquery for story ids; read from an index that holds them, it never
    # touches the articles' rows (their texts), however many match.
    plan = store._conn.execute(
        f"EXPLAIN QUERY PLAN SELECT story_id FROM articles WHERE {condition}"
    ).fetchall()
    assert len(plan) == 1
    assert plan[0][3].startswith(f"SEARCH articles USING COVERING INDEX {index} ("), plan


def test_sorts_and_paging(store: Store) -> None:
    largest = StoryQuery(sort=StorySort.LARGEST)
    assert _ids(store, largest) == ["s-port", "s-fuel", "s-flood"]
    # No disagreement counts are stored yet: disputed sorts as largest.
    assert _ids(store, StoryQuery(sort=StorySort.DISPUTED)) == _ids(store, largest)
    pages = [store.search_stories(largest, limit=2, offset=o) for o in (0, 2, 4)]
    assert [[s.id for s in p.stories] for p in pages] == [["s-port", "s-fuel"], ["s-flood"], []]
    assert {p.total for p in pages} == {3}
    story = pages[0].stories[0]
    assert story.article_ids == ("port-1", "port-2", "port-3")
    assert story.sources == 2


def test_search_follows_title_and_text_changes(store: Store, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "search.db")
    conn.execute("UPDATE articles SET title = 'Levee holds' WHERE id = 'flood-1'")
    conn.execute("DELETE FROM articles WHERE id = 'fuel-1'")
    conn.commit()
    conn.close()
    assert _ids(store, StoryQuery(text="levee")) == ["s-flood"]
    assert _ids(store, StoryQuery(text="downstream")) == []
    assert _ids(store, StoryQuery(text="subsidy")) == []


def test_story_order_follows_articles_moving_between_stories(store: Store) -> None:
    index = store.story_index()
    with store.transaction():
        # A merge moves the flood story's article into the fuel story.
        index.add_event(
            StoryEvent(kind="merge", story_ids=("s-fuel", "s-flood"), into="s-fuel", reason="t")
        )
    page = store.search_stories(StoryQuery())
    assert [(s.id, len(s.article_ids)) for s in page.stories] == [("s-fuel", 3), ("s-port", 3)]
    assert page.total == 2
    assert page.stories == tuple(store.stories())
    with store.transaction():
        store.add_article(_article("port-4", 25, "Daily Ledger"))
    assert _ids(store, StoryQuery(sort=StorySort.LARGEST)) == ["s-port", "s-fuel"]
    assert _ids(store, StoryQuery()) == ["s-port", "s-fuel"]


def test_articles_story_ids(store: Store) -> None:
    assert store.article_story_ids(["port-2", "fuel-1", "missing"]) == {
        "port-2": "s-port",
        "fuel-1": "s-fuel",
    }


def test_a_version_4_store_is_indexed_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for version, statements in enumerate(SQLITE_MIGRATIONS[:4], 1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(
        "INSERT INTO articles (id, text, title, location, reader, story_id, ingested_at) "
        "VALUES ('old-1', 'Dockworkers walked out at dawn.', 'Walkout', 'x', 'jsonl', 's-1', '')"
    )
    conn.commit()
    conn.close()
    with SqliteStore(path) as store:
        assert store.schema_version() == len(SQLITE_MIGRATIONS) >= 10
        assert _ids(store, StoryQuery(text="dockworkers walkout")) == ["s-1"]
        assert store.search_stories(StoryQuery()).total == 1
