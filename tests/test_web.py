"""The web UI through FastAPI's TestClient: pages, status codes, escaping (no browser needed).

The browser tests (test_web_browser.py) drive the same pages in Chromium; these check the HTML
the server sends, so most of the UI is covered in well under a second per test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyline import open_project
from storyline.api import create_app
from storyline.config import Settings
from storyline.model import DatePrecision, Dossier, DossierArticle, TimelineEntry
from storyline.web.timeline import date_label, period_of, timeline_plot
from storyline.web.views import fold_sources, passage, web_url

PWNED = "window.__pwned=1"

# Two reports of one (made-up) story written to attack the page: markup and script in the
# title, outlet, text and quotes, javascript: URLs, event-handler attributes.
HOSTILE_RECORDS = [
    {
        "id": "evil-1",
        "url": f"javascript:{PWNED}",
        "source": f'<img src=x onerror="{PWNED}">Harbour Wire',
        "title": f"<script>{PWNED}</script>Fire destroys <b>12 warehouses</b> at Arlen harbour",
        "published": "2024-05-02T09:00:00+00:00",
        "text": (
            "ARLEN (Harbour Wire) — A fire destroyed 12 warehouses at Arlen harbour on "
            f"Tuesday, fire chief Maria Olsen said. <script>{PWNED}</script>\n\n"
            f'"<img src=x onerror="{PWNED}">We fought it all night," Olsen said. '
            f'"<a href="javascript:{PWNED}">Click here</a> for the harbour\'s statement."\n\n'
            f"The harbour authority said about 40 firefighters fought the blaze. Details at "
            f'javascript:{PWNED} and <iframe src="javascript:{PWNED}"></iframe>.\n\n'
            'Harbour director Ivo <svg onload="window.__pwned=1">Brandt</svg> said the port '
            "would reopen on Friday."
        ),
    },
    {
        "id": "evil-2",
        "url": "https://harbour.example/fire?x=<script>",
        "source": "Arlen <i>Evening</i> Post",
        "title": 'Arlen harbour fire: 12 warehouses lost, "<script>alert(1)</script>" says chief',
        "published": "2024-05-03T08:00:00+00:00",
        "text": (
            "ARLEN — Fire chief Maria Olsen said on Wednesday that a fire at Arlen harbour "
            "destroyed 12 warehouses on Tuesday. About 60 firefighters fought the blaze, the "
            "harbour authority said.\n\n"
            f'"It was the worst fire since 1998 <script>{PWNED}</script>," Olsen said.\n\n'
            "Harbour director Ivo Brandt said the port would reopen on Friday, and told "
            f"reporters to read <a href='javascript:{PWNED}'>the report</a>."
        ),
    },
]


@pytest.fixture(scope="session")
def web_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store for the web tests (a server may migrate what it opens)."""
    copy = tmp_path_factory.mktemp("web") / "demo.db"
    shutil.copyfile(demo_store, copy)
    return copy


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding only the hostile story, ingested through the real pipeline."""
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with open_project(db, settings=Settings()) as project:
        project.ingest_records(HOSTILE_RECORDS, location="hostile")
    return db


@pytest.fixture(scope="module")
def client(web_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def hostile_client(hostile_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(hostile_store)) as test_client:
        yield test_client


def _story_ids(html: str) -> list[str]:
    return re.findall(r'data-story-id="([^"]+)"', html)


def _story_with_brief(client: TestClient) -> tuple[str, dict[str, object]]:
    for story in client.get("/api/stories", params={"sort": "largest"}).json()["stories"]:
        dossier = client.get(f"/api/stories/{story['id']}").json()
        if dossier["brief"]:
            return story["id"], dossier
    raise AssertionError("no story of the demo corpus has a brief")


# -- pages over the demo corpus --------------------------------------------------------------


def test_story_list_lists_the_demo_stories(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    total = client.get("/api/stories").json()["total"]
    assert len(_story_ids(response.text)) == total >= 5
    assert f'data-total="{total}"' in response.text
    assert 'href="/static/storyline.css"' in response.text


def test_story_list_search_keeps_matching_stories(client: TestClient) -> None:
    found = client.get("/", params={"q": "dockworkers strike"}).text
    titles = re.findall(r'<h2><a href="/stories/[^"]+">([^<]+)</a>', found)
    assert titles and all("Calder" in unescape(t) or "strike" in unescape(t) for t in titles)
    assert len(titles) < len(_story_ids(client.get("/").text))
    empty = client.get("/", params={"q": "zyzzyva"})
    assert empty.status_code == 200
    assert _story_ids(empty.text) == [] and "No story matches" in empty.text


def test_story_list_sorts(client: TestClient) -> None:
    largest = client.get("/", params={"sort": "largest"}).text
    sizes = [int(n) for n in re.findall(r'class="articles">(\d+) article', largest)]
    assert sizes == sorted(sizes, reverse=True)
    disputed = client.get("/", params={"sort": "disputed"}).text
    counts = [int(n) for n in re.findall(r'data-disagreements="(\d+)"', disputed)]
    assert len(counts) == len(_story_ids(disputed)) and counts == sorted(counts, reverse=True)
    assert 'class="sort current" data-sort="disputed"' in disputed
    # The counts match the dossiers.
    first = _story_ids(disputed)[0]
    assert counts[0] == len(client.get(f"/api/stories/{first}").json()["disagreements"])


def test_disagreement_count_agrees_with_the_dossier(web_store: Path) -> None:
    with open_project(web_store, settings=Settings(db=str(web_store)), create=False) as project:
        for story in project.stories():
            expected = len(project.dossier(story.id).disagreements)
            assert project.disagreement_count(story.id) == expected
            project.dossier_document(story.id)  # kept in the store: read from there now
            assert project.disagreement_count(story.id) == expected


def test_dossier_documents_read_back_as_the_dossier(web_store: Path) -> None:
    with open_project(web_store, settings=Settings(db=str(web_store)), create=False) as project:
        for story in project.stories():
            dossier = project.dossier(story.id)
            assert Dossier.from_dict(dossier.to_dict()) == dossier


def test_story_list_paging_and_bad_parameters(client: TestClient) -> None:
    for params in ({"page": "abc"}, {"page": "-3"}, {"sort": "nonsense"}, {"page": "999"}):
        assert client.get("/", params=params).status_code == 200
    assert _story_ids(client.get("/", params={"page": "999"}).text) == []
    assert client.get("/", params={"q": "x" * 501}).status_code == 422


def test_story_page_shows_the_dossier(client: TestClient) -> None:
    story_id, dossier = _story_with_brief(client)
    response = client.get(f"/stories/{story_id}")
    assert response.status_code == 200
    html = response.text
    assert '<svg class="timeline-plot"' in html
    assert html.count('class="tl-point') >= 1
    assert html.count('<li id="tl-') == len(dossier["timeline"])  # type: ignore[arg-type]
    for section in ("brief", "timeline", "claims", "quotes", "sources"):
        assert f'id="{section}"' in html
    brief = dossier["brief"][0]  # type: ignore[index]
    assert (
        f'data-passage="/web/passage?article={brief["article_id"]}&amp;start={brief["start"]}'
        in html
    )
    assert f"start={brief['start']}&amp;end={brief['end']}#passage" in html
    claims = dossier["claims"]
    assert html.count('class="corroboration"') == len(claims)  # type: ignore[arg-type]
    for kind in {d["type"] for d in dossier["disagreements"]}:  # type: ignore[attr-defined]
        assert f'class="disagreement dis-{kind}"' in html
    # Copies are folded under their origin, not listed as sources of their own.
    copies = [a for a in dossier["articles"] if a["duplicate_of"]]  # type: ignore[attr-defined]
    if copies:
        assert "folded</summary>" in html


def test_unknown_story_article_entity_are_html_404s(client: TestClient) -> None:
    for path in ("/stories/s-nope", "/articles/nope", "/entities/e-nope"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Not found" in response.text


def test_article_page_highlights_the_cited_passage(client: TestClient) -> None:
    article = client.get("/api/articles/a02").json()
    text = article["text"]
    start = text.index("Mayor Linda Park")
    end = text.index(".", start) + 1
    html = client.get("/articles/a02", params={"start": start, "end": end}).text
    marked = re.search(r'<mark id="passage"[^>]*>(.*?)</mark>', html, re.S)
    assert marked is not None and unescape(marked.group(1)) == text[start:end]
    # The whole text is there, in order, around the mark.
    body = re.search(r'<div class="article-text" id="article-text">(.*?)</div>', html, re.S)
    assert body is not None
    assert unescape(re.sub(r"</?mark[^>]*>", "", body.group(1))) == text


def test_article_page_ignores_a_span_outside_the_text(client: TestClient) -> None:
    html = client.get("/articles/a02", params={"start": "5", "end": "999999"}).text
    assert "<mark" not in html and "not in this article" in html
    assert "<mark" not in client.get("/articles/a02", params={"start": "x"}).text


def test_passage_document_for_the_source_panel(client: TestClient) -> None:
    text = client.get("/api/articles/a02").json()["text"]
    start = text.index("Mayor Linda Park")
    response = client.get(
        "/web/passage", params={"article": "a02", "start": start, "end": start + 16}
    )
    assert response.status_code == 200
    document = response.json()
    assert document["passage"] == "Mayor Linda Park"
    assert text[:start].endswith(document["before"]) and document["before"]
    assert document["href"] == f"/articles/a02?start={start}&end={start + 16}#passage"
    bad = client.get("/web/passage", params={"article": "a02", "start": 10, "end": 5})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert (
        client.get("/web/passage", params={"article": "zz", "start": 0, "end": 1}).status_code
        == 404
    )


def test_entity_pages(client: TestClient) -> None:
    listing = client.get("/entities")
    assert listing.status_code == 200
    ids = re.findall(r'href="/entities/(e-[^"]+)"', listing.text)
    assert ids
    entity = client.get(f"/api/entities/{ids[0]}").json()
    html = client.get(f"/entities/{ids[0]}").text
    assert unescape(re.search(r"<h1>(.*?)</h1>", html).group(1)) == entity["canonical"]  # type: ignore[union-attr]
    for alias in entity["aliases"]:
        assert f'<span class="chip">{alias}</span>' in unescape(html)
    for story_id in entity["story_ids"]:
        assert f'href="/stories/{story_id}"' in html
    found = client.get("/entities", params={"q": entity["canonical"].split()[-1]}).text
    assert f'href="/entities/{ids[0]}"' in found


def test_static_files_and_no_pages_in_the_openapi_document(client: TestClient) -> None:
    css = client.get("/static/storyline.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = client.get("/static/storyline.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text  # article content goes in as text only
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith(("/api/", "/health"))]


# -- hostile content -------------------------------------------------------------------------


class _Tags(HTMLParser):
    """The elements and attributes of a page, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _assert_inert(html: str) -> None:
    """No markup from the hostile articles survives as markup: it is all text."""
    parser = _Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"img", "iframe", "b", "i", "object", "embed", "base"}, names
    scripts = [dict(attrs) for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"src": "/static/storyline.js", "defer": None}]
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "data-passage") and value:
                scheme = "".join(value.split()).lower()
                assert not scheme.startswith(("javascript:", "data:text", "vbscript:")), value


