"""What story clustering compares: terms, canonical names, dates and figures of one article.

Everything here is a pure function of the article and its annotations, so features can be
recomputed, stored and compared across processes. Weights are raw (term frequencies); inverse
document frequencies are applied by the clusterer, which keeps them up to date online.

>>> f = article_features(Article(id="x", title="Floods in Velden",
...                              text="The Ilse River flooded Velden on Monday."), None)
>>> sorted(f.terms)[:4]
['flood', 'ilse', 'river', 'velden']
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from storyline.model import Annotations, Article, TimexType

__all__ = [
    "ENTITY_LABELS",
    "ArticleFeatures",
    "article_features",
    "name_key",
    "stem",
    "tokens",
]

ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
"""Entity labels whose canonical names become features."""

TITLE_WEIGHT = 2.0
"""A title word counts as this many body occurrences (the title states what the story is)."""

NAME_WORD_WEIGHT = 0.5
"""Each word of a multi-word name also counts as a (weaker) name feature of its own."""

LEAD_CHARS = 400
"""The lead: the first sentences of the text, up to about this many characters."""
LEAD_WEIGHT = 2.0
"""A word or name in the lead counts this much more: news puts the event it reports first
and background (earlier events of the same kind) later."""

MAX_TERMS = 120
"""Terms kept per article: its most frequent ones (ties alphabetical), so stored vectors and the
work of comparing them stay bounded for very long texts."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_LETTERS = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Function words and the vocabulary of news writing itself: they say nothing about which event
# a text reports. Rare words need no list: inverse document frequency handles the rest.
_STOPWORDS = frozenset(
    """
    a about above after again against ago all almost also although am among an and another any
    are around as at back be became because been before being below between both but by can
    cannot could did do does doing done down during each either else even ever every few for
    from further get gets got had has have having he her here hers herself him himself his how
    however i if in into is it its itself just last least less like made make many may me might
    more most much must my myself near nearly never next no nor not now of off on once one only
    or other others our ours ourselves out over own per perhaps put rather really said same say
    saying says she should since so some still such than that the their theirs them themselves
    then there these they this those though through thus to told too toward towards under until
    up upon us very via was we well were what whatever when where whether which while who whom
    whose why will with within without would yet you your yours yourself also already later
    according reported report reports reporting told tell tells news today yesterday tomorrow
    week weeks month months year years day days time times monday tuesday wednesday thursday
    friday saturday sunday mr mrs ms dr st s t don didn doesn isn wasn http https www com html
    htm org net co uk php asp index two three four five six seven eight nine ten first second
    third new people
    """.split()  # noqa: SIM905  (a word list reads better as text)
)


