"""The StoryIndex protocol, in memory and in the SQLite store: the same answers from both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.link.index import MemoryStoryIndex, StoredArticle, StoryIndex, StoryProfile
from storyline.model import Article, StoryEvent
from storyline.store import SqliteStore

WHEN = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoryIndex]:
    if request.param == "memory":
        yield MemoryStoryIndex()
        return
    with SqliteStore(tmp_path / "stories.db") as store, store.transaction():
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
