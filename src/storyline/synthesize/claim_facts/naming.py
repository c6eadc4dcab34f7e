"""What a figure with a unit measures: the depth, magnitude or distance of the story's event,
the cost of what a report says cost it, the value of what was worth it.

A figure whose words say only its unit ("10 kilometres", "38 million valors") is a claim when
its clause names what is measured: a relation word next to it ("at a depth of", "south of
Dastgerd", "worth", "a payment of") and the thing or event it belongs to. Where the clause does
not say ("he walked 5 kilometres"), the figure is no claim: a reader could not check it.

Figures in different units of one dimension meet: each is compared in the dimension's base
unit (kilometres, tonnes, hectares), so "10 kilometres" and "6 miles" are one depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyline.model import Quantity, Span
from storyline.synthesize.claim_facts.context import (
    EVENT_WORD,
    EVENT_WORDS,
    ArticleView,
    StoryContext,
    rx,
)

__all__ = ["UnitMeasure", "base_factor", "dimension", "money_measure", "unit_measure"]

# Base unit of each dimension and how many base units one unit is.
_DIMENSIONS: dict[str, tuple[str, float]] = {
    "kilometre": ("length", 1.0),
    "mile": ("length", 1.609344),
    "metre": ("length", 0.001),
    "centimetre": ("length", 0.00001),
    "millimetre": ("length", 0.000001),
    "foot": ("length", 0.0003048),
    "inch": ("length", 0.0000254),
    "tonne": ("mass", 1000.0),
    "ton": ("mass", 907.18474),
    "kilogram": ("mass", 1.0),
    "gram": ("mass", 0.001),
    "hectare": ("area", 1.0),
    "acre": ("area", 0.40468564),
    "square kilometre": ("area", 100.0),
    "square mile": ("area", 258.998811),
    "square metre": ("area", 0.0001),
    "litre": ("volume", 1.0),
    "barrel": ("volume", 158.987295),
    "degree": ("degrees", 1.0),
    "mph": ("speed", 1.609344),
    "megawatt": ("power", 1000.0),
    "kilowatt": ("power", 1.0),
}
_PER_WORD = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


@dataclass(frozen=True, slots=True)
class UnitMeasure:
    """What a figure with a unit measures."""

    name: str
    """``depth of the earthquake``, ``distance of the epicentre from Dastgerd``."""
    predicate: str
    """The dimension compared (``length``, ``magnitude``): figures of one measure in different
    units of it meet."""
    scoped: bool
    """Whether the place the figure holds for is part of it (a level at a gauge, an area
    burned) or already in its name, or irrelevant (a magnitude, a distance)."""


def dimension(unit: str) -> str:
    """The dimension a unit measures (``length`` for miles), or the unit itself if unknown;
    a rate keeps its time: ``length/day``."""
    base, _, per = unit.partition("/")
    name = _DIMENSIONS.get(base, (base, 1.0))[0]
    return f"{name}/{per}" if per else name


def base_factor(unit: str | None) -> float:
    """How many base units of its dimension one ``unit`` is (1 for unknown units)."""
    if unit is None:
        return 1.0
    return _DIMENSIONS.get(unit.partition("/")[0], ("", 1.0))[1]


def _event(ctx: StoryContext, text: str, sentence: Span) -> str | None:
    """The kind of event a sentence speaks of, else the story's."""
    m = EVENT_WORD.search(text, sentence.start, sentence.end)
    return EVENT_WORDS[m.group(1).lower()] if m else ctx.event


