"""The HTTP API: routes that call the library and return its JSON documents.

Nothing here knows about SQL or the pipeline: each route is one or two calls on a
:class:`~storyline.project.Project`. Errors are problem+json (:mod:`storyline.api.problems`).
"""

from __future__ import annotations

import asyncio
import hmac
import importlib
import importlib.util
import ipaddress
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from dateutil.parser import isoparse
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from storyline import __version__
from storyline.api import schemas
from storyline.api.problems import install, problem_responses
from storyline.api.projects import ProjectPool
from storyline.config import Settings, load_settings
from storyline.errors import (
    AuthenticationError,
    InvalidRequestError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from storyline.model import (
    Article,
    CorpusEntity,
    Rejected,
    StoryPage,
    StoryQuery,
    StorySort,
    StorySummary,
)
from storyline.project import SCHEMA_VERSION, Project, read_records

log = logging.getLogger(__name__)

MAX_PAGE = 200
"""Largest ``limit`` a list route accepts."""
_MAX_OFFSET = 10**9
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

ProjectSource = Project | Settings | str | Path | None


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(
    source: ProjectSource = None,
    *,
    host: str | None = None,
    token: str | None = None,
    create: bool = False,
) -> FastAPI:
    """The storyline HTTP API over one store.

    ``source`` is a :class:`Project` (its settings and store are used; each server thread
    opens its own connection), :class:`Settings`, a store path, or None for the settings of
    the environment. ``host`` is the address the server listens on (default ``api.host``):
    without a token (``token``, default ``api.token`` / ``STORYLINE_API_TOKEN``), writes are
    accepted only when it is a loopback address. ``create`` lets a missing store be created.

    The web UI, when installed (``storyline.web``), mounts its pages with ``mount(app)``.
    """
    settings = _settings(source)
    bind = settings.api.host if host is None else host
    secret = settings.api.token if token is None else token
    pool = ProjectPool(settings, create=create)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(
        title="storyline",
        version=__version__,
        summary="News stories, their dossiers, articles and entities.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load their scripts from a CDN: an offline tool serves none.
        docs_url=None,
        redoc_url=None,
    )
    app.state.projects = pool
    app.state.bind_host = bind
    app.state.writes = _write_guard(secret, bind)
    app.state.disputes = DisputeCounts()
    install(app)
    _routes(app)
    _mount_web(app)
    return app


class DisputeCounts:
    """The "most disputed" story order: the ``HEAD`` largest stories a query keeps, ranked by
    the number of disagreements in their dossiers (ties: by size), then the rest by size.

    Stores keep no disagreement counts; counting builds a story's claims (or reads its stored
    dossier), so counts are remembered while a story keeps the same articles.
    """

    HEAD = 50

    def __init__(self, max_entries: int = 10_000) -> None:
        self._counts: dict[tuple[str, int, str], int] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def count(self, project: Project, story: StorySummary) -> int:
        key = (story.id, len(story.article_ids), story.article_ids[-1] if story.article_ids else "")
        with self._lock:
            found = self._counts.get(key)
        if found is None:
            found = project.disagreement_count(story.id)
            with self._lock:
                if len(self._counts) >= self._max:
                    self._counts.clear()
                self._counts[key] = found
        return found

    def page(self, project: Project, query: StoryQuery, *, limit: int, offset: int) -> StoryPage:
        largest = replace(query, sort=StorySort.LARGEST)
        if offset >= self.HEAD:
            return project.search_stories(largest, limit=limit, offset=offset)
        head = project.search_stories(largest, limit=self.HEAD)
        ranked = sorted(head.stories, key=lambda story: -self.count(project, story))
        stories = ranked[offset : offset + limit]
        if offset + limit > self.HEAD and head.total > self.HEAD:
            rest = project.search_stories(
                largest, limit=offset + limit - self.HEAD, offset=self.HEAD
            )
            stories += rest.stories
        return StoryPage(stories=tuple(stories), total=head.total)


def _settings(source: ProjectSource) -> Settings:
    if isinstance(source, Project):
        # The project's connection belongs to its thread: the server opens its own.
        return replace(source.settings, db=source.store.location)
    if isinstance(source, Settings):
        return source
    if source is None:
        return load_settings()
    return load_settings(overrides={"db": str(source)})


def reader(request: Request) -> Iterator[Project]:
    """FastAPI dependency: a project over the app's store, lent to this request (reads only).

    Web UI routes use it too: ``project: Annotated[Project, Depends(reader)]``.
    """
    pool: ProjectPool = request.app.state.projects
    with pool.borrow() as project:
        yield project


ReadProject = Annotated[Project, Depends(reader)]


def _write_guard(secret: str, bind: str) -> Any:
    loopback = is_loopback(bind)

    def check(authorization: str | None) -> None:
        if not secret:
            if loopback:
                return
            raise PermissionDeniedError(
                f"writes are disabled: the server listens on {bind} and no API token is set "
                "(set STORYLINE_API_TOKEN or [api] token)"
            )
        if not authorization:
            raise AuthenticationError("writes need the header 'Authorization: Bearer <token>'")
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise AuthenticationError("writes need the header 'Authorization: Bearer <token>'")
        if not hmac.compare_digest(given.strip().encode(), secret.encode()):
            raise PermissionDeniedError("wrong API token")

    return check


_LEAP_SECOND = re.compile(r"(\d\d:\d\d):60")
_DATE_OR_TIME = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}


