"""The web UI: server-rendered pages for reading stories, served by the API's app.

::

    from storyline.api import create_app

    app = create_app("news.db")   # the app factory calls storyline.web.mount(app)

Pages: ``/`` (the story list: search, sort by recent, largest or most disputed, pages),
``/stories/{id}`` (the brief with citations that open the source passage, a timeline plot,
claims, disagreements, quotes by speaker, sources with copies folded), ``/articles/{id}``
(the text; ``?start=&end=`` highlights a passage), ``/entities`` and ``/entities/{id}``.
Templates are Jinja2 with autoescape on; the CSS and the small script are local files under
``/static``: no build step, nothing fetched from elsewhere.
"""

from __future__ import annotations

from storyline.web.pages import mount, router

__all__ = ["mount", "router"]
