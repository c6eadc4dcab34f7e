"""Facts read off one article's annotations: the raw material of claims (private to claims).

A :class:`Fact` is one statement in one article, already normalized: what it is about
(``measure``, ``scope``), what it says (``value`` and, for figures, a comparison interval), when
it holds (``as_of``) and where it is (the sentence span). :mod:`storyline.synthesize.claims`
groups facts into claims; :mod:`storyline.synthesize.disagreements` compares the groups.

Everything here is rule-based and works on the stored annotations plus the raw text: no parser
runs at synthesis time (see :mod:`storyline.text`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from storyline.model import (
    Annotations,
    Article,
    ClaimKind,
    Entity,
    Quantity,
    Quote,
    QuoteKind,
    Span,
    StoryMaterial,
    TimexType,
)
from storyline.text import SentenceIndex

__all__ = [
    "Fact",
    "StoryContext",
    "date_interval",
    "extract_facts",
    "figure_interval",
    "format_figure",
]


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
    point: float | None = None
    """The figure as stated ("about 250" -> 250); None for ranges and dates."""
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
    labels: dict[str, str] = field(default_factory=dict)

    def canonical(self, article_id: str, in_article: str) -> str | None:
        """The corpus-wide canonical name of an in-article canonical name, if linked."""
        entity_id = self.material.entity_names.get(article_id, {}).get(in_article)
        if entity_id is None:
            return None
        return self.names.get(entity_id)

    def label(self, article_id: str, in_article: str) -> str | None:
        """The corpus entity's majority NER label, if the name is linked."""
        entity_id = self.material.entity_names.get(article_id, {}).get(in_article)
        return None if entity_id is None else self.labels.get(entity_id)

    def __post_init__(self) -> None:
        self.articles_by_id = {a.id: a for a in self.material.articles}
        self.names = {e.id: e.canonical for e in self.material.entities}
        self.labels = {e.id: e.label for e in self.material.entities}


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
    # Codes stay as they are ("USD"); unit words are plural ("valors", "crowns", "litres").
    text = base if not base.islower() or base.endswith("s") else base + "s"
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
    _Measure(
        "people arrested", _rx(r"\barrest\w*|\bdetained\b|\bhauled in\b|\bin custody\b"), None
    ),
    _Measure("people missing", _rx(r"\bmissing\b"), None),
    _Measure(
        "people in shelters",
        _rx(
            r"\bregistered at (?:\w+ ){0,3}shelters?\b|\bsleeping at\b"
            r"|\bin (?:emergency )?shelters\b"
        ),
        None,
    ),
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
_HEAD_MEASURES = {
    "arrest": "people arrested",
    "death": "people dead",
    "fatality": "people dead",
    "injury": "people injured",
    "evacuee": "people evacuated",
    "evacuation": "people evacuated",
}
"""Counted nouns that are the predicate themselves: "23 arrests", "three deaths"."""
_PROTEST_CONTEXT = _rx(r"\b(?:(?-i:march)|protest|rally|demonstration|crowd)")
_MODAL_BEFORE = re.compile(r"\b(?:can|could|would|may|might|will|should)\s+(?:\w+\s+)?$", re.I)
_REPORTING = _rx(r"\bsaid\b|\bsays\b|\btold\b|\baccording to\b|\bestimated?\b|\breported\b")
_PART_BEFORE = re.compile(
    r"\b(?:includ(?:ed|ing|es)|among them|of whom|a group of(?: several| a few)?|in addition to"
    r"(?: the)?)\s+$",
    re.I,
)
_NEXT_NOUN = re.compile(
    r"\s+(?!(?:in|at|on|from|of|to|and|or|were|was|had|have|has|are|is|had|more|people|"
    r"who|that|which|by|for|since|after|before|a|an|the|this|last|per|each)\b)[a-z][\w-]*"
)
_PREDICATE_REACH = 80
"""Characters either side of a figure, within its segment, where its predicate is looked for."""
_EARLIER_REPORT = _rx(
    r"\bhad (?:put|given|reported|said|estimated)\b|\breported on\b|\bit reported\b|\bup from\b"
    r"|\bdown from\b|\binitially\b|\bat first\b|\bat the time\b|\bearlier (?:figure|estimate)"
)
_ANAPHORIC = _rx(r"\b(?:figure|number|count|total|toll|tally|estimate)\b")
_RATE_AFTER = re.compile(r"[^.;]{0,40}?\)\s+(?:a|per)\s+(day|week|month|year)\b")
_CORRECTION = _rx(
    r"\ban earlier version\b|\b(?:incorrectly|wrongly|mistakenly) (?:said|reported|stated|gave)\b"
    r"|\b(?:earlier|previously|originally) (?:reported|said|stated|gave)\b"
)
"""An outlet withdrawing what it said: "An earlier version of this article said 4,200"."""
_SELF = _rx(r"\bcorrection\b|\bthis (?:article|story|report)\b|\bwe\b|\bcorrected\b")
"""... said of the outlet itself, not of a source ("the ministry earlier reported 23")."""
_CORRECT_NOW = _rx(
    r"\bcorrect(?:ed)? (?:figure|number|total|date) (?:is|was)\b|\bcorrected to\b|\bin fact\b"
    r"|\bshould have (?:said|read)\b"
)
"""What comes after these in a correction is the right value, not the withdrawn one."""
_PERSON_WORDS = _rx(
    r"\b(?:people|residents|evacuees|persons|inhabitants|villagers|dead|killed|died|toll|"
    r"workers|protesters|strikers|victims)\b"
)
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
    r"(?!['’]s)"
    r"|\b(?:at|in|outside|near)\s+the\s+((?-i:refinery|plant|factory|mine|airport|station|"
    r"prison|hospital|camp|border|court|courthouse|square))\b(?!['’]s)"
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
        if e.start == match.start(1) and e.end <= match.end(1):
            return _entity_name(ctx, article.id, e)
    return (
        ctx.canonical(article.id, place.title())
        or ctx.canonical(article.id, place)
        or (place.title())
    )


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
        word = (m.group(1) or m.group(2) or m.group(3)).lower()
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
    found = _raw_scope(ctx, art, q, seg, sentence)
    # "the Port of Calder" in a story datelined Calder is Calder: one place, not two scopes.
    home = art.dateline or ctx.main_place
    if home and found.endswith(" of " + home):
        return home
    return found


