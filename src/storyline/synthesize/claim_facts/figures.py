"""Figure facts: a quantity with what it measures, where it holds and when it was given, and
the interval it is compared by."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
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
from storyline.synthesize.claim_facts.measures import MEASURES, is_money, measure_of
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
_QUALIFIER = rx(r"\b(?:damage|cost|costs|loss|losses)\s+(?:to|of|in)\s+(?:the\s+)?([a-z]+)")
_GENERIC_QUALIFIERS = frozenset({"damage", "strike", "flood", "economy", "country", "repairs"})
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
        m = re.match(r"^(\d{3,4})", t.value)
        if m is None:
            continue
        digits = m.group(1)
        old = int(digits) * 10 + 9 if len(digits) == 3 else int(digits)
        if year is None or old < year:
            return True
    return False


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
        measure = measure_of(text, q, seg, sentence, counted_before)
        bare = q.counts is None and q.unit is None
        if bare and _NEXT_NOUN.match(text, q.end):
            continue  # "six high-capacity pumps": it counts a noun the annotator did not name
        # "father of three ... protest": a bare figure counts people only if it says so.
        people_word = _PERSON_WORDS.search(text, seg[0], seg[1])
        if measure is not None and measure.heads is None and bare and not counted_before:
            measure = measure if people_word else None
        if _PART_BEFORE.search(text[max(0, q.start - 20) : q.start]):
            own_scope = scope_candidates(ctx, art, seg[0], seg[1])
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
                measure = next((m for m in MEASURES if name.startswith(m.name)), None)
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
            name, disputable = "amount" if is_money(q.unit) else f"figure in {base}s", False
            if per and not is_money(q.unit):
                name = f"{name} per {per}"
        else:
            continue
        predicate = "number"
        if is_money(q.unit) and q.unit is not None:
            currency, _, per = q.unit.partition("/")
            predicate = f"amount in {currency}"
            qualifier = _QUALIFIER.search(text, seg[0], seg[1])
            if measure is not None and qualifier and qualifier.group(1) not in _GENERIC_QUALIFIERS:
                name = f"{name} to {qualifier.group(1)}"  # "damage to agriculture" vs "to homes"
            if per:
                name = f"{name} per {per}"
        if scope is None:
            scope = scope_of(ctx, art, q, seg, sentence)
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
            attributed=attribution(ctx, art, q.start, q.end),
            retracted=is_withdrawn(text, sentence, q.start),
            order=(art.position, q.start),
        )
        facts.append(fact)
        previous = (fact, sentence.end)
    return facts
