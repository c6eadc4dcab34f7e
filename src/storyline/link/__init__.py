"""The link stage: online story clustering (and, later, cross-document entity linking)."""

from storyline.link.features import ArticleFeatures, article_features, name_key
from storyline.link.index import MemoryStoryIndex, StoredArticle, StoryIndex, StoryProfile
from storyline.link.stories import StoryClusterer, story_id_for

__all__ = [
    "ArticleFeatures",
    "MemoryStoryIndex",
    "StoredArticle",
    "StoryClusterer",
    "StoryIndex",
    "StoryProfile",
    "article_features",
    "name_key",
    "story_id_for",
]
