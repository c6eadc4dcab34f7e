"""The HTTP API (FastAPI): a thin layer of routes over :class:`storyline.Project`.

::

    from storyline.api import create_app

    app = create_app("news.db")          # serve with: uvicorn, or `storyline serve`

Routes: ``GET /health``, ``/openapi.json``, ``/api/stories`` (search, filters, paging),
``/api/stories/{id}`` (the dossier), ``/api/articles/{id}``, ``/api/entities``,
``/api/entities/{id}``, and ``POST /api/articles`` (needs the bearer token). Errors are
``application/problem+json`` with the stable codes of :mod:`storyline.errors`.
"""

from __future__ import annotations

from storyline.api.app import create_app, is_loopback, reader

__all__ = ["create_app", "is_loopback", "reader"]