def _time_bound(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """A date or date-time filter bound, in UTC (no zone: UTC). A date-only ``until`` means
    the end of that day; a bound beyond what a date can hold is no bound."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        moment = isoparse(_LEAP_SECOND.sub(r"\1:59", text))
    except (ValueError, OverflowError):
        raise InvalidRequestError(f"{name}: not an ISO-8601 date or time: {value!r}") from None
    try:
        if end_of_day and _DATE_ONLY.fullmatch(text):
            moment += timedelta(days=1, microseconds=-1)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _entity_document(project: Project, entity: CorpusEntity) -> dict[str, Any]:
    return {**entity.to_dict(), "story_ids": project.story_ids_of(entity.article_ids)}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the body is over {limit:,} bytes (api.max_body_bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"the body is over {limit:,} bytes (api.max_body_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _routes(app: FastAPI) -> None:
    @app.get("/health", tags=["meta"], response_model=schemas.Health)
    def health(project: ReadProject) -> dict[str, Any]:
        """The server is up and its store answers."""
        return {
            "status": "ok",
            "version": __version__,
            "store_schema": project.store.schema_version(),
        }

    @app.get(
        "/api/stories",
        tags=["stories"],
        response_model=schemas.StoryList,
        responses=problem_responses(422),
    )
    def stories(
        request: Request,
        project: ReadProject,
        q: Annotated[
            str | None,
            Query(max_length=500, description="Words all found in one article's title or text."),
        ] = None,
        since: Annotated[
            str | None,
            Query(
                description="An article published at or after (ISO-8601).",
                json_schema_extra=_DATE_OR_TIME,
            ),
        ] = None,
        until: Annotated[
            str | None,
            Query(
                description="An article published at or before (ISO-8601; a date: that day).",
                json_schema_extra=_DATE_OR_TIME,
            ),
        ] = None,
        source: Annotated[
            str | None, Query(max_length=500, description="An article from this outlet.")
        ] = None,
        entity: Annotated[
            str | None,
            Query(max_length=500, description="An article naming this entity (id or name)."),
        ] = None,
        sort: Annotated[
            StorySort,
            Query(
                description="recent, largest, or disputed (the 50 largest matching stories by "
                "their dossier's disagreements, then the rest by size)."
            ),
        ] = StorySort.RECENT,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
        offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Live stories, filtered, searched and sorted; paged by ``limit`` and ``offset``."""
        query = StoryQuery(
            text=q,
            since=_time_bound("since", since, end_of_day=False),
            until=_time_bound("until", until, end_of_day=True),
            source=source or None,
            entity_ids=project.entity_ids(entity) if entity else None,
            sort=sort,
        )
        if sort is StorySort.DISPUTED:
            disputes: DisputeCounts = request.app.state.disputes
            page = disputes.page(project, query, limit=limit, offset=offset)
        else:
            page = project.search_stories(query, limit=limit, offset=offset)
        return {
            "schema_version": SCHEMA_VERSION,
            "stories": [story.to_dict() for story in page.stories],
            "total": page.total,
            "limit": limit,
            "offset": offset,
            "sort": str(sort),
        }

    @app.get(
        "/api/stories/{story_id}",
        tags=["stories"],
        responses={
            200: {
                "description": "The story's dossier (DESIGN.md, `storyline show --format json`)",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **problem_responses(404),
        },
    )
    def story(project: ReadProject, story_id: str) -> JSONResponse:
        """A story's dossier. An id the story had before a merge gives the surviving story's
        dossier (its ``id`` is the live one, also in the ``Content-Location`` header)."""
        live = project.story(story_id).id
        headers = {"Content-Location": f"/api/stories/{live}"} if live != story_id else None
        return JSONResponse(project.dossier_document(live), headers=headers)

    @app.get(
        "/api/articles/{article_id:path}",
        tags=["articles"],
        response_model=schemas.Article,
        responses=problem_responses(404),
    )
    def article(project: ReadProject, article_id: str) -> dict[str, Any]:
        """A stored article, its text and its annotations (offsets index ``text``)."""
        found = project.article(article_id)
        return found.annotated_dict(project.annotations(article_id))

    @app.get(
        "/api/entities",
        tags=["entities"],
        response_model=schemas.EntityList,
        responses=problem_responses(422),
    )
    def entities(
        project: ReadProject,
        q: Annotated[
            str | None, Query(max_length=200, description="A name or alias containing this.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
        offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Corpus entities, most mentioned first, each with its stories."""
        found = project.entities(limit=limit, offset=offset, query=q or None)
        return {
            "schema_version": SCHEMA_VERSION,
            "entities": [_entity_document(project, e) for e in found],
            "limit": limit,
            "offset": offset,
        }

    @app.get(
        "/api/entities/{entity_id}",
        tags=["entities"],
        response_model=schemas.EntityDetail,
        responses=problem_responses(404),
    )
    def entity(project: ReadProject, entity_id: str) -> dict[str, Any]:
        """One corpus entity, its articles and stories, and its 50 most recent stories."""
        found = project.entity(entity_id)
        page = project.search_stories(StoryQuery(entity_ids=(found.id,)), limit=50)
        return {
            "schema_version": SCHEMA_VERSION,
            **_entity_document(project, found),
            "stories": [s.to_dict() for s in page.stories],
            "story_total": page.total,
        }

    @app.post(
        "/api/articles",
        tags=["articles"],
        response_model=schemas.IngestResult,
        openapi_extra={"requestBody": schemas.INGEST_BODY},
        responses=problem_responses(401, 403, 413, 422),
    )
    async def ingest(request: Request) -> dict[str, Any]:
        """Store one article (a JSON object) or a batch (an array), in the input-article shape.

        Needs ``Authorization: Bearer <token>`` when a token is configured. Records that
        cannot become articles are stored as rejections and listed in ``rejected_records``;
        they never fail the request.
        """
        request.app.state.writes(request.headers.get("authorization"))
        pool: ProjectPool = request.app.state.projects
        api = pool.settings.api
        body = await _read_body(request, api.max_body_bytes)
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InvalidRequestError(f"the body is not JSON: {exc}") from None
        if isinstance(document, dict):
            records: list[Any] = [document]
        elif isinstance(document, list) and document:
            records = document
        else:
            raise InvalidRequestError(
                "the body must be an article (an object) or a non-empty array"
            )
        if len(records) > api.max_batch:
            raise PayloadTooLargeError(
                f"{len(records):,} articles in one request; at most {api.max_batch:,} "
                "(api.max_batch)"
            )
        return await asyncio.wrap_future(pool.write(lambda project: _ingest(project, records)))


def _ingest(project: Project, records: list[Any]) -> dict[str, Any]:
    results = list(read_records(records, location="api", settings=project.settings))
    report = project.ingest_results(results, source="api")
    stored = []
    for result in results:
        if isinstance(result, Article) and project.store.has_article(result.id):
            now = project.article(result.id)
            stored.append(
                {"id": now.id, "story_id": now.story_id, "duplicate_of": now.duplicate_of}
            )
    return {
        **report.to_dict(),
        "rejected_records": [
            {"location": r.location, "code": str(r.code), "message": r.message}
            for r in results
            if isinstance(r, Rejected)
        ],
        "articles": stored,
    }


def _mount_web(app: FastAPI) -> None:
    """Let the web UI (``storyline.web``, if present) add its pages: ``mount(app)``."""
    if importlib.util.find_spec("storyline.web") is None:
        return
    mount = getattr(importlib.import_module("storyline.web"), "mount", None)
    if mount is not None:
        mount(app)