def _raw_scope(
    ctx: StoryContext, art: _Article, q: Quantity, seg: tuple[int, int], sentence: Span
) -> str:
    # Names glued to the counted noun: "3,000 Eastbrook residents".
    for e in art.annotations.entities:
        if q.end <= e.start <= q.end + 2:
            return art.names.get((e.start, e.end), e.canonical)
    text = art.article.text

    def own(candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        # "Authorities in Valdoria said that 41 ...": the place is the speaker's, not the figure's.
        return [
            c for c in candidates if c[1] > q.start or not _REPORTING.search(text, c[1], q.start)
        ]

    here = _nearest(own(_scope_candidates(ctx, art, seg[0], seg[1])), q)
    if here is not None:
        return here
    # A place named earlier in the sentence ("Across the Tessin region, ... 11,500") covers the
    # figures after it; one named after the figure's own segment belongs to another figure.
    before = _nearest(own(_scope_candidates(ctx, art, sentence.start, seg[0])), q)
    if before is not None:
        return before
    return art.dateline or ""


def _measure(
    text: str, q: Quantity, seg: tuple[int, int], sentence: Span, counted_before: bool
) -> _Measure | None:
    """The predicate nearest the figure in its segment, else in its sentence.

    A bare figure looks beyond its segment only when an earlier figure of the sentence counts
    something ("8,000 people ..., including about 3,000 in Eastbrook"): else the rest of the
    sentence is likely about something else ("Whether it is 40 or 60, ... at a rally").
    """
    head = _head(q.counts)
    money = _is_money(q.unit)
    if head in _HEAD_MEASURES and q.unit is None:
        return next(m for m in _MEASURES if m.name == _HEAD_MEASURES[head])
    # In its own segment a predicate must be near the figure ("40 firefighters and six pumps
    # ..., and the number evacuated climbed to 850": 850's, not the pumps').
    windows = [(max(seg[0], q.start - _PREDICATE_REACH), min(seg[1], q.end + _PREDICATE_REACH))]
    if counted_before and q.counts is None:
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
                if _MODAL_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
                    continue  # "they can arrest a hundred of us": a hypothetical
                candidates.append((match.start(), match.end(), str(index)))
        found = _nearest(candidates, q)
        if found is not None:
            measure = _MEASURES[int(found)]
            # The sentence and the one or two before it say what was taken part in.
            context = (max(0, sentence.start - 300), sentence.end)
            if measure.name == "people taking part" and _PROTEST_CONTEXT.search(text, *context):
                # "800 people took part" in a march is a crowd, not a strike's participants.
                return next(m for m in _MEASURES if m.name == "people at protests")
            return measure
    return None


def _as_of(art: _Article, lo: int, hi: int, sentence: Span) -> datetime | None:
    """When a figure was given: publication, unless the sentence says it reports an earlier
    figure ("had put the number at about 3,000 on March 5", "up from the 8,000 it reported on
    March 6"); then the latest day its segment names that is not after publication.

    A day that dates the happening itself ("41 people were arrested on Sept. 14") does not
    date the figure: counts of a day's events keep growing in later reports.
    """
    published = art.published
    if not _EARLIER_REPORT.search(art.article.text, sentence.start, sentence.end):
        return published
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


def _withdrawn(text: str, sentence: Span, at: int) -> bool:
    """Whether what is stated at ``at`` is a value the outlet's own correction withdraws: a
    correction phrase before it in the sentence, with no "the correct figure is" in between
    (the withdrawn value, such as "4,200" in "An earlier version said 4,200").

    A correction notice's sentence naming the right value separately ("The council's figure
    is 5,200.") is not withdrawn, and neither is a source's earlier figure ("the ministry had
    earlier reported 23"), which is an earlier report, not a correction.
    """
    if not _SELF.search(text, sentence.start, sentence.end):
        return False
    last = None
    for m in _CORRECTION.finditer(text, sentence.start, at):
        last = m
    if last is None:
        return False
    return not _CORRECT_NOW.search(text, last.end(), at)


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
        vague = bool(
            re.search(r"\b(?:several|a few)\s+$", text[max(0, q.start - 12) : q.start], re.I)
        ) or q.text.lower().startswith(("several ", "a few "))
        if q.value in (12.0, 100.0, 1000.0) and vague:
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
        bare = q.counts is None and q.unit is None
        if bare and _NEXT_NOUN.match(text, q.end):
            continue  # "six high-capacity pumps": it counts a noun the annotator did not name
        # "father of three ... protest": a bare figure counts people only if it says so.
        people_word = _PERSON_WORDS.search(text, seg[0], seg[1])
        if measure is not None and measure.heads is None and bare and not counted_before:
            measure = measure if people_word else None
        if _PART_BEFORE.search(text[max(0, q.start - 20) : q.start]):
            own_scope = _scope_candidates(ctx, art, seg[0], seg[1])
            if not own_scope:
                continue  # "the total included 18 detained later": a part of another figure
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
            base, _, per = q.unit.partition("/")
            name, disputable = "amount" if _is_money(q.unit) else f"figure in {base}s", False
            if per and not _is_money(q.unit):
                name = f"{name} per {per}"
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
            point=q.value,
            estimate=not (q.value is not None and q.low == q.high == q.value),
            disputable=disputable,
            as_of=inherited_time or _as_of(art, seg[0], seg[1], sentence),
            attributed=_attribution(ctx, art, q.start, q.end),
            retracted=_withdrawn(text, sentence, q.start),
            order=(art.position, q.start),
        )
        facts.append(fact)
        previous = (fact, sentence.end)
    return facts


