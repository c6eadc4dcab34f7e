"""Every story has a title: its articles' best title, else a headline made from its lead.

The fixtures in tests/fixtures/titles are wire copy with no titles (JSONL records with only a
``text``): a ferry grounding reported three times and a rail viaduct closure whose first
sentence is too long for a headline; ``titled_copy.jsonl`` is a titled copy of the first
ferry report from another outlet.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from conftest import FIXTURES, ROOT
from storyline import open_project
from storyline.api import create_app
from storyline.config import Settings
from storyline.link.index import StoredArticle
from storyline.model import Article
from storyline.store import SqliteStore
from storyline.titles import HEADLINE_CHARS, LEAD_CHARS, headline, story_title
from test_cli import run

UNTITLED = FIXTURES / "titles" / "untitled.jsonl"
TITLED_COPY = FIXTURES / "titles" / "titled_copy.jsonl"
STORIES_SCHEMA = json.loads((ROOT / "schemas" / "stories.schema.json").read_text())
DOSSIER_SCHEMA = json.loads((ROOT / "schemas" / "dossier.schema.json").read_text())

FERRY = "The ferry Nordstjerne ran aground off Halversund on Thursday night."
VIADUCT_SENTENCE = (
    "Engineers inspecting the Velden rail viaduct after last week's storm found cracks in two "
    "of its nine stone piers and closed the line between Velden and Ostby until at least the "
    "end of the month, the regional rail operator said on Monday."
)
VIADUCT = (
    "Engineers inspecting the Velden rail viaduct after last week's storm found cracks in two "
    "of its nine…"
)

# -- the headline of a lead ------------------------------------------------------------------


@pytest.mark.parametrize(
    "lead",
    [
        "WASHINGTON (AP) — The Senate passed the flood relief bill on Tuesday. It now goes on.",
        "LONDON, March 3 - The Senate passed the flood relief bill on Tuesday. It now goes on.",
        "LONDON, March 3 (Reuters) - The Senate passed the flood relief bill on Tuesday.",
        "BEIRUT, Lebanon (AP) — The Senate passed the flood relief bill on Tuesday.",
        "ST. LOUIS — The Senate passed the flood relief bill on Tuesday.",
        "Port Marlow, March 3, 2024 (Tri-County Wire) -- The Senate passed the flood relief "
        "bill on Tuesday.",
        "\n\n  HALVERSUND, Norland (Coastal Wire) —  The Senate   passed the flood\n relief "
        "bill on Tuesday.\n\nIt now goes to the House.",
    ],
)
def test_a_headline_skips_the_dateline_and_blank_lines(lead: str) -> None:
    assert headline(lead) == "The Senate passed the flood relief bill on Tuesday."


@pytest.mark.parametrize(
    "sentence",
    [
        "U.S. - China talks resume in Geneva on Monday.",
        "Heavy rain - the worst in a decade - closed the valley road.",
    ],
)
def test_a_dash_after_the_first_words_is_no_dateline(sentence: str) -> None:
    assert headline(f"{sentence} Both sides sent envoys.") == sentence


def test_a_long_first_sentence_is_cut_at_a_word_boundary_near_100_characters() -> None:
    cut = headline(f"VELDEN, March 3 - {VIADUCT_SENTENCE}\n\nReplacement buses will run.")
    assert cut == VIADUCT
    words = cut.removesuffix("…")
    assert cut.endswith("…") and 80 <= len(words) <= HEADLINE_CHARS
    assert VIADUCT_SENTENCE.startswith(words) and VIADUCT_SENTENCE[len(words)] == " "
    short = "Rail line closes after storm cracks viaduct piers."
    assert headline(short) == short  # not cut, no "…"
    assert headline("x" * 150) == "x" * HEADLINE_CHARS + "…"  # no space to cut at
    assert headline(" \n\n ") == ""


def test_a_headline_reads_only_the_first_characters_a_store_reads() -> None:
    text = "\n" * 390 + FERRY + " " + "More. " * 200
    assert headline(text) == headline(text[:LEAD_CHARS])


def test_the_first_real_title_wins_else_the_lead() -> None:
    assert story_title([None, "   ", "Ferry runs aground", "Later title"], FERRY) == (
        "Ferry runs aground"
    )
    assert story_title([None, " \t"], f"HALVERSUND (Coastal Wire) — {FERRY}") == FERRY
    assert story_title([None, " "]) is None  # a store reads the lead only then
    assert story_title([], "   ") is None


# -- the store -------------------------------------------------------------------------------


def test_the_store_names_untitled_stories_by_their_earliest_lead(tmp_path: Path) -> None:
    lead = json.loads(UNTITLED.read_text().splitlines()[0])["text"]

    def article(article_id: str, day: int | None, title: str | None) -> Article:
        published = datetime(2025, 1, day, tzinfo=UTC) if day else None
        return Article(id=article_id, text=lead, title=title, published=published)

    with SqliteStore(tmp_path / "s.db") as store:
        with store.transaction():
            store.add_article(article("late", 18, "Ferry to be towed to Brekke"))
            store.add_article(article("blank", 16, "   "))  # whitespace: no title
            store.add_article(article("none", None, None))
            store.add_article(article("v1", None, None))
            index = store.story_index()
            for n, (member, story_id) in enumerate(
                [("blank", "s-a"), ("none", "s-a"), ("v1", "s-b")]
            ):
                index.put_article(StoredArticle(article_id=member, story_id=story_id, arrival=n))
        assert {s.id: s.title for s in store.stories()} == {"s-a": FERRY, "s-b": FERRY}
        with store.transaction():  # a titled report joins later: it names the story
            index.put_article(StoredArticle(article_id="late", story_id="s-a", arrival=3))
        summary = store.story_summary("s-a")
        assert summary.title == "Ferry to be towed to Brekke"
        assert summary.article_ids == ("blank", "late", "none")


# -- every surface, over a store of untitled wire copy ---------------------------------------


@pytest.fixture(scope="module")
def untitled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("titles") / "untitled.db"
    with open_project(db, settings=Settings()) as project:
        project.ingest([UNTITLED])
    return db


@pytest.fixture(scope="module")
def client(untitled_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(untitled_db)) as test_client:
        yield test_client


def _ferry_id(db: Path) -> str:
    with open_project(db, settings=Settings(), create=False) as project:
        [story] = [s for s in project.stories() if len(s.article_ids) == 3]
        return story.id


def test_stories_lists_headlines(untitled_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(untitled_db), "stories", "--format", "json")
    assert code == 0
    listing = json.loads(out)
    jsonschema.validate(listing, STORIES_SCHEMA)
    titles = {len(s["article_ids"]): s["title"] for s in listing["stories"]}
    assert titles == {3: FERRY, 1: VIADUCT}
    code, out, _ = run(capsys, "--db", str(untitled_db), "stories")
    assert code == 0 and FERRY in out
    assert "Engineers inspecting the Velden rail viaduct" in out and "nine…" in out  # wrapped


def test_the_api_lists_headlines_when_searching_and_sorting(client: TestClient) -> None:
    body = client.get("/api/stories").json()
    jsonschema.validate(body, STORIES_SCHEMA)
    assert {s["title"] for s in body["stories"]} == {FERRY, VIADUCT}
    largest = client.get("/api/stories", params={"sort": "largest"}).json()["stories"]
    assert [s["title"] for s in largest] == [FERRY, VIADUCT]
    found = client.get("/api/stories", params={"q": "viaduct cracks"}).json()["stories"]
    assert [s["title"] for s in found] == [VIADUCT]


def test_the_dossier_is_headed_by_the_headline(
    untitled_db: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    story_id = _ferry_id(untitled_db)
    code, out, _ = run(capsys, "--db", str(untitled_db), "show", story_id, "--format", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, DOSSIER_SCHEMA)
    assert document["title"] == FERRY
    assert client.get(f"/api/stories/{story_id}").json()["title"] == FERRY
    code, out, _ = run(capsys, "--db", str(untitled_db), "show", story_id, "--format", "md")
    assert code == 0 and out.splitlines()[0] == f"# {FERRY}"
    code, out, _ = run(capsys, "--db", str(untitled_db), "show", story_id, "--format", "html")
    assert code == 0 and f"<h1>{FERRY}</h1>" in out


def test_the_web_ui_links_stories_by_their_headline(client: TestClient) -> None:
    page = client.get("/", params={"sort": "largest"}).text
    links = re.findall(r'<h2><a href="(/stories/[^"]+)">([^<]*)</a>', page)
    assert [unescape(text) for _, text in links] == [FERRY, VIADUCT]
    story = client.get(links[0][0]).text
    assert unescape(re.findall(r"<h1>([^<]*)</h1>", story)[0]) == FERRY


def test_a_titled_report_names_the_story_and_keeps_its_id(
    untitled_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "copy.db"
    shutil.copyfile(untitled_db, db)
    story_id = _ferry_id(db)
    with open_project(db, settings=Settings()) as project:
        assert project.dossier_document(story_id)["title"] == FERRY  # kept in the store
        project.ingest([TITLED_COPY])
        story = project.story(story_id)
        assert story.id == story_id and len(story.article_ids) == 4
        assert story.title == "Ferry with 212 aboard runs aground off Halversund"
        assert project.dossier_document(story_id)["title"] == story.title


def test_titled_stories_keep_their_earliest_articles_title(demo_store: Path) -> None:
    with open_project(demo_store, settings=Settings(), create=False) as project:
        stories = project.stories()
        assert stories
        for story in stories:
            titles = [project.article(a).title for a in story.article_ids]
            assert story.title == next(t for t in titles if t)