_MAGNITUDE = rx(r"\bmagnitude|\brichter\b|-strength\b|\bstrength\b")
_QUAKE = rx(r"\b(?:earth)?quake|\btemblor|\btremor")
_DEPTH = rx(
    r"\bdepth\b|\bdeep\b|\bbelow (?:the )?(?:surface|ground|sea ?bed|sea floor)|\bunderground\b"
)
_WATER = rx(r"\b(?:river|water|floodwaters?|lake|sea|reservoir)\b")
_LEVEL = rx(r"\b(?:peak(?:ed|s)?|crest(?:ed|s)?|level|rose|risen|stood|stands|reached)\b")
_DIRECTION = (
    r"(?:(?:north|south|east|west)(?:[- ]?(?:north|south|east|west))*(?:ern)?"
    r"|away|outside|off(?: the coast of)?|short)"
)
_DISTANCE_AFTER = re.compile(
    r"\s*(?:\([^)]{0,40}\)\s*)?(?:" + _DIRECTION + r"\s+)?(?:of|from)\s+(?:the\s+[a-z]+\s+of\s+)?"
    r"(?P<place>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*|the\s+[a-z]+)",
    re.IGNORECASE,
)
_DISTANCE_BEFORE = rx(r"\b(?:distance|located|situated|centred|centered)\b[^.;]{0,30}$")
_EPICENTRE = rx(r"\bepicent(?:re|er)\b|\bcent(?:red|ered)\b")
_APPOSITION = re.compile(
    r"\b(?:[A-Z][\w'’-]+|island|town|city|village|province|region|capital|port)\s*,\s*"
    r"(?:(?:a|an|the)\s+[a-z]+(?:\s+[a-z]+)?\s+(?:of|in)\s+[^;]{0,50}?\s*)?"
    r"(?:about|some|around|roughly|nearly|almost|more than|over|just)?\s*$"
)
_SUBJECT_START = re.compile(r"^\s*(?:The|This|That|Its)\s+([a-z][\w-]*)\b")
_HEIGHT = rx(r"\b(?:high|tall|height|altitude|above sea level)\b")
_AREA_VERB = rx(
    r"\b(burn(?:ed|t|ing)|scorch(?:ed|ing)|destroy(?:ed|ing)|flood(?:ed|ing)|cover(?:ed|ing|s))\b"
)
_WIND = rx(r"\bwinds?\b|\bgusts?\b")
_OF_STUFF = re.compile(
    r"\s+of\s+([a-z][\w-]*)(?:\s+(?!(?:will|would|was|were|had|has|have|is|are|and|or|to|from"
    r"|for|in|on|at|by|that|which|a|an|the)\b)([a-z][\w-]*))?"
)


def _place_name(art: ArticleView, start: int, text: str) -> str:
    """The linked name of a place mention that starts at ``start`` (else its words)."""
    for e in art.annotations.entities:
        if e.start == start:
            return art.names.get((e.start, e.end), e.canonical)
    return text


def _distance_owner(ctx: StoryContext, art: ArticleView, q: Quantity, sentence: Span) -> str | None:
    """What a distance is of: the epicentre, the event, else the sentence's place subject."""
    text = art.article.text
    if _EPICENTRE.search(text, sentence.start, sentence.end):
        return "the epicentre"
    m = EVENT_WORD.search(text, sentence.start, q.start)
    if m is not None and _APPOSITION.search(text, m.end(), q.start):
        return None  # "a quake jolted the island, some 930 miles south of the capital"
    if m is not None:
        event = EVENT_WORDS[m.group(1).lower()]
        # An earthquake is located by its epicentre, whichever word a report uses.
        return "the epicentre" if event == "earthquake" else "the " + event
    # How far one place is from another ("Woodburn, about 30 miles south of Portland") is
    # geography, not a figure of the story.
    return None


def unit_measure(
    ctx: StoryContext, art: ArticleView, q: Quantity, seg: tuple[int, int], sentence: Span
) -> UnitMeasure | None:
    """What a figure with a (non-money) unit, or a bare magnitude, measures; None if its clause
    does not say."""
    text = art.article.text
    near = (max(seg[0], q.start - 40), min(seg[1], q.end + 40))
    base, _, per = (q.unit or "").partition("/")
    if base == "degree" or not base:
        quake = _QUAKE.search(text, sentence.start, sentence.end)
        # "magnitude 6.1", "a 5.6 magnitude quake", "measuring 6.1 on the Richter scale": the
        # word is next to the figure, which counts nothing else ("injured three people").
        magnitude = _MAGNITUDE.search(text, max(seg[0], q.start - 20), min(seg[1], q.end + 25))
        counts_other = q.counts is not None and not _QUAKE.search(q.counts)
        small = q.value is not None and 0 < q.value < 10 and not counts_other
        if small and (magnitude or (base == "degree" and quake)):
            shaken = "earthquake" if quake else (_event(ctx, text, sentence) or "earthquake")
            return UnitMeasure(f"magnitude of the {shaken}", "magnitude", scoped=False)
        if not base:
            return None
    kind = _DIMENSIONS.get(base, ("", 1.0))[0]
    rate = f" per {per}" if per else ""
    if kind == "length" and not per:
        if _DEPTH.search(text, *near):
            if _WATER.search(text, *near):
                return UnitMeasure("depth of the water", "length", scoped=True)
            what = _event(ctx, text, sentence)
            return None if what is None else UnitMeasure(f"depth of the {what}", "length", False)
        after = _DISTANCE_AFTER.match(text, q.end, sentence.end)
        if after is not None or _DISTANCE_BEFORE.search(text, sentence.start, q.start):
            owner = _distance_owner(ctx, art, q, sentence)
            if owner is None:
                return None
            if after is None:
                return UnitMeasure(f"distance of {owner}", "length", scoped=True)
            place = _place_name(art, after.start("place"), after.group("place"))
            if place.lower() == owner.lower():
                return None
            return UnitMeasure(f"distance of {owner} from {place}", "length", scoped=False)
        if _WATER.search(text, sentence.start, sentence.end) and _LEVEL.search(text, *near):
            river = _WATER.search(text, sentence.start, sentence.end)
            word = river.group(0).lower() if river else "water"
            return UnitMeasure(f"level of the {word}", "length", scoped=True)
        if _HEIGHT.search(text, *near):
            subject = _SUBJECT_START.match(text[sentence.start : q.start])
            if subject is not None:
                return UnitMeasure(f"height of the {subject.group(1).lower()}", "length", True)
        return None
    if kind == "area":
        verb = _AREA_VERB.search(text, max(sentence.start, q.start - 40), q.start)
        happening = _event(ctx, text, sentence)
        if verb is not None and happening is not None:
            word = verb.group(1).lower()
            done = {"burn": "burned", "scor": "scorched", "dest": "destroyed", "floo": "flooded"}
            past = done.get(word[:4], "covered")
            return UnitMeasure(f"area {past} by the {happening}", "area", scoped=True)
        return None
    if kind == "speed" or (kind == "length" and per == "hour"):
        if _WIND.search(text, sentence.start, sentence.end):
            return UnitMeasure("wind speed", "speed", scoped=True)
        return None
    if kind in ("mass", "volume", "power"):
        stuff = _OF_STUFF.match(text, q.end, sentence.end)
        if stuff is not None:
            words = " ".join(w for w in stuff.groups() if w).lower()
            return UnitMeasure(f"{words}{rate}", kind, scoped=True)
    return None


