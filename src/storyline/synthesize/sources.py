"""How many independent origins stand behind a set of articles.

A claim printed by five outlets that all ran the same wire story has one origin, not five; nor
does an outlet that reports the same figure in a morning and an evening article confirm itself.
Two articles share an origin when they are in the same copy group (exact or near duplicates:
``Article.duplicate_group`` / ``duplicate_of``) or come from the same outlet (``Article.source``);
origins are the connected components of that relation, so a wire copy run by outlet B of an
article by outlet A ties B's own later articles to A's as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storyline.model import Article

__all__ = ["independent_sources", "origin_keys"]


def _copy_key(article: Article) -> str:
    return "copy:" + (article.duplicate_group or article.duplicate_of or article.id)


def origin_keys(
    article_ids: Iterable[str], articles_by_id: Mapping[str, Article]
) -> dict[str, str]:
    """Each article id mapped to a key naming its origin (one key per independent origin).

    The key is deterministic: the smallest copy-group or outlet key of the component.
    Ids missing from ``articles_by_id`` are their own origin.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        root = key
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[key] != root:  # path compression keeps long chains cheap
            parent[key], key = root, parent[key]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            # The smaller key wins so that the result does not depend on input order.
            low, high = sorted((ra, rb))
            parent[high] = low

    nodes: dict[str, str] = {}
    for article_id in article_ids:
        article = articles_by_id.get(article_id)
        if article is None:
            nodes[article_id] = find("id:" + article_id)
            continue
        copy = _copy_key(article)
        find(copy)
        if article.source:
            union(copy, "outlet:" + article.source.strip().casefold())
        nodes[article_id] = copy
    return {article_id: find(key) for article_id, key in nodes.items()}


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
    >>> independent_sources(["a1", "a2", "a3", "b1"], arts)
    2
    """
    return len(set(origin_keys(article_ids, articles_by_id).values()))
