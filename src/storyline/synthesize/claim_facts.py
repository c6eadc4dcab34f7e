"""Facts read off one article's annotations: the raw material of claims (private to claims).

A :class:`Fact` is one statement in one article, already normalized: what it is about
(``measure``, ``scope``), what it says (``value`` and, for figures, a comparison interval), when
it holds (``as_of``) and where it is (the sentence span). :mod:`storyline.synthesize.claims`
groups facts into claims; :mod:`storyline.synthesize.disagreements` compares the groups.

Everything here is rule-based and works on the stored annotations plus the raw text: no parser
runs at synthesis time (see :mod:`storyline.synthesize.text`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from storyline.model import (
    Annotations,
    Article,
    ClaimKind,
    Entity,
    Quantity,
    Quote,
    Span,
    StoryMaterial,
    TimexType,
)
from storyline.synthesize.text import SentenceIndex

__all__ = ["Fact", "StoryContext", "extract_facts", "format_figure"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One normalized statement of one article."""

    kind: ClaimKind
    article_id: str
    start: int
    end: int
    measure: str
    """What is stated about: ``people evacuated``, ``flood``, a speaker's name."""
    predicate: str
    scope: str
    """Where or of what the figure holds (a canonical place, ``the country``); ``""`` if none."""
    value: str
    """The value as the claim shows it: ``about 3,000``, ``since 1957``, ``2024-03-06``."""
    low: float | None = None
    high: float | None = None
    """Comparison interval of a figure (rounding and hedges applied); None for non-figures."""
    estimate: bool = False
    """The figure is hedged or a range ("about", "nearly", "more than", "3,000 to 4,000")."""
    disputable: bool = False
    """Its kind and measure are well enough understood to compare values across reports."""
    as_of: datetime | None = None
    """When the statement holds: a day the sentence names, else the publication time."""
    attributed: str | None = None
    """Who the article says gave the figure (the speaker of a quote that contains it)."""
    retracted: bool = False
    """Withdrawn by the article's own correction notice ("An earlier version ... said")."""
    key: str = ""
    """Grouping key of the value when it is not a figure (normalized text or date)."""
    order: tuple[int, int] = (0, 0)
    """(article position in the story, offset): a stable tie-break."""


@dataclass(slots=True)
class StoryContext:
    """Per-story lookups shared by the extractors."""

    material: StoryMaterial
    articles_by_id: dict[str, Article] = field(default_factory=dict)
    region: str | None = None
    """The story's region name ("Tessin"), what "the region" stands for."""
    main_place: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    """Corpus entity id -> its canonical name."""

    def canonical(self, article_id: str, in_article: str) -> str | None:
        """The corpus-wide canonical name of an in-article canonical name, if linked."""
        entity_id = self.material.entity_names.get(article_id, {}).get(in_article)
        if entity_id is None:
            return None
        return self.names.get(entity_id)

    def __post_init__(self) -> None:
        self.articles_by_id = {a.id: a for a in self.material.articles}
        self.names = {e.id: e.canonical for e in self.material.entities}


# -- figures -----------------------------------------------------------------------------------


def _number(value: float) -> str:
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if abs(value) >= scale:
            scaled = value / scale
            text = f"{scaled:.2f}".rstrip("0").rstrip(".")
            return f"{text} {word}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _unit_suffix(unit: str | None) -> str:
    if unit is None:
        return ""
    if unit == "percent":
        return " percent"
    base, _, per = unit.partition("/")
    words = {"valor": "valors", "metre": "metres", "kilometre": "kilometres", "tonne": "tonnes"}
    text = words.get(base, base)
    return f" {text}" + (f" a {per}" if per else "")


def format_figure(q: Quantity) -> str:
    """A quantity's value as a claim shows it, hedge included: ``about 3,000``."""
    suffix = _unit_suffix(q.unit)
    if q.value is None:
        if q.low is not None and q.high is not None:
            return f"{_number(q.low)}-{_number(q.high)}{suffix}"
        return q.text
    v = _number(q.value)
    if q.high is None and q.low is not None:
        return f"more than {v}{suffix}"
    if q.low is None and q.high is not None:
        return f"up to {v}{suffix}"
    if q.low is not None and q.high is not None and q.low < q.value < q.high:
        return f"about {v}{suffix}"
    if q.low is not None and q.low < q.value:
        return f"nearly {v}{suffix}"
    return f"{v}{suffix}"