# -- superlatives ------------------------------------------------------------------------------

_SUPERLATIVE = _rx(
    r"\b(worst|largest|biggest|highest|lowest|deadliest|heaviest|strongest|longest|first|"
    r"most (?:serious|severe|violent|destructive))\b"
    r"(?P<between>[^.;:!?]{0,60}?)\b(?P<ref>since (?:records began|(?:(?-i:[A-Z][a-z]+) )?\d{4})"
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
            # ... or "the flood was the worst": the subject of the copula.
            before = re.findall(
                r"([a-z][\w-]*)(?:['’]s)?\s+(?:(?:was|is|were|are|has been|had been|became)\s+)?"
                r"(?:the|its)\s+$",
                text[sentence.start : m.start()],
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

_DATELINE_PREFIX = re.compile(r"^[A-Z][A-Z .'-]+(?:,[^—\n(]{0,40})?\s*(?:\([^)\n]{0,40}\))?\s*—\s*")
_NOT_SPEAKERS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"})
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_SUMMARY_WORDS = 14


def _summary(quote: Quote) -> tuple[str, str]:
    """A one-line summary of a quote's content and a key that equates near-identical copies."""
    content = _DATELINE_PREFIX.sub("", quote.content.text.strip())
    if quote.kind is QuoteKind.DIRECT:
        # A direct quote's span runs over its attribution ('"...," said X. "..."'): keep the
        # words up to the first closing quotation mark.
        opened = content.lstrip("\"“'‘ ")
        closing = re.search(r"[,.?!]?[\"”]", opened)
        content = opened[: closing.start()] if closing else opened
    content = content.strip().strip("\"“”'‘’").strip()
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
        if ctx.label(art.article.id, quote.speaker.canonical) in _NOT_SPEAKERS:
            continue  # "Arlen said": a place named where NER or the quote finder slipped
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


# -- dated events and states -------------------------------------------------------------------

# What a person can become, and the words that say so. Dated, they are events ("resigned on May
# 14"); undated, states ("the minister, who has resigned").
_PERSON_STATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "resigned",
        _rx(r"\b(?:resign(?:ed|s)|stepped down|steps down|quit|walked out of government)\b"),
    ),
    ("arrested", _rx(r"\b(?:was|were|has been|had been) arrested\b")),
    ("charged", _rx(r"\b(?:was|were|has been|had been) charged\b")),
    ("pleaded not guilty", _rx(r"\bpleaded not guilty\b")),
    ("released", _rx(r"\b(?:was|were|has been|had been) released\b")),
    ("appointed", _rx(r"\b(?:was|has been) (?:appointed|named)\b")),
    ("died", _rx(r"\bdied\b")),
)
# Events named by a noun: "the strike began on March 6", "the trial, which opened on ...".
_EVENT_NOUNS = {
    "strike": "strike",
    "walkout": "strike",
    "stoppage": "strike",
    "blockade": "blockade",
    "trial": "trial",
    "inquiry": "inquiry",
    "investigation": "inquiry",
    "probe": "inquiry",
    "talks": "talks",
    "negotiations": "talks",
    "protest": "protests",
    "protests": "protests",
    "march": "protests",
    "flood": "flood",
    "flooding": "flood",
    "evacuation": "evacuation",
    "curfew": "curfew",
    "search": "search",
    "state of emergency": "state of emergency",
    "cap": "price cap",
    "price cap": "price cap",
    "subsidy": "subsidy",
}
_EVENT_VERBS = {
    "began": "began",
    "begun": "began",
    "started": "began",
    "opened": "began",
    "opens": "began",
    "ended": "ended",
    "ends": "ended",
    "expired": "ended",
    "expires": "ended",
    "collapsed": "ended",
    "broke down": "ended",
    "was called off": "ended",
    "was lifted": "ended",
    "resumed": "resumed",
    "was declared": "declared",
    "peaked": "peaked",
}
_NOUN_EVENT = re.compile(
    r"\b(?P<noun>" + "|".join(sorted(_EVENT_NOUNS, key=len, reverse=True)) + r")\b"
    r"(?:\s+(?:in|at|of|over)\s+(?:the\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)?"
    r"(?:,? which)?\s+(?:has |had |have )?(?P<verb>"
    + "|".join(sorted(_EVENT_VERBS, key=len, reverse=True)).replace(" ", r"\s+")
    + r")\b",
    re.IGNORECASE,
)
# Events a verb implies: dockworkers "walked out" = the strike began.
_VERB_EVENT: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        _rx(r"\b(?:walked (?:out|off)(?! of government)|went on strike|downed tools)\b"),
        "strike",
        "began",
    ),
    (_rx(r"\bdeclared a state of emergency\b"), "state of emergency", "declared"),
    (_rx(r"\bopened (?:a |an )?(?:formal )?(?:inquiry|investigation)\b"), "inquiry", "began"),
    (_rx(r"\bwent on trial\b"), "trial", "began"),
)
_TRIGGER_STEMS = (
    "resign",
    "step",
    "quit",
    "walked",
    "arrested",
    "charged",
    "pleaded",
    "released",
    "appointed",
    "named",
    "died",
    "began",
    "begun",
    "start",
    "open",
    "end",
    "expire",
    "collapsed",
    "broke",
    "called off",
    "lifted",
    "resumed",
    "declared",
    "peaked",
    "went on",
    "downed",
)
"""Lower-case substrings every trigger pattern needs (a sentence without any is skipped)."""
_PRONOUN_START = re.compile(r"^(?:She|He)\b")
_EVENT_WINDOW = 40
"""How far (characters) after its trigger a date may be to date the event ("began on March 6")."""
_EVENT_BEFORE = 25
"""... and how far before it ("on Tuesday resigned", "Ortega, who on May 14 resigned")."""


