"""Figure facts: a quantity with what it measures, where it holds and when it was given, and
the interval it is compared by."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from storyline.model import ClaimKind, Quantity, Span, TimexType
from storyline.synthesize.claim_facts.context import (
    ArticleView,
    Fact,
    StoryContext,
    attribution,
    is_withdrawn,
    rx,
)
from storyline.synthesize.claim_facts.measures import Measure, is_money, measure_of
from storyline.synthesize.claim_facts.naming import (
    UnitMeasure,
    base_factor,
    dimension,
    money_measure,
    unit_measure,
)
from storyline.synthesize.claim_facts.scopes import scope_candidates, scope_of


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
    text = {"foots": "feet", "inchs": "inches"}.get(text, text)
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


_PART_BEFORE = re.compile(
    r"\b(?:includ(?:ed|ing|es)|among them|of whom|a group of(?: several| a few)?|in addition to"
    r"(?: the)?)\s+$",
    re.I,
)
_NEXT_NOUN = re.compile(
    r"\s+(?!(?:in|at|on|from|of|to|and|or|were|was|had|have|has|are|is|had|more|people|"
    r"who|that|which|by|for|since|after|before|a|an|the|this|last|per|each)\b)[a-z][\w-]*"
)
_EARLIER_REPORT = rx(
    r"\bhad (?:put|given|reported|said|estimated)\b|\breported on\b|\bit reported\b|\bup from\b"
    r"|\bdown from\b|\binitially\b|\bat first\b|\bat the time\b|\bearlier (?:figure|estimate)"
)
_ANAPHORIC = rx(r"\b(?:figure|number|count|total|toll|tally|estimate)\b")
_RATE_AFTER = re.compile(r"[^.;]{0,40}?\)\s+(?:a|per)\s+(day|week|month|year)\b")
_PERSON_WORDS = rx(
    r"\b(?:people|residents|evacuees|persons|inhabitants|villagers|dead|killed|died|toll|"
    r"workers|protesters|strikers|victims)\b"
)
_QUALIFIER = rx(r"\b(?:damage|cost|costs|loss|losses)\s+to\s+(?:the\s+)?([a-z]+)")
_GENERIC_QUALIFIERS = frozenset({"damage", "strike", "flood", "economy", "country", "repairs"})
_CONVERSION = re.compile(
    r"^\s*\(\s*(?:about|some|around|roughly|approximately|nearly|almost|or)?\s*$", re.I
)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _segment(quantities: Sequence[Quantity], i: int, sentence: Span) -> tuple[int, int]:
    """The part of a sentence that belongs to the i-th quantity: up to its neighbours."""
    start, end = sentence.start, sentence.end
    if i > 0 and quantities[i - 1].end > start:
        start = quantities[i - 1].end
    if i + 1 < len(quantities) and quantities[i + 1].start < end:
        end = quantities[i + 1].start
    return start, end


def _as_of(art: ArticleView, lo: int, hi: int, sentence: Span) -> datetime | None:
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


_REPORT_BEFORE = rx(
    r"\b(?:said|says|told|reported|announced|added|confirmed|stated|estimated|put it)\s+"
    r"(?:\w+\s+)?(?:on\s+|late\s+on\s+|early\s+on\s+)?$"
)


_SINCE = rx(r"\b(?:since|until|till|by|so far|to date)\b")


_HAPPENING_MEASURES = (
    "people dead",
    "people injured",
    "people arrested",
    "people missing",
    "people rescued",
    "people at protests",
    "fighters ",
    "magnitude of",
    "depth of the",
    "distance of the epicentre",
)
"""Measures of what one happening did (a quake's dead, a march's crowd): a day named in their
sentence is the happening's. Other measures are states observed on a day ("47 ships were
waiting on Thursday"): the same measure on another day, not another happening."""


def _of_happening(measure: str) -> bool:
    return measure.startswith(_HAPPENING_MEASURES) and measure != "depth of the water"