def _rounding(value: float) -> float:
    """Half the unit of a round figure's last significant digit, at most 5% of it: a stated
    "3,000" may be 2,850-3,150; "3,412" is exact."""
    if value != int(value) or abs(value) < 100:
        return 0.0
    n, zeros = int(abs(value)), 0
    while n and n % 10 == 0:
        n //= 10
        zeros += 1
    return min(0.5 * 10**zeros, 0.05 * abs(value)) if zeros else 0.0


def figure_interval(q: Quantity) -> tuple[float, float]:
    """The interval a figure is compatible with (DESIGN: "about 3,000" and "3,000" agree).

    Open bounds are closed at 25% beyond the stated figure: "more than 8,000" does not
    corroborate "11,500", it is a different (earlier, or lower) figure.
    """
    if q.value is None:
        low = q.low if q.low is not None else 0.0
        high = q.high if q.high is not None else math.inf
        return low, high
    if q.high is None:
        return q.value, q.value * 1.25
    if q.low is None:
        return q.value * 0.8, q.value
    if q.low == q.high == q.value:
        r = _rounding(q.value)
        return q.value - r, q.value + r
    return q.low, q.high


# -- lexicons ----------------------------------------------------------------------------------

_PERSON_HEADS = frozenset(
    [
        "people",
        "person",
        "resident",
        "evacuee",
        "inhabitant",
        "villager",
        "local",
        "worker",
        "dockworker",
        "docker",
        "member",
        "protester",
        "striker",
        "demonstrator",
        "man",
        "woman",
        "child",
        "civilian",
        "passenger",
        "employee",
        "family",
        "adult",
        "citizen",
        "refugee",
        "supporter",
        "victim",
        "patient",
        "household",
        "firefighter",
        "officer",
        "policeman",
        "soldier",
        "miner",
        "crew",
        "student",
        "pupil",
        "tourist",
        "fan",
        "driver",
        "nurse",
        "doctor",
        "teacher",
        "journalist",
        "prisoner",
        "migrant",
        "survivor",
        "casualty",
        "sailor",
        "fisherman",
        "farmer",
        "voter",
    ]
)


@dataclass(frozen=True, slots=True)
class _Measure:
    name: str
    pattern: re.Pattern[str]
    heads: frozenset[str] | None
    """Counted nouns it accepts; None: people (or no noun)."""
    money: bool = False


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


