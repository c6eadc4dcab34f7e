"""The demo corpus: what it promises (stories, outlets, formats) and what ingest makes of it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from conftest import DEMO_CORPUS, ROOT
from storyline import open_project
from storyline.config import Settings

SOURCES = ROOT / "examples" / "corpus-src"


def _gold() -> list[dict[str, str]]:
    return [
        json.loads(line)
        for path in sorted(SOURCES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_corpus_covers_the_brief() -> None:
    records = _gold()
    assert len(records) >= 40
    outlets: dict[str, set[str]] = defaultdict(set)
    days: dict[str, set[str]] = defaultdict(set)
    for record in records:
        outlets[record["story"]].add(record["outlet"])
        days[record["story"]].add(record["published"][:10])
    followed = [
        story
        for story in outlets
        if len(outlets[story]) >= 5
        and (
            datetime.fromisoformat(max(days[story])) - datetime.fromisoformat(min(days[story]))
        ).days
        >= 14
    ]
    assert len(followed) >= 4, followed
    assert sum(1 for r in records if r["wire_of"]) >= 8
    assert {r["format"] for r in records} >= {"jsonl", "html", "rss", "atom", "warc"}


def test_renderer_is_deterministic(tmp_path: Path) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, str(copy / "build_corpus.py")], check=True, capture_output=True)
    committed = sorted(p.relative_to(DEMO_CORPUS) for p in DEMO_CORPUS.rglob("*") if p.is_file())
    rendered = sorted(
        p.relative_to(copy / "corpus") for p in (copy / "corpus").rglob("*") if p.is_file()
    )
    assert rendered == committed
    for relative in committed:
        assert (copy / "corpus" / relative).read_bytes() == (DEMO_CORPUS / relative).read_bytes(), (
            f"{relative} differs from what build_corpus.py renders: re-run it and commit"
        )


def test_every_demo_article_is_read_with_its_metadata(demo_store: Path) -> None:
    gold = {r["url"]: r for r in _gold()}
    with open_project(demo_store, settings=Settings()) as project:
        stats = project.stats()
        articles = project.articles()
    assert stats.rejected_total == 0
    assert stats.articles == stats.records_read == len(gold)
    for article in articles:
        if article.reader == "text":
            continue  # plain-text notes carry only a title line
        record = gold[article.url or ""]
        assert article.source == record["outlet"], article.location
        assert article.title == record["title"], article.location
        assert article.published is not None, article.location
        # Date-only inputs mean that day; otherwise the exact instant, in UTC.
        expected = datetime.fromisoformat(record["published"])
        if len(record["published"]) > 10:
            assert article.published == expected, article.location
        else:
            assert article.published.date() == expected.date(), article.location
        first_paragraph = record["text"].split("\n\n")[0][:60]
        assert first_paragraph in article.text, article.location


def test_wire_copies_point_to_their_original(demo_store: Path) -> None:
    gold = _gold()
    url_of = {r["id"]: r["url"] for r in gold}
    with open_project(demo_store, settings=Settings()) as project:
        articles = project.articles()
        stats = project.stats()
    by_url = {a.url: a for a in articles}
    by_id = {a.id: a for a in articles}
    expected = {r["url"]: url_of[r["wire_of"]] for r in gold if r["wire_of"]}
    found = {a.url: by_id[a.duplicate_of].url for a in articles if a.duplicate_of is not None}
    assert found == expected
    assert stats.duplicates == len(expected)
    for copy_url, origin_url in expected.items():
        assert by_url[copy_url].duplicate_group == by_url[origin_url].duplicate_group


def test_every_demo_article_is_annotated(demo_store: Path) -> None:
    with open_project(demo_store, settings=Settings()) as project:
        stats = project.stats()
        found = project.annotations("a02")
    assert stats.annotated == stats.articles
    assert found is not None and found.quotes and found.timexes and found.quantities


def test_demo_stories_are_the_gold_stories(demo_store: Path) -> None:
    gold_story = {r["url"]: r["story"] for r in _gold()}
    with open_project(demo_store, settings=Settings()) as project:
        stories = project.stories()
        by_id = {a.id: a for a in project.articles()}
    assert len(stories) == len(set(gold_story.values()))
    for story in stories:
        labels = {
            gold_story[by_id[i].url or ""] for i in story.article_ids if by_id[i].url in gold_story
        }
        assert len(labels) == 1, (story.title, labels)
    # Stories are listed most recently published first, each with its span and outlets.
    last = [s.last_published for s in stories]
    assert last == sorted(last, reverse=True)  # type: ignore[type-var]
    assert all(s.sources >= 4 and s.title for s in stories)
