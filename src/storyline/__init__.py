"""storyline: turn a stream of news articles into cross-checked stories."""

from storyline.model import Article, IngestReport, Rejected, StoreStats

__version__ = "0.1.0"

__all__ = ["Article", "IngestReport", "Rejected", "StoreStats", "__version__"]
