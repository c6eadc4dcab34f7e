"""Response shapes, for the OpenAPI document (the JSON is built by the library's ``to_dict``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Health(_Model):
    status: str
    version: str
    store_schema: int


class Story(_Model):
    """One story, with the fields of ``storyline stories --format json``."""

    id: str
    title: str = Field(min_length=1)
    """Its articles' best title, else a headline made from its lead: never empty."""
    article_ids: list[str]
    first_published: str | None
    last_published: str | None
    sources: int


class StoryList(_Model):
    schema_version: int
    stories: list[Story]
    total: int
    """Stories the filters keep, over all pages."""
    limit: int
    offset: int
    sort: str


class Article(_Model):
    """A stored article, its text and its annotations (``storyline article ID --format json``)."""

    id: str
    source: str | None
    published: str | None
    title: str | None
    url: str | None
    duplicate_of: str | None
    story_id: str | None
    text: str
    annotations: dict[str, Any] | None


class Entity(_Model):
    """A corpus entity (``storyline entity ID --format json``) and its stories."""

    id: str
    canonical: str
    label: str
    aliases: list[str]
    article_ids: list[str]
    story_ids: list[str]


class EntityList(_Model):
    schema_version: int
    entities: list[Entity]
    limit: int
    offset: int


class EntityDetail(Entity):
    schema_version: int
    stories: list[Story]
    """Its most recent stories (at most 50)."""
    story_total: int


class RejectedRecord(_Model):
    location: str
    code: str
    message: str


class StoredArticle(_Model):
    id: str
    story_id: str | None
    duplicate_of: str | None


class IngestResult(_Model):
    """The ingest report (``storyline ingest --format json``), the rejected records of the
    request and the stored articles it named."""

    records_read: int
    articles_added: int
    duplicates_added: int
    already_stored: int
    rejected: dict[str, Any]
    rejected_again: int
    articles_annotated: int
    annotation_failed: int
    articles_assigned: int
    new_stories: int
    assignment_failed: int
    rejected_records: list[RejectedRecord]
    articles: list[StoredArticle]


_TEXT = {"type": "string"}
_INPUT_ARTICLE: dict[str, Any] = {
    "type": "object",
    "description": "An input article (DESIGN.md): a text or an HTML page, and metadata.",
    "properties": {
        "id": _TEXT,
        "url": _TEXT,
        "source": _TEXT,
        "title": _TEXT,
        "text": _TEXT,
        "html": _TEXT,
        "published": {"anyOf": [_TEXT, {"type": "number"}], "description": "ISO-8601 or Unix"},
        "author": _TEXT,
        "language": _TEXT,
    },
}
INGEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    _INPUT_ARTICLE,
                    {"type": "array", "items": _INPUT_ARTICLE, "minItems": 1},
                ]
            }
        }
    },
}
