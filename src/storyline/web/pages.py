"""The web UI's routes: server-rendered pages over the same library calls as the API.

Pages: ``/`` (stories: search, sort, pages), ``/stories/{id}`` (the dossier, with a timeline
plot and a source panel for citations), ``/articles/{id}`` (the text, with ``?start=&end=``
highlighted), ``/entities`` and ``/entities/{id}``. ``/web/passage`` is the JSON the source
panel reads. None of them is in the OpenAPI document: they are for people, not programs.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from storyline import __version__
from storyline.api.app import DisputeCounts, reader
from storyline.errors import InvalidRequestError, NotFoundError
from storyline.model import Dossier, StoryQuery, StorySort
from storyline.project import Project
from storyline.text import quoted
from storyline.web.timeline import timeline_plot
from storyline.web.views import (
    ENTITY_GROUPS,
    article_url,
    day,
    passage,
    story_view,
    valid_span,
    web_url,
)

__all__ = ["PAGE_SIZE", "mount", "router"]

PAGE_SIZE = 20
"""Stories (or entities) per page of a list."""
ENTITY_ARTICLES = 50
"""Articles an entity page lists, at most."""
PASSAGE_CONTEXT = 360
"""Characters of context the source panel shows each side of a cited passage."""

SECURITY_HEADERS = {
    # Our own script and style only: even a tag that slipped through escaping could not run.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)
ReadProject = Annotated[Project, Depends(reader)]


def mount(app: FastAPI) -> None:
    """Add the web UI's pages and static files to ``app`` (the API's app factory calls it)."""
    app.include_router(router)
    app.mount(
        "/static", StaticFiles(packages=[("storyline.web", "static")]), name="storyline-static"
    )


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("storyline.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        version=__version__,
        article_url=article_url,
        story_url=lambda story_id: "/stories/" + quote(story_id, safe=""),
        entity_url=lambda entity_id: "/entities/" + quote(entity_id, safe=""),
    )
    environment.filters["day"] = day
    environment.filters["quoted"] = quoted
    environment.filters["web_url"] = web_url
    return environment


def _page(template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    html = _environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _not_found(message: str) -> HTMLResponse:
    return _page("not_found.html", status=404, message=message)


def _number(value: str | None, default: int, *, low: int = 0, high: int = 10**9) -> int:
    """A query parameter as an int in ``[low, high]``; ``default`` when missing or not one.

    Pages are for people: a mistyped ``?page=x`` shows the first page, not an error."""
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, low), high)


def _disputes(request: Request) -> DisputeCounts:
    """The app's "most disputed" order and its remembered counts (shared with the API)."""
    disputes: DisputeCounts = request.app.state.disputes
    return disputes


def _list_url(**params: object) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", 1, "recent")}
    return "/" + (f"?{urlencode(kept)}" if kept else "")


