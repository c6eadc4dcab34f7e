"""Rule-based time expressions (TIMEX3) resolved against the publication time.

:func:`find_timexes` is pure Python and deterministic: a set of regular-expression rules each
propose candidate spans with a TIMEX3 type and value, and the longest non-overlapping candidates
win. Values follow the TIMEX3 / TempEval-3 conventions used by MEANTIME: ``2023-03-06``,
``2023-03``, ``2023-W12``, ``2023-Q1``, ``FY2023``, ``199`` (a decade), ``2023-03-27TMO``,
``P3Y``/``PT12H`` durations, ``XXXX-WXX-6`` sets and ``PRESENT_REF``/``PAST_REF``/``FUTURE_REF``.

Without a publication time, relative expressions keep unresolved values (``XXXX-WXX-2``,
``XXXX-03-06``, ``PAST_REF``) rather than wrong dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from spacy.language import Language
from spacy.tokens import Doc

from storyline.annotate import extensions as _extensions  # noqa: F401  (registers doc._.*)
from storyline.model import Timex, TimexType

__all__ = ["find_timexes"]

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
WEEKDAYS = {
    name: i
    for i, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
SMALL = [
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
    "fifteen sixteen seventeen eighteen nineteen",
]
NUMBER_WORDS: dict[str, float] = {w: i for i, w in enumerate(" ".join(SMALL).split())}
NUMBER_WORDS.update(
    {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
)
NUMBER_WORDS.update({"eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100})
NUMBER_WORDS.update({"a": 1, "an": 1, "a single": 1, "single": 1, "a dozen": 12, "dozen": 12})
NUMBER_WORDS.update({"half a": 0.5, "half an": 0.5, "a couple of": 2, "a couple": 2})
VAGUE_NUMBERS = ("several", "a few", "few", "some", "many", "numerous")
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "1st": 1, "2nd": 2}
ORDINALS.update({"3rd": 3, "4th": 4})
# Unit word -> (ISO letter, multiplier, is a time-of-day unit written after "T").
UNITS: dict[str, tuple[str, int, bool]] = {
    "second": ("S", 1, True),
    "minute": ("M", 1, True),
    "hour": ("H", 1, True),
    "day": ("D", 1, False),
    "night": ("D", 1, False),
    "week": ("W", 1, False),
    "month": ("M", 1, False),
    "quarter": ("Q", 1, False),
    "year": ("Y", 1, False),
    "decade": ("Y", 10, False),
    "century": ("Y", 100, False),
    "centurie": ("Y", 100, False),
}

_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_NUM_WORDS = sorted(NUMBER_WORDS, key=len, reverse=True)
NUM = (
    r"(?:\d+(?:\.\d+)?(?:\s+and\s+a\s+half)?|"
    + _TENS
    + r"(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|"
    + r"(?:"
    + "|".join(re.escape(w) for w in _NUM_WORDS)
    + r")(?:\s+and\s+a\s+half)?)"
)
VAGUE = "(?:" + "|".join(re.escape(w) for w in VAGUE_NUMBERS) + ")"
UNIT = r"(?:second|minute|hour|day|night|week|month|quarter|year|decade|centur(?:y|ie))"
MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)"
)
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
YEAR = r"(?:1[89]\d\d|20\d\d)"
PART = r"(?:morning|afternoon|evening|night)"
FUTURE_CUES = re.compile(
    r"(?:\bwill|\bshall|'ll|\bgoing to|\bscheduled|\bis due|\bare due|\bupcoming|\bto be held|"
    r"\bset to|\bshould|\bexpected to)\b",
    re.IGNORECASE,
)
INTENT_CUES = re.compile(
    # Intent and expectation with their object between, before the expression: "expects the
    # river to peak on Wednesday", "plans to march on Friday". (After it, "a plan to" is a noun.)
    r"\b(?:expect|plan|intend|aim|hope|prepare)(?:s|ed|ing)?\b[^.;:\n]{0,40}?\bto\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What a rule needs besides its match: the whole text and the reference date."""

    text: str
    ref: date | None


@dataclass(frozen=True, slots=True)
class _Cand:
    start: int
    end: int
    type: TimexType
    value: str


_Result = tuple[TimexType, str] | None
_Rule = tuple[re.Pattern[str], re.Pattern[str], Callable[[re.Match[str], _Ctx], _Result]]
_RULES: list[_Rule] = []


_Handler = Callable[[re.Match[str], _Ctx], _Result]


_LITERAL_UPPER = re.compile(r"\\.|\(\?P[<=]|[A-Z]")