# Predicates of figures that news reports compare and revise. A figure whose predicate is not
# here can still be a claim (when two origins state it) but is never called a disagreement: we
# do not know that two such figures measure the same thing.
_MEASURES: tuple[_Measure, ...] = (
    _Measure(
        "people evacuated",
        _rx(
            r"\bevacu\w*|\bleft (?:their|his|her) homes?|\bfled\b|\bforc\w+ (?:\w+ )?(?:from|out "
            r"of) (?:their )?homes?|\bhad to leave\b|\bdisplaced\b|\baway from (?:their )?homes?"
            r"|\bleave (?:their )?homes?|\bfrom their homes\b"
        ),
        None,
    ),
    _Measure(
        "people dead",
        _rx(
            r"\bdied\b|\bdead\b|\bkilled\b|\bdeath toll\b|\bfatalit\w+|\blost (?:their|his|her) li"
        ),
        None,
    ),
    _Measure("people injured", _rx(r"\binjur\w+|\bhurt\b|\bwounded\b"), None),
    _Measure("people arrested", _rx(r"\barrest\w*|\bdetained\b"), None),
    _Measure("people missing", _rx(r"\bmissing\b"), None),
    _Measure("people in shelters", _rx(r"\bregistered at\b|\bsleeping at\b|\bin shelters\b"), None),
    _Measure(
        "people taking part",
        _rx(r"\btaking part\b|\btook part\b|\bon strike\b|\bwalked (?:out|off)\b|\bstriking\b"),
        None,
    ),
    _Measure(
        "people at protests",
        _rx(r"\b(?-i:march\w*)|\bprotest\w*|\bdemonstrat\w+|\bgathered\b|\battended\b|\brall\w+"),
        None,
    ),
    _Measure("people rescued", _rx(r"\brescued\b|\bpulled\b|\bsaved\b|\bairlifted\b"), None),
    _Measure(
        "people returned", _rx(r"\breturned\b|\bgone home\b|\bback (?:in|to) their homes\b"), None
    ),
    _Measure(
        "homes flooded",
        _rx(r"\bflood\w*|\bentered\b|\bunder water\b|\bwater above\b|\bdamaged\b|\binundated\b"),
        frozenset({"home", "house", "building", "property", "dwelling"}),
    ),
    _Measure(
        "ships waiting",
        _rx(r"\bwait\w*|\bat anchor\b|\bqueu\w+|\bstranded\b|\banchorage\b|\bremained\b"),
        frozenset({"ship", "vessel", "boat", "tanker", "freighter"}),
    ),
    _Measure(
        "cost",
        _rx(
            r"\bcost(?:s|ing)? (?:the economy|the country)\b|\bcosting\b|\bdamage\b|\bloss(?:es)?\b"
            r"|\bhad cost\b|\bstrike cost\b|\blosing\b"
        ),
        frozenset(),
        money=True,
    ),
    _Measure(
        "aid",
        _rx(r"\baid\b|\breleased\b|\bpledg\w+|\bhand\w* over\b|\ballocat\w+|\bemergency cash\b"),
        frozenset(),
        money=True,
    ),
)
_ANAPHORIC = _rx(r"\b(?:figure|number|count|total|toll|tally|estimate)\b")
_RATE_AFTER = re.compile(r"[^.;]{0,40}?\)\s+(?:a|per)\s+(day|week|month|year)\b")
_CORRECTION = _rx(
    r"\ban earlier version\b|\bincorrectly (?:said|reported|stated)\b|\bwrongly (?:said|reported)"
)
_PERSON_WORDS = _rx(r"\b(?:people|residents|evacuees|persons|inhabitants|villagers)\b")
_SCOPE_PREP = re.compile(
    r"\b(?:in|across|throughout|from|at|off|outside|near)\s+(?:the\s+)?$", re.IGNORECASE
)
_EVENT_NOUN = re.compile(
    r"\s+(?:flood|floods|flooding|strike|fire|wildfire|disaster|crisis|collapse|protests?|mine|"
    r"dispute|case|scandal|inquiry|accident|storm|earthquake|march|blockade)\b"
)
_QUALIFIER = _rx(r"\b(?:damage|cost|costs|loss|losses)\s+(?:to|of|in)\s+(?:the\s+)?([a-z]+)")
_GENERIC_QUALIFIERS = frozenset({"damage", "strike", "flood", "economy", "country", "repairs"})
_GENERIC_SCOPE = _rx(
    r"\b(?:in|across|throughout|from)\s+the\s+(region|country|city|town|capital|area|province)\b"
    r"|\b(nationwide|countrywide)\b"
)
_REGION = re.compile(r"\bthe ([A-Z][\w-]+) region\b")
_DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\- ]{2,40}),\s")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONEY_UNITS = frozenset({"USD", "EUR", "GBP", "JPY", "valor", "franc", "peso", "rupee"})
_MONEY_UNITS |= frozenset({"krona", "crown", "shilling", "rand"})


def _head(counts: str | None) -> str | None:
    return None if not counts else counts.split()[-1].lower()


def _is_money(unit: str | None) -> bool:
    return unit is not None and unit.split("/")[0] in _MONEY_UNITS


# -- extraction --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Article:
    """One article's annotations with the indexes the extractors need."""

    article: Article
    annotations: Annotations
    position: int
    sentences: SentenceIndex
    names: dict[tuple[int, int], str]
    """Entity mention span -> corpus canonical name."""
    dateline: str | None
    published: datetime | None


def _entity_name(ctx: StoryContext, article_id: str, entity: Entity) -> str:
    return ctx.canonical(article_id, entity.canonical) or entity.canonical


