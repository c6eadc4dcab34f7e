"""Dossiers of the demo corpus: the JSON contract and schema, evidence spans, the golden files,
the store's dossier cache, `storyline show` and `storyline export`, and inert hostile content."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT
from storyline import open_project
from storyline.config import Settings
from storyline.synthesize.render import dossier_html, dossier_markdown
from test_cli import run

SCHEMA = json.loads((ROOT / "schemas" / "dossier.schema.json").read_text())
STORIES_SCHEMA = json.loads((ROOT / "schemas" / "stories.schema.json").read_text())
GOLDEN = ROOT / "tests" / "golden" / "dossiers"


@pytest.fixture
def demo_copy(demo_store: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store: dossier commands write their cache into it."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_store, copy)
    return copy


@pytest.fixture(scope="module")
def demo_dossiers(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    copy = tmp_path_factory.mktemp("dossiers") / "demo.db"
    shutil.copy(demo_store, copy)
    with open_project(copy, settings=Settings()) as project:
        return {s.id: project.dossier(s.id).to_dict() for s in project.stories()}


@pytest.fixture(scope="module")
def demo_texts(demo_store: Path) -> dict[str, str]:
    with open_project(demo_store, settings=Settings()) as project:
        return {a.id: a.text for a in project.articles()}


def test_every_demo_dossier_matches_the_schema(demo_dossiers: dict[str, dict]) -> None:
    assert len(demo_dossiers) == 5
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for story_id, document in demo_dossiers.items():
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, f"{story_id}: {errors[0].message} at {list(errors[0].path)}"


def test_every_piece_of_evidence_points_into_its_article(
    demo_dossiers: dict[str, dict], demo_texts: dict[str, str]
) -> None:
    for document in demo_dossiers.values():
        story_articles = {a["id"] for a in document["articles"]}
        spans = [e for c in document["claims"] for e in c["support"]]
        spans += [e for t in document["timeline"] for e in t["sources"]]
        spans += document["quotes"] + document["brief"]
        assert spans
        for span in spans:
            assert span["article_id"] in story_articles
            text = demo_texts[span["article_id"]]
            assert 0 <= span["start"] < span["end"] <= len(text)
        for sentence in document["brief"]:
            cited = demo_texts[sentence["article_id"]][sentence["start"] : sentence["end"]]
            assert cited == sentence["sentence"]
        for quote in document["quotes"]:
            assert demo_texts[quote["article_id"]][quote["start"] : quote["end"]] == quote["text"]


def test_demo_dossiers_say_something_about_every_story(demo_dossiers: dict[str, dict]) -> None:
    for story_id, document in demo_dossiers.items():
        assert document["claims"], story_id
        assert document["timeline"], story_id
        assert document["quotes"], story_id
        assert 1 <= len(document["brief"]) <= Settings().dossier.brief_sentences, story_id
        corroborated = max(c["independent_sources"] for c in document["claims"])
        assert corroborated >= 2, f"{story_id}: no claim is corroborated by two outlets"
    kinds = {d["type"] for doc in demo_dossiers.values() for d in doc["disagreements"]}
    assert kinds, "the demo's reports disagree on figures; no disagreement was found"


def test_golden_demo_dossiers(demo_copy: Path, tmp_path: Path) -> None:
    """The demo dossiers as committed. After an intended change: `make golden`, review the
    diff, commit it."""
    with open_project(demo_copy, settings=Settings()) as project:
        project.export_dossiers(tmp_path / "out", formats=["json"])
    produced = {p.name: p.read_text() for p in (tmp_path / "out").glob("*.json")}
    committed = {p.name: p.read_text() for p in GOLDEN.glob("*.json")}
    assert sorted(produced) == sorted(committed), "run `make golden` and commit the result"
    for name, text in produced.items():
        assert text == committed[name], f"{name} differs from the golden file: `make golden`"


def test_the_store_serves_a_dossier_until_its_story_changes(
    demo_copy: Path, fixtures: Path
) -> None:
    with open_project(demo_copy, settings=Settings()) as project:
        story = project.stories()[-1]
        built = project.dossier_document(story.id)
        assert built == project.dossier(story.id).to_dict()
        fingerprint = project._dossier_fingerprint(project.story(story.id))
        assert project.store.cached_dossier(story.id, fingerprint) is not None
        assert project.dossier_document(story.id) == built
        # A new article anywhere links entities: the old document no longer matches.
        project.ingest([FIXTURES / "dossier" / "hostile.jsonl"])
        assert project._dossier_fingerprint(project.story(story.id)) != fingerprint
        assert project.dossier_document(story.id)["id"] == story.id


def test_show_prints_the_dossier_in_each_format(
    demo_copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--db", str(demo_copy), "stories", "--format", "json")
    assert code == 0
    listing = json.loads(out)
    jsonschema.validate(listing, STORIES_SCHEMA)
    story = listing["stories"][0]
    code, out, _ = run(capsys, "--db", str(demo_copy), "show", story["id"], "--format", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert document["id"] == story["id"] and document["title"] == story["title"]
    code, out, _ = run(capsys, "--db", str(demo_copy), "show", story["id"])
    assert code == 0 and out.startswith(f"# {story['title']}")
    assert "## Claims" in out and "## Timeline" in out and "## Sources" in out
    page = tmp_path / "story.html"
    code, _, _ = run(
        capsys, "--db", str(demo_copy), "show", story["id"], "--format", "html", "--out", str(page)
    )
    assert code == 0
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert 'id="timeline"' in html and 'class="count"' in html


def test_show_an_unknown_story_is_a_usage_error(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", str(demo_copy), "show", "s-000000000000")
    assert code == 2
    assert err.startswith("storyline: error not_found:")


def test_export_writes_one_file_per_story_and_format_with_an_index(
    demo_copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "dossiers"
    code, out, _ = run(capsys, "--db", str(demo_copy), "-q", "export", "--out", str(out_dir))
    assert code == 0
    assert "wrote 5 dossiers (18 files)" in out
    index = json.loads((out_dir / "index.json").read_text())
    for story in index["stories"]:
        for fmt in ("json", "md", "html"):
            assert (out_dir / f"{story['id']}.{fmt}").stat().st_size > 0
        assert story["file"] == f"{story['id']}.json"
    index_html = (out_dir / "index.html").read_text()
    assert all(f'href="{s["id"]}.html"' in index_html for s in index["stories"])
    assert not list(out_dir.glob("*.partial"))


def test_hostile_article_content_is_inert_in_html_and_markdown(
    story_material, tmp_path: Path
) -> None:
    from storyline.synthesize.dossier import build_dossier

    material = story_material(FIXTURES / "dossier" / "hostile.jsonl")
    document = build_dossier(material).to_dict()
    texts = {a.id: a.text for a in material.articles}
    html = dossier_html(document, texts)
    assert "<script" not in html.lower()
    assert "onerror=" not in html.replace("onerror=&#34;", "")
    assert 'href="javascript:' not in html.lower()
    assert "&lt;script&gt;" in html  # shown, as text
    markdown = dossier_markdown(document, texts)
    assert "<script" not in markdown.lower() and "](<javascript:" not in markdown


_DOUBLED = re.compile(r"[“”]{2}|[‘’]{2}|“\s*“|”\s*”")


def test_direct_quotes_carry_one_pair_of_marks_in_every_format(story_material) -> None:
    """A direct quote's span holds its own marks ("“We will hold the bridge,”"): no export
    adds a second pair (““We will hold the bridge,””)."""
    from storyline.synthesize.dossier import build_dossier
    from storyline.synthesize.export import render_dossier

    material = story_material(FIXTURES / "dossier" / "layout_qasr_halim.jsonl")
    document = build_dossier(material).to_dict()
    texts = {a.id: a.text for a in material.articles}
    direct = [q for q in document["quotes"] if q["kind"] == "direct"]
    assert any(q["text"] == "“We will hold the bridge,”" for q in direct)
    for fmt in ("json", "md", "html"):
        rendered = render_dossier(document, fmt, texts)
        shown = html.unescape(rendered) if fmt == "html" else rendered
        assert "“We will hold the bridge,”" in shown
        assert not _DOUBLED.search(shown), (fmt, _DOUBLED.search(shown))
    for q in direct:
        assert not _DOUBLED.search(q["text"]) and not q["text"].startswith('""')