def test_hostile_article_is_escaped_everywhere(hostile_client: TestClient) -> None:
    stories = hostile_client.get("/api/stories").json()["stories"]
    assert stories
    pages = ["/", "/?q=harbour", "/?sort=disputed", "/entities"]
    pages += [f"/stories/{s['id']}" for s in stories]
    pages += ["/articles/evil-1", "/articles/evil-2", "/articles/evil-1?start=0&end=40"]
    entities = hostile_client.get("/api/entities").json()["entities"]
    pages += [f"/entities/{e['id']}" for e in entities]
    for page in pages:
        response = hostile_client.get(page)
        assert response.status_code == 200, page
        _assert_inert(response.text)
    article = hostile_client.get("/articles/evil-1").text
    # The markup is shown literally, as text.
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Fire destroys" in article
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in article
    # A javascript: URL is shown as text, never as a link; an http(s) one becomes a link.
    assert 'class="url-text">javascript:window.__pwned=1<' in article
    other = hostile_client.get("/articles/evil-2").text
    assert 'href="https://harbour.example/fire?x=&lt;script&gt;"' in other


def test_hostile_passage_document_is_plain_text(hostile_client: TestClient) -> None:
    text = hostile_client.get("/api/articles/evil-1").json()["text"]
    start = text.index("<script>")
    document = hostile_client.get(
        "/web/passage", params={"article": "evil-1", "start": start, "end": start + 33}
    ).json()
    assert document["passage"] == f"<script>{PWNED}</script>"
    assert document["source"] == HOSTILE_RECORDS[0]["source"]


