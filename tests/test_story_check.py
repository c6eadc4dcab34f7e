"""The periodic story check: a story holding two events is split, recorded, and old ids resolve.

The fixture is two title fights of one (fictional) boxer, seven months apart: same kind of event,
same protagonist, different opponents, cities and scores. A clusterer with a loose threshold puts
them in one story; the check, with the default settings, splits them again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES
from storyline.annotate.pipeline import Annotator
from storyline.config import StorySettings, load_settings
from storyline.errors import ConfigError
from storyline.ingest.base import parse_published
from storyline.link import (
    CheckReport,
    MemoryStoryIndex,
    StoredArticle,
    StoryClusterer,
    StoryIndex,
    StoryProfile,
    story_id_for,
)
from storyline.model import Annotations, Article, StoryEvent
from storyline.store import SqliteStore
from test_cli import run

FIGHTS = FIXTURES / "stories" / "dovan_fights.jsonl"
FIRST_FIGHT = ("f1a", "f1b", "f1c")
SECOND_FIGHT = ("f2a", "f2b", "f2bw", "f2c")
LOOSE = StorySettings(threshold=0.05, check_every=0)


def _articles() -> list[Article]:
    records = [json.loads(line) for line in FIGHTS.read_text(encoding="utf-8").splitlines()]
    return [
        Article(
            id=r["id"],
            source=r["source"],
            title=r["title"],
            text=r["text"],
            published=parse_published(r["published"]),
            # The wire service's copy of the Estria Herald report.
            duplicate_of="f2b" if r["id"] == "f2bw" else None,
        )
        for r in records
    ]


ARTICLES = _articles()


@pytest.fixture(scope="module")
def annotated() -> dict[str, Annotations | None]:
    return {a.id: found for a, found in Annotator().annotate_articles(ARTICLES)}


@pytest.fixture(params=["memory", "sqlite"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoryIndex]:
    if request.param == "memory":
        yield MemoryStoryIndex()
        return
    with SqliteStore(tmp_path / "stories.db") as store, store.transaction():
        yield store.story_index()


def test_members_follow_merges_and_changed_stories_clear(index: StoryIndex) -> None:
    for story_id in ("s-a", "s-b", "s-c"):
        index.put_story(StoryProfile(story_id=story_id, founded_by=f"{story_id}1", created=0))
    for arrival, (article_id, story_id) in enumerate(
        [("a1", "s-a"), ("b1", "s-b"), ("a2", "s-a"), ("c1", "s-c"), ("b2", "s-b")]
    ):
        index.put_article(StoredArticle(article_id=article_id, story_id=story_id, arrival=arrival))
    assert index.changed_stories(limit=10) == ["s-a", "s-b", "s-c"]
    assert index.changed_stories(limit=2) == ["s-a", "s-b"]
    index.add_event(StoryEvent(kind="merge", story_ids=("s-a", "s-b"), into="s-a", reason="r"))
    index.remove_story("s-b")
    # The merged story's articles are the survivor's members, earliest arrival first.
    assert [m.article_id for m in index.members("s-a", limit=10)] == ["a1", "b1", "a2", "b2"]
    assert [m.article_id for m in index.members("s-a", limit=2)] == ["a1", "b1"]
    assert index.changed_stories(limit=10) == ["s-a", "s-c"]
    index.clear_changed(["s-a"])
    assert index.changed_stories(limit=10) == ["s-c"]
    # Moving an article makes both its stories' members right and its new story changed.
    index.put_article(StoredArticle(article_id="a2", story_id="s-c", arrival=2))
    assert [m.article_id for m in index.members("s-a", limit=10)] == ["a1", "b1", "b2"]
    assert [m.article_id for m in index.members("s-c", limit=10)] == ["a2", "c1"]
    assert index.changed_stories(limit=10) == ["s-c"]
    index.clear_changed(["s-c"])
    assert index.changed_stories(limit=10) == []


def _mixed(index: StoryIndex, annotated: dict[str, Annotations | None]) -> StoryClusterer:
    """Both fights in one story, as a too loose threshold would leave them."""
    loose = StoryClusterer(LOOSE, index)
    for article in ARTICLES:
        loose.add(article, annotated[article.id])
    assert {loose.story_of(a.id) for a in ARTICLES} == {story_id_for("f1a")}
    return StoryClusterer(StorySettings(), index)


def test_a_story_holding_two_fights_is_split_and_its_id_still_resolves(
    index: StoryIndex, annotated: dict[str, Annotations | None]
) -> None:
    clusterer = _mixed(index, annotated)
    old, new = story_id_for("f1a"), story_id_for("f2a")
    report = clusterer.check()
    assert report.checked == (old,) and report.moved == len(SECOND_FIGHT)
    (event,) = report.events
    assert event.kind == "split" and event.story_ids == (old, new) and event.into == old
    assert "threshold 0.30" in event.reason and new in event.reason
    # The founding article's part keeps the id; the wire copy goes with its origin.
    assert {clusterer.story_of(i) for i in FIRST_FIGHT} == {old}
    assert {clusterer.story_of(i) for i in SECOND_FIGHT} == {new}
    assert clusterer.resolve(old) == old and clusterer.resolve(new) == new
    assert clusterer.events(old) == [event] == clusterer.events(new)
    kept, split = index.story(old), index.story(new)
    assert kept is not None and split is not None
    assert (kept.size, split.size) == (3, 4) and split.founded_by == "f2a"
    assert set(split.recent) == set(SECOND_FIGHT)
    assert any("okafor" in f for f in split.centroid)
    assert not any("okafor" in f for f in kept.centroid)
    assert index.story_count() == 2
    why = clusterer.explain("f2c")
    assert why.story_id == new and "split from" in why.reason
    assert {name for name, _ in why.shared_entities} & {"Tomasz Okafor", "Lindau"}
    assert {a for a, _ in why.nearest} <= {"f2a", "f2b"}
    # Nothing changed since: the next check looks at nothing and splits nothing.
    assert clusterer.check() == CheckReport()
    # A new report of the second fight now finds its own story.
    rematch = ARTICLES[-1]
    later = clusterer.add(
        Article(
            id="f2d",
            source="Ringside Daily",
            published=rematch.published,
            title="Fabre files for Okafor rematch with Dovan after Lindau decision",
            text=rematch.text,
        ),
        annotated[rematch.id],
    )
    assert later.story_id == new


def test_a_report_left_alone_rejoins_its_story_once_the_store_knows_more(
    index: StoryIndex, annotated: dict[str, Annotations | None]
) -> None:
    # A threshold too strict for these reports leaves each of the first fight's alone.
    strict = StoryClusterer(StorySettings(threshold=0.95, check_every=0), index)
    for article in ARTICLES[:3]:
        assert strict.add(article, annotated[article.id]).new_story
    first, second, third = (story_id_for(i) for i in FIRST_FIGHT)
    report = StoryClusterer(StorySettings(), index).check()
    assert report.checked == tuple(sorted((first, second, third)))
    assert [e.kind for e in report.events] == ["merge", "merge"] and report.moved == 2
    clusterer = StoryClusterer(StorySettings(), index)
    # The oldest story's id survives; the others resolve to it.
    assert {clusterer.story_of(i) for i in FIRST_FIGHT} == {first}
    assert clusterer.resolve(second) == first == clusterer.resolve(third)
    assert index.story_count() == 1
    merge = clusterer.events(second)[0]
    assert merge.into == first and "threshold 0.30" in merge.reason
    assert merge.at_article in FIRST_FIGHT
    for event in report.events:
        assert event.at_article is not None
        why = clusterer.explain(event.at_article)
        assert why.story_id == first and "alone in" in why.reason


def test_the_check_is_deterministic_and_the_same_in_memory_and_sqlite(
    tmp_path: Path, annotated: dict[str, Annotations | None]
) -> None:
    outcomes = []
    for run_number in range(2):
        memory = _mixed(MemoryStoryIndex(), annotated)
        outcomes.append((memory.check(), {a.id: memory.story_of(a.id) for a in ARTICLES}))
        with SqliteStore(tmp_path / f"{run_number}.db") as store, store.transaction():
            stored = _mixed(store.story_index(), annotated)
            outcomes.append((stored.check(), {a.id: stored.story_of(a.id) for a in ARTICLES}))
    assert all(outcome == outcomes[0] for outcome in outcomes)
    assert outcomes[0][0].events


def test_stories_above_the_member_cap_are_skipped(
    index: StoryIndex, annotated: dict[str, Annotations | None]
) -> None:
    _mixed(index, annotated)
    capped = StoryClusterer(StorySettings(check_max_members=4), index)
    report = capped.check()
    assert report.skipped == (story_id_for("f1a"),) and not report.events
    assert {capped.story_of(a.id) for a in ARTICLES} == {story_id_for("f1a")}
    # A check on request names the story by id.
    assert StoryClusterer(StorySettings(), index).check([story_id_for("f1a")]).events


def test_periodic_check_runs_every_n_stored_articles(
    annotated: dict[str, Annotations | None],
) -> None:
    clusterer = StoryClusterer(StorySettings(threshold=0.05, check_every=3))
    ran = []
    for article in ARTICLES:
        clusterer.add(article, annotated[article.id])
        ran.append(clusterer.periodic_check() is not None)
    assert ran == [False, False, True, False, False, True, False]
    never = StoryClusterer(StorySettings(check_every=0))
    never.add(ARTICLES[0], annotated["f1a"])
    assert never.periodic_check() is None


def test_check_every_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"stories\.check_every must be at least 0"):
        load_settings(environ={"STORYLINE_STORIES_CHECK_EVERY": "-1"})
    with pytest.raises(ConfigError, match=r"stories\.check_max_members must be at least 4"):
        load_settings(environ={"STORYLINE_STORIES_CHECK_MAX_MEMBERS": "2"})
    assert load_settings(environ={}).stories.check_every == 100


def test_check_stories_command_splits_and_story_history_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "fights.db")
    loose = tmp_path / "loose.toml"
    loose.write_text("[stories]\nthreshold = 0.05\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "--config", str(loose), "-q", "ingest", str(FIGHTS))
    assert code == 0, err
    old, new = story_id_for("f1a"), story_id_for("f2a")
    code, out, _ = run(capsys, "--db", db, "stories", "--format", "json")
    assert [s["id"] for s in json.loads(out)["stories"]] == [old]
    # Ingest checked its stories at its end (with its loose threshold): nothing is pending.
    code, out, _ = run(capsys, "--db", db, "check-stories", "--format", "json")
    assert code == 0 and json.loads(out)["checked"] == 0
    code, out, _ = run(capsys, "--db", db, "check-stories", old, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["moved"] == 4 and [e["story_ids"] for e in report["events"]] == [[old, new]]
    code, out, _ = run(capsys, "--db", db, "stories", "--format", "json")
    members = {s["id"]: sorted(s["article_ids"]) for s in json.loads(out)["stories"]}
    assert members == {old: sorted(FIRST_FIGHT), new: sorted(SECOND_FIGHT)}
    code, out, _ = run(capsys, "--db", db, "story-history", old, "--format", "json")
    history = json.loads(out)
    assert history["resolves_to"] == old
    assert [(e["kind"], e["into"]) for e in history["events"]] == [("split", old)]
    code, out, _ = run(capsys, "--db", db, "story-history", new)
    assert f"split: {old}, {new} -> {old}" in out
    code, out, _ = run(capsys, "--db", db, "explain", "f2c", "--format", "json")
    assert json.loads(out)["story_id"] == new
    code, out, _ = run(capsys, "--db", db, "check-stories", new)
    assert code == 0 and "stories checked: 1, split: 0, merged: 0, articles moved: 0" in out
    code, _, err = run(capsys, "--db", db, "check-stories", "s-000000000000")
    assert code != 0 and "no story" in err
