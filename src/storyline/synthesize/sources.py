"""How many independent origins stand behind a set of articles.

A claim printed by five outlets that all ran the same wire story has one origin, not five; nor
does an outlet that reports the same figure in a morning and an evening article confirm itself.

An article's origin is the outlet of the article it copies (following ``Article.duplicate_of``
to the copy group's origin), else its own outlet (``Article.source``); an article with neither
is its own origin (its copy group, when the original is not at hand). So copies and
near-duplicates count once, with the outlet that first published them, and several articles of
one outlet count once. A syndicator that reprints two outlets does not make them one origin,
and its own reporting stays independent of the stories it reprints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storyline.model import Article

__all__ = ["independent_sources", "origin_key", "origin_keys"]

_MAX_CHAIN = 32
"""Copy chains are one step in practice (``duplicate_of`` names the group's origin); the bound
only protects against a malformed cycle."""


def origin_key(article: Article, articles_by_id: Mapping[str, Article]) -> str:
    """A key naming the independent origin of one article (equal keys: one origin)."""
    root = article
    for _ in range(_MAX_CHAIN):
        if root.duplicate_of is None:
            break
        original = articles_by_id.get(root.duplicate_of)
        if original is None or original.id == root.id:
            return "copy:" + (root.duplicate_group or root.duplicate_of)
        root = original
    if root.source and root.source.strip():
        return "outlet:" + root.source.strip().casefold()
    return "copy:" + (root.duplicate_group or root.id)


def origin_keys(
    article_ids: Iterable[str], articles_by_id: Mapping[str, Article]
) -> dict[str, str]:
    """Each article id mapped to its origin key; ids not in ``articles_by_id`` are their own."""
    out: dict[str, str] = {}
    for article_id in article_ids:
        article = articles_by_id.get(article_id)
        out[article_id] = (
            "id:" + article_id if article is None else origin_key(article, articles_by_id)
        )
    return out


def independent_sources(article_ids: Iterable[str], articles_by_id: Mapping[str, Article]) -> int:
    """The number of distinct origins among ``article_ids``.

    Copies and near-duplicates count once, and so do several articles of one outlet.

    >>> from storyline.model import Article
    >>> arts = {
    ...     "a1": Article(id="a1", text="...", source="Meridian Press"),
    ...     "a2": Article(id="a2", text="...", source="Global Dispatch", duplicate_of="a1",
    ...                   duplicate_group="a1"),
    ...     "a3": Article(id="a3", text="...", source="Meridian Press"),
    ...     "b1": Article(id="b1", text="...", source="Daily Ledger"),
    ... }
    >>> independent_sources(["a1", "a2", "a3"], arts), independent_sources(["a2", "b1"], arts)
    (1, 2)
    """
    return len(set(origin_keys(article_ids, articles_by_id).values()))