# -- the pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/a", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" https://example.org", False),
        ("data:text/html,<script>", False),
        ("//example.org/x", False),
        ("https:///nohost", False),
        ("vbscript:x", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: str | None, link: bool) -> None:
    assert (web_url(url) is not None) is link


def test_passage_cuts_context_at_word_boundaries() -> None:
    text = "First paragraph here.\n\nThe cited sentence is this one. And then more words follow."
    start = text.index("The cited")
    end = text.index("one.") + 4
    whole = passage(text, start, end)
    assert (whole.before, whole.text, whole.after) == (text[:start], text[start:end], text[end:])
    short = passage(text, start, end, context=8)
    assert short.text == "The cited sentence is this one."
    assert short.before == "" and short.clipped_before
    assert short.after == " And" and short.clipped_after
    with pytest.raises(ValueError):
        passage(text, 5, 500)


def test_sources_fold_copies_under_their_origin() -> None:
    def article(article_id: str, copy_of: str | None = None) -> DossierArticle:
        return DossierArticle(
            id=article_id, source="X", published=None, url=None, title=None, duplicate_of=copy_of
        )

    groups = fold_sources([article("a"), article("b", "a"), article("c"), article("d", "zz")])
    assert [(g.article.id, [c.id for c in g.copies]) for g in groups] == [
        ("a", ["b"]),
        ("c", []),
        ("d", []),  # its origin is not in the story: it stands on its own
    ]


