"""Dated events ("the strike began on March 6", "Ortega resigned on Tuesday") and, undated, a
person's states ("pleaded not guilty")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from storyline.model import ClaimKind, Span, TimelineEntry, Timex, TimexType
from storyline.synthesize.claim_facts.context import (
    ArticleView,
    Fact,
    StoryContext,
    attribution,
    is_withdrawn,
    rx,
)

DATED = "dated"
"""The predicate of an event read off a dated clause of the timeline (its subject is the clause)."""

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


# -- dated clauses of the timeline -------------------------------------------------------------

# A date line of a page ("Updated: ...", "Posted ...", a URL): the page's own date.
_PAGE_LINE = rx(
    r"https?:|www\.|\b(?:updated|published|posted|last modified|modified)\b"
    r"|\d{1,2}:\s?\d{2}\s*(?:hrs|gmt|ist|bst|utc|et|est|pst)\b"
)
_CALENDAR_WORDS = frozenset(
    """
    mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday
    sunday jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june
    july august september october november december am pm hrs gmt bst ist utc est pst
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_MIN_LINE_WORDS = 3
"""Words besides the date a line needs to say what happened ("Nov 12 2011, 01:19 hrs" has none)."""
# A date as the bound of a span of time ("since 1996", "from 1995 to 1997", "until July"): it
# dates no happening, only how long a state lasted.
_BOUND_BEFORE = rx(r"\b(?:since|until|till|through|from)\s+(?:(?:the|late|early|mid)\s+)?$")
_RANGE_END_BEFORE = rx(r"\bfrom\s+\S+(?:\s+\S+)?\s+(?:to|-|–|until)\s+$")
# A year qualifying the thing a preposition introduces ("an aide to Romney's 2012 campaign",
# "chairman during the 2000 election"): a role or a background, not a happening of the story.
_QUALIFIER_BEFORE = re.compile(
    r"\b(?:to|for|during|since|of|with|under)\s+(?:the\s+|an?\s+|his\s+|her\s+|their\s+|its\s+"
    r"|(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.-]*['’]s\s+)?$"
)
_NOUN_AFTER = re.compile(r"[ \t]+[a-z]")
_CLOCK_ONLY = rx(r"^(?:at\s+)?(?:about\s+)?[\d:.\s]+(?:a\.?\s?m\.?|p\.?\s?m\.?|o['’]clock|hrs?)?$")
_DAY_WORD = rx(
    r"\b(?:yesterday|today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{4}"
)
EVENT_SUBJECT_CHARS = 160
"""A dated event's subject (its clause) is cut at a word boundary past this length."""


def dates_a_happening(text: str, timex: Timex) -> bool:
    """Whether ``timex`` dates something that happened (or is scheduled) in its clause: not a
    clock time alone ("by 9:30 p.m."), not a page's date line or URL, not the bound of a span
    of time ("since 1996", "from 1995 to 1997"), not a year qualifying a role or background
    ("an aide to Romney's 2012 campaign")."""
    if timex.type is TimexType.TIME and not _DAY_WORD.search(timex.text):
        return False  # a clock time: the day is only the publication's
    line_start = text.rfind("\n", 0, timex.start) + 1
    line_end = text.find("\n", timex.end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if _PAGE_LINE.search(line):
        return False
    words = [
        w
        for w in _WORD.findall(
            text[line_start : timex.start] + " " + text[timex.end : line_start + len(line)]
        )
        if w.lower().strip("'’") not in _CALENDAR_WORDS
    ]
    if len(words) < _MIN_LINE_WORDS:
        return False  # a date line ("22 Jul 2013"), not a clause
    before = text[max(line_start, timex.start - 60) : timex.start]
    if _BOUND_BEFORE.search(before) or _RANGE_END_BEFORE.search(before):
        return False
    if re.fullmatch(r"\d{4}", timex.text) and _QUALIFIER_BEFORE.search(before):
        return _NOUN_AFTER.match(text, timex.end) is None
    return True


def _subject_text(text: str) -> str:
    text = " ".join(text.split()).rstrip(" .;:,")
    if len(text) <= EVENT_SUBJECT_CHARS:
        return text
    cut = text.rfind(" ", 0, EVENT_SUBJECT_CHARS)
    return text[: cut if cut > 0 else EVENT_SUBJECT_CHARS].rstrip(" ,;:") + "…"


def dated_event_facts(
    articles: Sequence[ArticleView], timeline: Sequence[TimelineEntry], covered: Sequence[Fact]
) -> list[Fact]:
    """An event fact for each dated clause of the timeline that dates a happening
    (:func:`dates_a_happening`), its value the clause's date at its precision. The clauses of
    one timeline entry (one happening told in other words) share one subject, the entry's
    text, so that they make one claim; a clause a trigger event already dates (``covered``:
    "the strike began on March 6") is left to it."""
    views = {a.article.id: a for a in articles}
    taken = {(f.article_id, f.start, f.end, f.value) for f in covered if f.kind is ClaimKind.EVENT}
    taken_spans = [
        (f.article_id, f.start, f.end, f.low, f.high) for f in covered if f.kind is ClaimKind.EVENT
    ]
    facts: list[Fact] = []
    for entry in timeline:
        subject = _subject_text(entry.text)
        period = date_interval(entry.date)
        if period is None:
            continue
        for evidence in entry.sources:
            art = views.get(evidence.article_id)
            if art is None:
                continue
            text = art.article.text
            when: tuple[int, int, str] | None = None
            at = evidence.start
            for t in art.annotations.timexes:
                if not (evidence.start <= t.start and t.end <= evidence.end):
                    continue
                if t.type not in (TimexType.DATE, TimexType.TIME):
                    continue
                interval = date_interval(t.value)
                if interval is None or not dates_a_happening(text, t):
                    continue
                interval = _coarsen(interval, t.text)
                if not (period[0] <= interval[1] and interval[0] <= period[1]):
                    continue  # another date of the clause, of another entry
                if when is None or interval[1] - interval[0] < when[1] - when[0]:
                    when, at = interval, t.start
            if when is None:
                continue
            if any(
                a == art.article.id
                and s < evidence.end
                and evidence.start < e
                and lo is not None
                and hi is not None
                and lo <= when[1]
                and when[0] <= hi
                for a, s, e, lo, hi in taken_spans
            ):
                continue
            if (art.article.id, evidence.start, evidence.end, when[2]) in taken:
                continue
            facts.append(
                Fact(
                    kind=ClaimKind.EVENT,
                    article_id=art.article.id,
                    start=evidence.start,
                    end=evidence.end,
                    measure=subject,
                    predicate=DATED,
                    scope="",
                    value=when[2],
                    low=float(when[0]),
                    high=float(when[1]),
                    as_of=art.published,
                    retracted=is_withdrawn(
                        text,
                        Span(
                            start=evidence.start,
                            end=evidence.end,
                            text=text[evidence.start : evidence.end],
                        ),
                        at,
                    ),
                    order=(art.position, at),
                )
            )
    return facts