def _lower_pattern(pattern: str) -> str:
    """The pattern with its literal letters lowercased (escapes such as ``\\S`` and the
    ``(?P<name>`` syntax kept)."""
    return _LITERAL_UPPER.sub(lambda m: m[0] if len(m[0]) > 1 else m[0].lower(), pattern)


def _rule(pattern: str) -> Callable[[_Handler], _Handler]:
    """Register a handler for a case-insensitive pattern (word-bounded on both sides)."""

    def register(fn: _Handler) -> _Handler:
        full = r"(?<![\w-])" + pattern + r"(?![\w])"
        _RULES.append((re.compile(full, re.IGNORECASE), re.compile(_lower_pattern(full)), fn))
        return fn

    return register


# ---------------------------------------------------------------- helpers


def _number(word: str) -> float | None:
    """ "three" -> 3, "2.5" -> 2.5, "two and a half" -> 2.5; vague words -> None."""
    w = " ".join(word.lower().split())
    half = 0.0
    if w.endswith(" and a half"):
        w, half = w[: -len(" and a half")], 0.5
    if re.fullmatch(r"\d+(?:\.\d+)?", w):
        return float(w) + half
    if "-" in w:
        tens, _, ones = w.partition("-")
        if tens in NUMBER_WORDS and ones in NUMBER_WORDS:
            return NUMBER_WORDS[tens] + NUMBER_WORDS[ones] + half
    if w in NUMBER_WORDS:
        return NUMBER_WORDS[w] + half
    return None


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _duration(n: float | None, unit: str) -> str:
    """ISO-8601 duration: (3, "year") -> P3Y, (12, "hour") -> PT12H, (None, "year") -> PXY."""
    letter, mult, timeish = UNITS[unit.lower().rstrip("s")]
    amount = "X" if n is None else _fmt(n * mult)
    if unit.lower().startswith("decade") and n is None:
        letter = "DE"
    elif unit.lower().startswith("centur") and n is None:
        letter = "CE"
    return ("PT" if timeish else "P") + amount + letter


def _week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _quarter(d: date) -> int:
    return (d.month - 1) // 3 + 1


