"""The HTTP API through the app (FastAPI's TestClient) over the demo corpus store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline import open_project
from storyline.api import create_app, is_loopback
from storyline.api.app import DisputeCounts
from storyline.config import AnnotateSettings, ApiSettings, Settings
from storyline.model import StoryEvent
from storyline.project import Project

STORY_FIELDS = {"id", "title", "article_ids", "first_published", "last_published", "sources"}
DOSSIER_FIELDS = {
    "schema_version",
    "id",
    "title",
    "articles",
    "entities",
    "quotes",
    "claims",
    "disagreements",
    "timeline",
    "brief",
}
LONG_TEXT = (
    "Harbour pilots in the northern port of Quellmouth stopped guiding ships on Friday, the "
    "pilots' association said, after talks on night-shift pay broke down. About 40 vessels "
    "were waiting offshore by the evening, according to the port authority, which called the "
    "stoppage unlawful and said it would seek an injunction on Monday."
)


@pytest.fixture(scope="module")
def client(demo_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=str(demo_store)), host="127.0.0.1")) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def project(demo_store: Path) -> Iterator[Project]:
    with open_project(demo_store, settings=Settings(), create=False) as opened:
        yield opened


def _copy_store(demo_store: Path, target: Path) -> Path:
    source = sqlite3.connect(demo_store)
    copy = sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return target


def _writer(db: Path, *, host: str = "127.0.0.1", token: str = "", **api: Any) -> TestClient:
    settings = Settings(
        db=str(db),
        annotate=AnnotateSettings(on_ingest=False),
        api=ApiSettings(**api),
    )
    return TestClient(create_app(settings, host=host, token=token))


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:storyline:error:{code}"
    assert body["title"] and body["detail"]
    return body


# -- meta ------------------------------------------------------------------------------------


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_document_lists_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/health",
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/articles/{article_id}",
        "/api/articles",
        "/api/entities",
        "/api/entities/{entity_id}",
    }
    assert "post" in spec["paths"]["/api/articles"]
    problem = spec["paths"]["/api/stories/{story_id}"]["get"]["responses"]["404"]
    assert "application/problem+json" in problem["content"]


def test_loopback_addresses() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org"))


# -- stories ---------------------------------------------------------------------------------


def test_story_list_has_the_stories_contract(client: TestClient, project: Project) -> None:
    body = client.get("/api/stories", params={"limit": 200}).json()
    assert body["schema_version"] == 1
    expected = [s.to_dict() for s in project.stories()]
    assert body["stories"] == expected  # the same stories, fields and order as the CLI's
    assert body["total"] == len(expected) >= 5
    for story in body["stories"]:
        assert set(story) == STORY_FIELDS


def test_story_list_pages(client: TestClient) -> None:
    everything = client.get("/api/stories", params={"limit": 200}).json()["stories"]
    pages = [
        client.get("/api/stories", params={"limit": 2, "offset": offset}).json()
        for offset in range(0, len(everything) + 2, 2)
    ]
    assert [s for page in pages for s in page["stories"]] == everything
    assert pages[-1]["stories"] == []
    assert {page["total"] for page in pages} == {len(everything)}
    assert client.get("/api/stories").json()["limit"] == 20


def test_story_search_over_titles_and_texts(client: TestClient, project: Project) -> None:
    body = client.get("/api/stories", params={"q": "dockworkers strike"}).json()
    assert body["total"] >= 1
    for story in body["stories"]:
        texts = [project.article(a) for a in story["article_ids"]]
        assert any(
            "dockworker" in f"{a.title} {a.text}".lower() and "strike" in a.text.lower()
            for a in texts
        )
    assert client.get("/api/stories", params={"q": "zzyzx"}).json() == {
        "schema_version": 1,
        "stories": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
        "sort": "recent",
    }
    for hostile in ['"', "strike OR", "NEAR(", "*", "title:x", "\x00"]:
        assert client.get("/api/stories", params={"q": hostile}).status_code == 200


def test_story_filters(client: TestClient, project: Project) -> None:
    everything = client.get("/api/stories", params={"limit": 200}).json()["stories"]
    articles = {a.id: a for a in project.articles()}

    source = "Harbor Gazette"
    found = client.get("/api/stories", params={"source": source, "limit": 200}).json()
    expected = [
        s for s in everything if any(articles[a].source == source for a in s["article_ids"])
    ]
    assert found["stories"] == expected
    assert 0 < found["total"] < len(everything)

    found = client.get(
        "/api/stories", params={"since": "2024-05-01", "until": "2024-05-31", "limit": 200}
    ).json()
    expected = [
        s
        for s in everything
        if any(
            (p := articles[a].published) is not None
            and "2024-05-01" <= p.date().isoformat() <= "2024-05-31"
            for a in s["article_ids"]
        )
    ]
    assert found["stories"] == expected and expected
    # A date-only `until` includes that whole day.
    last_day = everything[0]["last_published"][:10]
    assert (
        everything[0]
        in client.get("/api/stories", params={"until": last_day, "limit": 200}).json()["stories"]
    )
    assert client.get("/api/stories", params={"since": "2027-01-01"}).json()["total"] == 0


def test_story_filter_by_entity_id_or_name(client: TestClient) -> None:
    entity = client.get("/api/entities", params={"limit": 1}).json()["entities"][0]
    by_id = client.get("/api/stories", params={"entity": entity["id"], "limit": 200}).json()
    assert sorted(s["id"] for s in by_id["stories"]) == sorted(entity["story_ids"])
    by_name = client.get("/api/stories", params={"entity": entity["canonical"], "limit": 200})
    assert by_name.json()["stories"] == by_id["stories"]
    nobody = client.get("/api/stories", params={"entity": "Nobody Atall"}).json()
    assert nobody["total"] == 0


def test_story_sorts(client: TestClient, project: Project) -> None:
    largest = client.get("/api/stories", params={"sort": "largest", "limit": 200}).json()
    sizes = [len(s["article_ids"]) for s in largest["stories"]]
    assert sizes == sorted(sizes, reverse=True)
    assert largest["sort"] == "largest"
    # Most disagreements first (the 50 largest stories ranked by them), ties by size.
    disputed = client.get("/api/stories", params={"sort": "disputed", "limit": 200}).json()
    assert sorted(s["id"] for s in disputed["stories"]) == sorted(
        s["id"] for s in largest["stories"]
    )
    counts = [project.disagreement_count(s["id"]) for s in disputed["stories"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    pages = [
        client.get("/api/stories", params={"sort": "disputed", "limit": 2, "offset": o}).json()
        for o in range(0, len(counts), 2)
    ]
    assert [s for p in pages for s in p["stories"]] == disputed["stories"]
    _problem(client.get("/api/stories", params={"sort": "oldest"}), 422, "invalid_request")


def test_disputed_order_ranks_only_the_largest_stories(
    client: TestClient, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DisputeCounts, "HEAD", 3)
    params = {"sort": "disputed", "limit": 200}
    everything = client.get("/api/stories", params=params).json()["stories"]
    largest = client.get("/api/stories", params={"sort": "largest", "limit": 200}).json()
    assert everything[3:] == largest["stories"][3:]  # beyond the head: by size
    counts = [project.disagreement_count(s["id"]) for s in everything[:3]]
    assert counts == sorted(counts, reverse=True)
    pages = [
        client.get("/api/stories", params={**params, "limit": 2, "offset": o}).json()["stories"]
        for o in range(0, len(everything), 2)
    ]
    assert [s for page in pages for s in page] == everything


def test_story_list_rejects_bad_parameters(client: TestClient) -> None:
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}):
        body = _problem(client.get("/api/stories", params=params), 422, "invalid_request")
        assert body["errors"][0]["location"].startswith("query.")
    body = _problem(client.get("/api/stories", params={"since": "soon"}), 422, "invalid_request")
    assert "since" in body["detail"]


def test_story_dossier(client: TestClient, project: Project) -> None:
    story = project.stories()[0]
    response = client.get(f"/api/stories/{story.id}")
    assert response.status_code == 200, response.text
    dossier = response.json()
    assert set(dossier) >= DOSSIER_FIELDS
    assert dossier["id"] == story.id
    assert {a["id"] for a in dossier["articles"]} == set(story.article_ids)
    assert "content-location" not in response.headers


def test_unknown_story_is_a_404_problem(client: TestClient) -> None:
    body = _problem(client.get("/api/stories/s-000000000000"), 404, "not_found")
    assert "s-000000000000" in body["detail"]


def test_a_merged_story_id_gives_the_surviving_dossier(demo_store: Path, tmp_path: Path) -> None:
    db = _copy_store(demo_store, tmp_path / "merged.db")
    with open_project(db, settings=Settings()) as project:
        survivor, merged = (s.id for s in project.stories()[:2])
        with project.store.transaction():
            project.store.story_index().add_event(
                StoryEvent(kind="merge", story_ids=(survivor, merged), into=survivor, reason="test")
            )
    with _writer(db) as client:
        response = client.get(f"/api/stories/{merged}")
        assert response.status_code == 200, response.text
        assert response.json()["id"] == survivor
        assert response.headers["content-location"] == f"/api/stories/{survivor}"


# -- articles and entities ----------------------------------------------------------------------


def test_article_with_its_annotations(client: TestClient, project: Project) -> None:
    article = project.articles()[0]
    body = client.get(f"/api/articles/{article.id}").json()
    assert body["id"] == article.id
    assert body["text"] == article.text
    assert body["story_id"] == article.story_id
    annotations = body["annotations"]
    assert set(annotations) == {"entities", "quotes", "quantities", "timexes"}
    for entity in annotations["entities"]:
        assert body["text"][entity["start"] : entity["end"]] == entity["text"]
    _problem(client.get("/api/articles/nope"), 404, "not_found")


def test_entities_with_their_stories(client: TestClient, project: Project) -> None:
    body = client.get("/api/entities", params={"limit": 5}).json()
    assert body["schema_version"] == 1
    assert len(body["entities"]) == 5
    for entity in body["entities"]:
        assert entity["story_ids"]
        stories = {project.article(a).story_id for a in entity["article_ids"]}
        assert set(entity["story_ids"]) == stories
    second = client.get("/api/entities", params={"limit": 2, "offset": 2}).json()["entities"]
    assert second == body["entities"][2:4]
    name = body["entities"][0]["canonical"]
    searched = client.get("/api/entities", params={"q": name}).json()["entities"]
    assert body["entities"][0]["id"] in {e["id"] for e in searched}


def test_one_entity(client: TestClient) -> None:
    listed = client.get("/api/entities", params={"limit": 1}).json()["entities"][0]
    body = client.get(f"/api/entities/{listed['id']}").json()
    assert {k: body[k] for k in listed} == listed
    assert sorted(s["id"] for s in body["stories"]) == sorted(listed["story_ids"])
    assert body["story_total"] == len(listed["story_ids"])
    _problem(client.get("/api/entities/e-nobody"), 404, "not_found")


def test_unknown_paths_and_methods_are_problems(client: TestClient) -> None:
    _problem(client.get("/api/nothing"), 404, "not_found")
    _problem(client.delete("/api/stories"), 405, "method_not_allowed")


# -- writes ----------------------------------------------------------------------------------


def _batch() -> list[object]:
    return [
        {
            "id": "api-1",
            "source": "Quellmouth Herald",
            "title": "Quellmouth pilots stop guiding ships",
            "published": "2025-02-07T18:00:00Z",
            "text": LONG_TEXT,
        },
        {"id": "api-2", "source": "Quellmouth Herald", "title": "Empty", "text": "   "},
        ["not", "an", "article"],
    ]


def test_post_a_batch_with_a_rejected_record(demo_store: Path, tmp_path: Path) -> None:
    db = _copy_store(demo_store, tmp_path / "write.db")
    with _writer(db) as client:
        response = client.post("/api/articles", json=_batch())
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["records_read"] == 3
        assert report["articles_added"] == 1
        assert report["rejected"] == {
            "total": 2,
            "by_code": {"blank_content": 1, "json_not_object": 1},
        }
        assert [r["code"] for r in report["rejected_records"]] == [
            "blank_content",
            "json_not_object",
        ]
        assert report["rejected_records"][0]["location"] == "api:2"
        [stored] = report["articles"]
        assert stored["id"] == "api-1" and stored["story_id"]
        assert report["articles_assigned"] == 1

        # Served at once, and found by search.
        assert client.get("/api/articles/api-1").json()["title"].startswith("Quellmouth")
        found = client.get("/api/stories", params={"q": "quellmouth pilots"}).json()
        assert [s["id"] for s in found["stories"]] == [stored["story_id"]]

        # Idempotent: the same batch again changes nothing.
        again = client.post("/api/articles", json=_batch()).json()
        assert again["articles_added"] == 0 and again["already_stored"] == 3


def test_post_one_article_annotates_it(demo_store: Path, tmp_path: Path) -> None:
    db = _copy_store(demo_store, tmp_path / "annotate.db")
    settings = Settings(db=str(db))  # annotate on ingest, with the real pipeline
    with TestClient(create_app(settings, host="127.0.0.1")) as client:
        report = client.post("/api/articles", json=_batch()[0]).json()
        assert report["articles_added"] == report["articles_annotated"] == 1
        annotations = client.get("/api/articles/api-1").json()["annotations"]
        assert any(e["text"] == "Quellmouth" for e in annotations["entities"])


def test_writes_need_the_token_when_one_is_set(demo_store: Path, tmp_path: Path) -> None:
    db = _copy_store(demo_store, tmp_path / "token.db")
    article = _batch()[0]
    with _writer(db, token="s3cret") as client:
        missing = _problem(client.post("/api/articles", json=article), 401, "unauthorized")
        assert "Bearer" in missing["detail"]
        assert client.post("/api/articles", json=article).headers["www-authenticate"] == "Bearer"
        basic = {"Authorization": "Basic czNjcmV0"}
        _problem(client.post("/api/articles", json=article, headers=basic), 401, "unauthorized")
        wrong = {"Authorization": "Bearer guess"}
        _problem(client.post("/api/articles", json=article, headers=wrong), 403, "forbidden")
        assert client.get("/api/articles/api-1").status_code == 404  # nothing was written
        right = {"Authorization": "Bearer s3cret"}
        response = client.post("/api/articles", json=article, headers=right)
        assert response.status_code == 200, response.text
        assert client.get("/api/stories").status_code == 200  # reads need no token


def test_without_a_token_only_a_loopback_server_accepts_writes(
    demo_store: Path, tmp_path: Path
) -> None:
    db = _copy_store(demo_store, tmp_path / "open.db")
    with _writer(db, host="0.0.0.0") as client:
        body = _problem(client.post("/api/articles", json=_batch()[0]), 403, "forbidden")
        assert "STORYLINE_API_TOKEN" in body["detail"]
        assert client.get("/api/stories").status_code == 200
    with _writer(db, host="0.0.0.0", token="t") as client:
        headers = {"Authorization": "Bearer t"}
        assert client.post("/api/articles", json=_batch()[0], headers=headers).status_code == 200
    with _writer(db, host="::1") as client:
        assert client.post("/api/articles", json=_batch()[0]).status_code == 200


def test_the_token_comes_from_the_environment(
    demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy_store(demo_store, tmp_path / "env.db")
    monkeypatch.setenv("STORYLINE_API_TOKEN", "from-env")
    monkeypatch.setenv("STORYLINE_ANNOTATE_ON_INGEST", "false")
    with TestClient(create_app(db)) as client:
        _problem(client.post("/api/articles", json=_batch()[0]), 401, "unauthorized")
        headers = {"Authorization": "Bearer from-env"}
        assert client.post("/api/articles", json=_batch()[0], headers=headers).status_code == 200


def test_bad_bodies_are_problems(demo_store: Path, tmp_path: Path) -> None:
    db = _copy_store(demo_store, tmp_path / "bad.db")
    with _writer(db, max_body_bytes=2000, max_batch=2) as client:
        post = client.post
        _problem(post("/api/articles", content=b"{not json"), 422, "invalid_request")
        _problem(post("/api/articles", content=b"\xff\xfe"), 422, "invalid_request")
        _problem(post("/api/articles", json=[]), 422, "invalid_request")
        _problem(post("/api/articles", json="text"), 422, "invalid_request")
        _problem(post("/api/articles", json=[{"text": "x"}] * 3), 413, "payload_too_large")
        big = {"text": "x" * 3000}
        _problem(post("/api/articles", json=big), 413, "payload_too_large")
        stats = client.get("/health").json()
        assert stats["status"] == "ok"
