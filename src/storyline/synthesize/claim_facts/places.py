"""Which places of a story lie inside which, as its texts say: "Dastgerd, in Varesh province",
"Dastgerd, the capital of Varesh province", a dateline "HARROW, Dalmar".

A figure for a city and one for its province are then one scope, unless a report sets them
apart (see :func:`storyline.synthesize.claims.group_claims`). The same patterns tell what "the
capital" and "the province" stand for in a story.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from storyline.model import Entity
from storyline.synthesize.claim_facts.context import ArticleView, StoryContext

__all__ = ["contains", "place_key", "read_places"]

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_KIND_SUFFIX = re.compile(
    r"\s+(?:province|region|state|county|district|prefecture|governorate|oblast)$", re.I
)
# Between an inner place and its container.
_IN = re.compile(r"^\s*,?\s+in\s+(?:the\s+)?$|^\s*,\s*$")
_CAPITAL_OF = re.compile(
    r"^\s*,\s+(?:the\s+)?(?:provincial\s+|regional\s+|national\s+)?capital\s+of\s+(?:the\s+)?$",
    re.I,
)
_TOWN_IN = re.compile(
    r"^\s*,\s+an?\s+(?:\w+\s+)?(?:town|city|village|port|district|suburb)\s+(?:in|on)\s+"
    r"(?:the\s+)?$",
    re.I,
)
# "Arlen, the capital" / "the capital, Arlen": what "the capital" means in this story.
_THE_CAPITAL_AFTER = re.compile(r"^\s*,\s+the\s+(?:country's\s+|national\s+)?capital\b", re.I)
_THE_CAPITAL_BEFORE = re.compile(r"\bthe\s+(?:country's\s+|national\s+)?capital,?\s+$", re.I)
_PROVINCE = re.compile(r"\b([A-Z][\w-]+ (?:province|Province))\b")
_LIST_AFTER = re.compile(r"^\s*(?:,\s*[A-Z]|and\b|or\b)")


def place_key(name: str) -> str:
    """A place's name for comparison: "Varesh province", "Varesh" and "the Varesh region" meet."""
    key = name.strip().lower().removeprefix("the ")
    return _KIND_SUFFIX.sub("", key)


def _name(art: ArticleView, e: Entity) -> str:
    return art.names.get((e.start, e.end), e.canonical)


def read_places(ctx: StoryContext, articles: list[ArticleView]) -> None:
    """Fill ``ctx.inside`` (place key -> keys of the places that hold it), ``ctx.capital`` and
    ``ctx.province`` from the story's texts."""
    capitals: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    for art in articles:
        text = art.article.text
        provinces.update(_PROVINCE.findall(text))
        places = sorted(
            (e for e in art.annotations.entities if e.label in _PLACE_LABELS or e.start == 0),
            key=lambda e: e.start,
        )
        for a, b in pairwise(places):
            gap = text[a.end : b.start]
            if len(gap) > 40:
                continue
            inner, outer = _name(art, a), _name(art, b)
            nested = _IN.match(gap) or _CAPITAL_OF.match(gap) or _TOWN_IN.match(gap)
            if nested is None:
                continue
            if gap.strip() == "," and _LIST_AFTER.match(text[b.end : b.end + 4]):
                continue  # "Dastgerd, Kolvan and Mirak": a list, not a place and its province
            if place_key(inner) != place_key(outer):
                ctx.inside.setdefault(place_key(inner), set()).add(place_key(outer))
            if _CAPITAL_OF.match(gap):
                capitals[inner] += 1
        for e in places:
            if _THE_CAPITAL_AFTER.match(text[e.end : e.end + 40]) or _THE_CAPITAL_BEFORE.search(
                text[max(0, e.start - 40) : e.start]
            ):
                capitals[_name(art, e)] += 1
    if capitals:
        ctx.capital = min(capitals, key=lambda c: (-capitals[c], c))
    if provinces:
        ctx.province = min(provinces, key=lambda p: (-provinces[p], p))
    _close(ctx.inside)


def _close(inside: dict[str, set[str]]) -> None:
    """Transitive closure: a town in a province in a country is in the country."""
    changed = True
    while changed:
        changed = False
        for holders in inside.values():
            extra = set().union(*(inside.get(h, set()) for h in holders)) - holders
            if extra:
                holders |= extra
                changed = True


def contains(ctx: StoryContext, outer: str, inner: str) -> bool:
    """Whether the story's texts put place ``inner`` inside ``outer`` (or they are one place)."""
    a, b = place_key(outer), place_key(inner)
    return a == b or a in ctx.inside.get(b, set())