def _dateline(ctx: StoryContext, article: Article, entities: Sequence[Entity]) -> str | None:
    match = _DATELINE.match(article.text)
    if match is None:
        return None
    place = match.group(1).strip()
    for e in entities:
        if e.start == match.start(1):
            return _entity_name(ctx, article.id, e)
    return place.title()


def _segment(quantities: Sequence[Quantity], i: int, sentence: Span) -> tuple[int, int]:
    """The part of a sentence that belongs to the i-th quantity: up to its neighbours."""
    start, end = sentence.start, sentence.end
    if i > 0 and quantities[i - 1].end > start:
        start = quantities[i - 1].end
    if i + 1 < len(quantities) and quantities[i + 1].start < end:
        end = quantities[i + 1].start
    return start, end


def _nearest(matches: list[tuple[int, int, str]], q: Quantity) -> str | None:
    """The candidate closest to the quantity (ties: the earlier one)."""
    best: tuple[int, int, str] | None = None
    for start, end, name in matches:
        distance = q.start - end if end <= q.start else max(start - q.end, 0)
        if best is None or (distance, start) < best[:2]:
            best = (distance, start, name)
    return None if best is None else best[2]


def _scope_candidates(
    ctx: StoryContext, art: _Article, lo: int, hi: int
) -> list[tuple[int, int, str]]:
    text = art.article.text
    found: list[tuple[int, int, str]] = []
    for e in art.annotations.entities:
        if e.start < lo or e.end > hi:
            continue
        before = text[max(lo, e.start - 20) : e.start]
        after = text[e.end : e.end + 8]
        if _EVENT_NOUN.match(after):
            continue  # "in the Marlow River flood": the name modifies an event, not a place
        if _SCOPE_PREP.search(before) or after.startswith(" itself"):
            found.append((e.start, e.end, art.names.get((e.start, e.end), e.canonical)))
    for m in _GENERIC_SCOPE.finditer(text, lo, hi):
        word = (m.group(1) or m.group(2)).lower()
        name = {"nationwide": "the country", "countrywide": "the country"}.get(word, "the " + word)
        if word == "region" and ctx.region:
            name = ctx.region
        elif word in ("town", "city") and (art.dateline or ctx.main_place):
            name = art.dateline or ctx.main_place or name
        found.append((m.start(), m.end(), name))
    return found


def _scope(
    ctx: StoryContext, art: _Article, q: Quantity, seg: tuple[int, int], sentence: Span
) -> str:
    # Names glued to the counted noun: "3,000 Eastbrook residents".
    for e in art.annotations.entities:
        if q.end <= e.start <= q.end + 2:
            return art.names.get((e.start, e.end), e.canonical)
    here = _nearest(_scope_candidates(ctx, art, seg[0], seg[1]), q)
    if here is not None:
        return here
    # A place named earlier in the sentence ("Across the Tessin region, ... 11,500") covers the
    # figures after it; one named after the figure's own segment belongs to another figure.
    before = _nearest(_scope_candidates(ctx, art, sentence.start, seg[0]), q)
    if before is not None:
        return before
    return art.dateline or ""


def _measure(
    text: str, q: Quantity, seg: tuple[int, int], sentence: Span, counted_before: bool
) -> _Measure | None:
    """The predicate nearest the figure in its segment, else in its sentence.

    A bare figure ("40 or 60") looks beyond its segment only when an earlier figure of the
    sentence counts something ("8,000 people ..., including about 3,000 in Eastbrook"): else the
    sentence's verbs are likely about something else.
    """
    head = _head(q.counts)
    money = _is_money(q.unit)
    windows = [seg]
    if q.counts is not None or q.unit is not None or counted_before:
        windows.append((sentence.start, sentence.end))
    for lo, hi in windows:
        candidates: list[tuple[int, int, str]] = []
        for index, m in enumerate(_MEASURES):
            if m.money != money:
                continue
            if not money:
                if q.unit is not None:
                    continue
                if m.heads is None:
                    if head is not None and head not in _PERSON_HEADS:
                        continue
                elif head is None:
                    # A bare figure ("nearly 60") counts the noun the sentence is about.
                    plural = "|".join(h + "s" for h in m.heads)
                    if not re.search(rf"\b(?:{plural})\b", text[sentence.start : sentence.end]):
                        continue
                elif head not in m.heads:
                    continue
            for match in m.pattern.finditer(text, lo, hi):
                candidates.append((match.start(), match.end(), str(index)))
        found = _nearest(candidates, q)
        if found is not None:
            return _MEASURES[int(found)]
    return None