def _add_months(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + d.month - 1 + months
    return total // 12, total % 12 + 1


def _sentence_start(ctx: _Ctx, m: re.Match[str]) -> int:
    return max(ctx.text.rfind(". ", 0, m.start()), ctx.text.rfind("\n", 0, m.start())) + 1


def _sentence(ctx: _Ctx, m: re.Match[str]) -> str:
    """The sentence around a match, for tense cues."""
    ends = [i for i in (ctx.text.find(". ", m.end()), ctx.text.find("\n", m.end())) if i >= 0]
    return ctx.text[_sentence_start(ctx, m) : min(ends) if ends else len(ctx.text)]


def _is_future(ctx: _Ctx, m: re.Match[str]) -> bool:
    """Whether the clause before the expression speaks of the future ("will meet on Friday");
    for an expression that opens its sentence, the words right after it ("On Friday, leaders
    will meet"), not the whole sentence, whose later clauses are often reported plans."""
    start = _sentence_start(ctx, m)
    clause = ctx.text[max(start, m.start() - 60) : m.start()]
    if clause.strip(" \t\"'“‘(-—–"):
        return FUTURE_CUES.search(clause) is not None or INTENT_CUES.search(clause) is not None
    sentence = _sentence(ctx, m)
    after = sentence[m.end() - start : m.end() - start + 40]
    return FUTURE_CUES.search(after) is not None


def _weekday(ctx: _Ctx, m: re.Match[str], name: str, direction: str) -> str:
    """Resolve a weekday: the publication day itself, else the nearest past one (news report
    the past), or the next one when the sentence speaks of the future or says "next"."""
    wd = WEEKDAYS[name.lower()]
    if ctx.ref is None:
        return f"XXXX-WXX-{wd + 1}"
    diff = wd - ctx.ref.weekday()
    if direction == "next" or (direction != "last" and diff != 0 and _is_future(ctx, m)):
        return (ctx.ref + timedelta(days=diff % 7 or 7)).isoformat()
    if direction == "last":
        return (ctx.ref - timedelta(days=(-diff) % 7 or 7)).isoformat()
    return (ctx.ref - timedelta(days=(-diff) % 7)).isoformat()


def _relative_year(ctx: _Ctx, word: str | None) -> int | None:
    """this/last/next (year) -> the year number, None without a reference date."""
    if ctx.ref is None:
        return None
    w = (word or "this").lower()
    shift = -1 if w in ("last", "previous", "past") else 1 if w in ("next", "coming") else 0
    return ctx.ref.year + shift


def _ref_word(word: str | None) -> str:
    w = (word or "this").lower()
    return (
        "PAST_REF"
        if w in ("last", "previous", "past")
        else ("FUTURE_REF" if w in ("next", "coming") else "PRESENT_REF")
    )


# ---------------------------------------------------------------- explicit dates

D, TM, DU, S = TimexType.DATE, TimexType.TIME, TimexType.DURATION, TimexType.SET


@_rule(r"(\d{4})-(\d{2})-(\d{2})")
def _iso(m: re.Match[str], ctx: _Ctx) -> _Result:
    try:
        return D, date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


@_rule(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
def _slashed(m: re.Match[str], ctx: _Ctx) -> _Result:
    # US order (month/day/year), the common one in English-language news.
    year = int(m[3]) + (2000 if len(m[3]) == 2 and int(m[3]) < 50 else 0)
    year += 1900 if len(m[3]) == 2 and year < 100 else 0
    try:
        return D, date(year, int(m[1]), int(m[2])).isoformat()
    except ValueError:
        return None


def _month_year_guess(ctx: _Ctx, month: int, m: re.Match[str] | None = None) -> int | None:
    """The year of a month named without one: the publication year, or the year before when
    the month lies well ahead of publication (news mostly report the past)."""
    if ctx.ref is None:
        return None
    if month - ctx.ref.month > 2 and (m is None or not _is_future(ctx, m)):
        return ctx.ref.year - 1
    return ctx.ref.year


def _month_day(ctx: _Ctx, month: str, day: str, year: str | None) -> _Result:
    mo, dy = MONTHS[month.lower().rstrip(".")], int(day)
    if not 1 <= dy <= 31:
        return None
    y: int | None = int(year) if year else _month_year_guess(ctx, mo)
    if y is None:
        return D, f"XXXX-{mo:02d}-{dy:02d}"
    try:
        return D, date(y, mo, dy).isoformat()
    except ValueError:
        return None


@_rule(
    r"(?:on\s+)?(?P<t>(?:early\s+|late\s+)?("
    + MONTH
    + r")\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+("
    + YEAR
    + "))?)"
)
def _mdy(m: re.Match[str], ctx: _Ctx) -> _Result:
    return _month_day(ctx, m[2], m[3], m[4])


@_rule(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + MONTH + r")(?:,?\s+(" + YEAR + "))?")
def _dmy(m: re.Match[str], ctx: _Ctx) -> _Result:
    return _month_day(ctx, m[2], m[1], m[3])


@_rule(
    r"(?:(early|mid|late|the end of|the beginning of|the start of)[\s-]+)?("
    + MONTH
    + r"),?\s+(?:of\s+)?("
    + YEAR
    + ")"
)
def _month_year(m: re.Match[str], ctx: _Ctx) -> _Result:
    return D, f"{m[3]}-{MONTHS[m[2].lower().rstrip('.')]:02d}"


@_rule(r"(?P<t>(" + MONTH + r"))(?=\s+(?:of\s+)?(this|last|next)\s+year\b)")
def _month_of_relative_year(m: re.Match[str], ctx: _Ctx) -> _Result:
    """ "October of next year": the month in the year named relative to publication (the
    year phrase is a time expression of its own)."""
    mo = MONTHS[m[2].lower().rstrip(".")]
    year = _relative_year(ctx, m[3])
    return D, f"{year if year else 'XXXX'}-{mo:02d}"


@_rule(
    r"(?:(?:in|since|until|by|from|through|of|during)\s+)?(?P<t>(?:(last|next|this|early|mid|late)"
    r"[\s-]+)?(" + MONTH + r"))"
)
def _month(m: re.Match[str], ctx: _Ctx) -> _Result:
    word = (m[2] or "").lower()
    name = m[3]
    prep = m.start("t") > m.start()
    # "May" and "March" are also a modal and a verb: alone they need a cue word before them.
    ambiguous = name.lower().rstrip(".") in ("may", "march", "mar", "jan", "sep", "dec")
    if not name[0].isupper() or (ambiguous and not (word or prep)):
        return None
    mo = MONTHS[name.lower().rstrip(".")]
    year = _month_year_guess(ctx, mo, m) if word not in ("last", "next", "this") else None
    if ctx.ref is None:
        return D, f"XXXX-{mo:02d}"
    year = year or ctx.ref.year
    if word == "last":
        year -= 1 if mo >= ctx.ref.month else 0
    elif word == "next":
        year += 1 if mo <= ctx.ref.month else 0
    return D, f"{year}-{mo:02d}"


@_rule(
    r"(?:(?:in|since|until|by|from|through|of|during)\s+)?(?P<t>(?:(early|mid|late)[\s-]+)?"
    r"(" + YEAR + r"))(?!\s*(?:%|percent|[-/]\d|,\d|\.\d))"
)
def _year(m: re.Match[str], ctx: _Ctx) -> _Result:
    return D, m[3]


@_rule(r"(?P<t>'(\d\d))(?![\w'])")
def _short_year(m: re.Match[str], ctx: _Ctx) -> _Result:
    # Two-digit years up to a decade ahead of publication are this century's.
    century = 20 if ctx.ref and int(m[2]) <= ctx.ref.year % 100 + 10 else 19
    return D, f"{century}{m[2]}"


@_rule(r"(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(1[5-9]\d|20\d)0'?s")
def _decade(m: re.Match[str], ctx: _Ctx) -> _Result:
    return D, m[1]


@_rule(r"(?:the\s+)?'?([2-9])0'?s")
def _short_decade(m: re.Match[str], ctx: _Ctx) -> _Result:
    return D, f"19{m[1]}"


# ---------------------------------------------------------------- quarters, fiscal years, seasons


@_rule(
    r"(?:the\s+)?(first|second|third|fourth|final|last|1st|2nd|3rd|4th)[\s-]+quarter"
    r"(?:\s+(?:of\s+)?(?:(" + YEAR + r")|(this|last|next|the)\s+(?:fiscal\s+|financial\s+)?year))?"
)
def _quarter_rule(m: re.Match[str], ctx: _Ctx) -> _Result:
    word = m[1].lower()
    if m[2]:
        return D, f"{m[2]}-Q{ORDINALS.get(word, 4)}"
    if ctx.ref is None:
        return D, "XXXX-Q" + str(ORDINALS.get(word, 4))
    if word == "last":
        # "the last quarter" is the quarter before the publication's.
        y, q = (ctx.ref.year, _quarter(ctx.ref) - 1)
        return D, f"{y - 1}-Q4" if q == 0 else f"{y}-Q{q}"
    q = ORDINALS[word]
    year = _relative_year(ctx, m[3] if m[3] and m[3].lower() != "the" else None)
    assert year is not None
    # Results are reported after a quarter ends: a later quarter than now is last year's.
    if not m[3] and q > _quarter(ctx.ref) and not _is_future(ctx, m):
        year -= 1
    return D, f"{year}-Q{q}"


@_rule(r"(?P<t>Q([1-4])(?:\s+(" + YEAR + "))?)")
def _q_short(m: re.Match[str], ctx: _Ctx) -> _Result:
    if not m[0].startswith("Q"):
        return None
    year = m[3] or (str(ctx.ref.year) if ctx.ref else "XXXX")
    return D, f"{year}-Q{m[2]}"


@_rule(r"(?:FY\s?|fiscal\s+(?:year\s+)?)(" + YEAR + r"|\d\d)")
def _fiscal(m: re.Match[str], ctx: _Ctx) -> _Result:
    year = m[1] if len(m[1]) == 4 else "20" + m[1]
    return D, f"FY{year}"


@_rule(r"(?:the\s+)?(this|last|next|current|previous)\s+(?:fiscal|financial)\s+year")
def _fiscal_rel(m: re.Match[str], ctx: _Ctx) -> _Result:
    year = _relative_year(ctx, m[1])
    return D, f"FY{year}" if year else _ref_word(m[1])


@_rule(
    r"(?:(this|last|next|early|late|the)\s+)?(spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?("
    + YEAR
    + "))?"
)
def _season(m: re.Match[str], ctx: _Ctx) -> _Result:
    season = SEASONS[m[2].lower()]
    if m[2].lower() == "fall" and not (m[1] or m[3]):
        return None  # the verb
    if m[3]:
        return D, f"{m[3]}-{season}"
    if ctx.ref is None:
        return D, f"XXXX-{season}"
    year = _relative_year(ctx, m[1] if m[1] and m[1].lower() in ("last", "next") else None)
    return D, f"{year}-{season}"


# ------------------------------------------------ relative days, weeks, months, years


@_rule(r"(?:(earlier|later)\s+)?(today|yesterday|tomorrow)")
def _day_word(m: re.Match[str], ctx: _Ctx) -> _Result:
    word = m[2].lower()
    if ctx.ref is None:
        return D, {"today": "PRESENT_REF", "yesterday": "PAST_REF"}.get(word, "FUTURE_REF")
    shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
    return D, (ctx.ref + timedelta(days=shift)).isoformat()


@_rule(r"(?:(this|yesterday|tomorrow|last|tonight|" + WEEKDAY + r")\s+)?(" + PART + r")|(tonight)")
def _part_of_day(m: re.Match[str], ctx: _Ctx) -> _Result:
    first = (m[1] or "").lower()
    part = PARTS_OF_DAY["night" if m[3] else m[2].lower()]
    if not first and not m[3]:
        return None  # a bare "morning" is too often not a time expression
    if ctx.ref is None:
        return TM, f"XXXX-XX-XXT{part}"
    day = ctx.ref
    if first in ("yesterday",) or (first == "last" and part == "NI"):
        day = ctx.ref - timedelta(days=1)
    elif first == "last":
        return None
    elif first == "tomorrow":
        day = ctx.ref + timedelta(days=1)
    elif first in WEEKDAYS:
        day = date.fromisoformat(_weekday(ctx, m, first, ""))
    return TM, f"{day.isoformat()}T{part}"


@_rule(
    r"(?:(?:on|by|until|since|from)\s+)?(?P<t>(?:(last|next|this|past|coming)\s+)?("
    + WEEKDAY
    + r"))(?!\s+"
    + PART
    + ")"
)
def _weekday_rule(m: re.Match[str], ctx: _Ctx) -> _Result:
    if not m[3][0].isupper():
        return None
    word = (m[2] or "").lower()
    direction = "next" if word in ("next", "coming") else "last" if word in ("last", "past") else ""
    return D, _weekday(ctx, m, m[3], direction)


@_rule(r"(?:the\s+|this\s+)?(week-?end)")
def _weekend(m: re.Match[str], ctx: _Ctx) -> _Result:
    if ctx.ref is None:
        return D, "XXXX-WXX-WE"
    return D, _week(ctx.ref) + "-WE"


@_rule(
    r"(?:(earlier|later)\s+)?(?:the\s+)?(?:(beginning|start|end|middle)\s+of\s+)?"
    r"(?:the\s+)?(this|last|next|previous|past|coming|current|same)\s+(week|month|year|decade)"
)
def _relative_unit(m: re.Match[str], ctx: _Ctx) -> _Result:
    word, unit = m[3].lower(), m[4].lower()
    if word == "same":
        return None
    if ctx.ref is None:
        return D, _ref_word(word)
    shift = -1 if word in ("last", "previous", "past") else 1 if word in ("next", "coming") else 0
    if m[2] and m[2].lower() == "start" and unit == "year" and shift == 0:
        return D, f"{ctx.ref.year}-01-01"
    if unit == "week":
        return D, _week(ctx.ref + timedelta(weeks=shift))
    if unit == "month":
        y, mo = _add_months(ctx.ref, shift)
        return D, f"{y}-{mo:02d}"
    if unit == "decade":
        if shift:
            return DU, "P10Y"  # "the past decade" is TIMEX3's ten-year duration
        return D, str(ctx.ref.year // 10)
    return D, str(ctx.ref.year + shift)


@_rule(
    r"(?:(?:end|ends|ended|ending|finish|finished|finishing|close|closed|closing|start|started|"
    r"for|during|throughout|in|on)\s+)(?P<t>the\s+(?:same\s+)?day)"
    r"(?!\s+(?:of|when|that|in\s+which)\b|\s+(?:before|after)(?!\s+\w+ing\b))|"
    r"(?P<whole>the\s+(?:very\s+)?(?:start|beginning|end|rest|remainder)\s+of\s+the\s+day)"
)
def _the_day(m: re.Match[str], ctx: _Ctx) -> _Result:
    """ "ended the day up", "for the day", "later in the day", "the start of the day": the
    day already under discussion (resolved against the last full date named before it)."""
    return D, ctx.ref.isoformat() if ctx.ref else "XXXX-XX-XX"


@_rule(r"(?:the\s+)?(year|month|week)\s+(previous|before|earlier)")
def _unit_previous(m: re.Match[str], ctx: _Ctx) -> _Result:
    if m[1].lower() != "year" or ctx.ref is None:
        return None
    return D, str(ctx.ref.year - 1)


@_rule(r"(?:the\s+)?(?:(beginning|start|end|middle)\s+of\s+)the\s+year")
def _the_year(m: re.Match[str], ctx: _Ctx) -> _Result:
    return D, str(ctx.ref.year) if ctx.ref else "XXXX"


@_rule(r"(" + NUM + r")\s+(" + UNIT + r")s?\s+(ago)")
def _ago(m: re.Match[str], ctx: _Ctx) -> _Result:
    n = _number(m[1])
    unit = m[2].lower().rstrip("s")
    if n is None or n != int(n):
        return None
    if ctx.ref is None:
        return D, "PAST_REF"
    k = int(n)
    if unit in ("day", "night"):
        return D, (ctx.ref - timedelta(days=k)).isoformat()
    if unit == "week":
        return D, (ctx.ref - timedelta(weeks=k)).isoformat()
    if unit == "month":
        y, mo = _add_months(ctx.ref, -k)
        return D, f"{y}-{mo:02d}"
    if unit in ("year", "decade"):
        return D, str(ctx.ref.year - k * UNITS[unit][1])
    return None


# ---------------------------------------------------------------- durations and sets


@_rule(
    r"(?:(?:the|its|their|his|her)\s+(?:(past|last|next|coming|previous|following|first|final)\s+)?)?"
    r"(" + NUM + "|" + VAGUE + r")[\s-]+(?:(?:more|straight|consecutive|full|long|trading|"
    r"business|calendar)[\s-]+)?(" + UNIT + r")s?(?![\w-])"
)
def _duration_rule(m: re.Match[str], ctx: _Ctx) -> _Result:
    n = _number(m[2])
    unit = m[3].lower()
    if m[2].lower() in ("a", "an") and unit.startswith(("second", "quarter")):
        return None  # "a second attempt", "a quarter of the vote": an ordinal, a fraction
    before = ctx.text[max(0, m.start() - 12) : m.start()].lower()
    # "15 a year", "twice a day": a frequency, not a length of time.
    if m[2].lower() in ("a", "an", "per") and re.search(
        r"(?:\d|once|twice|times|thrice|percent|%)\s*$", before
    ):
        return S, _duration(1, unit)
    if n is None and m[2].lower() in ("a", "an"):
        n = 1
    return DU, _duration(n, unit)


@_rule(r"(?P<t>" + NUM + r")\s+(?:and|to|or)\s+(?:" + NUM + r")[\s-]+(" + UNIT + r")s?(?![\w-])")
def _range_start(m: re.Match[str], ctx: _Ctx) -> _Result:
    """ "between 60 and 90 days": the first number is a duration in the unit of the second."""
    n = _number(m["t"])
    if n is None or m["t"].lower() in ("a", "an", "single", "a single"):
        return None
    return DU, _duration(n, m[2])


@_rule(r"(?:per|each)\s+(" + UNIT + ")")
def _per(m: re.Match[str], ctx: _Ctx) -> _Result:
    return S, _duration(1, m[1])


@_rule(
    r"(?:(over|in|for)\s+(?:(?:just|only|mere)\s+)?)?(?P<t>(?:the\s+)?(?:(past|last|recent|coming|next)\s+)?("
    + UNIT
    + r")s)"
)
def _plural_units(m: re.Match[str], ctx: _Ctx) -> _Result:
    prep, word, unit = (m[1] or "").lower(), (m[3] or "").lower(), m[4].lower()
    if unit in ("second", "night", "quarter"):
        return None
    if prep == "in" and not word and not m["t"].lower().startswith("the"):
        return DU, _duration(None, unit)  # "lost it in minutes", "its highest in years"
    if not (word or prep in ("over", "for")):
        return None
    if word == "recent":
        return D, "PAST_REF"
    return DU, _duration(None, unit)


@_rule(r"(?:the\s+)?(past|last|next|coming)\s+(decade|century)")
def _past_decade(m: re.Match[str], ctx: _Ctx) -> _Result:
    return DU, _duration(1, m[2])


@_rule(r"(?:years|decades)[\s-]+long|a\s+(decade|century)")
def _a_decade(m: re.Match[str], ctx: _Ctx) -> _Result:
    if m[1]:
        return DU, _duration(1, m[1])
    return DU, "PXY" if m[0].lower().startswith("years") else "PXDE"


@_rule(r"(annual(?:ly)?|yearly|monthly|weekly|daily|nightly|hourly|quarterly|biannual(?:ly)?)")
def _adverb_set(m: re.Match[str], ctx: _Ctx) -> _Result:
    word = m[1].lower().removesuffix("ly").removesuffix("l")
    value = {"annua": "P1Y", "year": "P1Y", "month": "P1M", "week": "P1W", "dai": "P1D"}.get(word)
    value = value or {"night": "P1D", "hour": "PT1H", "quarter": "P3M", "biannua": "P6M"}[word]
    return S, value


@_rule(r"every\s+(?:(other|" + NUM + r")\s+)?(" + UNIT + r"|" + WEEKDAY + r"|" + PART + r")s?")
def _every(m: re.Match[str], ctx: _Ctx) -> _Result:
    what = m[2].lower()
    if what in WEEKDAYS:
        return S, f"XXXX-WXX-{WEEKDAYS[what] + 1}"
    if what in PARTS_OF_DAY:
        return S, f"TXX{PARTS_OF_DAY[what]}" if False else f"XXXX-XX-XXT{PARTS_OF_DAY[what]}"
    n = 2.0 if m[1] and m[1].lower() == "other" else _number(m[1]) if m[1] else 1.0
    return S, _duration(n or 1, what)


@_rule(r"(?:on\s+)?(?P<t>(?:every\s+)?(" + WEEKDAY + r")s)")
def _weekdays_plural(m: re.Match[str], ctx: _Ctx) -> _Result:
    return S, f"XXXX-WXX-{WEEKDAYS[m[2].lower()] + 1}"


# ---------------------------------------------------------------- clock times


@_rule(
    r"(?:at\s+|by\s+|around\s+)?(?P<t>(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?|(\d{1,2}):(\d{2})"
    r"(?!\d)|(noon|midday|midnight)|([01]\d|2[0-3])([0-5]\d)(?=\s*(?:UTC|GMT|hours|hrs)))"
    r"(?:\s*(UTC|GMT|Z)\b)?"
    r"(?:\s+(?:on\s+)?(today|yesterday|tomorrow|" + WEEKDAY + r"))?"
)
def _clock(m: re.Match[str], ctx: _Ctx) -> _Result:
    if m[2]:
        hour, minute = int(m[2]) % 12 + (12 if m[4].lower() == "p" else 0), int(m[3] or 0)
    elif m[5]:
        hour, minute = int(m[5]), int(m[6])
    elif m[7]:
        hour, minute = (0, 0) if m[7].lower() == "midnight" else (12, 0)
    else:
        hour, minute = int(m[8]), int(m[9])
    if hour > 24 or minute > 59:
        return None
    zone = "Z" if m[10] else ""
    day_word = (m[11] or "").lower()
    if ctx.ref is None:
        day = "XXXX-XX-XX"
    elif day_word in WEEKDAYS:
        day = _weekday(ctx, m, day_word, "")
    else:
        shift = {"yesterday": -1, "tomorrow": 1}.get(day_word, 0)
        day = (ctx.ref + timedelta(days=shift)).isoformat()
    # The span ends after the zone and day word: widen it to the whole match past "at".
    return TM, f"{day}T{hour:02d}:{minute:02d}{zone}"


# ---------------------------------------------------------------- vague references


@_rule(
    r"(?:(?:right|just|until|up\s+to|for)\s+)?(now|currently|presently|nowadays|these\s+days|"
    r"at\s+present|at\s+the\s+moment|the\s+time\s+being|to\s+date)"
)
def _present(m: re.Match[str], ctx: _Ctx) -> _Result:
    if ctx.text[m.end() : m.end() + 1] == "-":
        return None  # "the now-cancelled deal": part of a compound modifier
    return D, "PRESENT_REF"


@_rule(
    r"(?:(?:more|most|very|until)\s+)?(recently|recent|lately|"
    r"(?:in\s+)?the\s+past|in\s+recent\s+(?:U\.S\.\s+)?history|once\s+upon\s+a\s+time)"
)
def _past(m: re.Match[str], ctx: _Ctx) -> _Result:
    return D, "PAST_REF"


@_rule(
    r"(?:in\s+)?(?P<t>the\s+(?:near\s+|distant\s+)?future|(?:very\s+)?soon|shortly|"
    r"the\s+(?:near|short|long|medium)\s+term|short-term|long-term|"
    r"the\s+(?:coming|next)\s+(?:days|weeks|months|years))"
)
def _future(m: re.Match[str], ctx: _Ctx) -> _Result:
    word = m[0].lower()
    if ctx.text[m.end() : m.end() + 1] == "-":
        return None  # "the soon-to-open terminal": part of a compound modifier
    if word.endswith(("-term",)) and not re.match(
        r"\s+(?:future|outlook|prospects|plans?)", ctx.text[m.end() :]
    ):
        return None
    return D, "FUTURE_REF"


# ---------------------------------------------------------------- driver


def _reference(published: datetime | date | None) -> date | None:
    if published is None:
        return None
    return published.date() if isinstance(published, datetime) else published


def _matches(text: str, lower: str | None) -> Iterator[tuple[re.Match[str], _Handler]]:
    """Every rule's matches in ``text``.

    Case-insensitive matching costs Python's ``re`` about 40% more than exact matching, and
    most positions match nothing. So each rule scans the lowercased text with a lowercased
    pattern, and only its hits are matched again on the original text, where handlers read
    the case they need ("May" the month, "may" the verb). ``lower`` is None when lowercasing
    changes the text's length (rare Unicode), and the rules then scan the text directly.
    """
    for pattern, scan, handler in _RULES:
        if lower is None:
            for m in pattern.finditer(text):
                yield m, handler
            continue
        for hit in scan.finditer(lower):
            again = pattern.match(text, hit.start())
            if again is not None:
                yield again, handler


def _candidates(text: str, ctx: _Ctx) -> Iterator[_Cand]:
    lower = text.lower()
    for m, handler in _matches(text, lower if len(lower) == len(text) else None):
        result = handler(m, ctx)
        if result is None:
            continue
        named_t = "t" in m.re.groupindex
        start, end = m.span("t") if named_t and m["t"] is not None else m.span()
        if named_t and handler is _clock:
            end = m.end()
        yield _Cand(start, end, result[0], result[1])


_ANAPHORIC_DAY = re.compile(
    r"the\s+(?:same\s+)?day|the\s+(?:very\s+)?(?:start|beginning|end|rest|remainder)\s+of\s+the\s+day",
    re.IGNORECASE,
)


def _anchor_times(text: str, chosen: list[_Cand], ref: date | None) -> list[_Cand]:
    """A clock time with no day of its own ("18:00 UTC") belongs to the last full date named
    before it in the same paragraph ("Tuesday"), else to the publication day."""
    if ref is None:
        return chosen
    out: list[_Cand] = []
    last_date: str | None = None
    last_day: tuple[int, str] | None = None
    for c in chosen:
        para = text.rfind("\n", 0, c.start)
        if _ANAPHORIC_DAY.fullmatch(text[c.start : c.end]):
            # "the day", "the same day": the last full date named before, if any.
            c = _Cand(c.start, c.end, c.type, last_date or c.value)
        elif c.type is D and re.fullmatch(r"\d{4}-\d\d-\d\d", c.value):
            last_day = (para, c.value)
            last_date = c.value
        elif (
            c.type is TM
            and c.value.startswith(ref.isoformat() + "T")
            and not re.search(r"today|tonight|this", text[c.start : c.end], re.IGNORECASE)
            and last_day is not None
            and last_day[0] == para
        ):
            c = _Cand(c.start, c.end, c.type, last_day[1] + c.value[10:])
        out.append(c)
    return out


def find_timexes(text: str, published: datetime | date | None) -> list[Timex]:
    """Find the time expressions in ``text`` and resolve them against ``published``.

    Returns timexes sorted by offset and non-overlapping (the longest candidate wins; offsets
    are Python ``str`` indices into ``text``).

    >>> [(t.text, t.value) for t in find_timexes("Talks resume next Tuesday.", date(2023, 3, 27))]
    [('next Tuesday', '2023-03-28')]
    """
    ctx = _Ctx(text, _reference(published))
    chosen: list[_Cand] = []
    taken = [False] * (len(text) + 1)
    # Longest first, then earliest, then rule order (Python's sort is stable).
    for cand in sorted(_candidates(text, ctx), key=lambda c: (c.start - c.end, c.start)):
        if any(taken[cand.start : cand.end]):
            continue
        for i in range(cand.start, cand.end):
            taken[i] = True
        chosen.append(cand)
    chosen.sort(key=lambda c: c.start)
    chosen = _anchor_times(text, chosen, ctx.ref)
    return [
        Timex(text=text[c.start : c.end], start=c.start, end=c.end, type=c.type, value=c.value)
        for c in chosen
    ]


class TimexTagger:
    """spaCy component: ``doc._.timexes = find_timexes(doc.text, doc._.published)``.

    It works on the raw text, so it needs nothing from the rest of the pipeline; set
    ``doc._.published`` before the pipeline runs to resolve relative expressions.
    """

    def __call__(self, doc: Doc) -> Doc:
        doc._.timexes = find_timexes(doc.text, doc._.published)
        return doc


@Language.factory("storyline_timexes", assigns=["doc._.timexes"])
def make_timex_tagger(nlp: Language, name: str) -> TimexTagger:
    """Factory for ``nlp.add_pipe("storyline_timexes")``."""
    return TimexTagger()