# -- money ------------------------------------------------------------------------------------

_AUXILIARIES = r"(?:is|was|are|were|has|had|have|will|would|been|being|estimated|now|also|still)"
_COST_OWNER_BEFORE = re.compile(
    r"\b(?:the|a|an|this|its)\s+(?:[a-z][\w-]*\s+)??(?!" + _AUXILIARIES + r"\b)([a-z][\w-]*)"
    r"(?:,?\s+which)?\s+(?:" + _AUXILIARIES + r"\s+){0,3}cost(?:s|ing)?\b",
)
_COST_OF = rx(r"\bcost\s+of\s+(?:the\s+)?([a-z][\w-]*)")
_GENERIC_OWNERS = frozenset(
    {"damage", "damages", "loss", "losses", "it", "economy", "country", "figure"}
)
_WORTH = re.compile(
    r"\b([a-z][\w-]*)(?:,?\s+which)?(?:\s+(?:together|combined|in total|altogether))?"
    r"(?:\s+(?:are|is|was|were|be|being))?(?:\s+(?:together|combined|in total|altogether))?\s+"
    r"worth\s+(?:(?:about|around|some|nearly|almost|more than|over|at least|up to)\s+)?$",
)
_MONEY_NOUNS = frozenset(
    {
        "payment",
        "fine",
        "budget",
        "loan",
        "grant",
        "bail",
        "salary",
        "wage",
        "wages",
        "bonus",
        "fee",
        "fees",
        "price",
        "bill",
        "deal",
        "package",
        "investment",
        "settlement",
        "compensation",
        "ransom",
        "reward",
        "donation",
        "fund",
        "bond",
        "tax",
        "levy",
        "tariff",
        "subsidy",
        "pension",
        "allowance",
        "rent",
        "contract",
        "contracts",
        "buy",
        "purchase",
        "prize",
    }
)
_NOUN_OF = re.compile(
    r"\b(?:an?|the|its|their|his|her)\s+((?:[a-z][\w-]*\s+)?([a-z][\w-]*))\s+of\s+"
    r"(?:(?:about|around|some|nearly|almost|more than|over|at least)\s+)?$"
)
_PRICE = rx(
    r"\b(?:price|prices|cost)\s+of\s+(?:a\s+litre\s+of\s+)?([a-z][\w-]*)|\b([a-z]+)\s+prices?\b"
)
_IN_NOUN = re.compile(
    r"\s*(?:\([^)]{0,40}\)\s*)?in\s+(?:[a-z][\w-]*\s+)?"
    r"(damages|compensation|fines|revenue|profits|sales|bail|ransom|bonuses|wages)\b"
)