def _as_of(art: _Article, lo: int, hi: int) -> datetime | None:
    """The latest day the segment names that is not after publication, else publication."""
    published = art.published
    best: date | None = None
    for t in art.annotations.timexes:
        if t.start < lo or t.end > hi or t.type not in (TimexType.DATE, TimexType.TIME):
            continue
        m = _DAY.match(t.value)
        if m is None:
            continue
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        if published is not None and day > published.date():
            continue
        if best is None or day > best:
            best = day
    if best is None:
        return published
    if published is not None and best == published.date():
        return published
    return datetime(best.year, best.month, best.day, 12, tzinfo=UTC)


def _background(art: _Article, q: Quantity, seg: tuple[int, int], sentence: Span) -> bool:
    """A figure about an earlier era ("in 1957, when more than 40 people died") is history,
    not a claim of this story: an earlier year named before it in its sentence, or in its
    own segment."""
    year = art.published.year if art.published else None
    for t in art.annotations.timexes:
        if t.type != TimexType.DATE or not (sentence.start <= t.start < sentence.end):
            continue
        if t.start > q.start and t.start >= seg[1]:
            continue
        m = re.match(r"^(\d{3,4})", t.value)
        if m is None:
            continue
        digits = m.group(1)
        old = int(digits) * 10 + 9 if len(digits) == 3 else int(digits)
        if year is None or old < year:
            return True
    return False


def _attribution(ctx: StoryContext, art: _Article, start: int, end: int) -> str | None:
    for quote in art.annotations.quotes:
        if quote.speaker is None:
            continue
        if quote.content.start <= start and end <= quote.content.end + 1:
            return ctx.canonical(art.article.id, quote.speaker.canonical) or quote.speaker.canonical
    return None