def date_interval(value: str) -> tuple[int, int, str] | None:
    """A TIMEX3 date value as (first day, last day) ordinals and the value at its precision:
    ``2024-03-06`` a day, ``2024-W10`` a week, ``2024-03`` a month, ``2024`` a year."""
    try:
        if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", value):
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return d.toordinal(), d.toordinal(), d.isoformat()
        if m := re.match(r"^(\d{4})-W(\d{2})$", value):
            year, week = int(m.group(1)), int(m.group(2))
            first = date.fromisocalendar(year, week, 1)
            return first.toordinal(), first.toordinal() + 6, value
        if m := re.match(r"^(\d{4})-(\d{2})$", value):
            year, month = int(m.group(1)), int(m.group(2))
            first = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            return first.toordinal(), following.toordinal() - 1, value
        if m := re.match(r"^(\d{4})$", value):
            year = int(m.group(1))
            return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal(), value
    except ValueError:
        return None
    return None


def _coarsen(interval: tuple[int, int, str], text: str) -> tuple[int, int, str]:
    """ "Three weeks ago" resolves to a day, but only means that week: keep its precision."""
    m = re.search(r"\b(week|month|year)s?\s+ago\b", text, re.IGNORECASE)
    if m is None or interval[0] != interval[1]:
        return interval
    day = date.fromordinal(interval[0])
    if m.group(1).lower() == "week":
        year, week, _ = day.isocalendar()
        value = f"{year}-W{week:02d}"
    elif m.group(1).lower() == "month":
        value = f"{day.year}-{day.month:02d}"
    else:
        value = str(day.year)
    return date_interval(value) or interval


