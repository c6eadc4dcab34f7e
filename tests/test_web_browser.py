"""The web UI in a real browser: Debian's Chromium driven by Python Playwright, against a live
server (uvicorn on 127.0.0.1, a free port) over the demo corpus and over a hostile story.

Chromium is never downloaded (no ``playwright install``): the tests use ``/usr/bin/chromium``
(``apt-get install chromium``; ``.ci/run`` installs it). When it is missing they fail under CI
(``CI`` set) and are skipped, with the reason, elsewhere. Screenshots go to
``out/screenshots/`` (not committed), or ``STORYLINE_SCREENSHOTS`` if set.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from test_web import HOSTILE_RECORDS, hostile_store, web_store  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("STORYLINE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("STORYLINE_SCREENSHOTS", ROOT / "out" / "screenshots"))

pytestmark = [pytest.mark.network, pytest.mark.slow]


def _unavailable(reason: str) -> None:
    """Fail under CI (the browser tests must run there), skip with the reason elsewhere."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests need Chromium: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class LiveServer:
    """uvicorn serving the storyline app over one store, in a thread, on a free port."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        from storyline.api import create_app

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(
            create_app(db), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)


@pytest.fixture(scope="module")
def demo_server(web_store: Path) -> Iterator[LiveServer]:  # noqa: F811
    with LiveServer(web_store) as server:
        yield server


@pytest.fixture(scope="module")
def hostile_server(hostile_store: Path) -> Iterator[LiveServer]:  # noqa: F811
    with LiveServer(hostile_store) as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that records dialogs, page errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    yield opened
    context.close()
    assert not problems, problems


def _shot(page: Page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_list_search_open_story_and_timeline(page: Page, demo_server: LiveServer) -> None:
    page.goto(demo_server.url + "/")
    total = demo_server.json("/api/stories")["total"]
    assert page.locator(".story-card").count() == total >= 5
    _shot(page, "story-list")

    page.fill(".masthead input[name=q]", "dockworkers strike")
    page.click(".masthead button[type=submit]")
    page.wait_for_url(re.compile(r"\?q=dockworkers\+strike"))
    cards = page.locator(".story-card h2 a")
    assert 1 <= cards.count() < total
    assert "Calder" in cards.first.inner_text()
    _shot(page, "search")

    cards.first.click()
    page.wait_for_url(re.compile(r"/stories/s-"))
    assert "Calder" in page.locator("h1").inner_text()
    plot = page.locator("svg.timeline-plot")
    assert plot.is_visible()
    points = plot.locator(".tl-point")
    assert points.count() >= 5
    box = plot.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 60
    assert plot.locator(".tl-axis").count() == 1 and plot.locator(".tl-tick-label").count() >= 3
    # A point links to its entry in the list, which names its sources.
    first = plot.locator("a.tl-link").first
    target = first.get_attribute("href")
    assert target is not None and target.startswith("#tl-")
    first.click()
    entry = page.locator(target)
    assert entry.is_visible() and entry.locator("a.cite").count() >= 1
    page.locator("#brief").scroll_into_view_if_needed()
    _shot(page, "story")


def test_citation_opens_the_source_passage(page: Page, demo_server: LiveServer) -> None:
    stories = demo_server.json("/api/stories?sort=largest")["stories"]
    story_id, dossier = next(
        (s["id"], d) for s in stories if (d := demo_server.json(f"/api/stories/{s['id']}"))["brief"]
    )
    brief = dossier["brief"][0]
    article = demo_server.json(f"/api/articles/{brief['article_id']}")
    cited = _words(article["text"][brief["start"] : brief["end"]])

    page.goto(f"{demo_server.url}/stories/{story_id}")
    panel = page.locator("#source-panel")
    assert panel.is_hidden()
    page.locator("#brief a.cite").first.click()
    panel.wait_for(state="visible")
    assert _words(panel.locator("mark.cited").inner_text()) == cited
    assert article["source"] in panel.locator(".panel-meta").inner_text()
    _shot(page, "citation-panel")

    # The panel leads to the article, where the same passage is highlighted and in view.
    page.locator("#source-panel .panel-open").click()
    page.wait_for_url(re.compile(r"/articles/.+\?start=\d+&end=\d+#passage"))
    mark = page.locator("mark#passage")
    assert _words(mark.inner_text()) == cited
    assert mark.is_visible() and mark.evaluate(
        "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    )
    _shot(page, "article-passage")

    # Escape closes the panel; with JavaScript off a citation is a plain link to the article.
    page.go_back()
    page.locator("#brief a.cite").first.click()
    panel.wait_for(state="visible")
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")


def test_span_fragment_links_highlight_too(page: Page, demo_server: LiveServer) -> None:
    text = demo_server.json("/api/articles/a02")["text"]
    start = text.index("Mayor Linda Park")
    end = text.index(".", start) + 1
    page.goto(f"{demo_server.url}/articles/a02#c-{start}-{end}")
    page.wait_for_url(re.compile(rf"start={start}&end={end}#passage"))
    assert page.locator("mark#passage").inner_text() == text[start:end]


def test_most_disputed_and_entity_pages(page: Page, demo_server: LiveServer) -> None:
    page.goto(demo_server.url + "/")
    page.click("a.sort[data-sort=disputed]")
    page.wait_for_url(re.compile(r"sort=disputed"))
    counts = [
        int(n)
        for n in page.locator("[data-disagreements]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.disagreements)"
        )
    ]
    assert counts and counts == sorted(counts, reverse=True)
    page.locator(".story-card h2 a").first.click()
    page.wait_for_url(re.compile(r"/stories/s-"))
    chip = page.locator("#entities a.chip").first
    name = chip.inner_text()
    chip.click()
    page.wait_for_url(re.compile(r"/entities/e-"))
    assert page.locator("h1").inner_text() == name
    assert page.locator(".story-card").count() >= 1
    _shot(page, "entity")


def test_pages_fit_a_phone_screen(browser: Browser, demo_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone = context.new_page()
    story_id = demo_server.json("/api/stories")["stories"][0]["id"]
    for path in ("/", f"/stories/{story_id}", "/articles/a02", "/entities"):
        phone.goto(demo_server.url + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, (path, overflow)
    phone.goto(f"{demo_server.url}/stories/{story_id}")
    _shot(phone, "story-phone")
    context.close()


def test_hostile_article_is_inert(page: Page, hostile_server: LiveServer) -> None:
    story = hostile_server.json("/api/stories")["stories"][0]
    entities = hostile_server.json("/api/entities")["entities"]
    paths = ["/", "/?q=harbour", f"/stories/{story['id']}", "/articles/evil-1", "/articles/evil-2"]
    paths += [f"/entities/{e['id']}" for e in entities[:3]]
    for path in paths:
        page.goto(hostile_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        # Only our own script is on the page, no element carries an event handler, no link
        # or frame has a javascript: address, and nothing from the articles became markup.
        found = page.evaluate(
            """() => ({
                scripts: [...document.scripts].map(s => s.getAttribute('src')),
                handlers: [...document.querySelectorAll('*')].flatMap(e =>
                    [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
                jsLinks: [...document.querySelectorAll('[href],[src]')].filter(e =>
                    /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src')))
                    .length,
                injected: document.querySelectorAll('img, iframe, main b, main i').length,
            })"""
        )
        assert found == {
            "scripts": ["/static/storyline.js"],
            "handlers": [],
            "jsLinks": 0,
            "injected": 0,
        }, path

    # The markup reads as text, exactly as the article had it.
    page.goto(hostile_server.url + "/articles/evil-1")
    title = HOSTILE_RECORDS[0]["title"]
    assert page.locator("h1").inner_text() == title
    body = page.locator("#article-text").inner_text()
    assert "<script>window.__pwned=1</script>" in body
    assert '<a href="javascript:window.__pwned=1">Click here</a>' in body
    assert page.locator("a.external").count() == 0  # its javascript: URL is not a link
    assert "javascript:window.__pwned=1" in page.locator(".url-text").inner_text()
    _shot(page, "hostile-article")

    # Through the source panel too: a citation's passage goes in as text.
    page.goto(f"{hostile_server.url}/stories/{story['id']}")
    assert page.locator("h1").inner_text() == story["title"]
    citations = page.locator("a.cite")
    assert citations.count() >= 1
    texts = {a: hostile_server.json(f"/api/articles/{a}")["text"] for a in ("evil-1", "evil-2")}
    for index in range(min(citations.count(), 8)):
        link = citations.nth(index)
        cited = re.search(
            r"article=([^&]+)&start=(\d+)&end=(\d+)", link.get_attribute("data-passage") or ""
        )
        assert cited is not None
        link.scroll_into_view_if_needed()
        link.click()
        panel = page.locator("#source-panel")
        panel.wait_for(state="visible")
        expected = texts[cited[1]][int(cited[2]) : int(cited[3])]
        assert _words(panel.locator("mark.cited").inner_text()) == _words(expected)
        assert panel.locator("img, script, iframe, b, i").count() == 0
        page.keyboard.press("Escape")
        panel.wait_for(state="hidden")
    assert page.evaluate("window.__pwned") is None
    _shot(page, "hostile-story", full_page=True)