def _quantity_facts(ctx: StoryContext, art: _Article) -> list[Fact]:
    text = art.article.text
    quantities = art.annotations.quantities
    facts: list[Fact] = []
    # The last figure fact, for "the figure is 5,200" in the next sentences.
    previous: tuple[Fact, int] | None = None
    for i, q in enumerate(quantities):
        if q.unit == "fraction" or (q.low is None and q.high is not None):
            continue  # fractions are relations, and "up to 5,000" is a cap, not a count
        if q.value is None and q.counts is None and not _is_money(q.unit):
            continue  # "tens of millions" with nothing counted: too vague to compare
        if q.value == 1 and q.counts is None and q.unit is None:
            continue  # a bare "one" is a pronoun far more often than a figure
        sentence = art.sentences.containing(q.start)
        if sentence is None:
            continue
        rate = _RATE_AFTER.match(text, q.end, sentence.end)
        if rate and q.unit is not None and "/" not in q.unit:
            q = replace(q, unit=f"{q.unit}/{rate.group(1)}")  # "200 million valors ($75m) a day"
        vague = re.search(r"\b(?:several|a few)\s+$", text[max(0, q.start - 12) : q.start])
        if q.value in (100.0, 1000.0) and vague:
            q = replace(q, value=None, low=2 * q.value, high=9 * q.value)  # "several hundred"
        seg = _segment(quantities, i, sentence)
        if _background(art, q, seg, sentence):
            continue
        if re.match(r"\s+of\s+(?:the|those|these|them|its|their)\b", text[q.end : q.end + 12]):
            continue  # "4,600 of the 5,200", "every one of those ships": a part, not a total
        increment = r"\b(?:a further|another|an extra|an additional)\s+$"
        if re.search(increment, text[max(0, q.start - 16) : q.start]):
            continue  # "a further eight": an increment, not the figure itself
        counted_before = any(
            p.counts is not None and p.start >= sentence.start for p in quantities[:i]
        )
        measure = _measure(text, q, seg, sentence, counted_before)
        scope: str | None = None
        inherited_time: datetime | None = None
        if measure is None and previous is not None and q.counts is None:
            near = sentence.start - previous[1] < 400
            # "the union put the number at nearly 60": the word comes shortly before the figure.
            lead = text[max(sentence.start, q.start - 60) : q.start]
            if near and _ANAPHORIC.search(lead):
                name = previous[0].measure
                measure = next((m for m in _MEASURES if name.startswith(m.name)), None)
                scope = previous[0].scope
                inherited_time = previous[0].as_of
                if measure is None:
                    continue  # the figure restates one we could not classify
        if measure is not None:
            name = measure.name
            disputable = True
        elif q.counts is not None and q.unit is None and q.value is not None and q.value >= 10:
            name, disputable = q.counts, False
        elif q.unit is not None and q.unit != "percent" and q.counts is None:
            name, disputable = f"figure in {q.unit}s", False
        else:
            continue
        predicate = "number"
        if _is_money(q.unit) and q.unit is not None:
            currency, _, per = q.unit.partition("/")
            predicate = f"amount in {currency}"
            qualifier = _QUALIFIER.search(text, seg[0], seg[1])
            if measure is not None and qualifier and qualifier.group(1) not in _GENERIC_QUALIFIERS:
                name = f"{name} to {qualifier.group(1)}"  # "damage to agriculture" vs "to homes"
            if per:
                name = f"{name} per {per}"
        if scope is None:
            scope = _scope(ctx, art, q, seg, sentence)
        low, high = figure_interval(q)
        fact = Fact(
            kind=ClaimKind.QUANTITY,
            article_id=art.article.id,
            start=sentence.start,
            end=sentence.end,
            measure=name,
            predicate=predicate,
            scope=scope,
            value=format_figure(q),
            low=low,
            high=high,
            estimate=not (q.value is not None and q.low == q.high == q.value),
            disputable=disputable,
            as_of=inherited_time or _as_of(art, *seg),
            attributed=_attribution(ctx, art, q.start, q.end),
            retracted=bool(_CORRECTION.search(text, sentence.start, sentence.end)),
            order=(art.position, q.start),
        )
        facts.append(fact)
        previous = (fact, sentence.end)
    return facts


# -- superlatives ------------------------------------------------------------------------------

_SUPERLATIVE = _rx(
    r"\b(worst|largest|biggest|highest|lowest|deadliest|heaviest|strongest|longest|first|"
    r"most (?:serious|severe|violent|destructive))\b"
    r"(?P<between>[^.;:!?]{0,60}?)\b(?P<ref>since (?:records began|(?:[A-Z][a-z]+ )?\d{4})"
    r"|in (?:a|two|three|four|five|\d+) (?:decades?|years|generations?)|on record|in history)"
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "its",
        "their",
        "his",
        "her",
        "in",
        "on",
        "at",
        "of",
        "for",
        "to",
        "and",
        "week's",
        "year's",
        "month's",
    ]
)


def _superlative_facts(art: _Article) -> list[Fact]:
    text = art.article.text
    facts: list[Fact] = []
    for m in _SUPERLATIVE.finditer(text):
        sentence = art.sentences.containing(m.start())
        if sentence is None or m.end() > sentence.end:
            continue
        adjective = m.group(1).lower()
        words = re.findall(r"[A-Za-z][\w'-]*", m.group("between"))
        noun_words: list[str] = []
        for w in words:
            if w.lower() in ("in", "on", "at", "of", "for", "to", "across"):
                break
            noun_words.append(w.lower())
        noun = " ".join(noun_words)
        if not noun:
            # "making this week's flood the worst ...": the noun before "the worst".
            before = re.findall(
                r"([a-z][\w-]*)\s+(?:the|its)\s+$", text[sentence.start : m.start()]
            )
            noun = before[-1] if before and before[-1] not in _STOP else ""
        if not noun:
            continue
        reference = re.sub(r"\s+", " ", m.group("ref"))
        facts.append(
            Fact(
                kind=ClaimKind.SUPERLATIVE,
                article_id=art.article.id,
                start=sentence.start,
                end=sentence.end,
                measure=noun,
                predicate=adjective,
                scope="",
                value=reference,
                key=reference.lower(),
                disputable=True,
                as_of=art.published,
                attributed=_attribution_of_span(art, m.start(), m.end()),
                order=(art.position, m.start()),
            )
        )
    return facts