def _event_date(art: _Article, sentence: Span, start: int, end: int) -> tuple[int, int, str] | None:
    """The date nearest an event's trigger in its sentence, if close enough and resolved."""
    best: tuple[int, tuple[int, int, str]] | None = None
    for t in art.annotations.timexes:
        if t.type not in (TimexType.DATE, TimexType.TIME):
            continue
        if not (sentence.start <= t.start and t.end <= sentence.end):
            continue
        if t.start >= end:
            distance = t.start - end
        else:
            distance = start - t.end
            if distance > _EVENT_BEFORE:
                continue  # a date before the verb usually dates another clause
        if distance < 0 or distance > _EVENT_WINDOW:
            continue
        interval = date_interval(t.value)
        if interval is not None:
            interval = _coarsen(interval, t.text)
        if interval is not None and (best is None or distance < best[0]):
            best = (distance, interval)
    return None if best is None else best[1]


_BETWEEN_SUBJECT_AND_VERB = re.compile(
    r"^(?:,[^,.;]{1,40},|,? who|,)?\s*(?:(?:has|had|have|was|were|is|reportedly|then|later)\s+)*$"
)


def _person_before(ctx: StoryContext, art: _Article, sentence: Span, at: int) -> str | None:
    """The person who is the subject of the verb at ``at``: a linked PERSON name right before
    it, an apposition or "who" aside ("Ortega, 54, stepped down"; "Ortega, who resigned")."""
    text = art.article.text
    for e in art.annotations.entities:
        if not (sentence.start <= e.start and e.end <= at) or e.label != "PERSON":
            continue
        if _BETWEEN_SUBJECT_AND_VERB.match(text[e.end : at]):
            return ctx.canonical(art.article.id, e.canonical)
    return None


