"""The link stage: cross-document entities and online story clustering."""

from storyline.link.entities import AliasTable, EntityLinker
from storyline.link.entity_index import EntityIndex, EntityRecord, MemoryEntityIndex
from storyline.link.features import ArticleFeatures, article_features, name_key
from storyline.link.index import MemoryStoryIndex, StoredArticle, StoryIndex, StoryProfile
from storyline.link.stories import CheckReport, StoryClusterer, story_id_for

__all__ = [
    "AliasTable",
    "ArticleFeatures",
    "CheckReport",
    "EntityIndex",
    "EntityLinker",
    "EntityRecord",
    "MemoryEntityIndex",
    "MemoryStoryIndex",
    "StoredArticle",
    "StoryClusterer",
    "StoryIndex",
    "StoryProfile",
    "article_features",
    "name_key",
    "story_id_for",
]
