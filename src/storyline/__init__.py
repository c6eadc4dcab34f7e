"""storyline: turn a stream of news articles into cross-checked stories.

>>> import storyline
>>> with storyline.open_project(":memory:") as project:
...     project.stats().articles
0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.config import Settings, load_settings
from storyline.ingest import read_articles
from storyline.model import (
    Annotations,
    Article,
    Entity,
    IngestReport,
    Quantity,
    Quote,
    Rejected,
    StoreStats,
    Timex,
)
from storyline.project import Project, annotate_input, open_project

if TYPE_CHECKING:
    from storyline.annotate.pipeline import Annotator

__version__ = "0.1.0"

__all__ = [
    "Annotations",
    "Annotator",
    "Article",
    "Entity",
    "IngestReport",
    "Project",
    "Quantity",
    "Quote",
    "Rejected",
    "Settings",
    "StoreStats",
    "Timex",
    "__version__",
    "annotate_input",
    "load_settings",
    "open_project",
    "read_articles",
]


def __getattr__(name: str) -> Any:
    # Annotator is imported on first use: it pulls in spaCy, which plain ingest does not need.
    if name == "Annotator":
        from storyline.annotate.pipeline import Annotator

        return Annotator
    raise AttributeError(f"module 'storyline' has no attribute {name!r}")
