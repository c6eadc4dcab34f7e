"""storyline: turn a stream of news articles into cross-checked stories.

>>> import storyline
>>> with storyline.open_project(":memory:") as project:
...     project.stats().articles
0
"""

from storyline.config import Settings, load_settings
from storyline.ingest import read_articles
from storyline.model import Article, IngestReport, Rejected, StoreStats
from storyline.project import Project, open_project

__version__ = "0.1.0"

__all__ = [
    "Article",
    "IngestReport",
    "Project",
    "Rejected",
    "Settings",
    "StoreStats",
    "__version__",
    "load_settings",
    "open_project",
    "read_articles",
]