_OFFER_NOUNS = frozenset({"offer", "bid", "offers", "bids"})
_MONEY_NOUN_AFTER = re.compile(
    r"(?:\s+(?:[A-Z][\w-]*|guaranteed|cash|annual|yearly|total|initial|ad|tv|media))?"
    r"\s+([a-z]+)\b"
)
_OFFERED_BEFORE = re.compile(
    r"\b(?:offered|offering|offers|bid|bidding)\s+(?:\w+\s+)?$|\ban offer\s+(?:of\s+)?$"
)


def _per(unit: str) -> tuple[str, str]:
    """("yearly ", "") for a rate in time, ("", " per litre") for one in something else."""
    per = unit.partition("/")[2]
    if not per:
        return "", ""
    if per in _PER_WORD:
        return _PER_WORD[per] + " ", ""
    return "", f" per {per}"


def _owner_word(ctx: StoryContext, word: str | None, text: str, sentence: Span) -> str | None:
    if word is None or word.lower() in _GENERIC_OWNERS:
        return _event(ctx, text, sentence)
    word = word.lower()
    return EVENT_WORDS.get(word, word)


def money_measure(
    ctx: StoryContext,
    art: ArticleView,
    q: Quantity,
    seg: tuple[int, int],
    sentence: Span,
    lexicon: str | None,
) -> tuple[str, bool] | None:
    """What a sum of money is (``yearly cost of the subsidy``, ``value of the contracts``) and
    whether the place it holds for is part of it; None if its clause does not say.

    ``lexicon`` is the measure the predicate lexicon found ("cost", "aid"), if any.
    """
    text = art.article.text
    unit = q.unit or ""
    adjective, suffix = _per(unit)
    lead = text[max(sentence.start, q.start - 80) : q.start]
    if lexicon == "cost":
        owner_before = None
        for m in _COST_OWNER_BEFORE.finditer(text, sentence.start, q.start):
            owner_before = m.group(1)
        cost_of = _COST_OF.search(
            text, max(sentence.start, q.start - 60), min(sentence.end, q.end + 60)
        )
        word = owner_before or (cost_of.group(1) if cost_of else None)
        owner = _owner_word(ctx, word, text, sentence)
        if owner is None:
            return f"{adjective}cost{suffix}", True
        return f"{adjective}cost of the {owner}{suffix}", True
    if lexicon is not None:
        return f"{adjective}{lexicon}{suffix}", True
    cost_of = _COST_OF.search(lead)
    owner = None
    for m in _COST_OWNER_BEFORE.finditer(lead):
        owner = m.group(1).lower()
    costly = owner is not None and (owner in EVENT_WORDS or owner in _MONEY_NOUNS)
    if cost_of is not None or costly:
        word = cost_of.group(1).lower() if cost_of is not None else owner
        if word not in ("a", "an", "its", "their", "living"):
            return f"{adjective}cost of the {_owner_word(ctx, word, text, sentence)}{suffix}", True
    worth = _WORTH.search(lead)
    if worth is not None and worth.group(1) not in ("is", "was", "be"):
        return f"value of the {worth.group(1).lower()}", False
    noun_of = _NOUN_OF.search(lead)
    if noun_of is not None and noun_of.group(2).lower() in _MONEY_NOUNS:
        return f"{adjective}{noun_of.group(1).lower()}{suffix}", False
    price = _PRICE.search(text, max(sentence.start, q.start - 60), q.start)
    if price is not None:
        thing = (price.group(1) or price.group(2)).lower()
        if thing not in ("the", "a", "its", "their", "higher", "lower"):
            return f"{adjective}price of {thing}{suffix}", True
    in_noun = _IN_NOUN.match(text, q.end, sentence.end)
    if in_noun is not None:
        return f"{adjective}{in_noun.group(1).lower()}{suffix}", False
    noun_after = _MONEY_NOUN_AFTER.match(text, q.end, sentence.end)
    if noun_after is not None and noun_after.group(1).lower() in _MONEY_NOUNS | _OFFER_NOUNS:
        # "a $35,000 reward", "the four-year, $90 million deal": the noun the sum qualifies.
        return _money_noun(noun_after.group(1).lower(), adjective, suffix), False
    offered = _OFFERED_BEFORE.search(lead)
    if offered is not None:
        # "the team was believed to have offered at least $160 million", "bid $160 million".
        return f"{adjective}value of the offer{suffix}", False
    return None


def _money_noun(noun: str, adjective: str, suffix: str) -> str:
    if noun in _OFFER_NOUNS:
        return f"{adjective}value of the offer{suffix}"
    if noun in ("deal", "contract", "contracts", "package", "settlement"):
        return f"{adjective}value of the {noun}{suffix}"
    return f"{adjective}{noun}{suffix}"