def test_timeline_plot_places_entries_by_date_and_precision() -> None:
    def entry(value: str, precision: DatePrecision) -> TimelineEntry:
        return TimelineEntry(date=value, precision=precision, text=f"at {value}", sources=())

    entries = [
        entry("2024-03-06", DatePrecision.DAY),
        entry("2024-03-06", DatePrecision.DAY),
        entry("2024-03-20", DatePrecision.DAY),
        entry("2024-W11", DatePrecision.WEEK),
        entry("2024-03", DatePrecision.MONTH),
        entry("2002", DatePrecision.YEAR),
        entry("someday", DatePrecision.DAY),
    ]
    published = [datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 21, tzinfo=UTC)]
    plot = timeline_plot(entries, published)
    by_index = {p.index: p for p in plot.points}
    assert plot.undated == 1 and 6 not in by_index
    assert by_index[5].band == "earlier" and [b.name for b in plot.bands] == ["earlier"]
    assert by_index[0].x == by_index[1].x and by_index[0].y != by_index[1].y  # stacked
    assert by_index[0].x < by_index[3].x < by_index[2].x  # week 11 is 11-17 March
    assert {b.index: b.precision for b in plot.bars} == {3: "week", 4: "month"}
    assert plot.axis_left < min(plot.reports) < max(plot.reports) < plot.axis_right
    assert all(p.y < plot.axis_y for p in plot.points)
    assert by_index[0].label == "6 Mar 2024 (day): at 2024-03-06 [0 sources]"
    assert period_of("2024-W01") == (date(2024, 1, 1), date(2024, 1, 7))
    assert period_of("2024-13") is None
    assert date_label("2024-W11") == "week 11, 2024"
    assert timeline_plot([]).empty


def test_pages_of_an_empty_store(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    open_project(db, settings=Settings()).close()
    with TestClient(create_app(db)) as empty:
        home = empty.get("/")
        assert home.status_code == 200 and "No stories yet" in home.text
        assert "No entities yet" in empty.get("/entities").text
        assert empty.get("/?sort=disputed").status_code == 200