@router.get("/", response_class=HTMLResponse)
def index(
    request: Request,
    project: ReadProject,
    q: Annotated[str | None, Query(max_length=500)] = None,
    sort: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """The story list: search (``q``), order (``sort``: recent, largest, disputed), pages."""
    text = (q or "").strip()
    order = StorySort(sort) if sort in {s.value for s in StorySort} else StorySort.RECENT
    number = _number(page, 1, low=1, high=10**6)
    offset = (number - 1) * PAGE_SIZE
    query = StoryQuery(text=text or None, sort=order)
    counts: dict[str, int] = {}
    if order is StorySort.DISPUTED:
        disputes = _disputes(request)
        found = disputes.page(project, query, limit=PAGE_SIZE, offset=offset)
        counts = {story.id: disputes.count(project, story) for story in found.stories}
    else:
        found = project.search_stories(query, limit=PAGE_SIZE, offset=offset)
    stories, total = found.stories, found.total
    pages = max(1, -(-total // PAGE_SIZE))
    sorts = [
        (s.value, label, _list_url(q=text, sort=s.value))
        for s, label in (
            (StorySort.RECENT, "Most recent"),
            (StorySort.LARGEST, "Largest"),
            (StorySort.DISPUTED, "Most disputed"),
        )
    ]
    return _page(
        "index.html",
        q=text,
        sort=order.value,
        sorts=sorts,
        stories=[(s, counts.get(s.id)) for s in stories],
        total=total,
        page=number,
        pages=pages,
        prev_url=_list_url(q=text, sort=order.value, page=number - 1) if number > 1 else None,
        next_url=_list_url(q=text, sort=order.value, page=number + 1) if number < pages else None,
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(project: ReadProject, story_id: str) -> Response:
    """A story's dossier. An id merged away redirects to the surviving story."""
    try:
        live = project.story(story_id)
    except NotFoundError:
        return _not_found(f"There is no story {story_id!r}.")
    if live.id != story_id:
        return RedirectResponse("/stories/" + quote(live.id, safe=""), status_code=308)
    # The document the store keeps (as /api/stories/{id} serves it), built on first use.
    dossier = Dossier.from_dict(project.dossier_document(live.id))
    plot = timeline_plot(dossier.timeline, [a.published for a in dossier.articles])
    return _page("story.html", v=story_view(dossier), plot=plot, story=live)


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article_page(
    project: ReadProject,
    article_id: str,
    start: str | None = None,
    end: str | None = None,
) -> HTMLResponse:
    """An article's text; ``?start=&end=`` highlights that passage (``#passage``)."""
    try:
        article = project.article(article_id)
    except NotFoundError:
        return _not_found(f"There is no article {article_id!r}.")
    first = _number(start, -1, low=-1)
    last = _number(end, -1, low=-1)
    asked = start is not None or end is not None
    highlight = (
        passage(article.text, first, last) if valid_span(article.text, first, last) else None
    )
    story = None
    if article.story_id is not None:
        try:
            story = project.story(article.story_id)
        except NotFoundError:
            story = None
    annotations = project.annotations(article.id)
    quotes = sorted(annotations.quotes, key=lambda q: q.content.start) if annotations else []
    return _page(
        "article.html",
        article=article,
        highlight=highlight,
        bad_span=asked and highlight is None,
        story=story,
        quotes=quotes,
        text_length=len(article.text),
    )


@router.get("/entities", response_class=HTMLResponse)
def entities_page(
    project: ReadProject,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: str | None = None,
) -> HTMLResponse:
    """Corpus entities, most mentioned first, with a name search."""
    text = (q or "").strip()
    number = _number(page, 1, low=1, high=10**6)
    found = project.entities(
        limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE, query=text or None
    )

    def url(n: int) -> str:
        kept = {k: v for k, v in (("q", text), ("page", n)) if v and v != 1}
        return "/entities" + (f"?{urlencode(kept)}" if kept else "")

    return _page(
        "entities.html",
        q_entities=text,
        entities=found[:PAGE_SIZE],
        groups=ENTITY_GROUPS,
        page=number,
        prev_url=url(number - 1) if number > 1 else None,
        next_url=url(number + 1) if len(found) > PAGE_SIZE else None,
    )


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(project: ReadProject, entity_id: str) -> HTMLResponse:
    """One entity: its names, aliases and stories."""
    try:
        entity = project.entity(entity_id)
    except NotFoundError:
        return _not_found(f"There is no entity {entity_id!r}.")
    stories = project.search_stories(StoryQuery(entity_ids=(entity.id,)), limit=50)
    articles = []
    for article_id in entity.article_ids[:ENTITY_ARTICLES]:
        try:
            articles.append(project.article(article_id))
        except NotFoundError:
            continue
    articles.sort(key=lambda a: (a.published.timestamp() if a.published else float("inf"), a.id))
    return _page(
        "entity.html",
        entity=entity,
        articles=articles,
        group=ENTITY_GROUPS.get(entity.label, "Other"),
        stories=stories.stories,
        story_total=stories.total,
    )


@router.get("/web/passage")
def passage_document(
    project: ReadProject,
    article: Annotated[str, Query(max_length=1000)],
    start: Annotated[int, Query(ge=0)],
    end: Annotated[int, Query(ge=0)],
) -> JSONResponse:
    """A cited passage with its context, for the story page's source panel (plain text: the
    page's script puts it in with ``textContent``)."""
    found = project.article(article)
    if not valid_span(found.text, start, end):
        raise InvalidRequestError(
            f"{start}-{end} is not a span of article {article!r} ({len(found.text)} characters)"
        )
    document = {
        "article_id": found.id,
        "title": found.title,
        "source": found.source,
        "published": day(found.published),
        "href": article_url(found.id, start, end),
        **passage(found.text, start, end, context=PASSAGE_CONTEXT).to_dict(),
    }
    return JSONResponse(document, headers={"Cache-Control": "no-store"})
