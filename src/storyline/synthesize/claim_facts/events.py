"""Dated events ("the strike began on March 6", "Ortega resigned on Tuesday") and, undated, a
person's states ("pleaded not guilty")."""

from __future__ import annotations

import re
from datetime import date

from storyline.model import ClaimKind, Span, TimexType
from storyline.synthesize.claim_facts.context import (
    ArticleView,
    Fact,
    StoryContext,
    attribution,
    is_withdrawn,
    rx,
)

# -- dated events and states -------------------------------------------------------------------

# What a person can become, and the words that say so. Dated, they are events ("resigned on May
# 14"); undated, states ("the minister, who has resigned").
_PERSON_STATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "resigned",
        rx(r"\b(?:resign(?:ed|s)|stepped down|steps down|quit|walked out of government)\b"),
    ),
    ("arrested", rx(r"\b(?:was|were|has been|had been) arrested\b")),
    ("charged", rx(r"\b(?:was|were|has been|had been) charged\b")),
    ("pleaded not guilty", rx(r"\bpleaded not guilty\b")),
    ("released", rx(r"\b(?:was|were|has been|had been) released\b")),
    ("appointed", rx(r"\b(?:was|has been) (?:appointed|named)\b")),
    ("died", rx(r"\bdied\b")),
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
        rx(r"\b(?:walked (?:out|off)(?! of government)|went on strike|downed tools)\b"),
        "strike",
        "began",
    ),
    (rx(r"\bdeclared a state of emergency\b"), "state of emergency", "declared"),
    (rx(r"\bopened (?:a |an )?(?:formal )?(?:inquiry|investigation)\b"), "inquiry", "began"),
    (rx(r"\bwent on trial\b"), "trial", "began"),
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


def _event_date(
    art: ArticleView, sentence: Span, start: int, end: int
) -> tuple[int, int, str] | None:
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


def _person_before(ctx: StoryContext, art: ArticleView, sentence: Span, at: int) -> str | None:
    """The person who is the subject of the verb at ``at``: a linked PERSON name right before
    it, an apposition or "who" aside ("Ortega, 54, stepped down"; "Ortega, who resigned")."""
    text = art.article.text
    for e in art.annotations.entities:
        if not (sentence.start <= e.start and e.end <= at) or e.label != "PERSON":
            continue
        if _BETWEEN_SUBJECT_AND_VERB.match(text[e.end : at]):
            return ctx.canonical(art.article.id, e.canonical)
    return None


def event_facts(ctx: StoryContext, art: ArticleView) -> list[Fact]:
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
        retracted = is_withdrawn(text, sentence, sentence.end)
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
                    attributed=attribution(ctx, art, start, end),
                    retracted=retracted,
                    order=(art.position, start),
                )
            )
    return facts