def _happened(
    art: ArticleView, q: Quantity, seg: tuple[int, int], sentence: Span
) -> tuple[int, int] | None:
    """The day a figure's sentence dates its happening to ("struck on Saturday, killing 3"):
    the resolved day nearest the figure, before its segment ends, that is not the day a
    source spoke ("officials said on Wednesday") nor an earlier report's."""
    text = art.article.text
    if _EARLIER_REPORT.search(text, sentence.start, sentence.end):
        return None
    best: tuple[int, int] | None = None
    for t in art.annotations.timexes:
        if t.type not in (TimexType.DATE, TimexType.TIME):
            continue
        if not (sentence.start <= t.start and t.end <= seg[1]):
            continue
        if _REPORT_BEFORE.search(text[max(sentence.start, t.start - 40) : t.start]):
            continue
        between = text[min(q.end, t.end) : max(q.start, t.start)]
        if _SINCE.search(between) or _SINCE.search(
            text, max(sentence.start, t.start - 12), t.start
        ):
            continue  # "evacuated since the fire started on Wednesday": a count so far
        m = _DAY.match(t.value)
        if m is None:
            continue
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
        except ValueError:
            continue
        distance = q.start - t.end if t.end <= q.start else t.start - q.end
        if best is None or abs(distance) < best[0]:
            best = (abs(distance), day)
    return None if best is None else (best[1], best[1])


def _background(art: ArticleView, q: Quantity, seg: tuple[int, int], sentence: Span) -> bool:
    """A figure about an earlier era ("in 1957, when more than 40 people died") is history,
    not a claim of this story: an earlier year named before it in its sentence, or in its
    own segment."""
    year = art.published.year if art.published else None
    for t in art.annotations.timexes:
        if t.type != TimexType.DATE or not (sentence.start <= t.start < sentence.end):
            continue
        if t.start > q.start and t.start >= seg[1]:
            continue
        month = re.match(r"^(\d{4})-(\d{2})$", t.value)
        if month is not None and art.published is not None:
            # "That temblor killed six in September", in a November report: another happening.
            then = int(month.group(1)) * 12 + int(month.group(2))
            if then <= art.published.year * 12 + art.published.month - 2:
                return True
            continue
        m = re.match(r"^(\d{3,4})", t.value)
        if m is None:
            continue
        digits = m.group(1)
        old = int(digits) * 10 + 9 if len(digits) == 3 else int(digits)
        if year is None or old < year:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Named:
    """What a figure measures, as its fact states it."""

    measure: str
    predicate: str
    scope: str | None
    """The scope, when already known ("" for measures that hold regardless of place); None:
    look for it in the text."""
    disputable: bool
    as_of: datetime | None = None


def _predicate(q: Quantity) -> str:
    """What values of the figure are compared as: a count, an amount in one currency, or a
    dimension (figures in kilometres and in miles are compared as lengths)."""
    if is_money(q.unit) and q.unit is not None:
        return "amount in " + q.unit.partition("/")[0]
    if q.unit is None or q.unit == "percent":
        return "number" if q.unit is None else "percent"
    return dimension(q.unit)