def _event_facts(ctx: StoryContext, art: _Article) -> list[Fact]:
    text = art.article.text
    published = art.published
    facts: list[Fact] = []
    last_person: str | None = None
    for sentence in art.sentences.spans:
        lowered = sentence.text.lower()
        if not any(stem in lowered for stem in _TRIGGER_STEMS):
            continue  # a substring test is far cheaper than the patterns, and most fail
        found: list[tuple[int, int, str, str, bool]] = []  # start, end, subject, predicate, person
        for predicate, pattern in _PERSON_STATES:
            for m in pattern.finditer(text, sentence.start, sentence.end):
                person = _person_before(ctx, art, sentence, m.start())
                if person is None and _PRONOUN_START.match(text, sentence.start):
                    person = last_person  # "She resigned on May 14."
                if person is not None:
                    found.append((m.start(), m.end(), person, predicate, True))
        for m in _NOUN_EVENT.finditer(text, sentence.start, sentence.end):
            noun = _EVENT_NOUNS[m.group("noun").lower()]
            verb = _EVENT_VERBS[re.sub(r"\s+", " ", m.group("verb").lower())]
            found.append((m.start(), m.end(), noun, verb, False))
        for pattern, noun, verb in _VERB_EVENT:
            for m in pattern.finditer(text, sentence.start, sentence.end):
                found.append((m.start(), m.end(), noun, verb, False))
        retracted = _withdrawn(text, sentence, sentence.end)
        seen: set[tuple[str, str]] = set()
        for start, end, subject, predicate, is_person in sorted(found):
            if (subject, predicate) in seen:
                continue
            seen.add((subject, predicate))
            if is_person:
                last_person = subject
            when = _event_date(art, sentence, start, end)
            if when is not None and published is not None:
                if when[1] < published.date().toordinal() - 366:
                    continue  # "walked out in the last big strike in 2009": history
                if when[0] > published.date().toordinal() + 1 and predicate != "ended":
                    continue  # a plan ("talks resume on Thursday") is not an event yet
            if when is None and not is_person:
                continue  # an undated happening says little a reader can check
            facts.append(
                Fact(
                    kind=ClaimKind.EVENT if when is not None else ClaimKind.STATE,
                    article_id=art.article.id,
                    start=sentence.start,
                    end=sentence.end,
                    measure=subject,
                    predicate=predicate if when is not None else "state",
                    scope="",
                    value=when[2] if when is not None else predicate,
                    low=float(when[0]) if when is not None else None,
                    high=float(when[1]) if when is not None else None,
                    key="" if when is not None else predicate,
                    disputable=when is not None,
                    as_of=published,
                    attributed=_attribution(ctx, art, start, end),
                    retracted=retracted,
                    order=(art.position, start),
                )
            )
    return facts


def _withdraw_everywhere(facts: list[Fact]) -> list[Fact]:
    """A correction withdraws a value from the whole article: where the body still states it
    (a correction appended to an unchanged text), that statement is withdrawn too."""
    withdrawn = {(f.measure, f.predicate, f.scope, f.value) for f in facts if f.retracted}
    if not withdrawn:
        return facts
    return [
        replace(f, retracted=True) if (f.measure, f.predicate, f.scope, f.value) in withdrawn else f
        for f in facts
    ]


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
    # Wire copies share their text: split it into sentences once.
    indexes: dict[str, SentenceIndex] = {}
    for position, article in enumerate(ctx.material.articles):
        annotations = ctx.material.annotations.get(article.id)
        if annotations is None:
            continue
        names = {(e.start, e.end): _entity_name(ctx, article.id, e) for e in annotations.entities}
        dateline = _dateline(ctx, article, annotations.entities)
        if dateline:
            datelines[dateline] += 1
        index = indexes.get(article.text)
        if index is None:
            index = indexes[article.text] = SentenceIndex(article.text)
        published = article.published
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        out.append(
            _Article(
                article=article,
                annotations=annotations,
                position=position,
                sentences=index,
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
        facts.extend(_withdraw_everywhere(_quantity_facts(ctx, art)))
        facts.extend(_superlative_facts(art))
        facts.extend(_withdraw_everywhere(_event_facts(ctx, art)))
        facts.extend(_statement_facts(ctx, art))
    return ctx, facts
