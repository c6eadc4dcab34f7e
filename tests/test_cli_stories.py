"""`storyline stories`, `story-history` and `explain` over a small store, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DEMO_CORPUS
from test_cli import run


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("stories") / "demo.db")
    from storyline.cli import main

    try:
        main(["--db", db, "-q", "ingest", str(DEMO_CORPUS / "articles.jsonl")])
    except SystemExit as exc:
        assert not exc.code
    return db


def test_stories_json_contract(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", demo_db, "stories", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema_version"] == 1
    assert doc["stories"]
    for story in doc["stories"]:
        assert set(story) == {
            "id",
            "title",
            "article_ids",
            "first_published",
            "last_published",
            "sources",
        }
        assert story["id"].startswith("s-") and story["article_ids"]
    code, out, _ = run(capsys, "--db", demo_db, "stories", "--limit", "1", "--format", "json")
    assert [s["id"] for s in json.loads(out)["stories"]] == [doc["stories"][0]["id"]]


def test_explain_names_the_story_and_why(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", demo_db, "stories", "--format", "json")
    story = json.loads(out)["stories"][0]
    article_id = story["article_ids"][-1]
    code, out, _ = run(capsys, "--db", demo_db, "explain", article_id, "--format", "json")
    assert code == 0
    why = json.loads(out)
    assert why["story_id"] == story["id"] and why["article_id"] == article_id
    assert why["shared_entities"] or why["shared_terms"]
    code, out, _ = run(capsys, "--db", demo_db, "explain", article_id)
    assert f"story {story['id']}" in out


def test_story_history_of_a_story_without_events(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", demo_db, "stories", "--format", "json")
    story_id = json.loads(out)["stories"][0]["id"]
    code, out, _ = run(capsys, "--db", demo_db, "story-history", story_id, "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "schema_version": 1,
        "id": story_id,
        "resolves_to": story_id,
        "events": [],
    }


def test_unknown_ids_are_not_found(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["explain", "no-such-article"], ["story-history", "s-000000000000"]):
        code, _, err = run(capsys, "--db", demo_db, *command)
        assert code == 2 and "not_found" in err


def test_story_commands_need_an_existing_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "none.db"), "stories")
    assert code == 4 and "no store" in err


def test_eval_clustering_on_demo_gold(capsys: pytest.CaptureFixture[str]) -> None:
    gold = DEMO_CORPUS.parent / "corpus-src" / "stories-2.jsonl"
    code, out, _ = run(
        capsys, "eval", "clustering", str(gold), "--shuffles", "0", "--format", "json"
    )
    assert code == 0
    scores = json.loads(out)
    assert scores["gold_stories"] == 2
    assert scores["bcubed"]["f1"] >= 0.95