def _ascii(text: str) -> str:
    """Casefolded, accents stripped: ``"Ortéga"`` -> ``"ortega"``."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded))


def stem(word: str) -> str:
    """A light, deterministic English stemmer: plurals, possessives and common verb endings.

    >>> [stem(w) for w in ("floods", "flooded", "flooding", "cities", "strikes", "news")]
    ['flood', 'flood', 'flood', 'city', 'strike', 'news']
    """
    if len(word) <= 3:
        return word
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word
    if word.endswith("ed") and len(word) > 4:
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
            return word[:-1]
        return word
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ws")):
        return word[:-1]
    return word


def _token(word: str) -> str | None:
    """The content word ``word`` (a casefolded, accent-free match of ``_WORD``) stands for, or
    None for a function word."""
    if "’" in word:
        word = word.replace("’", "'")
    if word.endswith("'"):
        word = word[:-1]
    if word in _STOPWORDS or len(word) < 2 or (word.isdigit() and len(word) != 4):
        return None
    word = stem(word)
    return None if word in _STOPWORDS else word


# News repeats its words (Zipf): most of an article's words were seen before, so what each
# surface word stands for is remembered, up to a bound. Outputs are the same with or without.
_TOKEN_CACHE: dict[str, str | None] = {}
_TOKEN_CACHE_SIZE = 200_000


def tokens(text: str) -> list[str]:
    """Content words of ``text``: casefolded, accents stripped, stemmed, function words out.

    >>> tokens("The dockworkers' strike shut Calder's port on Monday")
    ['dockworker', 'strike', 'shut', 'calder', 'port']
    """
    out = []
    cache = _TOKEN_CACHE
    for word in _WORD.findall(_ascii(text)):
        if word in cache:
            token = cache[word]
        else:
            token = _token(word)
            if len(cache) >= _TOKEN_CACHE_SIZE:
                cache.clear()
            cache[word] = token
        if token is not None:
            out.append(token)
    return out


_NAME_PREFIXES = ("al", "el", "ul", "the")
_TRANSLIT = (
    ("ph", "f"),
    ("kh", "k"),
    ("gh", "g"),
    ("dh", "d"),
    ("th", "t"),
    ("sh", "s"),
    ("ch", "c"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("g", "k"),
    ("z", "s"),
    ("y", "i"),
    ("w", "v"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
)


def name_key(name: str) -> str:
    """A cross-document key for a canonical name, tolerant of spelling and transliteration.

    Casefolded, accents and punctuation stripped, a leading ``al-``/``el-``/``the`` dropped,
    common transliteration variants collapsed (``q``/``g``/``k``, ``dh``/``d``, doubled letters).
    The one place that decides which spellings of a name meet; ``link/entities.py`` may replace
    it with a fuller cross-document linker.

    >>> sorted({name_key(n) for n in ("Gaddafi", "Qadhafi", "al-Qaddafi", "Muammar Gaddafi")})
    ['kadafi', 'muamar kadafi']
    >>> name_key("Ana María Ortega") == name_key("ana maria ortega")
    True
    """
    words = [w for w in _LETTERS.split(_ascii(name)) if w]
    if len(words) > 1 and words[0] in _NAME_PREFIXES:
        words = words[1:]
    out = []
    for word in words:
        if word in _NAME_PREFIXES:
            continue
        for old, new in _TRANSLIT:
            word = word.replace(old, new)
        collapsed: list[str] = []
        for ch in word:
            if not collapsed or collapsed[-1] != ch:
                collapsed.append(ch)
        out.append("".join(collapsed))
    return " ".join(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleFeatures:
    """The raw, unweighted features of one article (see :func:`article_features`)."""

    terms: dict[str, float] = field(default_factory=dict)
    """Content-word stem -> sublinear frequency (``1 + log tf``; title words weigh more)."""
    entities: dict[str, float] = field(default_factory=dict)
    """:func:`name_key` of each canonical name -> ``1 + log mentions``."""
    entity_names: dict[str, str] = field(default_factory=dict)
    """A display form (the most frequent canonical name) for each entity key."""
    dates: dict[str, float] = field(default_factory=dict)
    """Resolved calendar dates mentioned, at day (``2013-05-03``) and year (``y2013``)
    precision, with how often."""
    numbers: dict[str, float] = field(default_factory=dict)
    """Figures stated (``23``, ``6.1``, ``200000000``), with how often."""
    lead_periods: tuple[str, ...] = ()
    """The days, weeks and months the first sentence refers to (resolved time expressions, as
    ``2024-10-17``, ``2024-W42``, ``2024-10``; sorted): when the event the article reports
    happened, which may be months before it was published ("Five months ago, forces began
    their offensive ..."). Only the first sentence: later ones date background, such as the
    earlier quake a report of a new one recalls."""


def article_features(article: Article, annotations: Annotations | None) -> ArticleFeatures:
    """Terms (title and lead boosted), canonical entity keys (lead boosted), mentioned dates and
    stated figures of an article."""
    counts: defaultdict[str, float] = defaultdict(float)
    lead_end = _lead_end(article.text)
    for word in tokens(article.text):
        counts[word] += 1.0
    for word in tokens(article.text[:lead_end]):
        counts[word] += LEAD_WEIGHT
    if article.title and not article.text.startswith(article.title):
        for word in tokens(article.title):
            counts[word] += TITLE_WEIGHT
    elif article.title:
        for word in tokens(article.title):
            counts[word] += TITLE_WEIGHT - 1.0
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    terms = {t: 1.0 + math.log(c) for t, c in ranked}

    entities: defaultdict[str, float] = defaultdict(float)
    names: dict[str, Counter[str]] = {}
    dates: Counter[str] = Counter()
    if annotations is not None:
        for entity in annotations.entities:
            if entity.label not in ENTITY_LABELS:
                continue
            key = name_key(entity.canonical)
            if not key:
                continue
            entities[key] += 1 + (LEAD_WEIGHT if entity.start < lead_end else 0.0)
            names.setdefault(key, Counter())[entity.canonical] += 1
            words = key.split()
            if len(words) > 1:
                # The words of a name meet its other forms ("Klitschko", "Wladimir Klitschko").
                for word in words:
                    entities["~" + word] += NAME_WORD_WEIGHT
        for timex in annotations.timexes:
            if timex.type is not TimexType.DATE:
                continue
            value = timex.value
            if len(value) >= 4 and value[:4].isdigit():
                dates["y" + value[:4]] += 1
                if len(value) >= 10 and value[5:7].isdigit() and value[8:10].isdigit():
                    dates[value[:10]] += 1
    numbers: Counter[str] = Counter()
    periods: set[str] = set()
    if annotations is not None:
        first_end = _first_sentence_end(article.text)
        for timex in annotations.timexes:
            # "Saturday afternoon" is a TIME whose value names its day.
            if timex.type in _DATED and timex.start < first_end:
                period = _period_value(timex.value)
                if period is not None:
                    periods.add(period)
        for quantity in annotations.quantities:
            if quantity.value is not None and math.isfinite(quantity.value):
                numbers[f"{quantity.value:g}"] += 1
    return ArticleFeatures(
        terms=terms,
        entities={k: _damped(c) for k, c in sorted(entities.items())},
        entity_names={k: c.most_common(1)[0][0] for k, c in sorted(names.items())},
        dates=dict(sorted(dates.items())),
        numbers=dict(sorted(numbers.items())),
        lead_periods=tuple(sorted(periods)),
    )


_DATED = (TimexType.DATE, TimexType.TIME)
_PERIOD = re.compile(r"\d{4}-(?:\d{2}-\d{2}|W\d{2}|\d{2})")


def _period_value(value: str) -> str | None:
    """The day, week or month a TIMEX3 value names (``2024-03-09TNI`` -> ``2024-03-09``);
    None for years, seasons, quarters and unresolved values."""
    m = _PERIOD.match(value)
    return m[0] if m else None


def _lead_end(text: str) -> int:
    """Where the lead ends: after the first :data:`LEAD_CHARS` characters, at a line or
    sentence end."""
    if len(text) <= LEAD_CHARS:
        return len(text)
    cut = [i for i in (text.find("\n", LEAD_CHARS), text.find(". ", LEAD_CHARS)) if i >= 0]
    return min(cut) + 1 if cut else len(text)


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s|\n")


def _first_sentence_end(text: str) -> int:
    """Where the first sentence ends (a line end, or a full stop followed by a space, after
    at least a few words)."""
    m = _SENTENCE_END.search(text, 20)
    return m.end() if m else len(text)


def _damped(count: float) -> float:
    """Sublinear frequency: ``1 + log count`` from one occurrence up, proportional below."""
    return 1.0 + math.log(count) if count >= 1.0 else count