def _plural(noun: str) -> str:
    if noun.endswith("s"):
        return noun
    if noun.endswith(("x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _name(
    ctx: StoryContext,
    art: ArticleView,
    q: Quantity,
    seg: tuple[int, int],
    sentence: Span,
    measure: Measure | None,
    magnitude: UnitMeasure | None,
) -> Named | None:
    """What a figure measures: a lexicon measure ("people evacuated"), a named sum of money
    or quantity with a unit, a counted noun seen in two origins; None if the text does not say.
    """
    predicate = _predicate(q)
    if magnitude is not None:
        return Named(magnitude.name, magnitude.predicate, "", disputable=True)
    if is_money(q.unit):
        money = money_measure(ctx, art, q, seg, sentence, measure.name if measure else None)
        if money is None:
            return None
        name, scoped = money
        qualifier = _QUALIFIER.search(art.article.text, seg[0], seg[1])
        if measure is not None and qualifier and qualifier.group(1) not in _GENERIC_QUALIFIERS:
            name = f"{name} to {qualifier.group(1)}"  # "damage to agriculture" vs "to homes"
        return Named(name, predicate, None if scoped else "", disputable=True)
    if measure is not None:
        name = measure.name
        if name == "homes flooded" and ctx.event != "flood":
            name = "homes damaged"  # the lexicon's homes, in a story of another event
        return Named(name, predicate, None, disputable=True)
    if q.unit is not None and q.unit != "percent":
        unit = unit_measure(ctx, art, q, seg, sentence)
        if unit is None:
            return None
        return Named(unit.name, unit.predicate, None if unit.scoped else "", disputable=True)
    # "40,000 people" says not what they did; "a 1,500-square-kilometre island" counts no
    # kilometres.
    generic = q.counts in ("people", "person") or base_factor(q.counts) != 1.0
    lengths = ("kilometer", "kilometre", "meter", "metre", "mile")
    generic = generic or any(w.rstrip("s") in lengths for w in (q.counts or "").split())
    done = None if q.counts is None or q.value is None else _done_to(art.article.text, q, seg)
    if done is not None and not generic and q.unit is None and (q.value or 0) >= 2:
        # "nabbed 26 pirates", "three boats were captured": the verb says what is counted.
        return Named(f"{_plural(q.counts or '')} {done}", predicate, None, disputable=True)
    if (
        q.counts is not None
        and not generic
        and q.unit is None
        and q.value is not None
        and q.value >= 10
    ):
        # A counted noun no lexicon measure takes ("1,640 members"): a claim only when two
        # origins state it, never compared.
        return Named(_plural(q.counts), predicate, None, disputable=False)
    return None


_VERB_BEFORE = re.compile(
    r"(?<!\ba )(?<!\ban )(?<!\bthe )\b(?!(?:includ|accord|lead|follow|remain|dur|us|be|hav"
    r"|surround|contain|neighbour|neighbor|bring|go|morn|even|build|meet)(?:ing|ed)\b)"
    r"([a-z]{3,}(?:ed|ing))\s+(?:a total of\s+)?$"
)
_VERB_AFTER = re.compile(
    r"[^,;:.()]{0,40}?\b(?:were|was|had been|have been|has been|are|is|been)\s+(?:\w+ly\s+)?"
    r"(?!(?:used|based|expected|supposed|involved|located|related|isolated|concerned|interested"
    r"|combined|needed|required|allowed)\b)([a-z]{3,}ed|found|seen|taken|held|shot|caught|sent"
    r"|brought|stolen|sold|given|lost|struck|thrown|hit|beaten)\b"
)


_IRREGULAR = {
    "sending": "sent",
    "taking": "taken",
    "making": "made",
    "holding": "held",
    "bringing": "brought",
    "finding": "found",
    "seeing": "seen",
    "leaving": "left",
    "losing": "lost",
    "hitting": "hit",
    "shooting": "shot",
    "catching": "caught",
    "selling": "sold",
    "giving": "given",
    "keeping": "kept",
    "spending": "spent",
    "paying": "paid",
    "buying": "bought",
    "winning": "won",
    "throwing": "thrown",
    "stealing": "stolen",
    "striking": "struck",
}


def _participle(verb: str) -> str:
    """ "capturing" -> "captured", "nabbed" stays: the verb as the measure names it."""
    if not verb.endswith("ing"):
        return verb
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    stem = verb[:-3]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem + "ed"  # "nabbing" -> "nabbed"
    return stem + "ed"


def _done_to(text: str, q: Quantity, seg: tuple[int, int]) -> str | None:
    """What happened to a counted noun, as a participle, when a verb in the figure's own
    segment says so: right before it ("apprehending 26 pirates", "seized a total of 14
    rifles") or after it ("three boats were captured")."""
    before = _VERB_BEFORE.search(text, max(seg[0], q.start - 40), q.start)
    if before is not None:
        return _participle(before.group(1).lower())
    after = _VERB_AFTER.match(text, q.end, seg[1])
    if after is not None:
        return after.group(1).lower()
    return None


def _interval(q: Quantity) -> tuple[float, float]:
    """The figure's comparison interval in the base unit of its dimension; a measured figure
    ("10 kilometres", "6 miles") is good to half a unit of its last digit."""
    low, high = figure_interval(q)
    factor = base_factor(q.unit)
    measured = q.unit is not None and not is_money(q.unit) and q.unit != "percent"
    if measured and q.value is not None and q.low == q.high == q.value:
        half = _half_unit(q.value)
        low, high = min(low, q.value - half), max(high, q.value + half)
    return low * factor, high * factor


def _half_unit(value: float) -> float:
    """Half the unit of a measured figure's last digit: 6 -> 0.5, 6.1 -> 0.05, 10 -> 0.5."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.partition(".")[2])
    return 0.5 * 10.0**-decimals


def quantity_facts(ctx: StoryContext, art: ArticleView) -> list[Fact]:
    text = art.article.text
    quantities = art.annotations.quantities
    facts: list[Fact] = []
    # The last figure fact, for "the figure is 5,200" in the next sentences.
    previous: tuple[Fact, int] | None = None
    for i, q in enumerate(quantities):
        if q.unit == "fraction" or (q.low is None and q.high is not None):
            continue  # fractions are relations, and "up to 5,000" is a cap, not a count
        if q.value is None and q.counts is None and not is_money(q.unit):
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
        converted = i > 0 and q.unit is not None and quantities[i - 1].unit is not None
        if converted and _CONVERSION.match(text[quantities[i - 1].end : q.start]):
            continue  # "10 kilometres (6 miles)": the same figure in other units
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
        magnitude = None
        if q.unit is None and q.value is not None and 0 < q.value < 10:
            magnitude = unit_measure(ctx, art, q, seg, sentence)
        measure = None if magnitude else measure_of(text, q, seg, sentence, counted_before)
        bare = q.counts is None and q.unit is None
        if bare and not magnitude and _NEXT_NOUN.match(text, q.end):
            continue  # "six high-capacity pumps": it counts a noun the annotator did not name
        # "father of three ... protest": a bare figure counts people only if it says so.
        people_word = _PERSON_WORDS.search(text, seg[0], seg[1])
        if measure is not None and measure.heads is None and bare and not counted_before:
            measure = measure if people_word else None
        if _PART_BEFORE.search(text[max(0, q.start - 20) : q.start]):
            own_scope = scope_candidates(ctx, art, seg[0], seg[1])
            if not own_scope:
                continue  # "the total included 18 detained later": a part of another figure
        named: Named | None = None
        if measure is None and not magnitude and previous is not None and q.counts is None:
            near = sentence.start - previous[1] < 400
            # "the union put the number at nearly 60": the word comes shortly before the figure.
            lead = text[max(sentence.start, q.start - 60) : q.start]
            if near and _ANAPHORIC.search(lead):
                before = previous[0]
                if q.unit is None and before.predicate.startswith("amount in "):
                    # "... puts the figure at more than 7 billion": in the same currency.
                    q = replace(q, unit=before.predicate.removeprefix("amount in "))
                if _predicate(q) != before.predicate:
                    continue  # the figure restates one in other units, or none we could name
                named = Named(
                    before.measure, before.predicate, before.scope, before.disputable, before.as_of
                )
        if named is None:
            named = _name(ctx, art, q, seg, sentence, measure, magnitude)
        if named is None:
            continue  # the clause does not say what the figure measures
        scope = named.scope if named.scope is not None else scope_of(ctx, art, q, seg, sentence)
        low, high = _interval(q)
        fact = Fact(
            kind=ClaimKind.QUANTITY,
            article_id=art.article.id,
            start=sentence.start,
            end=sentence.end,
            measure=named.measure,
            predicate=named.predicate,
            scope=scope,
            value=format_figure(q),
            low=low,
            high=high,
            point=None if q.value is None else q.value * base_factor(q.unit),
            estimate=not (q.value is not None and q.low == q.high == q.value),
            disputable=named.disputable,
            as_of=named.as_of or _as_of(art, seg[0], seg[1], sentence),
            attributed=attribution(ctx, art, q.start, q.end),
            retracted=is_withdrawn(text, sentence, q.start),
            happened=_happened(art, q, seg, sentence) if _of_happening(named.measure) else None,
            order=(art.position, q.start),
        )
        facts.append(fact)
        previous = (fact, sentence.end)
    return facts