def _attribution_of_span(art: _Article, start: int, end: int) -> str | None:
    for quote in art.annotations.quotes:
        if quote.speaker and quote.content.start <= start and end <= quote.content.end + 1:
            return quote.speaker.canonical
    return None


# -- attributed statements ---------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_SUMMARY_WORDS = 14


def _summary(quote: Quote) -> tuple[str, str]:
    """A one-line summary of a quote's content and a key that equates near-identical copies."""
    content = quote.content.text.strip().strip("\"“”'‘’").strip()
    content = re.sub(r"^that\s+", "", content)
    content = re.sub(r"\s+", " ", content)
    words = content.split(" ")
    summary = " ".join(words[:_SUMMARY_WORDS]).rstrip(",;:")
    if len(words) > _SUMMARY_WORDS:
        summary += " …"
    key = " ".join(w.lower() for w in _WORD.findall(content)[:10])
    return summary, key


def _statement_facts(ctx: StoryContext, art: _Article) -> list[Fact]:
    """The first statement of each named speaker in the article: news writing puts a source's
    main point first, and one claim per speaker and article keeps the dossier readable."""
    seen: set[str] = set()
    facts: list[Fact] = []
    for quote in art.annotations.quotes:
        if quote.speaker is None:
            continue
        speaker = ctx.canonical(art.article.id, quote.speaker.canonical)
        if speaker is None or speaker in seen:
            continue
        summary, key = _summary(quote)
        if len(key.split()) < 4:
            continue
        seen.add(speaker)
        facts.append(
            Fact(
                kind=ClaimKind.STATEMENT,
                article_id=art.article.id,
                start=quote.content.start,
                end=quote.content.end,
                measure=speaker,
                predicate="said",
                scope="",
                value=summary,
                key=key,
                as_of=art.published,
                attributed=speaker,
                order=(art.position, quote.content.start),
            )
        )
    return facts


# -- the story ---------------------------------------------------------------------------------


def _story_context(material: StoryMaterial) -> StoryContext:
    ctx = StoryContext(material)
    regions: Counter[str] = Counter()
    for article in material.articles:
        regions.update(_REGION.findall(article.text))
    if regions:
        name = min(regions, key=lambda r: (-regions[r], r))
        # "the Tessin region" -> the corpus name of Tessin when an article links it.
        for article in material.articles:
            found = ctx.canonical(article.id, name)
            if found:
                name = found
                break
        ctx.region = name
    return ctx


def _prepare(ctx: StoryContext) -> list[_Article]:
    out: list[_Article] = []
    datelines: Counter[str] = Counter()
    for position, article in enumerate(ctx.material.articles):
        annotations = ctx.material.annotations.get(article.id)
        if annotations is None:
            continue
        names = {(e.start, e.end): _entity_name(ctx, article.id, e) for e in annotations.entities}
        dateline = _dateline(ctx, article, annotations.entities)
        if dateline:
            datelines[dateline] += 1
        published = article.published
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        out.append(
            _Article(
                article=article,
                annotations=annotations,
                position=position,
                sentences=SentenceIndex(article.text),
                names=names,
                dateline=dateline,
                published=published,
            )
        )
    if datelines:
        ctx.main_place = min(datelines, key=lambda p: (-datelines[p], p))
    return out


def extract_facts(material: StoryMaterial) -> tuple[StoryContext, list[Fact]]:
    """All facts of a story's articles, in story order."""
    ctx = _story_context(material)
    facts: list[Fact] = []
    for art in _prepare(ctx):
        facts.extend(_quantity_facts(ctx, art))
        facts.extend(_superlative_facts(art))
        facts.extend(_statement_facts(ctx, art))
    return ctx, facts


def first_time(facts: Sequence[Fact]) -> datetime | None:
    times = [f.as_of for f in facts if f.as_of is not None]
    return min(times) if times else None


def by_article(facts: Sequence[Fact]) -> Mapping[str, list[Fact]]:
    out: dict[str, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.article_id, []).append(f)
    return out
